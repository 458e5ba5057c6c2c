//! Corpus programs linked by `dtlto link` pass their own checks, at -O2 and
//! -O0 (a CI-sized subset; the benchmark harness links them all).

mod common;

use common::*;

fn link_and_check(name: &str) {
    let program = CorpusProgram::build(name);
    let libs: Vec<&str> = program.libs.iter().map(String::as_str).collect();
    // The binary keeps the manifest's name (git dispatches on argv[0]).
    let output = program.manifest["output"].as_str().unwrap().to_string();
    for opt in ["-O2", "-O0"] {
        let dir = opt.trim_start_matches('-');
        std::fs::create_dir_all(program.work.path().join(dir)).unwrap();
        let mut extra = vec![opt];
        extra.extend(&libs);
        let out = dtlto_link(
            program.work.path(),
            &program.objects,
            &extra,
            &format!("{dir}/{output}"),
        );
        program.check(&out);
    }
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
    link_and_check("sqlite3-amalg");
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
}
