//! dtlto's import decisions equal lld 22's on real programs from
//! ../shared/corpus (a subset that fits CI; the benchmark harness covers
//! the rest). Sources are fetched with the corpus's own `get` script.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::*;

fn corpus_dir() -> PathBuf {
    repo_root().join("../shared/corpus")
}

fn check_corpus_program(name: &str) {
    let dir = corpus_dir().join(name);
    let text = std::fs::read_to_string(dir.join("build.json")).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; the corpus (shared/) must sit beside the repository",
            dir.display()
        )
    });
    let manifest: serde_json::Value = serde_json::from_str(&text).unwrap();
    let out = run(Command::new(corpus_dir().join("get")).arg(&dir));
    let src = PathBuf::from(String::from_utf8(out.stdout).unwrap().trim());
    let strings = |key: &str| -> Vec<String> {
        manifest[key]
            .as_array()
            .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
            .unwrap_or_default()
    };
    let work = tempfile::tempdir().unwrap();
    let mut objects = Vec::new();
    for source in strings("sources") {
        let obj = work.path().join(format!("{}.o", source.replace('/', "_")));
        let cxx = !source.ends_with(".c");
        let mut cmd = Command::new(if cxx { CLANGXX } else { CLANG });
        cmd.current_dir(&src)
            .args(["-flto=thin", "-O2", "-c"])
            .args(strings("cflags"))
            .args(strings(if cxx { "cxxflags" } else { "cflags_c" }))
            .arg(&source)
            .arg("-o")
            .arg(&obj);
        run(&mut cmd);
        objects.push(obj.file_name().unwrap().to_string_lossy().into_owned());
    }
    let mut libs = strings("ldflags");
    if manifest["lang"] == "c++" {
        libs.push("-lstdc++".into());
    }
    let lld = lld_decisions(work.path(), &objects, &libs);
    let ours = dtlto_decisions(work.path(), &objects, &libs);
    assert!(
        lld.imported.values().any(|s| !s.is_empty()),
        "{name}: lld imported nothing"
    );
    assert_same_decisions(&lld, &ours);
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
