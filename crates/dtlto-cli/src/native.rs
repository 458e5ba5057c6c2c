//! From backend plans to native objects: look each module up in the
//! backend cache, run the misses (on the thread pool or through a
//! distributor), store what was built. Shared by `dtlto link` and the
//! linker plugin, so both build the same objects the same way.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use dtlto_core::bitcode::BitcodeModule;
use dtlto_core::plan::BackendPlan;
use dtlto_llvm::BackendOptions;
use rayon::prelude::*;

use crate::backends;
use crate::cache::{self, Cache, CachePolicy};
use crate::delegate::{self, Distribution, Temporaries};
use crate::trace::Trace;

/// What the backends are asked to build, and how.
pub struct Request<'a> {
    pub modules: &'a [std::sync::Arc<BitcodeModule>],
    pub plans: &'a [BackendPlan],
    /// Each module's own bitcode file, if it has one (see
    /// [`delegate::DelegateInput::module_files`]).
    pub module_files: &'a [Option<PathBuf>],
    pub options: &'a BackendOptions,
    pub jobs: usize,
    pub distribution: Option<&'a Distribution>,
    pub cache_dir: Option<&'a str>,
    pub cache_policy: &'a CachePolicy,
    /// The link's output: delegated files are named after it, next to it.
    pub output: &'a Path,
    /// In-process objects go here.
    pub temps: &'a Path,
    pub save_temps: bool,
    pub verbose: bool,
    /// Where in-process backends put their objects: in memory only when
    /// the final link runs in this process.
    pub store: backends::ObjectStore,
}

pub struct Built {
    /// Each module's objects, in module order: one, or a split module's
    /// parts in part order.
    pub objects: Vec<Vec<PathBuf>>,
    /// Delegation's job file, plans and objects: removed when this is
    /// dropped (unless `--save-temps`), so keep it until the final link
    /// has read the objects.
    pub delegated: Option<Temporaries>,
    /// `hit|miss KEY MODULE` per module when a cache was used.
    pub cache_report: Option<String>,
    /// Each object's cache key, in the order of `objects` flattened.
    pub object_keys: Vec<String>,
    /// Every object is in the cache (stored or found there).
    pub all_cached: bool,
    /// The memory files behind objects named `/proc/self/fd/<n>`: keep
    /// this until the final link has read them.
    pub memory: Vec<std::fs::File>,
}

pub fn build(req: &Request<'_>, trace: &Trace) -> Result<Built> {
    if req.verbose {
        for plan in req.plans.iter().filter(|p| p.parts > 1) {
            eprintln!(
                "dtlto: split: {} (about {} instructions) into {} parts",
                plan.module, plan.cost, plan.parts
            );
        }
    }
    let cache = match req.cache_dir {
        Some(dir) => Some(Cache::open(Path::new(dir))?),
        None => None,
    };
    let keys = match &cache {
        Some(_) => {
            let t = Instant::now();
            let keys =
                cache::backend_keys(req.modules, req.plans, &cache::key_options(req.options));
            trace.span("Cache keys", None, t);
            keys
        }
        None => Vec::new(),
    };
    let cached: Vec<Option<Vec<cache::Hit>>> = match &cache {
        Some(cache) => keys
            .par_iter()
            .zip(req.plans)
            .map(|(k, plan)| cache.get_parts(k, plan.parts))
            .collect(),
        None => Vec::new(),
    };
    let mut memory = Vec::new();
    let (objects, delegated) = match req.distribution {
        None => {
            let built = backends::run_all(
                req.modules,
                req.plans,
                &cached,
                req.options,
                req.jobs,
                req.temps,
                req.save_temps,
                // --save-temps keeps the objects, so they are files.
                if req.save_temps {
                    backends::ObjectStore::Files
                } else {
                    req.store
                },
                trace,
            )?;
            memory = built.memory;
            (built.paths, None)
        }
        Some(dist) => {
            let delegated = delegate::run(
                dist,
                &delegate::DelegateInput {
                    modules: req.modules,
                    plans: req.plans,
                    module_files: req.module_files,
                    options: req.options,
                    output: req.output,
                    save_temps: req.save_temps,
                    verbose: req.verbose,
                    cached: &cached,
                },
            )?;
            (delegated.objects, Some(delegated.temporaries))
        }
    };
    let mut cache_report = None;
    let mut all_cached = cache.is_some();
    if let Some(cache) = &cache {
        // Store what was built. A store that fails costs a rebuild next
        // time, not this link.
        for (i, key) in keys.iter().enumerate() {
            if cached[i].is_some() {
                continue;
            }
            let parts = req.plans[i].parts;
            let stored = cache::object_keys(key, parts)
                .iter()
                .zip(&objects[i])
                .try_for_each(|(key, path)| {
                    std::fs::read(path)
                        .with_context(|| format!("reading {}", path.display()))
                        .and_then(|object| cache.put(key, &object))
                });
            if let Err(e) = stored {
                all_cached = false;
                eprintln!("dtlto: warning: not cached: {}: {e:#}", req.plans[i].module);
            }
        }
        if req.verbose {
            let hits = cached.iter().filter(|c| c.is_some()).count();
            eprintln!(
                "dtlto: cache {}: {hits} hits, {} misses",
                req.cache_dir.unwrap_or_default(),
                keys.len() - hits
            );
            for (i, plan) in req.plans.iter().enumerate() {
                if cached[i].is_none() {
                    eprintln!("dtlto: cache miss: {}", plan.module);
                }
            }
        }
        if let Err(e) = cache.prune(req.cache_policy) {
            eprintln!("dtlto: warning: cache pruning failed: {e:#}");
        }
        cache_report = Some(
            keys.iter()
                .zip(req.plans)
                .zip(&cached)
                .map(|((key, plan), c)| {
                    let what = if c.is_some() { "hit" } else { "miss" };
                    format!("{what} {key} {}\n", plan.module)
                })
                .collect(),
        );
    }
    let object_keys = keys
        .iter()
        .zip(req.plans)
        .flat_map(|(k, plan)| cache::object_keys(k, plan.parts))
        .collect();
    Ok(Built {
        objects,
        object_keys,
        delegated,
        cache_report,
        all_cached,
        memory,
    })
}

/// What the backends need of a thin link: its modules and their plans.
/// The rest (index, resolutions, import lists) is freed on another thread
/// while the backends run, and the heap's free pages are given back.
pub struct BackendInputs {
    pub modules: Vec<std::sync::Arc<BitcodeModule>>,
    pub plans: Vec<BackendPlan>,
    spent: std::thread::JoinHandle<()>,
}

impl BackendInputs {
    pub fn keep(mut link: dtlto_core::thinlink::ThinLink) -> BackendInputs {
        let modules = std::mem::take(&mut link.index.modules);
        let plans = std::mem::take(&mut link.plans);
        let spent = std::thread::spawn(move || {
            drop(link);
            dtlto_llvm::return_free_heap_pages();
        });
        BackendInputs {
            modules,
            plans,
            spent,
        }
    }

    /// After the backends, before a final link in this process that adds
    /// its own memory (objects, output, symbol table): waits for the rest
    /// of the thin link to be freed and lets go of this handle on the
    /// modules; the plans stay. The caller gives the free pages back once
    /// it has let go of its own references (`return_free_heap_pages`).
    pub fn release_modules(self) -> Vec<BackendPlan> {
        let _ = self.spent.join();
        drop(self.modules);
        self.plans
    }
}
