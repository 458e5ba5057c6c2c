//! Delegated backends: DTLTO job files in LLVM 22's schema, run by dtlto's
//! own distributor, by lld 22, and by an independent distributor written
//! here from LLVM's documentation; and what happens when a distributor or
//! a job goes wrong.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

/// Arguments that make `dtlto link` hand its backends to `dtlto distribute`.
fn own_distributor() -> Vec<String> {
    vec![
        format!("--distributor={}", dtlto_path()),
        "--distributor-arg=distribute".into(),
    ]
}

/// A distributor written from llvm/docs/DTLTO.rst alone: for each job run
/// `common.args + job.args`, no shell, fail if any job fails. It shares
/// no code with dtlto.
const INDEPENDENT_DISTRIBUTOR: &str = r#"#!/usr/bin/env python3
import json, subprocess, sys
with open(sys.argv[-1]) as f:
    doc = json.load(f)
for job in doc["jobs"]:
    subprocess.check_call(doc["common"]["args"] + job["args"])
"#;

fn hello(work: &Path) -> Vec<String> {
    Program::load(repo_root().join("examples/hello-thin")).compile(work, &[])
}

#[test]
fn lld_runs_its_backends_through_dtlto_distribute() {
    let program = CorpusProgram::build("zlib");
    let work = program.work.path();
    let out = work.join("out");
    std::fs::create_dir(&out).unwrap();
    let binary = out.join("minigzip");
    run(Command::new(CLANG)
        .current_dir(work)
        .args(["-flto=thin", "-fuse-ld=lld", "-Wl,--thinlto-jobs=2"])
        .arg(format!("-fthinlto-distributor={}", dtlto_path()))
        .arg("-Xthinlto-distributor=distribute")
        .args(&program.objects)
        .args(&program.libs)
        .arg("-o")
        .arg(&binary));
    program.check(&binary);
    assert_eq!(delegation_leftovers(&out), Vec::<String>::new());
}

#[test]
fn an_independent_distributor_gives_the_in_process_binary() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let objects = hello(w);
    // Archive members have no file of their own: the job file must carry
    // them anyway.
    run(Command::new("llvm-ar-22").current_dir(w).args([
        "rcs",
        "libshapes.a",
        "shapes.o",
        "collatz.o",
    ]));
    let inputs = vec!["main.o".to_string(), "libshapes.a".to_string()];
    let distributor = write_script(&w.join("dist.py"), INDEPENDENT_DISTRIBUTOR);
    for (set, extra) in [("objects", &objects), ("archive", &inputs)] {
        let in_process = dtlto_link(w, extra, &[], &format!("{set}-in-process"));
        let delegated = dtlto_link(
            w,
            extra,
            &[&format!("--distributor={distributor}")],
            &format!("{set}-delegated"),
        );
        assert_eq!(
            std::fs::read(&in_process).unwrap(),
            std::fs::read(&delegated).unwrap(),
            "{set}: the delegated link differs from the in-process one"
        );
        assert_eq!(delegation_leftovers(w), Vec::<String>::new());
    }
    let expected =
        std::fs::read_to_string(repo_root().join("examples/hello-thin/expected.txt")).unwrap();
    assert_eq!(run_program(&w.join("archive-delegated"), false), expected);
}

fn delegated_corpus_link(name: &str) {
    let program = CorpusProgram::build(name);
    let work = program.work.path();
    let output = program.manifest["output"].as_str().unwrap().to_string();
    let libs: Vec<&str> = program.libs.iter().map(String::as_str).collect();
    for mode in ["delegated", "in-process"] {
        std::fs::create_dir(work.join(mode)).unwrap();
    }
    let mut extra: Vec<String> = own_distributor();
    extra.extend(program.libs.iter().cloned());
    let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
    let delegated = dtlto_link(
        work,
        &program.objects,
        &extra,
        &format!("delegated/{output}"),
    );
    program.check(&delegated);
    let in_process = dtlto_link(
        work,
        &program.objects,
        &libs,
        &format!("in-process/{output}"),
    );
    assert!(
        std::fs::read(&delegated).unwrap() == std::fs::read(&in_process).unwrap(),
        "{name}: delegated and in-process binaries differ"
    );
    assert_eq!(
        delegation_leftovers(&work.join("delegated")),
        Vec::<String>::new()
    );
}

#[test]
fn zlib_links_through_dtlto_distribute() {
    delegated_corpus_link("zlib");
}

#[test]
fn bzip2_links_through_dtlto_distribute() {
    delegated_corpus_link("bzip2");
}

#[test]
fn lua_links_through_dtlto_distribute() {
    delegated_corpus_link("lua");
}

