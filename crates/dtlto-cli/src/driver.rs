//! Asking the compiler driver what the final link will be.
//!
//! `clang-22 -###` prints the linker command it would run for the user's
//! link line, with the C runtime objects, library search paths and default
//! libraries it adds. dtlto resolves symbols over exactly that command, so
//! that what native code keeps alive (crt1.o's reference to `main`, libc's
//! references) is seen, and later runs the same command with native objects
//! in place of the bitcode.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use dtlto_core::input::{self, FileKind, InputFile};
use dtlto_core::resolution::ResolveOptions;
use rayon::prelude::*;

use crate::link_line::LinkLine;

/// The compiler driver dtlto uses (Debian's LLVM 22).
pub const CLANG: &str = "clang-22";

/// The linker command the driver would run.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LinkerCommand {
    pub program: String,
    pub args: Vec<String>,
}

/// One file on the linker command, in order, with the argument that named
/// it (`-lfoo` or a path; files of a linker script share their `-l`).
#[derive(Clone, Debug)]
pub struct LinkFile {
    pub path: PathBuf,
    pub arg: usize,
}

fn driver_command(line: &LinkLine, args: &[String], output: &str) -> Command {
    let mut cmd = Command::new(CLANG);
    cmd.arg("-###");
    if let Some(t) = &line.target {
        cmd.arg(format!("--target={t}"));
    }
    cmd.arg(format!("-fuse-ld={}", line.linker));
    cmd.args(args).arg("-o").arg(output);
    cmd
}

/// Runs `clang-22 -###` and returns the linker command it prints.
///
/// clang writes that command to stderr a few bytes per write; with
/// hundreds of objects on the line, reading it took longer than the
/// driver's own work. So runs of plain objects are first sent as their
/// first object alone and put back in the driver's answer; when the
/// answer does not show each such object once, in order, the full line
/// is asked instead.
pub fn linker_command(line: &LinkLine, output: &str) -> Result<LinkerCommand> {
    let runs = object_runs(&line.driver_args);
    if !runs.is_empty() {
        let short = collapse_runs(&line.driver_args, &runs);
        if let Ok(cmd) = query(line, &short, output) {
            if let Some(cmd) = expand_runs(cmd, &line.driver_args, &runs) {
                return Ok(cmd);
            }
        }
    }
    query(line, &line.driver_args, output)
}

fn query(line: &LinkLine, args: &[String], output: &str) -> Result<LinkerCommand> {
    let mut cmd = driver_command(line, args, output);
    let out = cmd
        .output()
        .with_context(|| format!("cannot run `{CLANG}`; is clang-22 installed (ci/setup)?"))?;
    let text = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        bail!("`{CLANG} -###` rejected the link line:\n{}", text.trim());
    }
    let last = text
        .lines()
        .rev()
        .find(|l| l.starts_with(' ') && l.contains('"'))
        .with_context(|| format!("`{CLANG} -###` printed no linker command:\n{text}"))?;
    let mut words = split_quoted(last);
    if words.is_empty() {
        bail!("`{CLANG} -###` printed an empty linker command");
    }
    let program = words.remove(0);
    Ok(LinkerCommand {
        program,
        args: words,
    })
}

/// Maximal runs (two or more) of consecutive `.o` arguments that cannot be
/// an option's value (the argument before each is no option, or one that
/// holds its value, `-lfoo` or `-Wl,...`), whose first object appears
/// nowhere else on the line.
fn object_runs(args: &[String]) -> Vec<std::ops::Range<usize>> {
    // Options that carry their value within themselves; after any other
    // option the next argument may be its value.
    let whole = |o: &str| o.starts_with("-Wl,") || (o.len() > 2 && o.starts_with("-l"));
    let plain = |i: usize| {
        let a = &args[i];
        !a.starts_with('-')
            && a.ends_with(".o")
            && (i == 0 || !args[i - 1].starts_with('-') || whole(&args[i - 1]))
    };
    let mut runs = Vec::new();
    let mut i = 0;
    while i < args.len() {
        if !plain(i) {
            i += 1;
            continue;
        }
        let start = i;
        while i < args.len() && plain(i) {
            i += 1;
        }
        let first = &args[start];
        if i - start >= 2 && args.iter().filter(|a| *a == first).count() == 1 {
            runs.push(start..i);
        }
    }
    runs
}

/// `args` with each run reduced to its first object.
fn collapse_runs(args: &[String], runs: &[std::ops::Range<usize>]) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len());
    let mut next = runs.iter().peekable();
    let mut i = 0;
    while i < args.len() {
        match next.peek() {
            Some(run) if run.start == i => {
                out.push(args[i].clone());
                i = run.end;
                next.next();
            }
            _ => {
                out.push(args[i].clone());
                i += 1;
            }
        }
    }
    out
}

