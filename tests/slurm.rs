//! Distribution on a real Slurm cluster: the one-node cluster of
//! `ci/slurm-up` on this machine, started for the test and stopped after
//! it, also when it fails. One test function, so the cluster is started
//! once and the cases do not compete for its CPUs.

mod common;

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::*;

/// The running test cluster; stopped when dropped (also on a panic).
struct Cluster {
    conf: String,
}

impl Cluster {
    fn up() -> Cluster {
        let root = repo_root();
        let out = Command::new("bash")
            .arg(root.join("ci/slurm-up"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "ci/slurm-up failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        Cluster {
            conf: root
                .join("target/slurm/slurm.conf")
                .canonicalize()
                .unwrap()
                .display()
                .to_string(),
        }
    }

    fn command(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("SLURM_CONF", &self.conf);
        c
    }

    fn dtlto(&self) -> Command {
        let mut c = dtlto();
        c.env("SLURM_CONF", &self.conf);
        c
    }

    /// Jobs in the queue (none once a distributor is done).
    fn queue(&self) -> String {
        let out = self
            .command("squeue")
            .args(["-h", "-o", "%i %j %T"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Waits (bounded) for the queue to empty: a cancelled allocation
    /// takes a moment to leave it.
    fn assert_queue_empties(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let q = self.queue();
            if q.is_empty() {
                return;
            }
            assert!(Instant::now() < deadline, "left in the queue: {q}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(repo_root().join("ci/slurm-down"))
            .output();
    }
}

fn slurm_distributor() -> Vec<String> {
    vec![
        format!("--distributor={}", dtlto_path()),
        "--distributor-arg=distribute".into(),
        "--distributor-arg=--engine=slurm".into(),
    ]
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn no_leftovers(dir: &Path) {
    assert_eq!(
        delegation_leftovers(dir),
        Vec::<String>::new(),
        "left behind"
    );
}

#[test]
fn slurm_links_a_corpus_program_and_survives_faults() {
    let cluster = Cluster::up();
    assert_eq!(
        cluster.queue(),
        "",
        "the test cluster starts with an empty queue"
    );

    // End to end: zlib through Slurm, identical to the in-process binary.
    let program = CorpusProgram::build("zlib");
    let w = program.work.path();
    let out = cluster
        .dtlto()
        .current_dir(w)
        .arg("link")
        .args(slurm_distributor())
        .args(["--distributor-arg=--shared-dir=/", "--distributor-arg=-v"])
        .args(&program.objects)
        .args(&program.libs)
        .args(["-o", "slurm-bin"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Slurm allocation"),
        "{}",
        stderr(&out)
    );
    program.check(&w.join("slurm-bin"));
    let in_process = dtlto_link(
        w,
        &program.objects,
        &program.libs.iter().map(String::as_str).collect::<Vec<_>>(),
        "local-bin",
    );
    assert_eq!(
        std::fs::read(w.join("slurm-bin")).unwrap(),
        std::fs::read(in_process).unwrap(),
        "the Slurm-distributed binary differs from the in-process one"
    );
    cluster.assert_queue_empties();
    no_leftovers(w);

    // A small program for the faults.
    let small = tempfile::tempdir().unwrap();
    let s = small.path();
    let objects = Program::load(repo_root().join("examples/hello-thin")).compile(s, &[]);
    let wrapper =
        |misbehave: &str| format!("--remote-compiler={}", misbehaving_compiler(s, misbehave));
    let failing_link = |extra: &[String]| -> String {
        let out = cluster
            .dtlto()
            .current_dir(s)
            .arg("link")
            .args(slurm_distributor())
            .args(extra)
            .args(&objects)
            .args(["-o", "out"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(!s.join("out").exists(), "a failed link left its output");
        no_leftovers(s);
        cluster.assert_queue_empties();
        stderr(&out)
    };

    // A job that fails: named, with its output.
    let e = failing_link(&[wrapper("echo 'step exploded' >&2; exit 5")]);
    assert!(e.contains("(shapes.o) failed (exit status: 5)"), "{e}");
    assert!(e.contains("step exploded"), "{e}");

    // A job over its time limit: killed, named.
    let started = Instant::now();
    let e = failing_link(&[wrapper("sleep 60"), "--distributor-arg=--timeout=2".into()]);
    assert!(e.contains("(shapes.o) timed out after 2s"), "{e}");
    assert!(
        started.elapsed() < Duration::from_secs(40),
        "the step ran on"
    );

    // The distributor interrupted while its steps run: the allocation is
    // cancelled, nothing stays queued, no output.
    let rc = wrapper("sleep 60");
    // In a process group of its own, as a shell job would be.
    let link = cluster
        .dtlto()
        .current_dir(s)
        .arg("link")
        .args(slurm_distributor())
        .arg(&rc)
        .args(&objects)
        .args(["-o", "out"])
        .stderr(std::process::Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while cluster.queue().is_empty() {
        assert!(Instant::now() < deadline, "no allocation appeared");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    // What a terminal's Ctrl-C does: SIGINT to the link's process group.
    let status = Command::new("kill")
        .args(["-INT", "--", &format!("-{}", link.id())])
        .status()
        .unwrap();
    assert!(status.success());
    let out = link.wait_with_output().unwrap();
    assert!(!out.status.success());
    assert!(!s.join("out").exists());
    cluster.assert_queue_empties();
    no_leftovers(s);
}
