//! A module split after the simplification half of the ThinLTO pipeline:
//! its bitcode and the partition, from which each part is built on its own
//! — in its own LLVM context, so on any thread, in any order, with the same
//! bytes (LLVM's own parallel code generation for full LTO, `splitCodeGen`,
//! also goes through bitcode for this reason).
//!
//! A part reads the module lazily, turns the other parts' definitions into
//! declarations (their bodies are never read), keeps its share of
//! `llvm.used`/`llvm.global_ctors` and runs the optimization half of the
//! pipeline and code generation. What one part uses of another was made
//! visible before the module was written: locals under a name unique to
//! the module (`<name>.dtlto.split.<module hash>`, which neither C
//! identifiers nor ThinLTO's `.llvm.<hash>` promotions can take) with
//! hidden visibility, linkonce definitions made weak.

use dtlto_core::plan::BackendPlan;
use dtlto_core::split;

use crate::backend::{clear_dso_local_on_declarations, machine, save_stage};
use crate::context::Context;
use crate::module::Module;
use crate::passes::{self, Phase};
use crate::target::RelocModel;
use crate::{BackendError, BackendOptions};

pub struct SplitModule {
    name: String,
    triple: String,
    bitcode: Vec<u8>,
    /// Per global number: its part, or `u32::MAX` (every part / none).
    owner: Vec<u32>,
    parts: u32,
}

/// The suffix of locals promoted for splitting: unique to the module.
fn promotion_suffix(plan: &BackendPlan) -> String {
    let words: String = plan
        .module_hash
        .0
        .iter()
        .map(|w| format!("{w:08x}"))
        .collect();
    format!(".dtlto.split.{words}")
}

impl SplitModule {
    /// Partitions the (simplified) module into the plan's parts, promotes
    /// what crosses parts and keeps the result as bitcode.
    pub(crate) fn new(
        module: &Module<'_>,
        plan: &BackendPlan,
        triple: &str,
    ) -> Result<SplitModule, String> {
        let graph = module.split_graph();
        let partition = split::partition(&graph, plan.parts);
        let across = partition.referenced_across(&graph);
        module.split_prepare(&across, &promotion_suffix(plan))?;
        Ok(SplitModule {
            name: plan.module.clone(),
            triple: triple.to_string(),
            bitcode: module.bitcode(),
            owner: partition
                .owner
                .iter()
                .map(|o| o.unwrap_or(u32::MAX))
                .collect(),
            parts: partition.parts,
        })
    }

    pub fn parts(&self) -> u32 {
        self.parts
    }

    /// Builds one part's object.
    pub fn emit_part(&self, part: u32, options: &BackendOptions) -> Result<Vec<u8>, BackendError> {
        let name = format!("{} (part {part})", self.name);
        let fail = |detail: String| BackendError::Codegen {
            module: name.clone(),
            detail,
        };
        let ctx = Context::new();
        let module = Module::parse_lazy(&ctx, &self.name, &self.bitcode).map_err(&fail)?;
        module.split_keep_part(&self.owner, part).map_err(&fail)?;
        if options.reloc == RelocModel::Pic && module.pie_level() == 0 {
            // Definitions of other parts are declarations now.
            clear_dso_local_on_declarations(&module);
        }
        if options.verify {
            module.verify().map_err(|detail| BackendError::Verify {
                module: name.clone(),
                detail,
            })?;
        }
        let tm = machine(&name, &self.triple, options)?;
        let optimize_failed = |detail: String| BackendError::Optimize {
            module: name.clone(),
            detail,
        };
        match options.opt_level.phase_level() {
            Some(level) => passes::run_phase(
                &module,
                &tm,
                level,
                Phase::Optimize,
                options.opt_level.level() > 1,
                options.debug_pass_manager,
            )
            .map_err(optimize_failed)?,
            // -O0: every part copied the module's constants; drop the
            // ones it does not use.
            None => passes::run(
                &module,
                &tm,
                "globaldce",
                false,
                None,
                options.debug_pass_manager,
            )
            .map_err(optimize_failed)?,
        }
        save_stage(&module, &name, options, &format!("5.part{part}.opt"))?;
        let object = tm.emit_object(&module).map_err(&fail)?;
        let errors = ctx.take_errors();
        if !errors.is_empty() {
            return Err(fail(errors.join("; ")));
        }
        Ok(object)
    }

    /// Builds every part's object, on up to `threads` threads; the objects
    /// come back in part order whatever the thread count.
    pub fn emit_all(
        &self,
        options: &BackendOptions,
        threads: usize,
    ) -> Result<Vec<Vec<u8>>, BackendError> {
        let threads = threads.clamp(1, self.parts as usize);
        if threads == 1 {
            return (0..self.parts)
                .map(|p| self.emit_part(p, options))
                .collect();
        }
        let next = std::sync::atomic::AtomicU32::new(0);
        type Slot = std::sync::Mutex<Option<Result<Vec<u8>, BackendError>>>;
        let results: Vec<Slot> = (0..self.parts).map(|_| Default::default()).collect();
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| loop {
                    let p = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if p >= self.parts {
                        break;
                    }
                    let result = self.emit_part(p, options);
                    if let Ok(mut slot) = results[p as usize].lock() {
                        *slot = Some(result);
                    }
                });
            }
        });
        results
            .into_iter()
            .enumerate()
            .map(|(p, slot)| {
                slot.into_inner().ok().flatten().unwrap_or_else(|| {
                    Err(BackendError::Codegen {
                        module: self.name.clone(),
                        detail: format!("part {p} was not built"),
                    })
                })
            })
            .collect()
    }
}
