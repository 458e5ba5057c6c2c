//! Split backends: a module above `--split-threshold` is optimized whole,
//! then built in parts. The parts link into a program that runs as lld's
//! does, the same bytes at any `-j` and delegated, with promoted names that
//! cannot collide and debug line tables intact, through the plugin too.
//! (The corpus's one-dominant-module program, sqlite3-amalg, splits by
//! default and passes its check in corpus_link.rs; zlib for AArch64, split,
//! passes its check under qemu there.)

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

const EXPECTED: &str = "sum 258\ndispatch 12 2 35\npowers 9 27\nwalk 464 total 400\n\
                        op mul, calls 10, startup 42\n";

/// A threshold that splits every module of the test program into as
/// many parts as dtlto allows.
const EVERYTHING: &str = "--split-threshold=20";

fn compiled(work: &Path) -> Vec<String> {
    Program::load(repo_root().join("tests/programs/split-parts")).compile(work, &[])
}

fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

/// Part objects `--save-temps` kept for a link to `output`.
fn part_objects(output: &Path) -> Vec<String> {
    let dir = PathBuf::from(format!("{}.dtlto", output.display()));
    let mut parts: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".o.part") && n.ends_with(".o"))
        .collect();
    parts.sort();
    parts
}

fn defined_symbols(binary: &Path) -> Vec<(String, String)> {
    let out = run(Command::new("llvm-nm-22").arg("--defined-only").arg(binary));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let (_addr, kind, name) = (f.next()?, f.next()?, f.next()?);
            Some((kind.to_string(), name.to_string()))
        })
        .collect()
}

#[test]
fn split_program_runs_like_lld_and_is_the_same_at_any_job_count_and_delegated() {
    let work = tempfile::tempdir().unwrap();
    let objects = compiled(work.path());
    let reference = lld_link(work.path(), &objects, &[], "lld");
    assert_eq!(run_program(&reference, false), EXPECTED);

    let j1 = dtlto_link(
        work.path(),
        &objects,
        &[EVERYTHING, "-j1", "--save-temps"],
        "j1",
    );
    assert_eq!(run_program(&j1, false), EXPECTED);
    // The split happened: both modules left part objects beyond part 0.
    let parts = part_objects(&j1);
    assert!(
        parts.iter().any(|p| p.contains("one.o.o.part"))
            && parts.iter().any(|p| p.contains("two.o.o.part")),
        "no parts in {parts:?}"
    );

    let j2 = dtlto_link(work.path(), &objects, &[EVERYTHING, "-j2"], "j2");
    let delegated = dtlto_link(
        work.path(),
        &objects,
        &[
            EVERYTHING,
            &format!("--distributor={}", dtlto_path()),
            "--distributor-arg=distribute",
        ],
        "delegated",
    );
    assert!(bytes(&j1) == bytes(&j2), "-j1 and -j2 differ");
    assert!(bytes(&j1) == bytes(&delegated), "delegated differs");
    assert!(delegation_leftovers(work.path()).is_empty());

    // Not split: the same program, no parts.
    let whole = dtlto_link(
        work.path(),
        &objects,
        &["--no-split", "--save-temps"],
        "whole",
    );
    assert_eq!(run_program(&whole, false), EXPECTED);
    assert_eq!(part_objects(&whole), Vec::<String>::new());

    // -O0 splits the same way (code generation only).
    let o0 = dtlto_link(work.path(), &objects, &[EVERYTHING, "-O0"], "o0");
    assert_eq!(run_program(&o0, false), EXPECTED);
}

