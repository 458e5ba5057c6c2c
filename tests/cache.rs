//! The backend cache: relinks rerun exactly the backends whose inputs
//! changed, damaged entries are rebuilt, and links share a cache safely.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use common::*;

/// Links with `-v` and returns the modules whose backend ran (cache
/// misses), as the link reports them.
fn cached_link(w: &Path, objects: &[String], extra: &[&str], output: &str) -> BTreeSet<String> {
    let out = run(dtlto()
        .current_dir(w)
        .args(["link", "-v", "--cache-dir=cache"])
        .args(objects)
        .args(extra)
        .args(["-o", output]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    // A relink that found its link record ran no backend at all.
    if stderr.contains(&format!(
        "dtlto: link record: no input changed; {} objects from the cache",
        objects.len()
    )) {
        return BTreeSet::new();
    }
    let misses: BTreeSet<String> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("dtlto: cache miss: "))
        .map(String::from)
        .collect();
    let summary = format!(
        "{} hits, {} misses",
        objects.len() - misses.len(),
        misses.len()
    );
    assert!(stderr.contains(&summary), "no `{summary}` in:\n{stderr}");
    misses
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn hello(w: &Path) -> (Vec<String>, String) {
    let objects = Program::load(repo_root().join("examples/hello-thin")).compile(w, &[]);
    let expected =
        std::fs::read_to_string(repo_root().join("examples/hello-thin/expected.txt")).unwrap();
    (objects, expected)
}

fn entries(w: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(w.join("cache"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "o"))
        .collect();
    v.sort();
    v
}

#[test]
fn a_relink_rebuilds_only_what_changed() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let (objects, expected) = hello(w);
    let all = set(&["collatz.o", "main.o", "shapes.o"]);
    assert_eq!(cached_link(w, &objects, &[], "cold"), all);
    assert_eq!(cached_link(w, &objects, &[], "warm"), set(&[]));
    assert_eq!(
        std::fs::read(w.join("cold")).unwrap(),
        std::fs::read(w.join("warm")).unwrap()
    );
    assert_eq!(run_program(&w.join("warm"), false), expected);

    // collatz.c changes: collatz.o is rebuilt, and so is main.o, which
    // imports from it; shapes.o imports nothing from collatz.o and hits.
    let source = std::fs::read_to_string(repo_root().join("examples/hello-thin/collatz.c"))
        .unwrap()
        + "\nint collatz_unused_addition(int x) { return x + 1; }\n";
    std::fs::write(w.join("collatz.c"), source).unwrap();
    run(Command::new(CLANG)
        .current_dir(w)
        .args(["-flto=thin", "-O2", "-c", "collatz.c", "-o", "collatz.o"])
        .arg(format!(
            "-I{}",
            repo_root().join("examples/hello-thin").display()
        )));
    assert_eq!(
        cached_link(w, &objects, &[], "changed"),
        set(&["collatz.o", "main.o"])
    );
    assert_eq!(run_program(&w.join("changed"), false), expected);
    // Back to no change.
    assert_eq!(cached_link(w, &objects, &[], "again"), set(&[]));
}

#[test]
fn options_target_and_cpu_change_every_key() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let (objects, expected) = hello(w);
    let all = set(&["collatz.o", "main.o", "shapes.o"]);
    assert_eq!(cached_link(w, &objects, &[], "o2"), all);
    assert_eq!(cached_link(w, &objects, &["-O1"], "o1"), all);
    assert_eq!(cached_link(w, &objects, &["-mcpu=skylake"], "skylake"), all);
    assert_eq!(cached_link(w, &objects, &["-mattr=+avx2"], "avx2"), all);
    assert_eq!(cached_link(w, &objects, &["-no-pie"], "nopie"), all);
    // And each of them hits when repeated.
    assert_eq!(cached_link(w, &objects, &["-O1"], "o1-again"), set(&[]));
    assert_eq!(
        cached_link(w, &objects, &["-mcpu=skylake"], "skylake-again"),
        set(&[])
    );
    assert_eq!(run_program(&w.join("skylake-again"), false), expected);

    // The same sources for AArch64, into the same cache.
    let arm = w.join("arm");
    std::fs::create_dir(&arm).unwrap();
    let arm_objects = Program::load(repo_root().join("examples/hello-thin"))
        .compile(&arm, &["--target=aarch64-linux-gnu"]);
    std::fs::rename(w.join("cache"), arm.join("cache")).unwrap();
    assert_eq!(
        cached_link(&arm, &arm_objects, &["--target=aarch64-linux-gnu"], "hello"),
        all
    );
    assert_eq!(run_program(&arm.join("hello"), true), expected);
}

