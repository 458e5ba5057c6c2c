//! Corpus programs linked by `dtlto link` pass their own checks, at -O2 and
//! -O0 (a CI-sized subset; the benchmark harness links them all).

mod common;

use common::*;

fn link_and_check(name: &str) {
    let program = CorpusProgram::build(name);
    let libs: Vec<&str> = program.libs.iter().map(String::as_str).collect();
    for opt in ["-O2", "-O0"] {
        let mut extra = vec![opt];
        extra.extend(&libs);
        let out = dtlto_link(
            program.work.path(),
            &program.objects,
            &extra,
            &format!("{name}{opt}"),
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