#[test]
fn save_temps_keeps_the_job_file_in_lld_naming() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let objects = hello(w);
    let mut extra = own_distributor();
    extra.push("--save-temps".into());
    let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
    dtlto_link(w, &objects, &extra, "kept");
    let left = delegation_leftovers(w);
    let job_file = left
        .iter()
        .find(|n| n.starts_with("kept.") && n.ends_with(".dist-file.json"))
        .unwrap_or_else(|| panic!("no kept.<pid>.dist-file.json among {left:?}"));
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(w.join(job_file)).unwrap()).unwrap();
    assert_eq!(doc["common"]["linker_output"], "kept");
    assert_eq!(doc["common"]["args"][1], "backend");
    let jobs = doc["jobs"].as_array().unwrap();
    assert_eq!(jobs.len(), 3);
    for job in jobs {
        let inputs = job["inputs"].as_array().unwrap();
        let object = job["outputs"][0].as_str().unwrap();
        assert!(object.ends_with(".native.o"), "{object}");
        assert_eq!(job["args"][0], inputs[0], "the module comes first");
        assert!(inputs[1].as_str().unwrap().ends_with(".native.o.plan"));
        assert!(w.join(object).is_file(), "{object} was not kept");
    }
    // main.o imports from the other two: its inputs name them.
    let main = jobs.iter().find(|j| j["inputs"][0] == "main.o").unwrap();
    assert_eq!(main["inputs"].as_array().unwrap().len(), 4);
}

// ---- faults -------------------------------------------------------------

/// Runs a delegated link that must fail; checks exit 1, no output, no
/// temporaries, and returns stderr.
fn failing_delegated_link(w: &Path, objects: &[String], extra: &[String]) -> String {
    let out = dtlto()
        .current_dir(w)
        .arg("link")
        .args(objects)
        .args(extra)
        .args(["-o", "out"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "expected exit 1:\n{stderr}");
    assert!(!w.join("out").exists(), "a failed link left its output");
    assert_eq!(
        delegation_leftovers(w),
        Vec::<String>::new(),
        "temporaries left behind; stderr:\n{stderr}"
    );
    stderr
}

#[test]
fn a_failing_distributor_is_reported() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let objects = hello(w);
    let dist = write_script(&w.join("dist.sh"), "#!/bin/sh\nexit 3\n");
    let stderr = failing_delegated_link(w, &objects, &[format!("--distributor={dist}")]);
    assert!(
        stderr.contains("the distributor") && stderr.contains("exit status: 3"),
        "{stderr}"
    );
}

#[test]
fn a_failing_job_is_named_with_its_command_and_output() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let objects = hello(w);
    let rc = misbehaving_compiler(w, "echo 'backend exploded' >&2; exit 7");
    let mut extra = own_distributor();
    extra.push(format!("--remote-compiler={rc}"));
    let stderr = failing_delegated_link(w, &objects, &extra);
    assert!(
        stderr.contains("(shapes.o) failed (exit status: 7)"),
        "{stderr}"
    );
    assert!(stderr.contains("backend exploded"), "{stderr}");
    assert!(stderr.contains("command: "), "{stderr}");
    assert!(stderr.contains("1 of 3 jobs"), "{stderr}");
}

#[test]
fn missing_empty_and_truncated_outputs_are_refused() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let objects = hello(w);
    // The independent distributor, then damage to shapes.o's object.
    let cases = [
        ("os.remove(obj)", "did not produce"),
        ("open(obj, 'w').close()", "is empty"),
        (
            "data = open(obj, 'rb').read(); open(obj, 'wb').write(data[: len(data) // 2])",
            "is not a valid object",
        ),
    ];
    for (damage, message) in cases {
        let dist = write_script(
            &w.join("dist.py"),
            &format!(
                "{INDEPENDENT_DISTRIBUTOR}import os\nfor job in doc['jobs']:\n    if job['inputs'][0] == 'shapes.o':\n        obj = job['outputs'][0]\n        {damage}\n"
            ),
        );
        let stderr = failing_delegated_link(w, &objects, &[format!("--distributor={dist}")]);
        assert!(
            stderr.contains(message) && stderr.contains("(shapes.o)"),
            "{damage}: {stderr}"
        );
    }
}

#[test]
fn a_killed_distributor_leaves_nothing_running_or_behind() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let objects = hello(w);
    // Starts every job, then dies before they finish; the jobs (slowed
    // down) would write their objects after the link gave up.
    let rc = write_script(
        &w.join("slow.sh"),
        &format!("#!/bin/sh\nsleep 2\nexec {} \"$@\"\n", dtlto_path()),
    );
    let dist = write_script(
        &w.join("dist.py"),
        "#!/usr/bin/env python3\nimport json, os, signal, subprocess, sys, time\n\
         doc = json.load(open(sys.argv[-1]))\n\
         for job in doc['jobs']:\n    subprocess.Popen(doc['common']['args'] + job['args'])\n\
         time.sleep(0.3)\nos.kill(os.getpid(), signal.SIGKILL)\n",
    );
    let stderr = failing_delegated_link(
        w,
        &objects,
        &[
            format!("--distributor={dist}"),
            format!("--remote-compiler={rc}"),
        ],
    );
    assert!(stderr.contains("SIGKILL"), "{stderr}");
    // Had the jobs survived, their objects would appear now.
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert_eq!(delegation_leftovers(w), Vec::<String>::new());
}

