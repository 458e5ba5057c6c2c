//! Helpers shared by the end-to-end tests: compiling small programs to
//! ThinLTO bitcode with clang-22, running lld's thin link for reference,
//! running the real `dtlto` binary, and reading lld's index shards.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const CLANG: &str = "clang-22";
pub const CLANGXX: &str = "clang++-22";

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn dtlto() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dtlto"))
}

pub fn run(cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e} (did ci/setup run?)"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A program under tests/programs or examples: its sources and flags.
pub struct Program {
    pub dir: PathBuf,
    pub sources: Vec<PathBuf>,
    pub cflags: Vec<String>,
    pub cxx: bool,
}

impl Program {
    pub fn load(dir: PathBuf) -> Program {
        let mut sources: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("c" | "cpp")))
            .collect();
        sources.sort();
        let cflags = std::fs::read_to_string(dir.join("cflags"))
            .map(|s| s.split_whitespace().map(String::from).collect())
            .unwrap_or_default();
        let cxx = sources
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "cpp"));
        Program {
            dir,
            sources,
            cflags,
            cxx,
        }
    }

    /// Compiles every source to `<work>/<stem>.o` with `clang -flto=thin`.
    /// Objects are named relative to `work`, as a build system would.
    pub fn compile(&self, work: &Path, extra: &[&str]) -> Vec<String> {
        let mut objects = Vec::new();
        for src in &self.sources {
            let obj = format!("{}.o", src.file_stem().unwrap().to_string_lossy());
            let compiler = if src.extension().is_some_and(|e| e == "cpp") {
                CLANGXX
            } else {
                CLANG
            };
            run(Command::new(compiler)
                .current_dir(work)
                .args(["-flto=thin", "-O2", "-c"])
                .args(&self.cflags)
                .args(extra)
                .arg(src)
                .arg("-o")
                .arg(&obj));
            objects.push(obj);
        }
        objects
    }

    pub fn link_libs(&self) -> Vec<String> {
        if self.cxx {
            vec!["-lstdc++".into(), "-lm".into()]
        } else {
            Vec::new()
        }
    }
}

/// An import: (source module, GUID, kind) with kind "definition"/"declaration".
pub type Import = (String, u64, String);

/// lld's decisions: per module, the `.imports` file and the imports listed
/// in its `.thinlto.bc` shard.
pub struct Decisions {
    pub imports_files: BTreeMap<String, String>,
    pub imported: BTreeMap<String, BTreeSet<Import>>,
    /// Symbol resolutions in LLVM's resolution-file format, flags `p`
    /// (prevailing) and `x` (visible to regular objects) only.
    pub resolutions: String,
    /// `-print-import-failures`: per module, each callee rejected, why, at
    /// which threshold, its size, hotness and attempts, in the order
    /// printed.
    pub missed: BTreeMap<String, Vec<String>>,
    /// What the import reports as errors (`-force-import-all`), sorted.
    pub errors: Vec<String>,
}

/// The lines of a tool's stderr that start with `prefix`, sorted.
pub fn sorted_lines(stderr: &[u8], prefix: &str) -> Vec<String> {
    let mut lines: Vec<String> = String::from_utf8_lossy(stderr)
        .lines()
        .filter(|l| l.starts_with(prefix))
        .map(String::from)
        .collect();
    lines.sort();
    lines
}

/// The "Error importing module: ..." lines of a thin link's stderr, sorted.
fn import_errors(stderr: &[u8]) -> Vec<String> {
    sorted_lines(stderr, "Error importing module: ")
}

/// The `-print-import-failures` lines of a thin link's stderr, by module.
fn missed_imports(stderr: &[u8]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut module = None;
    for line in String::from_utf8_lossy(stderr).lines() {
        if let Some(m) = line.strip_prefix("Missed imports into module ") {
            out.entry(m.to_string()).or_default();
            module = Some(m.to_string());
        } else if let (Some(m), true) = (&module, line.contains(": Reason = ")) {
            out.get_mut(m).unwrap().push(line.to_string());
        }
    }
    out
}

