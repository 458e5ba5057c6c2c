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
    let options: [&[&str]; 10] = [
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
        // Thin-link passes switched off: everything stays live (and
        // importable); no variable is read-only.
        &["-compute-dead=false"],
        &["-propagate-attrs=false"],
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

#[test]
fn lld_s_index_only_line_runs_under_dtlto_thin_link() {
    // The options of an lld index-only link, given to `dtlto thin-link`
    // as they are: the same import files (named and listing modules as
    // lld does) and the same list of objects to link (each module under
    // the prefix replacement), and no output.
    // The link reads minimized copies (`x.min.o`, as a build using
    // -fthin-link-bitcode= would) and names modules by the full objects
    // (--thinlto-object-suffix-replace).
    let program = Program::load(repo_root().join("examples/hello-thin"));
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let objects = program.compile(w, &[]);
    let minimized: Vec<String> = objects
        .iter()
        .map(|o| {
            let min = o.replace(".o", ".min.o");
            std::fs::copy(w.join(o), w.join(&min)).unwrap();
            min
        })
        .collect();
    let index_only = |dir: &str| {
        std::fs::create_dir(w.join(dir)).unwrap();
        vec![
            format!("-Wl,--thinlto-index-only={dir}/objects.txt"),
            "-Wl,--thinlto-emit-imports-files".to_string(),
            format!("-Wl,--thinlto-prefix-replace=;{dir}/"),
            "-Wl,--thinlto-object-suffix-replace=.min.o;.o".to_string(),
            "-o".to_string(),
            format!("{dir}/a.out"),
        ]
    };
    run(std::process::Command::new(CLANG)
        .current_dir(w)
        .args(["-flto=thin", "-fuse-ld=lld"])
        .args(&minimized)
        .args(index_only("lld")));
    run(dtlto()
        .current_dir(w)
        .arg("thin-link")
        .args(&minimized)
        .args(index_only("dtlto")));
    let list = |dir: &str| std::fs::read_to_string(w.join(dir).join("objects.txt")).unwrap();
    assert!(list("lld").contains("lld/main.o\n"), "{}", list("lld"));
    assert_eq!(list("dtlto"), list("lld").replace("lld/", "dtlto/"));
    for object in &objects {
        let imports = |dir: &str| std::fs::read(w.join(format!("{dir}/{object}.imports"))).unwrap();
        assert!(imports("dtlto") == imports("lld"), "{object}.imports");
        assert!(!String::from_utf8_lossy(&imports("lld")).contains(".min.o"));
    }
    // Something is imported, from modules named by their full objects.
    assert!(objects.iter().any(|o| {
        let text = std::fs::read_to_string(w.join(format!("lld/{o}.imports"))).unwrap();
        !text.is_empty()
    }));
    assert!(!w.join("lld/a.out").exists() && !w.join("dtlto/a.out").exists());
}