#[test]
fn promoted_names_are_unique_to_their_module_and_stay_local() {
    let work = tempfile::tempdir().unwrap();
    let objects = compiled(work.path());
    let out = dtlto_link(work.path(), &objects, &[EVERYTHING], "prog");
    assert_eq!(run_program(&out, false), EXPECTED);
    let symbols = defined_symbols(&out);
    let promoted: Vec<&(String, String)> = symbols
        .iter()
        .filter(|(_, n)| n.contains(".dtlto.split."))
        .collect();
    assert!(!promoted.is_empty(), "nothing was promoted: {symbols:?}");
    // Hidden in the objects, so local in the program.
    for (kind, name) in &promoted {
        assert!(
            kind.chars().all(|c| c.is_ascii_lowercase()),
            "{name} is global ({kind})"
        );
        assert!(!name.contains(".llvm."), "{name}");
    }
    // Each module's promotions carry its own suffix: one.c's and two.c's
    // `twice` never meet.
    let twices: Vec<&String> = symbols
        .iter()
        .map(|(_, n)| n)
        .filter(|n| n.starts_with("twice"))
        .collect();
    assert_eq!(twices.len(), 2, "{twices:?}");
    // Both modules promoted something, each under a suffix of its own.
    let mut suffixes: Vec<&str> = promoted
        .iter()
        .filter_map(|(_, n)| n.split(".dtlto.split.").nth(1))
        .collect();
    suffixes.sort();
    suffixes.dedup();
    assert_eq!(suffixes.len(), 2, "{suffixes:?}");
    let mut names: Vec<&String> = promoted.iter().map(|(_, n)| n).collect();
    let all = names.len();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), all, "a promoted name is defined twice");
}

#[test]
fn split_debug_info_keeps_line_tables() {
    let work = tempfile::tempdir().unwrap();
    let objects = compiled(work.path());
    let out = dtlto_link(work.path(), &objects, &[EVERYTHING], "prog");
    // Every part carries the compile unit; the DWARF stays valid.
    let verified = run(Command::new("llvm-dwarfdump-22").arg("--verify").arg(&out));
    assert!(
        String::from_utf8_lossy(&verified.stdout).contains("No errors."),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );
    let symbols = defined_symbols(&out);
    let ours = [
        ("one_sum", "one.c"),
        ("one_dispatch", "one.c"),
        ("one_power", "one.c"),
        ("one_report", "one.c"),
        ("two_walk", "two.c"),
        ("main", "two.c"),
    ];
    for (function, file) in ours {
        // Internalized by the thin link and then promoted for splitting, a
        // function carries the module's split suffix.
        let promoted = format!("{function}.dtlto.split.");
        let symbol = symbols
            .iter()
            .map(|(_, n)| n)
            .find(|n| *n == function || n.starts_with(&promoted))
            .unwrap_or_else(|| panic!("{function} is not in the program"));
        let out = run(Command::new("llvm-symbolizer-22")
            .arg(format!("--obj={}", out.display()))
            .arg(symbol));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains(file) && !text.contains("??:0"),
            "{function}: no line table entry in {text}"
        );
    }
}

#[test]
fn split_through_the_plugin_matches_dtlto_link() {
    let work = tempfile::tempdir().unwrap();
    let objects = compiled(work.path());
    let plugin = Path::new(dtlto_path()).with_file_name("libdtlto_plugin.so");
    assert!(plugin.is_file(), "{} is missing", plugin.display());
    let out = work.path().join("bfd");
    let status = Command::new(CLANG)
        .current_dir(work.path())
        .arg("-fuse-ld=bfd")
        .arg(format!("-Wl,-plugin,{}", plugin.display()))
        .arg("-Wl,-plugin-opt=split-threshold=20")
        .args(&objects)
        .arg("-o")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(run_program(&out, false), EXPECTED);
}

