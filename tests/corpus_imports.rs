//! dtlto's import decisions equal lld 22's on real programs from
//! ../shared/corpus (a subset that fits CI; the benchmark harness covers
//! the rest). Sources are fetched with the corpus's own `get` script. On
//! the smaller programs the backends' output is compared too: every
//! module's assembly (`--lto-emit-asm`) is lld's, text for text.

mod common;

use common::*;

fn check_corpus_program(name: &str) {
    let program = CorpusProgram::build(name);
    let lld = lld_decisions(program.work.path(), &program.objects, &program.libs);
    let ours = dtlto_decisions(program.work.path(), &program.objects, &program.libs);
    assert!(
        lld.imported.values().any(|s| !s.is_empty()),
        "{name}: lld imported nothing"
    );
    assert_same_decisions(&lld, &ours);
    // The backends' code, on the programs whose links are short.
    if ["zlib", "bzip2", "lua", "mafft", "zstd", "bullet"].contains(&name) {
        assert_assembly_is_lld_s(program.work.path(), &program.objects, &program.libs);
    }
}

#[test]
fn zlib_imports_match_lld() {
    check_corpus_program("zlib");
}

#[test]
fn bzip2_imports_match_lld() {
    check_corpus_program("bzip2");
}

#[test]
fn lua_imports_match_lld() {
    check_corpus_program("lua");
}

#[test]
fn zstd_imports_match_lld() {
    check_corpus_program("zstd");
}

#[test]
fn mafft_imports_match_lld() {
    check_corpus_program("mafft");
}

#[test]
fn sqlite3_imports_match_lld() {
    check_corpus_program("sqlite3");
}

#[test]
fn bullet_imports_match_lld() {
    check_corpus_program("bullet");
}

#[test]
fn sqlite3_amalg_imports_match_lld() {
    check_corpus_program("sqlite3-amalg");
}

#[test]
fn sevenzip_imports_match_lld() {
    check_corpus_program("7zip");
}

#[test]
fn git_imports_match_lld() {
    check_corpus_program("git");
}
