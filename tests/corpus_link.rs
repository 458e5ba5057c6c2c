//! Corpus programs linked by `dtlto link` pass their own checks, at -O2 and
//! -O0 (a CI-sized subset; the benchmark harness links them all).

mod common;

use common::*;

fn link_and_check(name: &str) {
    link_and_check_with(name, &[]);
}

/// Links at -O2 and -O0 with `extra` options; returns the program and the
/// -O2 binary.
fn link_and_check_with(name: &str, options: &[&str]) -> (CorpusProgram, std::path::PathBuf) {
    let program = CorpusProgram::build(name);
    let mut o2 = None;
    let libs: Vec<&str> = program.libs.iter().map(String::as_str).collect();
    // The binary keeps the manifest's name (git dispatches on argv[0]).
    let output = program.manifest["output"].as_str().unwrap().to_string();
    for opt in ["-O2", "-O0"] {
        let dir = opt.trim_start_matches('-');
        std::fs::create_dir_all(program.work.path().join(dir)).unwrap();
        let mut extra = vec![opt];
        extra.extend(options);
        extra.extend(&libs);
        let out = dtlto_link(
            program.work.path(),
            &program.objects,
            &extra,
            &format!("{dir}/{output}"),
        );
        program.check(&out);
        o2.get_or_insert(out);
    }
    (program, o2.unwrap())
}

/// The parts of split modules `--save-temps` kept for a link to `output`.
fn part_objects(output: &std::path::Path) -> Vec<String> {
    let dir = std::path::PathBuf::from(format!("{}.dtlto", output.display()));
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".o.part"))
        .collect()
}

#[test]
fn zlib_links_and_passes_its_check() {
    link_and_check("zlib");
}

#[test]
fn bzip2_links_and_passes_its_check() {
    link_and_check("bzip2");
}

#[test]
fn lua_links_and_passes_its_check() {
    link_and_check("lua");
}

#[test]
fn zstd_links_and_passes_its_check() {
    link_and_check("zstd");
}

#[test]
fn mafft_links_and_passes_its_check() {
    link_and_check("mafft");
}

#[test]
fn sqlite3_links_and_passes_its_check() {
    link_and_check("sqlite3");
}

#[test]
fn bullet_links_and_passes_its_check() {
    link_and_check("bullet");
}

#[test]
fn sqlite3_amalg_links_and_passes_its_check() {
    // The corpus's one-dominant-module program: with the default threshold
    // sqlite3.c's backend is split (see tests/split.rs for the rest).
    let (_program, out) = link_and_check_with("sqlite3-amalg", &["--save-temps"]);
    let parts = part_objects(&out);
    assert!(
        parts.iter().any(|p| p.contains("sqlite3.c")),
        "sqlite3.c was not split: {parts:?}"
    );
}

#[test]
fn sevenzip_links_and_passes_its_check() {
    link_and_check("7zip");
}

#[test]
fn git_links_and_passes_its_check() {
    link_and_check("git");
}

#[test]
fn zlib_for_aarch64_passes_its_check_under_qemu() {
    let target = "--target=aarch64-linux-gnu";
    let program = CorpusProgram::build_with("zlib", &[target]);
    let work = program.work.path();
    let out = dtlto_link(work, &program.objects, &[target], "minigzip-aarch64");
    // The check runs $BIN directly: hand it a wrapper that runs qemu.
    let wrapper = work.join("minigzip");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nexec qemu-aarch64 -L /usr/aarch64-linux-gnu {} \"$@\"\n",
            out.display()
        ),
    )
    .unwrap();
    run(std::process::Command::new("chmod").arg("+x").arg(&wrapper));
    program.check(&wrapper);
    // Split into parts, AArch64 code passes the same check.
    let split = dtlto_link(
        work,
        &program.objects,
        &[target, "--split-threshold=3000"],
        "minigzip-aarch64-split",
    );
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nexec qemu-aarch64 -L /usr/aarch64-linux-gnu {} \"$@\"\n",
            split.display()
        ),
    )
    .unwrap();
    program.check(&wrapper);
    assert_ne!(
        std::fs::read(&out).unwrap(),
        std::fs::read(&split).unwrap(),
        "nothing was split"
    );
}
