//! lld's `--lto-obj-path=PATH` (LLVMgold's `-plugin-opt=obj-path=PATH`):
//! a link keeps each module's object under a numbered name, and goes on
//! as without it.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use dtlto_llvm::BackendOptions;

use crate::output::write_atomic;

/// `PATH` itself: the object of LLVM's regular LTO part, an empty module
/// here (every module is ThinLTO), which lld and LLVMgold write there (lld
/// also in an index-only link).
pub fn write_regular_lto_object(path: &str, triple: &str, options: &BackendOptions) -> Result<()> {
    let object = dtlto_llvm::empty_regular_lto_object(triple, options)?;
    write_atomic(Path::new(path), &object)
        .with_context(|| format!("cannot write the regular LTO object {path}"))
}

/// Copies each module's object (`objects[i]`, module `i` being LTO task
/// `i + 1`, as LLVM numbers them) to `PATH<task>`, as lld and LLVMgold
/// name them. Each module must be one object: links that keep
/// objects do not split modules.
///
/// lld and LLVMgold write only the objects built in this link, so a
/// module their cache served leaves an empty file (lld) or none (LLVMgold);
/// dtlto writes every module's object, served from its cache or not.
pub fn write_task_objects(path: &str, objects: &[Vec<PathBuf>]) -> Result<()> {
    for (i, parts) in objects.iter().enumerate() {
        let task = i + 1;
        let target = format!("{path}{task}");
        let [object] = parts.as_slice() else {
            bail!(
                "task {task} was built as {} objects; keeping objects needs each module whole",
                parts.len()
            );
        };
        let bytes =
            std::fs::read(object).with_context(|| format!("reading the object of task {task}"))?;
        write_atomic(Path::new(&target), &bytes)
            .with_context(|| format!("cannot write the object of task {task} to {target}"))?;
    }
    Ok(())
}
