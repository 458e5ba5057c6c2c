//! Running the backends of a link in-process: `-j` threads taking modules
//! biggest first, so that the last job does not hold up the link. A module
//! split into parts (see `dtlto_core::split`) runs its first half on one
//! thread; its parts then go to the front of the queue, so that every
//! thread helps finish the big module before taking a new one.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use anyhow::{Context, Result};
use dtlto_core::bitcode::{positions_by_path, BitcodeModule};
use dtlto_core::plan::BackendPlan;
use dtlto_llvm::{start_backend, Backend, BackendOptions, ImportedModule, SplitModule};
use indicatif::{ProgressBar, ProgressStyle};

use crate::cache::Hit;
use crate::trace::Trace;

/// `-j` when given, else every core.
pub fn jobs_or_all_cores(jobs: Option<usize>) -> usize {
    jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// The object of part `part` of a module whose (first) object is
/// `object`: `object` itself for part 0, `<object>.part<p>.o` after.
pub fn part_object(object: &Path, part: u32) -> PathBuf {
    match part {
        0 => object.to_path_buf(),
        p => PathBuf::from(format!("{}.part{p}.o", object.display())),
    }
}

/// The objects of a module of `parts` parts (one when it is not split).
pub fn part_objects(object: &Path, parts: u32) -> Vec<PathBuf> {
    (0..parts.max(1)).map(|p| part_object(object, p)).collect()
}

enum Task {
    Module(usize),
    Part(usize, u32),
}

#[derive(Default)]
struct Queue {
    /// Parts of split modules waiting for a thread.
    parts: VecDeque<(usize, u32)>,
    /// Next index into the biggest-first order.
    next: usize,
    /// Modules in their first half: they may still add parts.
    starting: usize,
    /// Split modules with parts left to build, and how many.
    split: Vec<Option<(Arc<SplitModule>, u32)>>,
}

/// Where the backends' objects go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectStore {
    /// `<dir>/<n>.<name>.o` files.
    Files,
    /// Anonymous memory files (memfd), named `/proc/self/fd/<n>` for a
    /// final link in this very process (lld linked in, or the linker that
    /// loaded the plugin): lld keeps its in-process objects in memory, and
    /// creating hundreds of files costs a busy file system real time
    /// (bullet: 4 % of the link's samples in ext4's inode allocator).
    Memory,
}

/// The objects of a link: each module's, in module order (a split
/// module's parts in part order), and the memory files behind those in
/// memory, which must stay open until the final link has read them.
pub struct Objects {
    pub paths: Vec<Vec<PathBuf>>,
    pub memory: Vec<std::fs::File>,
}

/// An object in memory, readable by this process as `/proc/self/fd/<n>`.
fn memory_object(name: &str, bytes: &[u8]) -> Result<(PathBuf, std::fs::File)> {
    use std::io::Write as _;
    use std::os::fd::AsRawFd as _;
    let fd = nix::sys::memfd::memfd_create(name, nix::sys::memfd::MFdFlags::MFD_CLOEXEC)
        .map_err(|e| anyhow::anyhow!("cannot create a memory file for {name}: {e}"))?;
    let mut file = std::fs::File::from(fd);
    file.write_all(bytes)
        .map_err(|e| anyhow::anyhow!("cannot write the memory file for {name}: {e}"))?;
    let path = PathBuf::from(format!("/proc/self/fd/{}", file.as_raw_fd()));
    Ok((path, file))
}