/// Keeps only the `p` and `x` flags of a resolution file.
fn normalize_resolutions(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        match line.strip_prefix("-r=").and_then(|_| line.rsplit_once(',')) {
            Some((head, flags)) => {
                let kept: String = flags.chars().filter(|c| matches!(c, 'p' | 'x')).collect();
                out.push_str(&format!("{head},{kept}\n"));
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// Runs lld's thin link (`--thinlto-index-only`) through the driver.
pub fn lld_decisions(work: &Path, objects: &[String], libs: &[String]) -> Decisions {
    lld_decisions_with(work, objects, libs, &[])
}

/// lld's decisions with LLVM options (`-mllvm`), e.g. `-import-instr-limit=10`.
pub fn lld_decisions_with(
    work: &Path,
    objects: &[String],
    libs: &[String],
    llvm_options: &[&str],
) -> Decisions {
    let out = run(Command::new(CLANG)
        .current_dir(work)
        .args([
            "-flto=thin",
            "-fuse-ld=lld",
            "-Wl,--thinlto-index-only,--thinlto-emit-imports-files,-save-temps",
            "-Wl,-mllvm,-print-import-failures",
        ])
        .args(llvm_options.iter().map(|o| format!("-Wl,-mllvm,{o}")))
        .args(objects)
        .args(libs)
        .args(["-o", "lld.out"]));
    let resolutions = std::fs::read_to_string(work.join("lld.out.resolution.txt")).unwrap();
    let mut d = Decisions {
        imports_files: BTreeMap::new(),
        imported: BTreeMap::new(),
        resolutions: normalize_resolutions(&resolutions),
        missed: missed_imports(&out.stderr),
        errors: import_errors(&out.stderr),
    };
    for o in objects {
        let imports = work.join(format!("{o}.imports"));
        d.imports_files
            .insert(o.clone(), std::fs::read_to_string(&imports).unwrap());
        std::fs::remove_file(imports).unwrap();
        let shard = work.join(format!("{o}.thinlto.bc"));
        d.imported.insert(o.clone(), shard_imports(&shard, o));
        std::fs::remove_file(shard).unwrap();
    }
    d
}

/// The imports recorded in an lld index shard, read with llvm-dis-22:
/// every summary from a module other than `module` itself.
pub fn shard_imports(shard: &Path, module: &str) -> BTreeSet<Import> {
    let out = run(Command::new("llvm-dis-22").arg(shard).arg("-o").arg("-"));
    let text = String::from_utf8_lossy(&out.stdout);
    let mut modules: BTreeMap<String, String> = BTreeMap::new();
    let mut imports = BTreeSet::new();
    for line in text.lines() {
        let Some((id, rest)) = line.split_once(" = ") else {
            continue;
        };
        if let Some(m) = rest.strip_prefix("module: (path: \"") {
            modules.insert(id.to_string(), m.split('"').next().unwrap().to_string());
        } else if let Some(gv) = rest.strip_prefix("gv: (guid: ") {
            let guid: u64 = gv
                .split(|c: char| !c.is_ascii_digit())
                .next()
                .unwrap()
                .parse()
                .unwrap();
            for part in gv.split("(module: ").skip(1) {
                let m = part.split(',').next().unwrap();
                let path = &modules[m];
                if path == module {
                    continue;
                }
                let kind = part
                    .split("importType: ")
                    .nth(1)
                    .map(|k| k.split(')').next().unwrap().to_string())
                    .unwrap_or_else(|| "definition".into());
                imports.insert((path.clone(), guid, kind));
            }
        }
    }
    imports
}

/// dtlto's decisions for the same link line.
pub fn dtlto_decisions(work: &Path, objects: &[String], libs: &[String]) -> Decisions {
    dtlto_decisions_with(work, objects, libs, &[])
}

/// dtlto's decisions with LLVM's options under LLVM's names (`-X` is
/// dtlto's `--X`).
pub fn dtlto_decisions_with(
    work: &Path,
    objects: &[String],
    libs: &[String],
    llvm_options: &[&str],
) -> Decisions {
    // The same link line after each dtlto command.
    let dtlto_on_line = |command: &[&str], output: &str| {
        run(dtlto()
            .current_dir(work)
            .args(command)
            .args(llvm_options.iter().flat_map(|&o| ["-mllvm", o]))
            .args(objects)
            .args(libs)
            .args(["-o", output]))
    };
    let thin = dtlto_on_line(&["thin-link", "--print-import-failures"], "dtlto.out");
    let out = dtlto_on_line(&["summary", "--resolutions"], "lld.out");
    let mut d = Decisions {
        imports_files: BTreeMap::new(),
        imported: BTreeMap::new(),
        resolutions: String::from_utf8(out.stdout).unwrap(),
        missed: missed_imports(&thin.stderr),
        errors: import_errors(&thin.stderr),
    };
    // Plans name imported values; the summary's JSON also gives their
    // GUIDs, which is what lld's shards hold.
    let out = dtlto_on_line(&["summary", "--json"], "lld.out");
    let index: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut imported: BTreeMap<String, BTreeSet<(String, u64, String)>> = BTreeMap::new();
    for module in index["modules"].as_array().unwrap() {
        let mut set = BTreeSet::new();
        for v in module["imported"].as_array().unwrap() {
            set.insert((
                v["from"].as_str().unwrap().to_string(),
                v["guid"].as_u64().unwrap(),
                v["kind"].as_str().unwrap().to_lowercase(),
            ));
        }
        imported.insert(module["path"].as_str().unwrap().to_string(), set);
    }
    // The summary's JSON carries the same import failures as the printed
    // report, field by field.
    let mut from_json: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for module in index["modules"].as_array().unwrap() {
        let lines =
            module["import_failures"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    let name = f["name"].as_str().unwrap();
                    format!(
                "{}{}: Reason = {}, Threshold = {}, Size = {}, MaxHotness = {}, Attempts = {}",
                f["guid"].as_u64().unwrap(),
                if name.is_empty() { String::new() } else { format!(" ({name})") },
                f["reason"].as_str().unwrap(),
                f["threshold"],
                f["size"].as_i64().unwrap_or(-1),
                f["max_hotness"].as_str().unwrap(),
                f["attempts"],
            )
                });
        from_json.insert(
            module["path"].as_str().unwrap().to_string(),
            lines.collect(),
        );
    }
    assert_eq!(from_json, d.missed, "summary --json's import failures");
    for o in objects {
        let imports = work.join(format!("{o}.imports"));
        d.imports_files
            .insert(o.clone(), std::fs::read_to_string(&imports).unwrap());
        // Every module has a plan (thin-link wrote it) and a place in the
        // index.
        assert!(work.join(format!("{o}.plan")).is_file(), "no plan for {o}");
        let set = imported
            .remove(o)
            .unwrap_or_else(|| panic!("{o} is not in dtlto's index"));
        d.imported.insert(o.clone(), set);
    }
    d
}

/// A line for each module whose set in `ours` is not lld's: what only
/// lld has, what only dtlto has.
fn set_diffs<T: Ord + Clone + std::fmt::Debug>(
    what: &str,
    lld: &BTreeMap<String, BTreeSet<T>>,
    ours: &BTreeMap<String, BTreeSet<T>>,
    diffs: &mut Vec<String>,
) {
    for (module, expected) in lld {
        let got = ours.get(module).cloned().unwrap_or_default();
        if &got != expected {
            let missing: Vec<_> = expected.difference(&got).collect();
            let extra: Vec<_> = got.difference(expected).collect();
            diffs.push(format!(
                "{module}: {what} only lld has {missing:?}; only dtlto {extra:?}"
            ));
        }
    }
}

/// Asserts dtlto decided exactly what lld decided, module by module.
pub fn assert_same_decisions(lld: &Decisions, ours: &Decisions) {
    let mut diffs = Vec::new();
    assert!(lld.resolutions.contains("-r="), "lld wrote no resolutions");
    if lld.resolutions != ours.resolutions {
        let theirs: Vec<&str> = lld.resolutions.lines().collect();
        let mine: Vec<&str> = ours.resolutions.lines().collect();
        let first = theirs
            .iter()
            .zip(&mine)
            .position(|(a, b)| a != b)
            .unwrap_or(theirs.len().min(mine.len()));
        diffs.push(format!(
            "resolutions differ from line {}: lld `{}`, dtlto `{}`",
            first + 1,
            theirs.get(first).unwrap_or(&"<end>"),
            mine.get(first).unwrap_or(&"<end>")
        ));
    }
    for (module, expected) in &lld.imports_files {
        if ours.imports_files.get(module) != Some(expected) {
            diffs.push(format!(
                "{module}.imports: lld\n{expected}dtlto\n{}",
                ours.imports_files.get(module).cloned().unwrap_or_default()
            ));
        }
    }
    set_diffs("imports", &lld.imported, &ours.imported, &mut diffs);
    assert!(!lld.missed.is_empty(), "lld printed no import failures");
    // The report lists callees in the order of LLVM's hash map; dtlto
    // reproduces it, so the lines must match in order too.
    let as_sets = |m: &BTreeMap<String, Vec<String>>| -> BTreeMap<String, BTreeSet<String>> {
        m.iter()
            .map(|(k, v)| (k.clone(), v.iter().cloned().collect()))
            .collect()
    };
    set_diffs(
        "import failures",
        &as_sets(&lld.missed),
        &as_sets(&ours.missed),
        &mut diffs,
    );
    for (module, expected) in &lld.missed {
        let got = ours.missed.get(module).cloned().unwrap_or_default();
        let same_set = got.len() == expected.len()
            && got.iter().collect::<BTreeSet<_>>() == expected.iter().collect::<BTreeSet<_>>();
        if same_set && &got != expected {
            let at = got.iter().zip(expected).position(|(a, b)| a != b).unwrap();
            diffs.push(format!(
                "{module}: import failures in another order from line {}: lld `{}`, dtlto `{}`",
                at + 1,
                expected[at],
                got[at]
            ));
        }
    }
    if lld.errors != ours.errors {
        diffs.push(format!(
            "import errors: lld {:?}, dtlto {:?}",
            lld.errors, ours.errors
        ));
    }
    if lld.missed.len() != ours.missed.len() {
        diffs.push(format!(
            "import failures for {} modules by lld, {} by dtlto",
            lld.missed.len(),
            ours.missed.len()
        ));
    }
    assert!(
        diffs.is_empty(),
        "import decisions differ from lld's:\n{}",
        diffs.join("\n")
    );
}

/// Links `objects` with `dtlto link` in `work`; returns the output path.
pub fn dtlto_link(work: &Path, objects: &[String], extra: &[&str], output: &str) -> PathBuf {
    run(dtlto()
        .current_dir(work)
        .arg("link")
        .args(objects)
        .args(extra)
        .args(["-o", output]));
    work.join(output)
}

/// Links `objects` with lld's in-process ThinLTO, for reference.
pub fn lld_link(work: &Path, objects: &[String], extra: &[&str], output: &str) -> PathBuf {
    run(Command::new(CLANG)
        .current_dir(work)
        .args(["-flto=thin", "-fuse-ld=lld"])
        .args(objects)
        .args(extra)
        .args(["-o", output]));
    work.join(output)
}

/// The bytes of a linked program's `.text` (written beside it as
/// `<program>.text`).
pub fn text_of(program: &Path) -> Vec<u8> {
    let out = program.with_extension("text");
    run(Command::new("llvm-objcopy-22")
        .args(["-O", "binary", "--only-section=.text"])
        .arg(program)
        .arg(&out));
    std::fs::read(&out).unwrap()
}

/// Runs a linked program (under qemu for AArch64) and returns its stdout.
pub fn run_program(program: &Path, aarch64: bool) -> String {
    let mut cmd = if aarch64 {
        let mut c = Command::new("qemu-aarch64");
        c.args(["-L", "/usr/aarch64-linux-gnu"]).arg(program);
        c
    } else {
        Command::new(program)
    };
    String::from_utf8(run(&mut cmd).stdout).unwrap()
}

/// Files left in `dir` whose names start with `.dtlto-` (temporaries).
pub fn leftover_temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".dtlto-"))
        .collect()
}

