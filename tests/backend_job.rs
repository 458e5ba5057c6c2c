//! `dtlto backend`, the job a distributor runs: it produces the same object
//! as the in-process link, and refuses mismatched or broken inputs with an
//! error naming the file, leaving no output.

mod common;

use std::path::Path;

use common::*;

/// Thin-links the example; returns the work directory.
fn thin_linked_example() -> tempfile::TempDir {
    let program = Program::load(repo_root().join("examples/hello-thin"));
    let work = tempfile::tempdir().unwrap();
    let objects = program.compile(work.path(), &[]);
    run(dtlto()
        .current_dir(work.path())
        .arg("thin-link")
        .args(&objects)
        .args(["-o", "hello"]));
    work
}

fn backend(work: &Path, args: &[&str]) -> std::process::Output {
    dtlto()
        .current_dir(work)
        .arg("backend")
        .args(args)
        .output()
        .unwrap()
}

fn assert_fails(work: &Path, args: &[&str], needle: &str) {
    let out = backend(work, args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(needle), "expected `{needle}` in:\n{err}");
    assert!(!work.join("job.o").exists(), "a failed job left its output");
}

#[test]
fn backend_job_equals_the_in_process_object() {
    let work = thin_linked_example();
    let w = work.path();
    let out = backend(
        w,
        &[
            "--plan",
            "main.o.plan",
            "-o",
            "job.o",
            "main.o",
            "collatz.o",
            "shapes.o",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    run(dtlto().current_dir(w).args([
        "link",
        "--save-temps",
        "main.o",
        "shapes.o",
        "collatz.o",
        "-o",
        "hello",
    ]));
    let job = std::fs::read(w.join("job.o")).unwrap();
    let in_process = std::fs::read(w.join("hello.dtlto/0.main.o.o")).unwrap();
    assert!(
        job == in_process,
        "the delegated object differs from the in-process one"
    );
}

/// The verifier (off by default, as in a release clang's backend jobs)
/// checks; it never changes the object.
#[test]
fn verifying_gives_the_same_object() {
    let work = thin_linked_example();
    let w = work.path();
    for (out, verify) in [("plain.o", None), ("verified.o", Some("--verify"))] {
        let mut args = vec!["--plan", "main.o.plan", "-o", out];
        args.extend(verify);
        args.extend(["main.o", "collatz.o", "shapes.o"]);
        let result = backend(w, &args);
        assert!(
            result.status.success(),
            "{}",
            String::from_utf8_lossy(&result.stderr)
        );
    }
    assert!(
        std::fs::read(w.join("plain.o")).unwrap() == std::fs::read(w.join("verified.o")).unwrap()
    );
}

#[test]
fn plan_for_another_module_is_refused() {
    let work = thin_linked_example();
    assert_fails(
        work.path(),
        &[
            "--plan",
            "main.o.plan",
            "-o",
            "job.o",
            "shapes.o",
            "collatz.o",
            "shapes.o",
        ],
        "does not match",
    );
}

#[test]
fn missing_imported_module_is_refused() {
    let work = thin_linked_example();
    assert_fails(
        work.path(),
        &["--plan", "main.o.plan", "-o", "job.o", "main.o"],
        "collatz.o",
    );
}

#[test]
fn corrupt_imported_module_is_named() {
    let work = thin_linked_example();
    let w = work.path();
    let bytes = std::fs::read(w.join("collatz.o")).unwrap();
    std::fs::write(w.join("broken.o"), &bytes[..bytes.len() / 3]).unwrap();
    assert_fails(
        w,
        &[
            "--plan",
            "main.o.plan",
            "-o",
            "job.o",
            "main.o",
            "broken.o",
            "shapes.o",
        ],
        "collatz.o",
    );
}

#[test]
fn unknown_cpu_is_refused() {
    let work = thin_linked_example();
    assert_fails(
        work.path(),
        &[
            "--plan",
            "main.o.plan",
            "--mcpu",
            "no-such-cpu",
            "-o",
            "job.o",
            "main.o",
            "collatz.o",
            "shapes.o",
        ],
        "no-such-cpu",
    );
}

#[test]
fn corrupt_plan_is_named() {
    let work = thin_linked_example();
    std::fs::write(
        work.path().join("bad.plan"),
        "{\"format_version\": 1, \"module\": 3}",
    )
    .unwrap();
    assert_fails(
        work.path(),
        &[
            "--plan",
            "bad.plan",
            "-o",
            "job.o",
            "main.o",
            "collatz.o",
            "shapes.o",
        ],
        "bad.plan",
    );
}