#[test]
fn a_job_over_the_timeout_is_killed_and_named() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let objects = hello(w);
    let rc = misbehaving_compiler(w, "sleep 30");
    let mut extra = own_distributor();
    extra.push("--distributor-arg=--timeout=1".into());
    extra.push(format!("--remote-compiler={rc}"));
    let started = std::time::Instant::now();
    let stderr = failing_delegated_link(w, &objects, &extra);
    assert!(stderr.contains("(shapes.o) timed out after 1s"), "{stderr}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(25),
        "the timed-out job was waited for"
    );
}

// ---- the distributor on its own -----------------------------------------

fn distribute(dir: &Path, job_file: &serde_json::Value) -> (bool, String) {
    let path: PathBuf = dir.join("jobs.json");
    std::fs::write(&path, job_file.to_string()).unwrap();
    let out = dtlto()
        .current_dir(dir)
        .args(["distribute", "jobs.json"])
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn job_files_cannot_write_outside_the_output_directory() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    std::fs::create_dir(w.join("out")).unwrap();
    std::fs::write(w.join("in.txt"), "x").unwrap();
    for output in ["../escaped", "/tmp/escaped", "out/..", "elsewhere"] {
        let job_file = serde_json::json!({
            "common": {"linker_output": "out/a.out", "args": ["touch"], "inputs": []},
            "jobs": [{"args": [output], "inputs": ["in.txt", "in.txt"], "outputs": [output]}]
        });
        let (ok, stderr) = distribute(w, &job_file);
        assert!(!ok, "{output} was allowed");
        assert!(
            stderr.contains(&format!(
                "output {output} is not a file in the link's output directory"
            )),
            "{output}: {stderr}"
        );
    }
    assert!(!w.join("escaped").exists() && !w.join("elsewhere").exists());
    // Inside the directory it runs, without a shell: the argument with a
    // space and a `;` is one file name.
    let job_file = serde_json::json!({
        "common": {"linker_output": "out/a.out", "args": ["touch"], "inputs": []},
        "jobs": [{"args": ["out/a b;c"], "inputs": ["in.txt"], "outputs": ["out/a b;c"]}]
    });
    let (ok, stderr) = distribute(w, &job_file);
    assert!(ok, "{stderr}");
    assert!(w.join("out/a b;c").is_file());
}

#[test]
fn bad_job_files_are_refused_with_the_reason() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let (ok, stderr) = distribute(w, &serde_json::json!({"common": {}}));
    assert!(!ok && stderr.contains("not a DTLTO job file"), "{stderr}");
    let job_file = serde_json::json!({
        "common": {"linker_output": "a.out", "args": ["true"], "inputs": []},
        "jobs": [{"args": [], "inputs": ["missing.bc"], "outputs": ["x.o"]}]
    });
    let (ok, stderr) = distribute(w, &job_file);
    assert!(
        !ok && stderr.contains("job 0: input missing.bc does not exist"),
        "{stderr}"
    );
    let job_file = serde_json::json!({
        "common": {"linker_output": "a.out", "args": ["true"], "inputs": []},
        "jobs": [{"args": [], "inputs": ["jobs.json"], "outputs": ["never-written.o"]}]
    });
    let (ok, stderr) = distribute(w, &job_file);
    assert!(
        !ok && stderr.contains("succeeded but did not write never-written.o"),
        "{stderr}"
    );
}

#[test]
fn workers_report_a_failed_backend_and_go_on() {
    // dtlto's own backend jobs run in persistent workers: a job whose
    // module is not bitcode fails with the backend's message, and the next
    // job still runs.
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let objects = hello(w);
    run(dtlto()
        .current_dir(w)
        .arg("thin-link")
        .args(&objects)
        .args(["-o", "a.out"]));
    std::fs::write(w.join("garbage.bc"), b"BC\xc0\xde not really").unwrap();
    let job = |module: &str, plan: &str, out: &str| {
        serde_json::json!({"args": [module, "--plan", plan, "-o", out],
                           "inputs": [module, plan], "outputs": [out]})
    };
    let job_file = serde_json::json!({
        "common": {"linker_output": "a.out", "args": [dtlto_path(), "backend", "-O2"], "inputs": []},
        "jobs": [job("garbage.bc", "shapes.o.plan", "bad.o"),
                 job("collatz.o", "collatz.o.plan", "good.o")]
    });
    std::fs::write(w.join("jobs.json"), job_file.to_string()).unwrap();
    let out = dtlto()
        .current_dir(w)
        .args(["distribute", "-j", "1", "jobs.json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("job 0 (garbage.bc) failed"), "{stderr}");
    assert!(stderr.contains("garbage.bc"), "{stderr}");
    assert!(stderr.contains("1 of 2 jobs"), "{stderr}");
    assert!(!w.join("bad.o").exists());
    assert!(
        w.join("good.o").is_file(),
        "the worker stopped after a failure"
    );
    // The same job file with a process per job gives the same object.
    let good = std::fs::read(w.join("good.o")).unwrap();
    std::fs::remove_file(w.join("good.o")).unwrap();
    let out = dtlto()
        .current_dir(w)
        .args(["distribute", "--no-workers", "jobs.json"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(std::fs::read(w.join("good.o")).unwrap(), good);
}