/// A program of ../shared/corpus compiled to ThinLTO bitcode in a temporary
/// directory (sources fetched with the corpus's own `get`).
pub struct CorpusProgram {
    pub dir: PathBuf,
    pub src: PathBuf,
    pub work: tempfile::TempDir,
    pub objects: Vec<String>,
    pub libs: Vec<String>,
    pub manifest: serde_json::Value,
}

pub fn corpus_dir() -> PathBuf {
    repo_root().join("../shared/corpus")
}

impl CorpusProgram {
    pub fn build(name: &str) -> CorpusProgram {
        Self::build_with(name, &[])
    }

    /// Builds with extra compiler flags (e.g. `--target=aarch64-linux-gnu`).
    pub fn build_with(name: &str, extra: &[&str]) -> CorpusProgram {
        let dir = corpus_dir().join(name);
        let text = std::fs::read_to_string(dir.join("build.json")).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; the corpus (shared/) must sit beside the repository",
                dir.display()
            )
        });
        let manifest: serde_json::Value = serde_json::from_str(&text).unwrap();
        let out = run(Command::new(corpus_dir().join("get")).arg(&dir));
        let src = PathBuf::from(String::from_utf8(out.stdout).unwrap().trim());
        let strings = |key: &str| -> Vec<String> {
            manifest[key]
                .as_array()
                .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
                .unwrap_or_default()
        };
        let work = tempfile::tempdir().unwrap();
        let sources = strings("sources");
        let objects: Vec<String> = sources
            .iter()
            .map(|s| format!("{}.o", s.replace('/', "_")))
            .collect();
        // Compile on every core: the corpus is the slow part of the suite.
        let next = std::sync::atomic::AtomicUsize::new(0);
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(source) = sources.get(i) else { break };
                    let cxx = !source.ends_with(".c");
                    let mut cmd = Command::new(if cxx { CLANGXX } else { CLANG });
                    cmd.current_dir(&src)
                        .args(["-flto=thin", "-O2", "-c"])
                        .args(strings("cflags"))
                        .args(strings(if cxx { "cxxflags" } else { "cflags_c" }))
                        .args(extra)
                        .arg(source)
                        .arg("-o")
                        .arg(work.path().join(&objects[i]));
                    run(&mut cmd);
                });
            }
        });
        let mut libs = strings("ldflags");
        if manifest["lang"] == "c++" {
            libs.push("-lstdc++".into());
        }
        CorpusProgram {
            dir,
            src,
            work,
            objects,
            libs,
            manifest,
        }
    }

    /// Runs the program's own check on a linked binary.
    pub fn check(&self, binary: &Path) {
        let check = self.manifest["check"].as_str().unwrap();
        run(Command::new("bash")
            .arg("-c")
            .arg(check)
            .current_dir(&self.dir)
            .env("BIN", binary)
            .env("SRC", &self.src));
    }
}

