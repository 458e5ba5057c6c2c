//! Link records: a relink with nothing changed, without reading bitcode,
//! resolving or thin-linking again.
//!
//! After a link with `--cache-dir`, dtlto stores beside the backend
//! entries a record of the final link: its command (with the objects as
//! placeholders) and the cache key of every object. The record's own key
//! digests the toolchain, dtlto's options that shape objects, the linker
//! command `clang-22 -###` gave, and the identity of every file on it
//! (path, size, modification and change times, inode and device — what
//! build tools trust; an edited, touched, copied or replaced file changes
//! it). On a relink whose key finds a record whose objects are all still
//! in the cache, the final link runs on those objects at once. Anything
//! else — no record, a damaged one, a pruned object — is the normal link.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use dtlto_core::cache_key::FieldDigest;
use serde::{Deserialize, Serialize};

use crate::driver::{LinkerCommand, LinkerView};

/// Stands for the link's temporary directory in a recorded command.
const TEMPS: &str = "\u{1}dtlto-temps\u{1}";

#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkRecord {
    /// The final link's arguments; object paths start with [`TEMPS`].
    pub args: Vec<String>,
    /// Object `i` is `TEMPS/i.o`, the cache entry of `keys[i]`.
    pub keys: Vec<String>,
}

impl LinkRecord {
    /// Where object `i` goes in a recorded command.
    pub fn placeholder(i: usize) -> PathBuf {
        PathBuf::from(format!("{TEMPS}/{i}.o"))
    }

    /// The placeholder directory, as `final_link_args` wants its temps.
    pub fn placeholder_dir() -> &'static Path {
        Path::new(TEMPS)
    }

    /// The recorded arguments with the real temporary directory.
    pub fn args_in(&self, temps: &Path) -> Vec<String> {
        let dir = temps.display().to_string();
        self.args.iter().map(|a| a.replace(TEMPS, &dir)).collect()
    }
}

/// The record key of a link: `toolchain` and `options` as for backend
/// keys, the linker command and its files' identities.
pub fn record_key(
    toolchain: &str,
    options: &[String],
    cmd: &LinkerCommand,
    view: &LinkerView,
) -> Result<String> {
    let mut h = FieldDigest::new(b"dtlto link record 1");
    h.field(toolchain.as_bytes());
    h.fields(options);
    h.field(cmd.program.as_bytes());
    // The output name is left out: the recorded command links into the
    // temporary directory, and the output is renamed into place after.
    let kept: Vec<&String> = {
        let mut kept = Vec::with_capacity(cmd.args.len());
        let mut args = cmd.args.iter();
        while let Some(a) = args.next() {
            kept.push(a);
            if a == "-o" {
                args.next();
            }
        }
        kept
    };
    h.fields(&kept);
    h.field(&(view.files.len() as u64).to_le_bytes());
    for file in &view.files {
        identity(&mut h, &file.path)
            .with_context(|| format!("cannot stat {}", file.path.display()))?;
    }
    Ok(h.hex())
}

/// Environment variables the compiler driver reads when it builds a
/// linker command: where to find programs, libraries and GCC, and its
/// option overrides.
const DRIVER_ENVIRONMENT: &[&str] = &[
    "PATH",
    "COMPILER_PATH",
    "LIBRARY_PATH",
    "GCC_EXEC_PREFIX",
    "CCC_OVERRIDE_OPTIONS",
    "CLANG_NO_DEFAULT_CONFIG",
    "SDKROOT",
];

/// Directories whose entries decide which GCC installation (crt files,
/// library directories) the driver picks: a GCC version installed or
/// removed changes their modification time.
const GCC_ROOTS: &[&str] = &["/usr/lib/gcc", "/usr/lib/gcc-cross", "/usr/lib64/gcc"];

/// The key of the driver's answer (`clang-22 -###`) for a link line:
/// the line itself (target, linker, arguments, output, working
/// directory), the driver's environment, the identity of the driver
/// executable and of the directories it looks for GCC in. A relink with
/// the same key takes the stored answer instead of running the driver;
/// the files that answer names are checked by the link record's own key.
/// `None` when the driver is not found (the link then reports it).
pub fn driver_key(
    toolchain: &str,
    line: &crate::link_line::LinkLine,
    output: &str,
) -> Result<Option<String>> {
    let Some(clang) = find_on_path(crate::driver::CLANG) else {
        return Ok(None);
    };
    let mut h = FieldDigest::new(b"dtlto driver answer 1");
    h.field(toolchain.as_bytes());
    let _ = identity(&mut h, &std::fs::canonicalize(&clang)?);
    h.field(line.target.as_deref().unwrap_or("").as_bytes());
    h.field(line.linker.as_bytes());
    h.fields(&line.driver_args);
    h.field(output.as_bytes());
    h.field(std::env::current_dir()?.as_os_str().as_encoded_bytes());
    for name in DRIVER_ENVIRONMENT {
        h.field(name.as_bytes());
        match std::env::var_os(name) {
            Some(v) => h.field(v.as_encoded_bytes()),
            None => h.field(b"\0unset"),
        }
    }
    for root in GCC_ROOTS {
        let root = Path::new(root);
        let _ = identity(&mut h, root);
        let mut subdirs: Vec<PathBuf> = std::fs::read_dir(root)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        subdirs.sort();
        for dir in subdirs {
            let _ = identity(&mut h, &dir);
        }
    }
    Ok(Some(h.hex()))
}

/// Where `Command::new(program)` would find `program`.
fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// A file's path and identity (size, times, inode, device) — what build
/// tools trust; an edited, touched, copied or replaced file changes it. A
/// missing file digests as missing, and is the error.
fn identity(h: &mut FieldDigest, path: &Path) -> std::io::Result<()> {
    h.field(path.as_os_str().as_encoded_bytes());
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(error) => {
            h.field(b"\0missing");
            return Err(error);
        }
    };
    for n in [
        meta.size(),
        meta.mtime() as u64,
        meta.mtime_nsec() as u64,
        meta.ctime() as u64,
        meta.ctime_nsec() as u64,
        meta.ino(),
        meta.dev(),
    ] {
        h.field(&n.to_le_bytes());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_the_temporary_directory() {
        let record = LinkRecord {
            args: vec![
                "-o".into(),
                format!("{TEMPS}/output"),
                LinkRecord::placeholder(0).display().to_string(),
                "-lc".into(),
            ],
            keys: vec!["k".into()],
        };
        assert_eq!(
            record.args_in(Path::new("/t/.dtlto-x")),
            ["-o", "/t/.dtlto-x/output", "/t/.dtlto-x/0.o", "-lc"]
        );
    }
}