/// The driver's answer to the collapsed line with each run's objects back
/// in place of its first; `None` unless each first object shows exactly
/// once, in the runs' order.
fn expand_runs(
    cmd: LinkerCommand,
    args: &[String],
    runs: &[std::ops::Range<usize>],
) -> Option<LinkerCommand> {
    let mut out = Vec::with_capacity(cmd.args.len() + args.len());
    let mut next = 0;
    for a in cmd.args {
        if let Some(run) = runs.iter().position(|r| args[r.start] == a) {
            if run != next {
                return None;
            }
            out.extend(args[runs[run].clone()].iter().cloned());
            next += 1;
        } else {
            out.push(a);
        }
    }
    (next == runs.len()).then_some(LinkerCommand {
        program: cmd.program,
        args: out,
    })
}

impl std::fmt::Display for LinkerCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.program)?;
        for a in &self.args {
            write!(f, " {a}")?;
        }
        Ok(())
    }
}

/// Splits the driver's `"a" "b c"` output (backslash escapes inside quotes).
fn split_quoted(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '"' {
            continue;
        }
        let mut word = String::new();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    if let Some(n) = chars.next() {
                        word.push(n);
                    }
                }
                '"' => break,
                _ => word.push(c),
            }
        }
        out.push(word);
    }
    out
}

/// The linker options that matter for resolution, and the files in order.
#[derive(Debug, Default)]
pub struct LinkerView {
    pub files: Vec<LinkFile>,
    pub options: ResolveOptions,
    /// Position-independent output (`-pie` or `-shared`): PIC code.
    pub pic: bool,
}

/// Linker options that take their value as the next argument.
const WITH_VALUE: &[&str] = &[
    "-o",
    "-m",
    "-dynamic-linker",
    "-e",
    "--entry",
    "-u",
    "--undefined",
    "-soname",
    "-h",
    "-rpath",
    "-z",
    "-T",
    "--version-script",
    "--dynamic-list",
    "-L",
    "-l",
    "--sysroot",
    "-plugin",
    "-plugin-opt",
    "--hash-style",
    "-Map",
    "--wrap",
    "--defsym",
    "-y",
];

pub fn linker_view(cmd: &LinkerCommand) -> Result<LinkerView> {
    let mut view = LinkerView::default();
    let mut search: Vec<PathBuf> = Vec::new();
    let mut static_libs = false;
    let args = &cmd.args;
    // Search paths apply to the whole line, wherever they are.
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "-L" {
            if let Some(d) = args.get(i + 1) {
                search.push(d.into());
            }
            i += 1;
        } else if let Some(d) = a.strip_prefix("-L") {
            search.push(d.into());
        }
        i += 1;
    }
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let next = |i: usize| args.get(i + 1).cloned();
        match a {
            "-shared" | "--shared" => {
                view.options.shared = true;
                view.options.allow_undefined = true;
                view.pic = true;
            }
            "-pie" | "--pie" => view.pic = true,
            "-no-pie" | "--no-pie" => view.pic = false,
            "-static" | "-Bstatic" | "--static" | "-dn" | "-non_shared" => static_libs = true,
            "-Bdynamic" | "-dy" | "-call_shared" => static_libs = false,
            "--export-dynamic" | "-E" | "-export-dynamic" => view.options.export_dynamic = true,
            "-e" | "--entry" => view.options.entry = next(i),
            "-u" | "--undefined" => view.options.undefined.extend(next(i)),
            "-r" | "--relocatable" => bail!("relocatable links (-r) are not supported by dtlto"),
            _ if a.starts_with("--entry=") => view.options.entry = Some(a[8..].to_string()),
            _ if a.starts_with("--undefined=") => view.options.undefined.push(a[12..].to_string()),
            _ if a.starts_with("--unresolved-symbols=ignore")
                || a == "--noinhibit-exec"
                || a == "--warn-unresolved-symbols" =>
            {
                view.options.allow_undefined = true
            }
            _ if a.starts_with("-l") || a == "-l" => {
                let name = if a == "-l" {
                    next(i).unwrap_or_default()
                } else {
                    a[2..].to_string()
                };
                let path = find_library(&name, &search, static_libs)
                    .with_context(|| format!("unable to find library -l{name}"))?;
                expand_file(&path, i, &search, &mut view.files)?;
            }
            _ if WITH_VALUE.contains(&a) => {
                i += 1;
            }
            _ if a.starts_with('-') => {}
            _ => expand_file(Path::new(a), i, &search, &mut view.files)?,
        }
        if a == "-l" {
            i += 1;
        }
        i += 1;
    }
    if view.options.entry.is_none() && !view.options.shared {
        view.options.entry = Some("_start".into());
    }
    Ok(view)
}

