//! dtlto's import decisions equal lld 22's, module by module and function by
//! function, on the repository's own C and C++ programs.

mod common;

use common::*;

fn check_program(dir: &str) {
    let program = Program::load(repo_root().join(dir));
    let work = tempfile::tempdir().unwrap();
    let objects = program.compile(work.path(), &[]);
    let libs = program.link_libs();
    let lld = lld_decisions(work.path(), &objects, &libs);
    let ours = dtlto_decisions(work.path(), &objects, &libs);
    // The comparison must be about something: some module imports.
    assert!(
        lld.imported.values().any(|s| !s.is_empty()),
        "{dir}: lld imported nothing"
    );
    assert_same_decisions(&lld, &ours);
}

#[test]
fn example_program_imports_match_lld() {
    check_program("examples/hello-thin");
}

#[test]
fn cxx_program_imports_match_lld() {
    check_program("tests/programs/cxx-features");
}

#[test]
fn linkage_corner_cases_match_lld() {
    check_program("tests/programs/c-linkage");
}

/// LLVM's import options change dtlto's decisions as they change lld's:
/// a lower limit, a flatter evolution, `-force-import-all` (which stops at
/// a function's first call it cannot import), `-import-declaration` and
/// `-import-cutoff`.
#[test]
fn import_options_change_decisions_as_in_lld() {
    let options: [&[&str]; 8] = [
        &["-import-instr-limit=10"],
        &[
            "-import-instr-limit=30",
            "-import-instr-evolution-factor=1.0",
        ],
        &["-force-import-all"],
        &["-import-declaration"],
        // The cutoff counts imports across modules in the order LLVM
        // walks them (a hash map of module paths).
        &["-import-cutoff=0"],
        &["-import-cutoff=1"],
        &["-import-cutoff=2"],
        &["-import-cutoff=5"],
    ];
    for dir in [
        "examples/hello-thin",
        "tests/programs/cxx-features",
        "tests/programs/c-linkage",
    ] {
        let program = Program::load(repo_root().join(dir));
        let work = tempfile::tempdir().unwrap();
        let objects = program.compile(work.path(), &[]);
        let libs = program.link_libs();
        for opts in options {
            let lld = lld_decisions_with(work.path(), &objects, &libs, opts);
            let ours = dtlto_decisions_with(work.path(), &objects, &libs, opts);
            eprintln!("{dir} {opts:?}");
            assert_same_decisions(&lld, &ours);
        }
    }
}