/// The dtlto binary under test, as a path for job files and scripts.
pub fn dtlto_path() -> &'static str {
    env!("CARGO_BIN_EXE_dtlto")
}

/// Writes an executable script; returns its path.
pub fn write_script(path: &Path, text: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.display().to_string()
}

/// Files a delegated link may leave in `dir`: lld-style temporaries and
/// dtlto's own, sorted.
pub fn delegation_leftovers(dir: &Path) -> Vec<String> {
    let mut left: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.starts_with(".dtlto-") || n.ends_with(".dist-file.json") || n.contains(".native.o")
        })
        .collect();
    left.sort();
    left
}

/// A remote compiler (in `dir`) that behaves like dtlto except for the job
/// that compiles the hello-thin example's shapes.o (its plan is
/// shapes.<task>.<pid>.native.o.plan), for which it runs `misbehave`.
pub fn misbehaving_compiler(dir: &Path, misbehave: &str) -> String {
    write_script(
        &dir.join("rc.sh"),
        &format!(
            "#!/bin/sh\ncase \" $* \" in\n  *\" --plan shapes.\"*) {misbehave} ;;\nesac\nexec {} \"$@\"\n",
            dtlto_path()
        ),
    )
}

/// A program whose code depends on the backends' alias analyses: once
/// `set_float` is imported and inlined into `store_both`, type-based alias
/// analysis folds the reload of `*a`; basic-aa alone cannot.
pub fn write_alias_program(work: &Path) -> Vec<String> {
    let sources = [
        (
            "alias.c",
            "void set_float(float *b);\n\
             __attribute__((noinline)) int store_both(int *a, float *b) {\n\
             \x20 *a = 1;\n  set_float(b);\n  return *a;\n}\n",
        ),
        ("other.c", "void set_float(float *b) { *b = 2.0f; }\n"),
        (
            "main.c",
            "#include <stdio.h>\nint store_both(int *a, float *b);\n\
             int main(void) {\n  int x;\n  float y;\n\
             \x20 printf(\"%d\\n\", store_both(&x, &y) + (int)y);\n  return 0;\n}\n",
        ),
    ];
    compile_thin(work, &sources)
}

