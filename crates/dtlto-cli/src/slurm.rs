//! The Slurm engine of `dtlto distribute`: one allocation for the whole
//! job file, each job a job step inside it.
//!
//! Queueing one Slurm job per backend costs scheduler cycles per job (a
//! job array of 50 trivial jobs took 40-70 s here); steps of one
//! allocation start in milliseconds (the same 50 in about 1 s). So the
//! distributor takes the allocation with `salloc --no-shell` (the CPUs it
//! will use, plus partition, account, time limit and any `salloc`
//! arguments), runs each job as `srun --jobid=ID --exact -n1 -c1 -- ...`,
//! and cancels the allocation with `scancel` when it is done, fails, times
//! out or is interrupted. Inputs and outputs travel by path: the job file's
//! paths must be on a filesystem the nodes share.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use anyhow::{bail, Context, Result};
use nix::sys::signal::{SigSet, Signal};

/// `--engine=slurm` options.
#[derive(Clone, Debug, Default)]
pub struct SlurmOptions {
    pub partition: Option<String>,
    pub account: Option<String>,
    /// The allocation's time limit, in Slurm's syntax (`30`, `1:00:00`).
    pub time_limit: Option<String>,
    /// More `salloc` arguments (`--qos=...`, `--constraint=...`).
    pub salloc_args: Vec<String>,
    /// More `srun` arguments for every step (`--mem-per-cpu=2G`).
    pub srun_args: Vec<String>,
    /// The directory the nodes share; every job path must be under it.
    pub shared_dir: Option<PathBuf>,
    /// How often a step that failed because its node failed is retried.
    pub retries: usize,
}

/// A granted allocation; cancelled when dropped.
pub struct Allocation {
    id: String,
}

/// The allocation the signal watcher cancels on Ctrl-C.
type Current = Arc<Mutex<Option<String>>>;

impl Allocation {
    /// Takes an allocation of `cpus` one-CPU tasks. Blocks while Slurm
    /// queues it. Ctrl-C, SIGTERM or SIGHUP from now on cancel it.
    pub fn take(options: &SlurmOptions, cpus: usize, verbose: bool) -> Result<Allocation> {
        let current: Current = Arc::new(Mutex::new(None));
        watch_signals(current.clone())?;
        let mut salloc = Command::new("salloc");
        salloc
            .arg("--no-shell")
            .arg(format!("--job-name=dtlto-{}", std::process::id()))
            .arg(format!("--ntasks={cpus}"))
            .arg("--cpus-per-task=1");
        if let Some(p) = &options.partition {
            salloc.arg(format!("--partition={p}"));
        }
        if let Some(a) = &options.account {
            salloc.arg(format!("--account={a}"));
        }
        if let Some(t) = &options.time_limit {
            salloc.arg(format!("--time={t}"));
        }
        salloc.args(&options.salloc_args);
        if verbose {
            eprintln!("dtlto distribute: {salloc:?}");
        }
        let out = salloc
            .output()
            .context("cannot run salloc (is Slurm's client installed and SLURM_CONF set?)")?;
        let text = String::from_utf8_lossy(&out.stderr).into_owned();
        let id = text
            .lines()
            .find_map(|l| l.split("Granted job allocation ").nth(1))
            .map(|id| id.trim().to_string());
        let Some(id) = id.filter(|_| out.status.success()) else {
            bail!(
                "salloc did not grant an allocation ({}):\n{text}",
                out.status
            );
        };
        if let Ok(mut slot) = current.lock() {
            *slot = Some(id.clone());
        }
        if verbose {
            eprintln!("dtlto distribute: Slurm allocation {id}, {cpus} CPUs");
        }
        Ok(Allocation { id })
    }

    /// The command that runs `command` as a one-CPU step of the allocation.
    pub fn step(&self, options: &SlurmOptions, command: &[&str]) -> Vec<String> {
        let mut step: Vec<String> = [
            "srun",
            &format!("--jobid={}", self.id),
            "--exact",
            "--ntasks=1",
            "--cpus-per-task=1",
            "--quiet",
            "--kill-on-bad-exit=1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        step.extend(options.srun_args.iter().cloned());
        step.push("--".into());
        step.extend(command.iter().map(|s| s.to_string()));
        step
    }
}

impl Drop for Allocation {
    fn drop(&mut self) {
        cancel(&self.id);
    }
}

fn cancel(id: &str) {
    let _ = Command::new("scancel").arg(id).status();
}

/// Signals that end the distributor cancel the allocation first. They are
/// blocked in every thread and taken by one watcher thread; the jobs'
/// processes start with a clear mask (std resets it), so they still get
/// a terminal's Ctrl-C themselves.
fn watch_signals(current: Current) -> Result<()> {
    let mut set = SigSet::empty();
    for s in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP] {
        set.add(s);
    }
    set.thread_block()
        .context("cannot block signals for the Slurm watcher")?;
    std::thread::spawn(move || {
        let Ok(signal) = set.wait() else { return };
        if let Some(id) = current.lock().ok().and_then(|c| c.clone()) {
            eprintln!("dtlto distribute: {signal}: cancelling Slurm allocation {id}");
            cancel(&id);
        }
        std::process::exit(128 + signal as i32);
    });
    Ok(())
}

/// Did this step fail because its node failed (worth a retry elsewhere)?
pub fn node_failed(output: &str) -> bool {
    let lower = output.to_ascii_lowercase();
    lower.contains("node failure") || lower.contains("node_fail")
}

/// Every path a job reads or writes must be under the shared directory,
/// or the nodes will not see it.
pub fn check_shared(shared: &Path, paths: &[(usize, &str)]) -> Result<()> {
    let shared = shared
        .canonicalize()
        .with_context(|| format!("the shared directory {} does not exist", shared.display()))?;
    for &(job, path) in paths {
        let p = Path::new(path);
        let resolved = if p.exists() {
            p.canonicalize().ok()
        } else {
            crate::output::parent_dir(p).canonicalize().ok()
        };
        if !resolved.is_some_and(|r| r.starts_with(&shared)) {
            bail!(
                "job {job}: {path} is not under {}, the directory the nodes share",
                shared.display()
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_failures_are_told_apart() {
        assert!(node_failed("srun: error: Node failure on node7\n"));
        assert!(node_failed(
            "slurmstepd: *** STEP 4.2 CANCELLED DUE TO NODE_FAIL ***"
        ));
        assert!(!node_failed("error: backend exploded"));
    }

    #[test]
    fn paths_outside_the_shared_directory_are_named() {
        let shared = tempfile::tempdir().unwrap();
        let inside = shared.path().join("a.o");
        std::fs::write(&inside, b"x").unwrap();
        let inside = inside.display().to_string();
        let new_inside = shared.path().join("new.o").display().to_string();
        assert!(check_shared(shared.path(), &[(0, &inside), (1, &new_inside)]).is_ok());
        let e = check_shared(shared.path(), &[(0, &inside), (3, "/etc/hostname")])
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("job 3: /etc/hostname is not under"), "{e}");
    }
}
