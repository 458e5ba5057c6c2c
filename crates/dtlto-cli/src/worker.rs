//! Persistent backend workers for `dtlto distribute`.
//!
//! Starting a process that loads libLLVM costs about 15 ms here, as much as
//! a small backend; on git's 397 jobs that was most of the cost of
//! delegating. When a job file's program is this very dtlto running
//! `backend`, the distributor keeps one `dtlto backend-worker` process per
//! slot and sends it each job's argv, so LLVM is loaded once per slot. A
//! job still runs in a process of its own, apart from the distributor: a
//! crash fails that job and the next one gets a fresh worker, and a
//! timeout kills the worker. Every other job file (lld's clang jobs, a
//! wrapper as remote compiler) runs one process per job.
//!
//! Protocol, one line each way per job: the distributor writes the job's
//! arguments after the program as a JSON array; the worker answers
//! `{"ok":true}` or `{"ok":false,"error":"..."}`.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Duration;

use dtlto_core::jobs::JobFile;

/// Can the jobs of `file` run in workers? Only if they are this dtlto's
/// own `backend` jobs (on a cluster, the nodes run the same path).
pub fn eligible(file: &JobFile) -> bool {
    let Ok(me) = std::env::current_exe().and_then(|p| p.canonicalize()) else {
        return false;
    };
    Path::new(&file.common.args[0])
        .canonicalize()
        .is_ok_and(|p| p == me)
        && file.common.args.get(1).is_some_and(|a| a == "backend")
}

pub struct Worker {
    child: Child,
    stdin: ChildStdin,
    replies: Receiver<String>,
}

/// How a job sent to a worker ended, when it did not succeed.
pub enum WorkerFailure {
    /// The backend reported an error.
    Failed(String),
    /// The worker died (crashed, or was killed) during the job.
    Died(String),
    TimedOut,
}

impl Worker {
    /// Starts `program backend-worker`, under `launcher` if there is one
    /// (`srun ... --`: the worker is then a job step on a cluster node).
    pub fn start(launcher: &[String], program: &str) -> std::io::Result<Worker> {
        let mut argv: Vec<&str> = launcher.iter().map(String::as_str).collect();
        argv.extend([program, "backend-worker"]);
        let mut child = Command::new(argv[0])
            .args(&argv[1..])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdin = child.stdin.take().ok_or(std::io::ErrorKind::BrokenPipe)?;
        let stdout = child.stdout.take().ok_or(std::io::ErrorKind::BrokenPipe)?;
        let (tx, replies) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Ok(Worker {
            child,
            stdin,
            replies,
        })
    }

    /// Runs one job: `args` are the job's arguments after the program.
    pub fn run(&mut self, args: &[&str], timeout: Option<Duration>) -> Result<(), WorkerFailure> {
        let request = serde_json::to_string(args).unwrap_or_default();
        if writeln!(self.stdin, "{request}")
            .and_then(|_| self.stdin.flush())
            .is_err()
        {
            return Err(WorkerFailure::Died(self.exit_status()));
        }
        let reply = match timeout {
            Some(t) => self.replies.recv_timeout(t),
            None => self
                .replies
                .recv()
                .map_err(|_| RecvTimeoutError::Disconnected),
        };
        match reply {
            Ok(line) => {
                let value: serde_json::Value = serde_json::from_str(&line)
                    .map_err(|_| WorkerFailure::Died(format!("answered `{line}`")))?;
                if value["ok"] == true {
                    Ok(())
                } else {
                    Err(WorkerFailure::Failed(
                        value["error"].as_str().unwrap_or("no reason given").into(),
                    ))
                }
            }
            Err(RecvTimeoutError::Timeout) => Err(WorkerFailure::TimedOut),
            Err(RecvTimeoutError::Disconnected) => Err(WorkerFailure::Died(self.exit_status())),
        }
    }

    fn exit_status(&mut self) -> String {
        match self.child.wait() {
            Ok(status) => format!("the backend worker died ({status})"),
            Err(e) => format!("the backend worker died ({e})"),
        }
    }

    /// Stops the worker at once (after a timeout or a failure). A worker
    /// under a launcher gets SIGTERM first, which srun passes on to the
    /// step; the allocation's cancellation ends anything left.
    pub fn kill(mut self, graceful: bool) {
        crate::process::stop(&mut self.child, graceful);
    }

    /// Lets the worker finish: it exits when its input closes.
    pub fn finish(self) {
        let Worker {
            mut child, stdin, ..
        } = self;
        drop(stdin);
        let _ = child.wait();
    }
}

/// The worker's side: reads jobs from stdin until it closes, runs each
/// with `run_job`, answers on stdout.
pub fn serve(run_job: impl Fn(&[String]) -> anyhow::Result<()>) -> anyhow::Result<()> {
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout();
    for line in stdin.lock().lines() {
        let line = line?;
        let reply = match serde_json::from_str::<Vec<String>>(&line) {
            Ok(args) => match run_job(&args) {
                Ok(()) => serde_json::json!({ "ok": true }),
                Err(e) => serde_json::json!({ "ok": false, "error": format!("{e:#}") }),
            },
            Err(e) => serde_json::json!({ "ok": false, "error": format!("bad request: {e}") }),
        };
        writeln!(stdout, "{reply}")?;
        stdout.flush()?;
    }
    Ok(())
}
