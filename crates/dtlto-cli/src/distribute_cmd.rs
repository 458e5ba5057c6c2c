//! `dtlto distribute JOBFILE`: the built-in local distributor. It runs the
//! jobs of a DTLTO job file (dtlto's own or lld 22's) on this machine's
//! cores and fails, naming every failed job, if any job fails.
//!
//! It is what `ld.lld-22 --thinlto-distributor=dtlto
//! --thinlto-distributor-arg=distribute` runs: lld appends the job file to
//! the distributor's arguments, so the job file is the last argument.

use std::io::Read;
use std::path::{Component, Path};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use dtlto_core::jobs::JobFile;
use indicatif::{ProgressBar, ProgressStyle};

use crate::output::parent_dir;
use crate::slurm::{self, Allocation, SlurmOptions};
use crate::worker::{self, Worker, WorkerFailure};

/// Where the jobs run.
#[derive(Clone, Debug)]
pub enum Engine {
    /// Child processes on this machine.
    Local,
    /// Job steps of one Slurm allocation.
    Slurm(SlurmOptions),
}

pub struct DistributeOptions {
    pub engine: Engine,
    pub jobs: usize,
    /// One process per job even for dtlto's own backend jobs.
    pub no_workers: bool,
    /// Kill a job that runs longer than this.
    pub timeout: Option<Duration>,
    pub verbose: bool,
}

/// Why a job failed, with what it printed.
struct Failure {
    job: usize,
    command: String,
    reason: String,
    output: String,
}

impl Failure {
    fn new(job: usize, command: &[&str], reason: String, output: String) -> Failure {
        Failure {
            job,
            command: render(command),
            reason,
            output,
        }
    }

    fn timed_out(
        job: usize,
        command: &[&str],
        timeout: Option<Duration>,
        output: String,
    ) -> Failure {
        let seconds = timeout.unwrap_or_default().as_secs_f64();
        Failure::new(
            job,
            command,
            format!("timed out after {seconds}s and was killed"),
            output,
        )
    }
}

pub fn run(job_file: &Path, options: &DistributeOptions) -> Result<()> {
    let text = std::fs::read_to_string(job_file)
        .with_context(|| format!("cannot read the job file {}", job_file.display()))?;
    let file = JobFile::parse(&job_file.display().to_string(), &text)?;
    check_paths(&file)?;
    let slurm = match &options.engine {
        Engine::Slurm(o) => Some(o),
        Engine::Local => None,
    };
    if let Some(shared) = slurm.and_then(|o| o.shared_dir.as_deref()) {
        let mut paths: Vec<(usize, &str)> = Vec::new();
        for (n, job) in file.jobs.iter().enumerate() {
            paths.extend(
                job.inputs
                    .iter()
                    .chain(&job.outputs)
                    .map(|p| (n, p.as_str())),
            );
        }
        slurm::check_shared(shared, &paths)?;
    }
    if file.jobs.is_empty() {
        return Ok(());
    }
    // The allocation lives until every job is done; dropping it cancels it.
    let allocation = match slurm {
        Some(o) => Some(Allocation::take(
            o,
            options.jobs.clamp(1, file.jobs.len()),
            options.verbose,
        )?),
        None => None,
    };
    let workers = !options.no_workers && worker::eligible(&file);
    let launcher = match (&allocation, slurm) {
        (Some(allocation), Some(o)) => Launcher::Slurm(allocation, o, workers),
        _ if workers => Launcher::Workers(Vec::new()),
        _ => Launcher::Process,
    };

    // Biggest module first (its bitcode size stands in for its cost), so
    // that the longest job does not start last.
    let mut order: Vec<(u64, usize)> = file
        .jobs
        .iter()
        .enumerate()
        .map(|(n, job)| {
            let size = std::fs::metadata(&job.inputs[0]).map_or(0, |m| m.len());
            (size, n)
        })
        .collect();
    order.sort_by_key(|&(size, n)| (std::cmp::Reverse(size), n));

    let bar = ProgressBar::new(file.jobs.len() as u64).with_style(
        ProgressStyle::with_template("{spinner} jobs {pos}/{len} [{elapsed}] {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.max(1) {
            scope.spawn(|| {
                let mut slot: Option<Worker> = None;
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&(_, n)) = order.get(k) else { break };
                    let job = &file.jobs[n];
                    bar.set_message(job.inputs[0].clone());
                    let command = file.command(n);
                    if options.verbose {
                        bar.suspend(|| eprintln!("dtlto distribute: {}", render(&command)));
                    }
                    let result = launch(
                        &launcher,
                        n,
                        &command,
                        &job.outputs,
                        options.timeout,
                        &mut slot,
                        &bar,
                    );
                    if let Err(failure) = result {
                        // A failed job's outputs are not results: remove
                        // whatever it left.
                        for out in &job.outputs {
                            let _ = std::fs::remove_file(out);
                        }
                        if let Ok(mut all) = failures.lock() {
                            all.push(failure);
                        }
                    }
                    bar.inc(1);
                }
                if let Some(worker) = slot {
                    worker.finish();
                }
            });
        }
    });
    bar.finish_and_clear();
    drop(allocation);

    let mut failures = failures.into_inner().unwrap_or_default();
    if failures.is_empty() {
        return Ok(());
    }
    failures.sort_by_key(|f| f.job);
    for f in &failures {
        eprintln!(
            "dtlto distribute: job {} ({}) {}\n  command: {}",
            f.job, file.jobs[f.job].inputs[0], f.reason, f.command
        );
        for line in f.output.lines() {
            eprintln!("  | {line}");
        }
    }
    bail!(
        "{} of {} jobs of {} failed",
        failures.len(),
        file.jobs.len(),
        job_file.display()
    )
}

