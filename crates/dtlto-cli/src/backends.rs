//! Running the backends of a link in-process: `-j` threads taking modules
//! biggest first, so that the last job does not hold up the link.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use anyhow::Result;
use dtlto_core::bitcode::{positions_by_path, BitcodeModule};
use dtlto_core::plan::BackendPlan;
use dtlto_llvm::{run_backend, BackendOptions, ImportedModule};
use indicatif::{ProgressBar, ProgressStyle};

use crate::cache::Hit;
use crate::output::write_atomic;
use crate::trace::Trace;

/// `-j` when given, else every core.
pub fn jobs_or_all_cores(jobs: Option<usize>) -> usize {
    jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Writes `<dir>/<n>.<name>.o` for every module: the cached object where
/// `cached` has one, else the module's backend's. Returns the object paths
/// in module order.
#[allow(clippy::too_many_arguments)]
pub fn run_all(
    modules: &[BitcodeModule],
    plans: &[BackendPlan],
    cached: &[Option<Hit>],
    options: &BackendOptions,
    jobs: usize,
    dir: &Path,
    save_temps: bool,
    trace: &Trace,
) -> Result<Vec<PathBuf>> {
    let is_cached = |i: usize| cached.get(i).is_some_and(|c| c.is_some());
    let mut order: Vec<usize> = (0..plans.len()).filter(|&i| !is_cached(i)).collect();
    // Biggest first; ties in module order, so scheduling is deterministic.
    order.sort_by_key(|&i| (std::cmp::Reverse(plans[i].cost), i));
    let paths: Vec<PathBuf> = (0..plans.len())
        .map(|i| dir.join(format!("{i}.{}.o", file_stem(&plans[i].module))))
        .collect();
    for (i, hit) in cached.iter().enumerate() {
        if let Some(hit) = hit {
            hit.place(&paths[i])?;
        }
    }
    let position = positions_by_path(modules);
    let by_path = |p: &str| position.get(p).map(|&i| &modules[i]);
    let bar = ProgressBar::new(order.len() as u64).with_style(
        ProgressStyle::with_template("{spinner} backends {pos}/{len} [{elapsed}] {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    // Workers take the next module of the biggest-first order from a shared
    // counter: the simplest schedule that keeps every core busy until the
    // list runs out (rayon's split-and-steal left a core idle a third of
    // the time on git's 397 backends).
    let failed = AtomicBool::new(false);
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<Result<()>>>> =
        (0..plans.len()).map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                let Some(&i) = order.get(k) else { break };
                if failed.load(Ordering::Relaxed) {
                    break;
                }
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
                let mut options = options.clone();
                if save_temps {
                    options.save_temps = Some(paths[i].with_extension(""));
                }
                let result = run_backend(plan, &modules[i].bitcode, &imports, &options)
                    .map_err(anyhow::Error::from)
                    .and_then(|object| write_atomic(&paths[i], &object));
                if result.is_err() {
                    failed.store(true, Ordering::Relaxed);
                }
                trace.span("Backend", Some(&plan.module), begin);
                bar.inc(1);
                if let Ok(mut slot) = results[i].lock() {
                    *slot = Some(result);
                }
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
    Ok(paths)
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
