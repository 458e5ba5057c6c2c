//! Writing outputs atomically: to a temporary file in the destination's
//! directory, renamed into place, so a failed run leaves no partial file.
//! Outputs get the mode a plain file write would give (`0666` less the
//! umask), not a temporary file's private `0600`: a distributor or a build
//! system running as someone else reads them.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
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
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    tmp.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("cannot rename into {}", path.display()))?;
    Ok(())
}

/// [`write_atomic`], unless `path` already holds exactly `bytes`: then the
/// file is left as it is (its modification time too, as a build system's
/// `restat` expects). Returns whether it wrote. Index outputs of a repeated
/// thin link are mostly unchanged, and replacing a file costs the file
/// system far more than reading it (ext4 writes the new file back and
/// frees the old one's blocks on the rename).
fn write_atomic_if_changed(path: &Path, bytes: &[u8]) -> Result<bool> {
    if let Ok(existing) = std::fs::read(path) {
        if existing == bytes {
            return Ok(false);
        }
    }
    write_atomic(path, bytes)?;
    Ok(true)
}

/// An index output of the thin link: created in place when it does not
/// exist yet (one file-system operation, as lld writes its index files;
/// a write that fails removes it), else [`write_atomic_if_changed`], so a
/// file that is replaced is never seen half-written. The directory must
/// exist. Returns whether it wrote.
pub fn write_index_file(path: &Path, bytes: &[u8]) -> Result<bool> {
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o666)
        .open(path)
    {
        Ok(mut file) => {
            if let Err(error) = file.write_all(bytes) {
                let _ = std::fs::remove_file(path);
                return Err(error).with_context(|| format!("cannot write {}", path.display()));
            }
            Ok(true)
        }
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            write_atomic_if_changed(path, bytes)
        }
        Err(error) => Err(error).with_context(|| format!("cannot create {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn outputs_are_readable_by_others_and_unchanged_files_are_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/m.o.plan");
        assert!(write_atomic_if_changed(&path, b"one").unwrap());
        let first = std::fs::metadata(&path).unwrap();
        // The test's umask is at most 022 in CI; a private temporary file
        // would be 0600 whatever the umask.
        assert_eq!(first.mode() & 0o044, 0o044, "mode {:o}", first.mode());
        assert!(!write_atomic_if_changed(&path, b"one").unwrap());
        assert_eq!(std::fs::metadata(&path).unwrap().ino(), first.ino());
        assert!(write_atomic_if_changed(&path, b"two").unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
    }

    #[test]
    fn index_files_are_created_in_place_and_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.o.imports");
        assert!(write_index_file(&path, b"a.o\n").unwrap());
        let meta = std::fs::metadata(&path).unwrap();
        assert_eq!(meta.mode() & 0o044, 0o044, "mode {:o}", meta.mode());
        // Unchanged: untouched. Changed: a new file renamed over it.
        assert!(!write_index_file(&path, b"a.o\n").unwrap());
        assert_eq!(std::fs::metadata(&path).unwrap().ino(), meta.ino());
        assert!(write_index_file(&path, b"b.o\n").unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), b"b.o\n");
        assert_ne!(std::fs::metadata(&path).unwrap().ino(), meta.ino());
        // No directory: an error naming the file.
        let err = write_index_file(&dir.path().join("no/such.plan"), b"").unwrap_err();
        assert!(format!("{err:#}").contains("no/such.plan"), "{err:#}");
    }
}