#[test]
fn thin_link_plans_split_only_when_asked_and_backend_jobs_write_every_part() {
    let work = tempfile::tempdir().unwrap();
    let objects = compiled(work.path());
    let plan_parts = |module: &str| -> u64 {
        let text = std::fs::read_to_string(work.path().join(format!("{module}.plan"))).unwrap();
        let plan: serde_json::Value = serde_json::from_str(&text).unwrap();
        plan["parts"].as_u64().unwrap()
    };
    run(dtlto()
        .current_dir(work.path())
        .arg("thin-link")
        .args(&objects)
        .args(["-o", "prog"]));
    assert_eq!(
        plan_parts("one.o"),
        1,
        "thin-link split without being asked"
    );
    run(dtlto()
        .current_dir(work.path())
        .arg("thin-link")
        .arg(EVERYTHING)
        .args(&objects)
        .args(["-o", "prog"]));
    let mut natives = Vec::new();
    for module in &objects {
        let parts = plan_parts(module);
        assert!(parts > 1, "{module}: {parts} part(s)");
        let imports: Vec<String> =
            std::fs::read_to_string(work.path().join(format!("{module}.imports")))
                .unwrap()
                .lines()
                .map(String::from)
                .collect();
        let out = format!("{module}.native.o");
        run(dtlto()
            .current_dir(work.path())
            .args(["backend", "-j2", "--plan"])
            .arg(format!("{module}.plan"))
            .args(["-o", &out, module])
            .args(&imports));
        natives.push(out.clone());
        for p in 1..parts {
            let part = format!("{out}.part{p}.o");
            assert!(work.path().join(&part).is_file(), "{part} missing");
            natives.push(part);
        }
        assert!(!work.path().join(format!("{out}.part{parts}.o")).exists());
    }
    let program = work.path().join("from-jobs");
    run(Command::new(CLANG)
        .current_dir(work.path())
        .args(&natives)
        .arg("-o")
        .arg(&program));
    assert_eq!(run_program(&program, false), EXPECTED);
}

#[test]
fn split_cxx_templates_vtables_exceptions_and_constructors_run_like_lld() {
    // Comdats (templates, inline functions, vtables, typeinfo), exception
    // tables and personality, and constructors of every module, with every
    // module split as far as dtlto goes.
    let program = Program::load(repo_root().join("tests/programs/cxx-features"));
    let work = tempfile::tempdir().unwrap();
    let objects = program.compile(work.path(), &[]);
    let libs = program.link_libs();
    let libs: Vec<&str> = libs.iter().map(String::as_str).collect();
    let expected = run_program(&lld_link(work.path(), &objects, &libs, "lld"), false);
    assert!(expected.contains("caught:") && expected.contains("constructors ran: 2"));
    for opt in ["-O2", "-O0"] {
        let mut extra = vec![EVERYTHING, opt, "--save-temps"];
        extra.extend(&libs);
        let out = dtlto_link(work.path(), &objects, &extra, &format!("split{opt}"));
        assert_eq!(run_program(&out, false), expected, "at {opt}");
        assert!(!part_objects(&out).is_empty(), "nothing was split at {opt}");
    }
}

#[test]
fn a_split_shared_library_exports_what_it_should() {
    // PIC code for a shared library: declarations of other parts'
    // definitions may not be assumed local, promoted names stay hidden.
    let work = tempfile::tempdir().unwrap();
    let objects = Program::load(repo_root().join("tests/programs/split-parts"))
        .compile(work.path(), &["-fPIC"]);
    let lib = dtlto_link(
        work.path(),
        &[objects[0].clone()],
        &[EVERYTHING, "-shared"],
        "libone.so",
    );
    let exported = run(Command::new("llvm-nm-22")
        .args(["-D", "--defined-only"])
        .arg(&lib));
    let exported = String::from_utf8(exported.stdout).unwrap();
    for f in ["one_sum", "one_dispatch", "one_power", "one_report"] {
        assert!(exported.contains(f), "{f} is not exported:\n{exported}");
    }
    assert!(!exported.contains(".dtlto.split."), "{exported}");
    let program = work.path().join("uses-lib");
    run(Command::new(CLANG)
        .current_dir(work.path())
        .args(["-flto=thin", "-fuse-ld=lld"])
        .arg(&objects[1])
        .arg(&lib)
        .arg("-Wl,-rpath,$ORIGIN")
        .arg("-o")
        .arg(&program));
    assert_eq!(run_program(&program, false), EXPECTED);
}
