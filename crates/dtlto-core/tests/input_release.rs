//! `InputFile::release_module_data`: before the final link, a link lets go
//! of each module's bytes, IR globals and summaries, and keeps what the
//! final link is built from.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use dtlto_core::input::{load, InputFile, MemberContent};

/// The example's shapes.c as ThinLTO bitcode, in `work`.
fn shapes_object(work: &Path) -> std::path::PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = work.join("shapes.o");
    let status = Command::new("clang-22")
        .args(["-flto=thin", "-O2", "-c"])
        .arg(root.join("examples/hello-thin/shapes.c"))
        .arg("-o")
        .arg(&out)
        .status()
        .expect("clang-22 must be installed (ci/setup)");
    assert!(status.success());
    out
}

#[test]
fn release_keeps_paths_and_symbols_and_spares_shared_modules() {
    let work = tempfile::tempdir().unwrap();
    let object = shapes_object(work.path());

    let mut input = load(&object).unwrap();
    let InputFile::Bitcode(module) = &input else {
        panic!("{} is bitcode", object.display());
    };
    let (path, symbols) = (module.path.clone(), module.symbols.clone());
    assert!(!module.bitcode.is_empty() && !module.summaries.is_empty());

    // Another holder (the index, a backend) keeps the module whole.
    let shared = Arc::clone(module);
    input.release_module_data();
    assert_eq!(shared.bitcode.len(), std::fs::read(&object).unwrap().len());
    assert!(!shared.globals.is_empty() && !shared.summaries.is_empty());
    drop(shared);

    input.release_module_data();
    let InputFile::Bitcode(module) = &input else {
        unreachable!()
    };
    assert!(module.bitcode.is_empty());
    assert!(module.globals.is_empty() && module.summaries.is_empty());
    assert_eq!(module.path, path);
    assert_eq!(module.symbols, symbols);
}

#[test]
fn release_reaches_archive_members() {
    let work = tempfile::tempdir().unwrap();
    let object = shapes_object(work.path());
    let archive = work.path().join("libshapes.a");
    let status = Command::new("llvm-ar-22")
        .arg("rcs")
        .arg(&archive)
        .arg(&object)
        .status()
        .expect("llvm-ar-22 must be installed (ci/setup)");
    assert!(status.success());

    let mut input = load(&archive).unwrap();
    input.release_module_data();
    let InputFile::Archive { members, .. } = &input else {
        panic!("{} is an archive", archive.display());
    };
    assert_eq!(members.len(), 1);
    let MemberContent::Bitcode(module) = &members[0].content else {
        panic!("the member is bitcode");
    };
    assert!(module.bitcode.is_empty() && module.summaries.is_empty());
    assert!(module.path.contains("shapes.o"), "{}", module.path);
    assert!(!module.symbols.is_empty());
}