#[test]
fn a_damaged_entry_is_rebuilt_not_linked() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let (objects, expected) = hello(w);
    cached_link(w, &objects, &[], "cold");
    let stored = entries(w);
    assert_eq!(stored.len(), 3);
    // One truncated, one overwritten with garbage of the same length.
    let bytes = std::fs::read(&stored[0]).unwrap();
    std::fs::write(&stored[0], &bytes[..bytes.len() / 2]).unwrap();
    let garbage = vec![0x5a; std::fs::read(&stored[1]).unwrap().len()];
    std::fs::write(&stored[1], garbage).unwrap();
    let misses = cached_link(w, &objects, &[], "repaired");
    assert_eq!(misses.len(), 2, "{misses:?}");
    assert_eq!(run_program(&w.join("repaired"), false), expected);
    assert_eq!(
        std::fs::read(w.join("cold")).unwrap(),
        std::fs::read(w.join("repaired")).unwrap()
    );
    assert_eq!(cached_link(w, &objects, &[], "healed"), set(&[]));
}

#[test]
fn concurrent_links_share_one_cache() {
    let program = CorpusProgram::build("zlib");
    let w = program.work.path();
    let spawn = |out: &str| {
        dtlto()
            .current_dir(w)
            .args(["link", "-j", "1", "--cache-dir=cache"])
            .args(&program.objects)
            .args(&program.libs)
            .args(["-o", out])
            .spawn()
            .unwrap()
    };
    let (mut a, mut b) = (spawn("a"), spawn("b"));
    assert!(a.wait().unwrap().success());
    assert!(b.wait().unwrap().success());
    program.check(&w.join("a"));
    program.check(&w.join("b"));
    assert_eq!(
        std::fs::read(w.join("a")).unwrap(),
        std::fs::read(w.join("b")).unwrap()
    );
    assert_eq!(entries(w).len(), program.objects.len());
    // No temporary entry is left in the cache.
    let stray: Vec<_> = std::fs::read_dir(w.join("cache"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".dtlto-"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
}

#[test]
fn delegated_links_distribute_only_the_misses() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let (objects, expected) = hello(w);
    let dtlto = env!("CARGO_BIN_EXE_dtlto");
    let distributor = [
        format!("--distributor={dtlto}"),
        "--distributor-arg=distribute".to_string(),
    ];
    let d: Vec<&str> = distributor.iter().map(String::as_str).collect();
    cached_link(w, &objects, &d, "cold");
    // Warm: nothing to distribute, so even a distributor that always fails
    // is never run.
    let failing = [
        "--distributor=false".to_string(),
        "--save-temps".to_string(),
    ];
    let f: Vec<&str> = failing.iter().map(String::as_str).collect();
    assert_eq!(cached_link(w, &objects, &f, "warm"), set(&[]));
    assert_eq!(run_program(&w.join("warm"), false), expected);
    let report = std::fs::read_to_string(w.join("warm.dtlto/cache.txt")).unwrap();
    assert_eq!(report.lines().filter(|l| l.starts_with("hit ")).count(), 3);
    // The in-process link of the same inputs hits the delegated entries.
    assert_eq!(cached_link(w, &objects, &[], "in-process"), set(&[]));
    assert_eq!(
        std::fs::read(w.join("cold")).unwrap(),
        std::fs::read(w.join("in-process")).unwrap()
    );
}

#[test]
fn pruning_follows_the_policy() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let (objects, _) = hello(w);
    cached_link(
        w,
        &objects,
        &["--cache-policy=prune_interval=0s:cache_size_files=2"],
        "pruned",
    );
    assert_eq!(entries(w).len(), 2);
    let out = dtlto()
        .current_dir(w)
        .args([
            "link",
            "--cache-dir=cache",
            "--cache-policy=cache_size=200%",
        ])
        .args(&objects)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cache_size 200% is over 100%"));
}