/// Every output must land in the link's output directory (or below it),
/// and every input must exist before anything runs.
fn check_paths(file: &JobFile) -> Result<()> {
    let out_dir = parent_dir(Path::new(&file.common.linker_output));
    let out_dir = out_dir.canonicalize().with_context(|| {
        format!(
            "the link's output directory {} does not exist",
            out_dir.display()
        )
    })?;
    for input in &file.common.inputs {
        if !Path::new(input).exists() {
            bail!("common input {input} does not exist");
        }
    }
    for (n, job) in file.jobs.iter().enumerate() {
        for input in &job.inputs {
            if !Path::new(input).exists() {
                bail!("job {n}: input {input} does not exist");
            }
        }
        for output in &job.outputs {
            let path = Path::new(output);
            let named = matches!(path.components().next_back(), Some(Component::Normal(_)));
            let inside = named
                && parent_dir(path)
                    .canonicalize()
                    .is_ok_and(|dir| dir.starts_with(&out_dir));
            if !inside {
                bail!(
                    "job {n}: output {output} is not a file in the link's output directory {}",
                    out_dir.display()
                );
            }
        }
    }
    Ok(())
}

/// How this run starts a job.
enum Launcher<'a> {
    /// A process per job.
    Process,
    /// dtlto's own backend jobs, in persistent local workers.
    Workers(Vec<String>),
    /// On Slurm: a step per job, or (dtlto's own jobs) one long-lived
    /// worker step per slot.
    Slurm(&'a Allocation, &'a SlurmOptions, bool),
}

fn launch(
    launcher: &Launcher<'_>,
    n: usize,
    command: &[&str],
    outputs: &[String],
    timeout: Option<Duration>,
    slot: &mut Option<Worker>,
    bar: &ProgressBar,
) -> Result<(), Failure> {
    let (allocation, options, workers) = match launcher {
        Launcher::Process => return run_job(n, command, command, outputs, timeout, false),
        Launcher::Workers(local) => {
            return run_in_worker(n, local, command, outputs, timeout, slot)
        }
        Launcher::Slurm(allocation, options, workers) => (allocation, options, *workers),
    };
    let step = allocation.step(options, command);
    let step: Vec<&str> = step.iter().map(String::as_str).collect();
    // A worker step is `srun ... -- dtlto backend-worker`.
    let worker_launcher: Vec<String> = allocation.step(options, &[]);
    let mut attempt = 0;
    loop {
        let result = if workers {
            run_in_worker(n, &worker_launcher, command, outputs, timeout, slot)
        } else {
            run_job(n, &step, command, outputs, timeout, true)
        };
        match result {
            // A node failure, or on Slurm a worker step that died (its node
            // went, or it was preempted): try again, a bounded number of times.
            Err(f)
                if attempt < options.retries
                    && (slurm::node_failed(&f.output)
                        || (workers && f.reason.starts_with("the backend worker died"))) =>
            {
                attempt += 1;
                bar.suspend(|| {
                    eprintln!(
                        "dtlto distribute: job {n}: its node failed; retry {attempt} of {}",
                        options.retries
                    )
                });
            }
            Err(mut f) => {
                if f.reason.starts_with("succeeded but did not write") {
                    f.reason.push_str(
                        " (it did not come back: the job's paths must be on a filesystem the nodes share)",
                    );
                }
                return Err(f);
            }
            Ok(()) => return Ok(()),
        }
    }
}

