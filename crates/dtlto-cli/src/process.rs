//! Stopping processes that outlive the one we started: a timed-out job's
//! own children, and jobs a killed distributor left behind. Linux only:
//! the process tree is read from /proc.

use std::collections::HashMap;

use nix::sys::signal::{kill, Signal};
use nix::sys::wait::waitpid;
use nix::unistd::Pid;

/// Every live process and its parent, from /proc/<pid>/stat.
fn parents() -> HashMap<i32, i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return HashMap::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // `pid (comm) state ppid ...`; comm may hold spaces and ')'.
            let (_, rest) = stat.rsplit_once(')')?;
            let ppid = rest.split_whitespace().nth(1)?.parse().ok()?;
            Some((pid, ppid))
        })
        .collect()
}

/// Kills the descendants of `root` (not `root` itself, which its owner
/// kills and waits for through its `Child`).
pub fn kill_descendants(root: u32) {
    let parents = parents();
    let mut doomed = vec![root as i32];
    let mut i = 0;
    while i < doomed.len() {
        let parent = doomed[i];
        doomed.extend(
            parents
                .iter()
                .filter(|&(_, &pp)| pp == parent)
                .map(|(&pid, _)| pid),
        );
        i += 1;
    }
    for &pid in &doomed[1..] {
        let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
    }
}

/// Stops `child` and everything it started, and reaps it. `graceful`:
/// SIGTERM first and up to three seconds to go (srun passes SIGTERM on to
/// its job step, which a kill of srun would leave running).
pub fn stop(child: &mut std::process::Child, graceful: bool) {
    if graceful {
        let _ = kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM);
        let grace = std::time::Instant::now() + std::time::Duration::from_secs(3);
        while std::time::Instant::now() < grace {
            if child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
    // Its own children may hold its pipes open: they go too.
    kill_descendants(child.id());
    let _ = child.kill();
    let _ = child.wait();
}

/// Becomes the reaper of orphaned descendants, so that processes a dying
/// child leaves behind become our children instead of init's.
pub fn adopt_orphans() {
    let _ = nix::sys::prctl::set_child_subreaper(true);
}

/// Stops and reaps every child process we have (after `adopt_orphans`,
/// that includes the orphans of children that died).
pub fn reap_orphans() {
    let me = std::process::id() as i32;
    // Bounded: a process that keeps forking cannot hold us forever.
    for _ in 0..100 {
        let children: Vec<i32> = parents()
            .into_iter()
            .filter(|&(_, pp)| pp == me)
            .map(|(pid, _)| pid)
            .collect();
        if children.is_empty() {
            return;
        }
        for pid in children {
            let pid = Pid::from_raw(pid);
            let _ = kill(pid, Signal::SIGKILL);
            let _ = waitpid(pid, None);
        }
    }
}
