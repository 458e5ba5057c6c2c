//! Running one command and measuring it: wall time, and the peak memory of
//! its whole process tree, sampled from /proc every few milliseconds (a
//! link's memory is spread over the driver, the linker and, for DTLTO, every
//! backend process). Memory is the proportional set size (PSS): summing
//! plain RSS over a tree would count the shared libLLVM once per process.

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq)]
pub struct Sample {
    pub wall_s: f64,
    /// Peak of the tree's summed proportional set size, MiB.
    pub peak_mem_mb: f64,
}

/// PSS of one process in kB (from smaps_rollup).
fn pss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Pss:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// Sum of the PSS of `root` and all its descendants, in kB.
fn tree_pss_kb(root: u32) -> u64 {
    let mut parent: HashMap<u32, u32> = HashMap::new();

    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    for e in entries.flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // The command name is in parentheses and may contain spaces.
        let Some(after) = stat.rfind(')').map(|i| &stat[i + 2..]) else {
            continue;
        };
        let fields: Vec<&str> = after.split(' ').collect();
        if let Some(Ok(ppid)) = fields.get(1).map(|p| p.parse()) {
            parent.insert(pid, ppid);
        }
    }
    let in_tree = |mut pid: u32| {
        for _ in 0..64 {
            if pid == root {
                return true;
            }
            match parent.get(&pid) {
                Some(&p) if p != 0 => pid = p,
                _ => return false,
            }
        }
        false
    };
    parent
        .keys()
        .filter(|&&pid| in_tree(pid))
        .map(|&pid| pss_kb(pid))
        .sum()
}

/// Runs `cmd` to completion (output discarded unless it fails).
/// One backend job, under `time -f %M`: wall time and the peak resident
/// set of that process (a job is one process; sampling /proc would miss
/// the peak of a 10 ms job). `peak_mem_mb` is then RSS, not PSS.
pub fn measure_job(program: &str, args: &[String]) -> Result<Sample> {
    let report = tempfile::NamedTempFile::new()?;
    let started = Instant::now();
    let out = Command::new("time")
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(report.path())
        .arg(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .with_context(|| format!("cannot run {program} under time(1)"))?;
    let wall_s = started.elapsed().as_secs_f64();
    if !out.status.success() {
        bail!(
            "{program} {} failed:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let kb: f64 = std::fs::read_to_string(report.path())?
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .context("time(1) reported no peak memory")?;
    Ok(Sample {
        wall_s,
        peak_mem_mb: kb / 1024.0,
    })
}

/// Runs `cmd` to completion and times it, with nothing sampling it:
/// sampling a short command's memory every few milliseconds takes a core
/// of a 2-core machine and the memory-map lock its threads need to grow
/// their heaps, so it slows a command using both cores more than one using
/// one (bullet's thin link: 0.07 s alone, 0.18-0.40 s sampled; lld's,
/// single-threaded, unchanged). Short commands are timed with this and,
/// where memory is reported, sampled in a run of their own.
/// `peak_mem_mb` is 0: not measured.
pub fn time(cmd: &mut Command) -> Result<Sample> {
    let started = Instant::now();
    let output = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .with_context(|| format!("cannot run {cmd:?}"))?;
    finished(cmd, &output, started.elapsed(), 0)
}

/// The sample of a command that ran to `output`; its failure, with what it
/// printed, is the error.
fn finished(
    cmd: &Command,
    output: &std::process::Output,
    wall: Duration,
    peak_kb: u64,
) -> Result<Sample> {
    let wall_s = wall.as_secs_f64();
    if !output.status.success() {
        bail!(
            "{cmd:?} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(Sample {
        wall_s,
        peak_mem_mb: peak_kb as f64 / 1024.0,
    })
}

pub fn measure(cmd: &mut Command) -> Result<Sample> {
    let started = Instant::now();
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run {cmd:?}"))?;
    let pid = child.id();
    let done = AtomicBool::new(false);
    let peak = AtomicU64::new(0);
    let (output, wall) = std::thread::scope(|s| {
        s.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(tree_pss_kb(pid), Ordering::Relaxed);
                // Reading smaps_rollup takes the process's memory-map lock:
                // sampled every 5 ms it slowed a link that keeps every core
                // allocating by a quarter (sqlite3-amalg split at -j2: 8.6 s
                // alone, 10.9 s sampled) while a mostly single-threaded one
                // lost nothing. Sample finely only at the start, where short
                // commands live, then every 100 ms.
                let interval = if started.elapsed() < Duration::from_millis(200) {
                    5
                } else {
                    100
                };
                std::thread::sleep(Duration::from_millis(interval));
            }
        });
        let out = child.wait_with_output();
        // The command's time ends here, not when the sampler wakes up
        // and the scope joins it (up to 100 ms later: that wait was in
        // every sampled time, uniformly at random).
        let wall = started.elapsed();
        done.store(true, Ordering::Relaxed);
        (out, wall)
    });
    let output = output?;
    finished(cmd, &output, wall, peak.load(Ordering::Relaxed))
}

pub fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    }

    #[test]
    fn measures_a_process_tree() {
        // A shell whose child holds ~64 MB: the tree's peak must see it.
        let s = measure(Command::new("bash").args([
            "-c",
            "python3 -c 'import time; b = bytearray(64 << 20); b[::4096] = b\"x\" * len(b[::4096]); time.sleep(0.3)'",
        ]))
        .unwrap();
        assert!(s.peak_mem_mb > 60.0, "{s:?}");
        assert!(s.wall_s >= 0.3);
    }
}