/// Runs `launch` (the job's command, or a launcher around it such as
/// `srun`) and reports failures with the job's own `command`. `graceful`:
/// on timeout, SIGTERM first (srun passes it on to the step).
fn run_job(
    n: usize,
    launch: &[&str],
    command: &[&str],
    outputs: &[String],
    timeout: Option<Duration>,
    graceful: bool,
) -> Result<(), Failure> {
    let failure = |reason: String, output: String| Failure::new(n, command, reason, output);
    let mut child = Command::new(launch[0])
        .args(&launch[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| failure(format!("could not start {}: {e}", launch[0]), String::new()))?;
    // Both pipes are drained while the job runs, so a chatty job never
    // blocks on a full pipe.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut text);
            }
            text
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let status = wait(&mut child, timeout, graceful);
    let mut printed = stdout.join().unwrap_or_default();
    printed.extend(stderr.join().unwrap_or_default());
    let printed = String::from_utf8_lossy(&printed).into_owned();
    match status {
        Ok(Some(status)) if status.success() => {
            if let Some(missing) = missing_output(outputs) {
                return Err(failure(missing, printed));
            }
            if !printed.is_empty() {
                eprint!("{printed}");
            }
            Ok(())
        }
        Ok(Some(status)) => Err(failure(format!("failed ({status})"), printed)),
        Ok(None) => Err(Failure::timed_out(n, command, timeout, printed)),
        Err(e) => Err(failure(format!("could not be waited for: {e}"), printed)),
    }
}

fn missing_output(outputs: &[String]) -> Option<String> {
    outputs
        .iter()
        .find(|o| !Path::new(o).is_file())
        .map(|missing| format!("succeeded but did not write {missing}"))
}

/// Runs a job of this dtlto's `backend` in the slot's worker, starting
/// one if the slot is empty; a worker that died or timed out is dropped.
fn run_in_worker(
    n: usize,
    launcher: &[String],
    command: &[&str],
    outputs: &[String],
    timeout: Option<Duration>,
    slot: &mut Option<Worker>,
) -> Result<(), Failure> {
    let failure = |reason: String, output: String| Failure::new(n, command, reason, output);
    let worker = match slot {
        Some(worker) => worker,
        None => slot.insert(Worker::start(launcher, command[0]).map_err(|e| {
            failure(
                format!("could not start {}: {e}", command[0]),
                String::new(),
            )
        })?),
    };
    match worker.run(&command[1..], timeout) {
        Ok(()) => match missing_output(outputs) {
            Some(missing) => Err(failure(missing, String::new())),
            None => Ok(()),
        },
        Err(WorkerFailure::Failed(error)) => Err(failure("failed".into(), error)),
        Err(WorkerFailure::Died(why)) => {
            if let Some(dead) = slot.take() {
                dead.kill(false);
            }
            Err(failure(why, String::new()))
        }
        Err(WorkerFailure::TimedOut) => {
            if let Some(stuck) = slot.take() {
                stuck.kill(!launcher.is_empty());
            }
            Err(Failure::timed_out(n, command, timeout, String::new()))
        }
    }
}

/// Waits for `child`; `None` if it outlived `timeout` (it is then killed).
fn wait(
    child: &mut Child,
    timeout: Option<Duration>,
    graceful: bool,
) -> std::io::Result<Option<ExitStatus>> {
    let Some(timeout) = timeout else {
        return child.wait().map(Some);
    };
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(1);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if Instant::now() >= deadline {
            crate::process::stop(child, graceful);
            return Ok(None);
        }
        std::thread::sleep(pause.min(deadline.saturating_duration_since(Instant::now())));
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}

/// A command as a person would type it (arguments with spaces quoted).
pub fn render(command: &[&str]) -> String {
    command
        .iter()
        .map(|a| {
            if a.is_empty() || a.contains(|c: char| c.is_whitespace() || c == '\'' || c == '"') {
                format!("'{}'", a.replace('\'', r"'\''"))
            } else {
                a.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
