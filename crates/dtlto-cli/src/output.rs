//! Writing outputs atomically: to a temporary file in the destination's
//! directory, renamed into place, so a failed run leaves no partial file.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

/// The directory `path` is in (`.` for a bare file name).
pub fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// A fresh `.dtlto-*` directory beside `output`, for the link's per-module
/// objects: same file system as the output, removed when dropped.
pub fn temp_dir_beside(output: &Path) -> Result<tempfile::TempDir> {
    let dir = parent_dir(output);
    tempfile::Builder::new()
        .prefix(".dtlto-")
        .tempdir_in(dir)
        .with_context(|| format!("cannot create a temporary directory in {}", dir.display()))
}

pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = parent_dir(path);
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".dtlto-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    tmp.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("cannot rename into {}", path.display()))?;
    Ok(())
}