/// Writes each `(name, text)` C source into `work` and compiles it to
/// ThinLTO bitcode `<name>.o` there; returns the objects' names.
pub fn compile_thin(work: &Path, sources: &[(&str, &str)]) -> Vec<String> {
    let mut objects = Vec::new();
    for (name, text) in sources {
        std::fs::write(work.join(name), text).unwrap();
        let object = format!("{name}.o");
        run(Command::new(CLANG).current_dir(work).args([
            "-flto=thin",
            "-O2",
            "-c",
            name,
            "-o",
            &object,
        ]));
        objects.push(object);
    }
    objects
}

/// The files in `dir` but `skip`, by name, with their bytes.
pub fn files_in(dir: &Path, skip: &str) -> std::collections::BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_some_and(|n| n != skip))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect()
}

/// The files in `dir` whose names start with `prefix`, by the rest of
/// their name.
pub fn files_named(dir: &Path, prefix: &str) -> BTreeMap<String, Vec<u8>> {
    files_in(dir, "")
        .into_iter()
        .filter_map(|(name, bytes)| Some((name.strip_prefix(prefix)?.to_string(), bytes)))
        .collect()
}

/// lld's `--lto-emit-asm` and dtlto's on the same inputs (objects named
/// relative to `work`, in it): every module's assembly must be the same
/// text. Returns how many modules were compared.
pub fn assert_assembly_is_lld_s(work: &Path, objects: &[String], libs: &[String]) -> usize {
    run(Command::new(CLANG)
        .current_dir(work)
        .args(["-flto=thin", "-fuse-ld=lld", "-Wl,--lto-emit-asm"])
        .args(objects)
        .args(libs)
        .args(["-o", "asm-lld"]));
    run(dtlto()
        .current_dir(work)
        .args(["link", "-Wl,--lto-emit-asm"])
        .args(objects)
        .args(libs)
        .args(["-o", "asm-dtlto"]));
    let mut differ = Vec::new();
    for object in objects {
        let stem = object.strip_suffix(".o").unwrap_or(object);
        let read = |who: &str| std::fs::read(work.join(format!("asm-{who}.lto.{stem}.s")));
        let lld = read("lld").unwrap_or_else(|e| panic!("lld wrote no assembly for {object}: {e}"));
        let ours =
            read("dtlto").unwrap_or_else(|e| panic!("dtlto wrote no assembly for {object}: {e}"));
        if ours != lld {
            differ.push(object.as_str());
        }
    }
    assert!(
        differ.is_empty(),
        "assembly differs from lld's for {} of {} modules: {}",
        differ.len(),
        objects.len(),
        differ.join(" ")
    );
    objects.len()
}
