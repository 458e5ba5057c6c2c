//! Bad input to `dtlto link`: a clear error naming the culprit, a non-zero
//! exit, no output file and no temporaries left behind.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

fn compile(work: &Path, name: &str, source: &str, extra: &[&str]) -> String {
    std::fs::write(work.join(format!("{name}.c")), source).unwrap();
    run(Command::new(CLANG)
        .current_dir(work)
        .args(["-flto=thin", "-O2", "-c"])
        .args(extra)
        .arg(format!("{name}.c")));
    format!("{name}.o")
}

/// Runs a failing link and returns its stderr.
fn failing_link(work: &Path, args: &[&str]) -> String {
    let out = dtlto()
        .current_dir(work)
        .arg("link")
        .args(args)
        .args(["-o", "out"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(1),
        "expected exit 1, stderr:\n{stderr}"
    );
    assert!(!work.join("out").exists(), "a failed link left its output");
    assert!(
        leftover_temporaries(work).is_empty(),
        "temporaries left behind"
    );
    stderr
}

const MAIN: &str = "int helper(int);\nint main(void) { return helper(1) - 2; }\n";

#[test]
fn missing_input_is_named() {
    let work = tempfile::tempdir().unwrap();
    let err = failing_link(work.path(), &["no-such-file.o"]);
    assert!(err.contains("no-such-file.o"), "{err}");
}

#[test]
fn undefined_symbol_is_named_with_its_user() {
    let work = tempfile::tempdir().unwrap();
    let main = compile(work.path(), "main", MAIN, &[]);
    let err = failing_link(work.path(), &[&main]);
    assert!(
        err.contains("undefined symbol: helper") && err.contains("main.o"),
        "{err}"
    );
}

#[test]
fn duplicate_definitions_are_named() {
    let work = tempfile::tempdir().unwrap();
    let main = compile(work.path(), "main", MAIN, &[]);
    let a = compile(
        work.path(),
        "a",
        "int helper(int x) { return x + 1; }\n",
        &[],
    );
    let b = compile(
        work.path(),
        "b",
        "int helper(int x) { return x + 2; }\n",
        &[],
    );
    let err = failing_link(work.path(), &[&main, &a, &b]);
    assert!(
        err.contains("duplicate symbol: helper") && err.contains("a.o") && err.contains("b.o"),
        "{err}"
    );
}

#[test]
fn corrupt_bitcode_is_named() {
    let work = tempfile::tempdir().unwrap();
    let main = compile(work.path(), "main", MAIN, &[]);
    let lib = compile(
        work.path(),
        "lib",
        "int helper(int x) { return x + 1; }\n",
        &[],
    );
    let bytes = std::fs::read(work.path().join(&lib)).unwrap();
    std::fs::write(work.path().join(&lib), &bytes[..bytes.len() / 2]).unwrap();
    let err = failing_link(work.path(), &[&main, &lib]);
    assert!(err.contains("lib.o"), "{err}");
}

#[test]
fn mixed_targets_are_refused() {
    let work = tempfile::tempdir().unwrap();
    let main = compile(work.path(), "main", MAIN, &[]);
    let lib = compile(
        work.path(),
        "lib",
        "int helper(int x) { return x + 1; }\n",
        &["--target=aarch64-linux-gnu"],
    );
    let err = failing_link(work.path(), &[&main, &lib]);
    assert!(err.contains("lib.o") && err.contains("aarch64"), "{err}");
}

#[test]
fn plain_lto_bitcode_is_refused_with_the_flag_to_use() {
    let work = tempfile::tempdir().unwrap();
    let main = compile(work.path(), "main", MAIN, &[]);
    std::fs::write(
        work.path().join("full.c"),
        "int helper(int x) { return x + 1; }\n",
    )
    .unwrap();
    run(Command::new(CLANG)
        .current_dir(work.path())
        .args(["-flto", "-O2", "-c", "full.c"]));
    let err = failing_link(work.path(), &[&main, "full.o"]);
    assert!(
        err.contains("full.o") && err.contains("-flto=thin"),
        "{err}"
    );
}

/// Under GNU ld the final link goes through the plugin first and, if that
/// fails, gives the linker the objects directly: a link the linker itself
/// refuses reports the linker's message once, and leaves nothing behind.
#[test]
fn a_final_link_the_linker_refuses_is_reported_once() {
    let work = tempfile::tempdir().unwrap();
    let main = compile(work.path(), "main", MAIN, &[]);
    let helper = compile(
        work.path(),
        "helper",
        "int helper(int x) { return x + 1; }\n",
        &[],
    );
    let err = failing_link(
        work.path(),
        &[&main, &helper, "-fuse-ld=bfd", "-Wl,--no-such-option"],
    );
    assert_eq!(
        err.matches("unrecognized option '--no-such-option'")
            .count(),
        1,
        "{err}"
    );
    assert!(err.contains("the final link failed"), "{err}");
}