fn find_library(name: &str, search: &[PathBuf], static_only: bool) -> Option<PathBuf> {
    if let Some(exact) = name.strip_prefix(':') {
        return search.iter().map(|d| d.join(exact)).find(|p| p.is_file());
    }
    for dir in search {
        if !static_only {
            let so = dir.join(format!("lib{name}.so"));
            if so.is_file() {
                return Some(so);
            }
        }
        let a = dir.join(format!("lib{name}.a"));
        if a.is_file() {
            return Some(a);
        }
    }
    None
}

/// Adds a file, expanding GNU ld scripts (`GROUP(...)`, `INPUT(...)`).
fn expand_file(
    path: &Path,
    arg: usize,
    search: &[PathBuf],
    files: &mut Vec<LinkFile>,
) -> Result<()> {
    // The kind shows in the first 4 KiB; libc.so.6 and libstdc++.so are
    // megabytes, read later only if the link needs their symbols.
    let head = read_head(path, 4096).with_context(|| format!("cannot open {}", path.display()))?;
    if input::file_kind(&head) != FileKind::LinkerScript {
        files.push(LinkFile {
            path: path.to_path_buf(),
            arg,
        });
        return Ok(());
    }
    let script = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let text = String::from_utf8_lossy(&script);
    let text = strip_comments(&text);
    for cmd in ["GROUP", "INPUT"] {
        let mut rest = text.as_str();
        while let Some(at) = rest.find(cmd) {
            let after = &rest[at + cmd.len()..];
            let Some(open) = after.find('(') else { break };
            let body = &after[open + 1..];
            let close = matching_paren(body).unwrap_or(body.len());
            for word in body[..close]
                .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ',')
                .filter(|w| !w.is_empty() && *w != "AS_NEEDED")
            {
                let p = if let Some(lib) = word.strip_prefix("-l") {
                    find_library(lib, search, false)
                        .with_context(|| format!("{}: unable to find -l{lib}", path.display()))?
                } else {
                    script_member(word, path, search)
                };
                expand_file(&p, arg, search, files)?;
            }
            rest = &body[close..];
        }
    }
    Ok(())
}

/// Up to `limit` bytes from the start of a file.
fn read_head(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::new();
    std::fs::File::open(path)?
        .take(limit)
        .read_to_end(&mut head)?;
    Ok(head)
}

/// A file named in a linker script: as given if it exists, else (like GNU
/// ld) next to the script or in the library search path.
fn script_member(word: &str, script: &Path, search: &[PathBuf]) -> PathBuf {
    let p = PathBuf::from(word);
    if p.is_absolute() || p.exists() {
        return p;
    }
    script
        .parent()
        .into_iter()
        .chain(search.iter().map(PathBuf::as_path))
        .map(|d| d.join(word))
        .find(|c| c.is_file())
        .unwrap_or(p)
}

fn matching_paren(s: &str) -> Option<usize> {
    let mut depth = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return Some(i),
            ')' => depth -= 1,
            _ => {}
        }
    }
    None
}