/// Relinks with nothing changed go from the link record straight to the
/// final link; anything that might have changed goes the long way.
#[test]
fn a_link_record_serves_only_unchanged_relinks() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let (objects, expected) = hello(w);
    let relink = |output: &str| -> (String, Vec<u8>) {
        let out = run(dtlto()
            .current_dir(w)
            .args(["link", "-v", "--cache-dir=cache"])
            .args(&objects)
            .args(["-o", output]));
        let bytes = std::fs::read(w.join(output)).unwrap();
        (String::from_utf8_lossy(&out.stderr).into_owned(), bytes)
    };
    let recorded = "dtlto: link record: no input changed; 3 objects from the cache";
    let (first, cold) = relink("cold");
    assert!(!first.contains(recorded), "{first}");
    let (log, bytes) = relink("warm");
    assert!(log.contains(recorded), "{log}");
    assert!(!log.contains("thin link:"), "the thin link ran:\n{log}");
    assert!(bytes == cold, "the recorded relink changed the binary");
    assert_eq!(run_program(&w.join("warm"), false), expected);

    // Same bytes, new modification time: the long way, every backend a hit.
    let main_o = w.join("main.o");
    let data = std::fs::read(&main_o).unwrap();
    std::fs::write(&main_o, &data).unwrap();
    let (log, bytes) = relink("touched");
    assert!(
        !log.contains(recorded) && log.contains("3 hits, 0 misses"),
        "{log}"
    );
    assert!(bytes == cold);

    // A damaged record is a miss, and is written anew.
    for entry in std::fs::read_dir(w.join("cache")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "link") {
            std::fs::write(&path, b"{ not a record").unwrap();
        }
    }
    let (log, bytes) = relink("after-damage");
    assert!(
        !log.contains(recorded) && log.contains("3 hits, 0 misses"),
        "{log}"
    );
    assert!(bytes == cold);
    assert!(relink("recorded-again").0.contains(recorded));

    // An object pruned from the cache: the record cannot serve, the
    // missing backend runs again.
    std::fs::remove_file(&entries(w)[0]).unwrap();
    let (log, bytes) = relink("after-prune");
    assert!(
        !log.contains(recorded) && log.contains("2 hits, 1 misses"),
        "{log}"
    );
    assert!(bytes == cold);
}

/// A relink with a cache takes the driver's answer of the link before,
/// unless the line, the driver's environment or a stored answer's soundness
/// says otherwise; every such link still makes the right program.
#[test]
fn relinks_reuse_the_drivers_answer_only_while_it_holds() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let (objects, expected) = hello(w);
    let link = |env: &[(&str, &str)]| -> String {
        let mut cmd = dtlto();
        cmd.current_dir(w)
            .args(["link", "-v", "--cache-dir=cache"])
            .args(&objects)
            .args(["-o", "app"]);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = run(&mut cmd);
        assert_eq!(run_program(&w.join("app"), false), expected);
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let stored = "resolving over (the driver's stored answer)";
    let asked = "dtlto: resolving over: ";
    let log = link(&[]);
    assert!(log.contains(asked) && !log.contains(stored), "{log}");
    let log = link(&[]);
    assert!(log.contains(stored) && !log.contains(asked), "{log}");

    // The driver reads LIBRARY_PATH: set, it is asked again.
    let log = link(&[("LIBRARY_PATH", "/nonexistent-dtlto-dir")]);
    assert!(log.contains(asked) && !log.contains(stored), "{log}");

    // A damaged answer is asked again, and stored anew.
    let answers: Vec<_> = std::fs::read_dir(w.join("cache"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "driver"))
        .collect();
    assert_eq!(answers.len(), 2, "{answers:?}");
    for path in &answers {
        std::fs::write(path, b"{ not an answer").unwrap();
    }
    let log = link(&[]);
    assert!(log.contains(asked) && !log.contains(stored), "{log}");
    let log = link(&[]);
    assert!(log.contains(stored), "{log}");
}

/// Under GNU ld, gold and mold the final link goes through the plugin;
/// its record serves a relink with nothing changed all the same, and the
/// relinked binary is the cold link's.
#[test]
fn link_records_serve_relinks_under_each_linker() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let (objects, expected) = hello(w);
    let recorded = "dtlto: link record: no input changed; 3 objects from the cache";
    for ld in ["bfd", "gold", "mold"] {
        let link = |output: &str| -> String {
            let out = run(dtlto()
                .current_dir(w)
                .args(["link", "-v", &format!("-fuse-ld={ld}")])
                .arg(format!("--cache-dir=cache-{ld}"))
                .args(&objects)
                .args(["-o", output]));
            String::from_utf8_lossy(&out.stderr).into_owned()
        };
        let cold = format!("cold-{ld}");
        let warm = format!("warm-{ld}");
        assert!(!link(&cold).contains(recorded), "{ld}");
        let log = link(&warm);
        assert!(log.contains(recorded), "{ld}: {log}");
        assert!(
            std::fs::read(w.join(&cold)).unwrap() == std::fs::read(w.join(&warm)).unwrap(),
            "{ld}: the recorded relink changed the binary"
        );
        assert_eq!(run_program(&w.join(&warm), false), expected, "{ld}");
    }
}