/// Writes `<dir>/<n>.<name>.o` (and its parts' objects) for every module,
/// or keeps them in memory (`store`): the cached objects where `cached`
/// has them, else the module's backend's. Returns each module's objects,
/// in module order.
#[allow(clippy::too_many_arguments)]
pub fn run_all(
    modules: &[std::sync::Arc<BitcodeModule>],
    plans: &[BackendPlan],
    cached: &[Option<Vec<Hit>>],
    options: &BackendOptions,
    jobs: usize,
    dir: &Path,
    save_temps: bool,
    store: ObjectStore,
    trace: &Trace,
) -> Result<Objects> {
    let is_cached = |i: usize| cached.get(i).is_some_and(|c| c.is_some());
    let mut order: Vec<usize> = (0..plans.len()).filter(|&i| !is_cached(i)).collect();
    // Biggest first; ties in module order, so scheduling is deterministic.
    order.sort_by_key(|&i| (std::cmp::Reverse(plans[i].cost), i));
    let paths: Vec<Vec<PathBuf>> = (0..plans.len())
        .map(|i| {
            let object = dir.join(format!("{i}.{}.o", file_stem(&plans[i].module)));
            part_objects(&object, plans[i].parts)
        })
        .collect();
    for (i, hits) in cached.iter().enumerate() {
        for (hit, path) in hits.iter().flatten().zip(&paths[i]) {
            hit.place(path)?;
        }
    }
    // Memory objects by (module, part), placed in `paths` at the end.
    let in_memory: Mutex<Vec<(usize, usize, PathBuf, std::fs::File)>> = Mutex::new(Vec::new());
    let put = |i: usize, part: usize, object: &[u8]| -> Result<()> {
        match store {
            // The directory is this link's own and goes away whole if the
            // link fails: no temporary file and rename per object.
            ObjectStore::Files => std::fs::write(&paths[i][part], object)
                .with_context(|| format!("cannot write {}", paths[i][part].display())),
            ObjectStore::Memory => {
                let name = paths[i][part]
                    .file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
                let (path, file) = memory_object(&name, object)?;
                if let Ok(mut list) = in_memory.lock() {
                    list.push((i, part, path, file));
                }
                Ok(())
            }
        }
    };
    let position = positions_by_path(modules);
    let by_path = |p: &str| position.get(p).map(|&i| &modules[i]);
    let bar = ProgressBar::new(order.len() as u64).with_style(
        ProgressStyle::with_template("{spinner} backends {pos}/{len} [{elapsed}] {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    // Workers take the next task from a shared queue: parts of split
    // modules first, then modules in biggest-first order — the simplest
    // schedule that keeps every core busy until the list runs out
    // (rayon's split-and-steal left a core idle a third of the time on
    // git's 397 backends).
    let failed = AtomicBool::new(false);
    let queue = Mutex::new(Queue {
        split: (0..plans.len()).map(|_| None).collect(),
        ..Queue::default()
    });
    let wake = Condvar::new();
    // `--save-temps` names a module's IR files after its (first) object;
    // remarks name theirs after the module's ThinLTO task, as LLVM counts
    // them (from 1, in module order).
    let options_for = |i: usize| {
        let mut options = options.clone();
        options.task = i as u32 + 1;
        if save_temps {
            options.save_temps = Some(paths[i][0].with_extension(""));
        }
        options
    };
    let results: Vec<Mutex<Option<Result<()>>>> =
        (0..plans.len()).map(|_| Mutex::new(None)).collect();
    let fail = |i: usize, e: anyhow::Error| {
        failed.store(true, Ordering::Relaxed);
        if let Ok(mut slot) = results[i].lock() {
            if slot.as_ref().is_none_or(|r| r.is_ok()) {
                *slot = Some(Err(e));
            }
        }
    };
    let next_task = || -> Option<Task> {
        let mut q = queue.lock().ok()?;
        loop {
            if failed.load(Ordering::Relaxed) {
                return None;
            }
            if let Some((i, p)) = q.parts.pop_front() {
                return Some(Task::Part(i, p));
            }
            if let Some(&i) = order.get(q.next) {
                q.next += 1;
                q.starting += 1;
                return Some(Task::Module(i));
            }
            if q.starting == 0 {
                return None;
            }
            q = wake.wait(q).ok()?;
        }
    };
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| {
                while let Some(task) = next_task() {
                    match task {
                        Task::Module(i) => {
                            let plan = &plans[i];
                            let begin = std::time::Instant::now();
                            bar.set_message(plan.module.clone());
                            let imports: Vec<ImportedModule<'_>> = plan
                                .imports
                                .iter()
                                .filter_map(|s| by_path(&s.module))
                                .map(|m| ImportedModule {
                                    path: &m.path,
                                    bytes: &m.bitcode,
                                })
                                .collect();
                            let started =
                                start_backend(plan, &modules[i].bitcode, &imports, &options_for(i));
                            trace.span("Backend", Some(&plan.module), begin);
                            let mut q = match queue.lock() {
                                Ok(q) => q,
                                Err(_) => return,
                            };
                            q.starting -= 1;
                            match started {
                                Ok(Backend::Object(object)) => {
                                    drop(q);
                                    match put(i, 0, &object) {
                                        Ok(()) => bar.inc(1),
                                        Err(e) => fail(i, e),
                                    }
                                }
                                Ok(Backend::Split(split)) => {
                                    let parts = split.parts();
                                    q.split[i] = Some((Arc::new(split), parts));
                                    // Behind parts already queued: those modules
                                    // started first, and finishing them first
                                    // frees their memory first.
                                    q.parts.extend((0..parts).map(|p| (i, p)));
                                }
                                Err(e) => {
                                    drop(q);
                                    fail(i, e.into());
                                }
                            }
                            wake.notify_all();
                        }
                        Task::Part(i, p) => {
                            let Some(split) = queue
                                .lock()
                                .ok()
                                .and_then(|q| q.split[i].as_ref().map(|(s, _)| s.clone()))
                            else {
                                continue;
                            };
                            let begin = std::time::Instant::now();
                            let built = split
                                .emit_part(p, &options_for(i))
                                .map_err(anyhow::Error::from)
                                .and_then(|object| put(i, p as usize, &object));
                            trace.span(
                                "Backend part",
                                Some(&format!("{} (part {p})", plans[i].module)),
                                begin,
                            );
                            if let Err(e) = built {
                                fail(i, e);
                            }
                            if let Ok(mut q) = queue.lock() {
                                if let Some((_, left)) = &mut q.split[i] {
                                    *left -= 1;
                                    if *left == 0 {
                                        // The module's bitcode is no longer needed.
                                        q.split[i] = None;
                                        bar.inc(1);
                                    }
                                }
                            }
                        }
                    }
                }
                // Wake the others: a failure or the end of the work.
                wake.notify_all();
            });
        }
    });
    bar.finish_and_clear();
    // The first failure in module order is the one reported.
    for slot in results {
        if let Some(Err(e)) = slot.into_inner().ok().flatten() {
            return Err(e);
        }
    }
    let mut paths = paths;
    let mut memory = Vec::new();
    for (i, part, path, file) in in_memory.into_inner().unwrap_or_default() {
        paths[i][part] = path;
        memory.push(file);
    }
    Ok(Objects { paths, memory })
}

/// A file-name-safe short name for a module identifier.
pub fn file_stem(module: &str) -> String {
    let base = module
        .rsplit(['/', '('])
        .next()
        .unwrap_or(module)
        .trim_end_matches(')');
    let base = base.split(" at ").next().unwrap_or(base);
    base.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::file_stem;

    #[test]
    fn object_names_are_readable() {
        assert_eq!(file_stem("src/main.o"), "main.o");
        assert_eq!(file_stem("lib/libz.a(deflate.o at 1234)"), "deflate.o");
    }
}