fn strip_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        match rest[start..].find("*/") {
            Some(end) => rest = &rest[start + end + 2..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// Reads every file of the linker view, in parallel, taking those
/// `prefetched` already read. A file named more than once (the driver
/// puts `-lgcc` around `-lc` twice, and libgcc.a is 3 MB) is read once
/// and copied for its other places.
pub fn load_inputs(
    view: &LinkerView,
    prefetched: Prefetched,
    bitcode: input::Bitcode,
) -> Result<Vec<InputFile>> {
    // Each distinct file's place in `unique`.
    let mut first: HashMap<&Path, usize> = HashMap::new();
    let mut unique: Vec<&Path> = Vec::new();
    for f in &view.files {
        first.entry(f.path.as_path()).or_insert_with(|| {
            unique.push(f.path.as_path());
            unique.len() - 1
        });
    }
    let prefetched = std::sync::Mutex::new(prefetched);
    let mut loaded: Vec<Option<InputFile>> = unique
        .par_iter()
        .map(|&path| {
            let early = prefetched.lock().ok().and_then(|mut p| p.remove(path));
            match early {
                Some(file) => Ok(Some(file)),
                None => read_input(path, bitcode)
                    .map(Some)
                    .map_err(anyhow::Error::from),
            }
        })
        .collect::<Result<_>>()?;
    // Uses left of each file: the last one takes it, the others copy.
    let mut left = vec![0usize; unique.len()];
    for f in &view.files {
        left[first[f.path.as_path()]] += 1;
    }
    Ok(view
        .files
        .iter()
        .map(|f| {
            let i = first[f.path.as_path()];
            left[i] -= 1;
            let file = if left[i] == 0 {
                loaded[i].take()
            } else {
                loaded[i].clone()
            };
            file.expect("each file is taken by its last use only")
        })
        .collect())
}

/// One link input, brought into memory as lld brings it (see
/// [`dtlto_llvm::FileBuffer`]).
pub fn read_input(path: &Path, bitcode: input::Bitcode) -> Result<InputFile, input::InputError> {
    let buffer = dtlto_llvm::FileBuffer::open(path).map_err(|error| input::InputError::Io {
        path: path.display().to_string(),
        error,
    })?;
    input::load_contents(path, buffer.bytes(), bitcode)
}

/// Inputs read before the driver said what the link's files are.
pub type Prefetched = std::collections::HashMap<std::path::PathBuf, InputFile>;

/// Reads the files named on the link line itself, while the driver query
/// runs: on a no-change relink the two are a third of the time. Whatever
/// cannot be read here is read (and its error reported) later, if the
/// link needs it.
pub fn prefetch_inputs(args: &[String], bitcode: input::Bitcode) -> Prefetched {
    args.par_iter()
        .filter(|a| !a.starts_with('-'))
        .map(std::path::PathBuf::from)
        .filter(|p| p.is_file())
        .filter_map(|p| read_input(&p, bitcode).ok().map(|file| (p, file)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn runs_of_objects_are_those_no_option_can_own() {
        let args = strings("a.o b.o c.o -Xlinker x.o y.o z.o -L d e.o f.o a.o -lm g.o h.o");
        // The first run starts with a.o, which is not unique; x.o is an
        // option's value; e.o follows a directory, g.o an -l option, which
        // hold no value.
        assert_eq!(object_runs(&args), vec![5..7, 9..12, 13..15]);
        assert_eq!(
            collapse_runs(&args, &object_runs(&args)),
            strings("a.o b.o c.o -Xlinker x.o y.o -L d e.o -lm g.o")
        );
    }

    #[test]
    fn expansion_needs_each_first_object_once_in_order() {
        let args = strings("m.o a.o b.o -lz c.o d.o");
        let runs = object_runs(&args);
        assert_eq!(runs, vec![0..3, 4..6]);
        let answer = |s: &str| LinkerCommand {
            program: "ld".into(),
            args: strings(s),
        };
        let cmd = expand_runs(answer("crt1.o m.o -lz c.o -lc"), &args, &runs).unwrap();
        assert_eq!(cmd.args, strings("crt1.o m.o a.o b.o -lz c.o d.o -lc"));
        assert!(expand_runs(answer("c.o m.o -lz"), &args, &runs).is_none());
        assert!(expand_runs(answer("m.o -lz"), &args, &runs).is_none());
        assert!(expand_runs(answer("m.o c.o c.o"), &args, &runs).is_none());
    }

    /// The collapsed question gets the answer the full line gets.
    #[test]
    fn collapsed_driver_query_gives_the_full_command() {
        let dir = tempfile::tempdir().unwrap();
        let mut args = Vec::new();
        for name in ["m.o", "a.o", "b.o"] {
            let path = dir.path().join(name);
            std::fs::write(&path, b"").unwrap();
            args.push(path.display().to_string());
        }
        args.push("-lm".into());
        args.push("-Wl,--as-needed".into());
        for name in ["c.o", "d.o"] {
            let path = dir.path().join(name);
            std::fs::write(&path, b"").unwrap();
            args.push(path.display().to_string());
        }
        let line = crate::link_line::parse(&args).unwrap();
        assert_eq!(object_runs(&line.driver_args).len(), 2);
        let fast = linker_command(&line, "out").unwrap();
        let full = query(&line, &line.driver_args, "out").unwrap();
        assert_eq!(fast.program, full.program);
        assert_eq!(fast.args, full.args);
    }

    #[test]
    fn splits_driver_output() {
        let w = split_quoted(r#" "/usr/bin/ld.lld" "-o" "a b" "x\"y""#);
        assert_eq!(w, vec!["/usr/bin/ld.lld", "-o", "a b", "x\"y"]);
    }

    #[test]
    fn reads_linker_scripts() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("liba.so.1");
        std::fs::write(&a, b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0").unwrap();
        let script = dir.path().join("liba.so");
        std::fs::write(
            &script,
            format!(
                "/* comment */\nOUTPUT_FORMAT(elf64-x86-64)\nGROUP ( {} AS_NEEDED ( {} ) )\n",
                a.display(),
                a.display()
            ),
        )
        .unwrap();
        let mut files = Vec::new();
        expand_file(&script, 3, &[], &mut files).unwrap();
        assert_eq!(files.len(), 2);
        assert!(files.iter().all(|f| f.path == a && f.arg == 3));
    }

    #[test]
    fn missing_library_is_named() {
        let cmd = LinkerCommand {
            program: "ld".into(),
            args: vec!["-lnosuchlibrary_dtlto".into()],
        };
        let err = linker_view(&cmd).unwrap_err().to_string();
        assert!(err.contains("-lnosuchlibrary_dtlto"), "{err}");
    }
}
