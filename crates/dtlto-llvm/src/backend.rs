//! One ThinLTO backend: a module, its plan and the modules it imports from
//! in; a native object out. The steps follow LLVM's `thinBackend`:
//!
//! 1. apply the plan to the module's own globals — promotion renames,
//!    internalization, prevailing/non-prevailing linkages, dead definitions
//!    dropped (`renameModuleForThinLTO`, `thinLTOFinalizeInModule`,
//!    `thinLTOInternalizeModule`);
//! 2. import: open each source module lazily, apply its promotions, read
//!    only the imported bodies, make them `available_externally`, and move
//!    them in with LLVM's IRMover (`FunctionImporter::importFunctions`);
//! 3. internalize read-only/write-only variables on both sides
//!    (`internalizeGVsAfterImport`);
//! 4. optimize with `thinlto<On>`, then emit an ELF object — or, for a
//!    plan with several parts, run the pipeline's simplification half and
//!    hand over a [`SplitModule`] whose parts finish separately.
//!
//! Everything happens in a context of its own, so the result depends only
//! on the inputs: the same bytes on any thread and in any process.

use dtlto_core::import::ImportKind;
use dtlto_core::plan::{BackendPlan, GlobalPlan, ImportSource};
use dtlto_core::summary::{Linkage, Visibility};
use thiserror::Error;

use crate::context::Context;
use crate::module::{Global, IrMover, Module};
use crate::passes::{self, Phase};
use crate::remarks::RemarkFile;
use crate::split::SplitModule;
use crate::target::{MachineSpec, RelocModel, TargetMachine};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OptLevel {
    O0,
    O1,
    #[default]
    O2,
    O3,
    Os,
    Oz,
}

impl OptLevel {
    fn pipeline(self) -> &'static str {
        match self {
            OptLevel::O0 => "thinlto<O0>",
            OptLevel::O1 => "thinlto<O1>",
            OptLevel::O2 => "thinlto<O2>",
            OptLevel::O3 => "thinlto<O3>",
            OptLevel::Os => "thinlto<Os>",
            OptLevel::Oz => "thinlto<Oz>",
        }
    }

    /// The numeric level (what the thin link compares with 0: no import
    /// at -O0).
    pub fn level(self) -> u8 {
        match self {
            OptLevel::O0 => 0,
            OptLevel::O1 => 1,
            OptLevel::O2 | OptLevel::Os | OptLevel::Oz => 2,
            OptLevel::O3 => 3,
        }
    }

    /// The code generation level lld's in-process LTO pairs with this
    /// level when `--lto-CGO` is not given: 2 up to -O2, 3 at -O3 (lld
    /// clamps; code generation at -O0 is not LLVM's fast path there).
    pub fn lld_codegen_level(self) -> u8 {
        self.level().clamp(2, 3)
    }

    /// The code generation level LLVMgold (and so GNU ld, gold and mold
    /// with LTO) pairs with this level: the same number.
    pub fn gold_codegen_level(self) -> u8 {
        self.level()
    }

    /// The level the split pipeline's halves take (`None` at -O0, which
    /// has no simplification pipeline).
    pub(crate) fn phase_level(self) -> Option<u8> {
        match self {
            OptLevel::O0 => None,
            OptLevel::O1 => Some(1),
            OptLevel::O2 => Some(2),
            OptLevel::O3 => Some(3),
            OptLevel::Os => Some(b's'),
            OptLevel::Oz => Some(b'z'),
        }
    }

    /// `0`, `1`, `2`, `3`, `s` or `z` (what follows `-O`).
    pub fn parse(text: &str) -> Option<OptLevel> {
        Some(match text {
            "0" => OptLevel::O0,
            "1" => OptLevel::O1,
            "2" | "" => OptLevel::O2,
            "3" => OptLevel::O3,
            "s" => OptLevel::Os,
            "z" => OptLevel::Oz,
            _ => return None,
        })
    }

    /// What follows `-O` on a command line: the inverse of `parse`.
    pub fn as_str(self) -> &'static str {
        match self {
            OptLevel::O0 => "0",
            OptLevel::O1 => "1",
            OptLevel::O2 => "2",
            OptLevel::O3 => "3",
            OptLevel::Os => "s",
            OptLevel::Oz => "z",
        }
    }
}

/// Code generation options shared by all backends of a link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendOptions {
    pub opt_level: OptLevel,
    /// Code generation level, 0-3 (`CodeGenOptLevel`): LTO sets it apart
    /// from the optimization level, and lld and LLVMgold pair them
    /// differently (see [`OptLevel::lld_codegen_level`]).
    pub codegen_level: u8,
    /// LLVM options (`-mllvm`) the backends run with; LLVM holds them per
    /// process (see [`crate::apply_llvm_options`]).
    pub llvm_options: Vec<String>,
    /// `-mcpu`; by default what clang passes to LTO for the triple.
    pub cpu: Option<String>,
    /// `-mattr`, comma-separated `+feature,-feature`.
    pub features: String,
    pub reloc: RelocModel,
    /// On by default, as in lld's LTO.
    pub function_sections: bool,
    pub data_sections: bool,
    /// Run LLVM's verifier on the module after import, as lld does by
    /// default; LLVMgold (release builds) and lld's `--disable-verify`
    /// skip it. It never changes the object, only finds dtlto's own bugs.
    pub verify: bool,
    /// `--save-temps`: write the IR after each step as
    /// `<prefix>.1.promote.bc`, `.3.import.bc` and `.4.opt.bc` (lld's names).
    pub save_temps: Option<std::path::PathBuf>,
    /// lld's `--lto-newpm-passes`: a textual pass pipeline that replaces
    /// `thinlto<On>` after import, as LLVM's LTO `Config::OptPipeline`.
    /// A module is not split under it (the split runs the two halves of
    /// the default pipeline).
    pub pipeline: Option<String>,
    /// lld's `--lto-aa-pipeline`: the alias analyses every pass queries,
    /// in place of the default stack (`Config::AAPipeline`).
    pub aa_pipeline: Option<String>,
    /// Optimization remarks to write (lld's `--opt-remarks-*`); a module
    /// is not split under them (its remarks are one file, as lld's).
    pub remarks: Option<crate::RemarkOptions>,
    /// The module's ThinLTO task, as LLVM's LTO numbers them (1 + its
    /// place among the link's modules): names its remark file.
    pub task: u32,
    /// lld's `--lto-emit-asm`: the backend writes assembly, not an object
    /// (a module is not split under it).
    pub emit_asm: bool,
    /// lld's `--lto-debug-pass-manager`: the pass manager prints each pass
    /// and analysis it runs, on stderr. It never changes the object.
    pub debug_pass_manager: bool,
    /// An address-significance table (`.llvm_addrsig`) in each object, as
    /// lld's LTO asks for (its `--icf=safe` reads it); LLVMgold does not,
    /// and the linkers it serves ignore the table.
    pub addrsig: bool,
    /// x86-64 GOT loads with the relaxable relocations (`GOTPCRELX`,
    /// `REX_GOTPCRELX`), LLVM's default and lld's; LLVMgold turns them
    /// off (plain `GOTPCREL`), for gold releases that predate them.
    pub relax_relocations: bool,
}

impl Default for BackendOptions {
    fn default() -> Self {
        BackendOptions {
            opt_level: OptLevel::O2,
            codegen_level: 2,
            llvm_options: Vec::new(),
            cpu: None,
            features: String::new(),
            reloc: RelocModel::Pic,
            function_sections: true,
            data_sections: true,
            verify: true,
            save_temps: None,
            pipeline: None,
            aa_pipeline: None,
            remarks: None,
            task: 0,
            emit_asm: false,
            debug_pass_manager: false,
            addrsig: true,
            relax_relocations: true,
        }
    }
}

/// The bitcode of one module the plan imports from.
pub struct ImportedModule<'a> {
    pub path: &'a str,
    pub bytes: &'a [u8],
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum BackendError {
    #[error("{module}: optimization remarks: {detail}")]
    Remarks { module: String, detail: String },
    #[error("{module}: cannot read bitcode: {detail}")]
    Bitcode { module: String, detail: String },
    #[error("{module}: the plan does not match this module: {detail}")]
    PlanMismatch { module: String, detail: String },
    #[error("{module}: module {source_module} to import from was not given")]
    MissingImport {
        module: String,
        source_module: String,
    },
    #[error("{module}: importing from {source_module}: {detail}")]
    Import {
        module: String,
        source_module: String,
        detail: String,
    },
    #[error("{module}: invalid IR after applying the plan (please report): {detail}")]
    Verify { module: String, detail: String },
    #[error("{module}: optimization failed: {detail}")]
    Optimize { module: String, detail: String },
    #[error("{module}: LLVM options: {detail}")]
    LlvmOptions { module: String, detail: String },
    #[error("{module}: target: {detail}")]
    Target { module: String, detail: String },
    #[error("{module}: code generation failed: {detail}")]
    Codegen { module: String, detail: String },
}

/// The CPU clang hands to LTO when none is given.
fn default_cpu(triple: &str) -> &'static str {
    if triple.starts_with("x86_64") {
        "x86-64"
    } else {
        "generic"
    }
}

/// What a backend produced: one object, or a module split into parts that
/// are emitted separately (on other threads or cores).
pub enum Backend {
    Object(Vec<u8>),
    Split(SplitModule),
}

/// The target machine for a module's code.
pub(crate) fn machine(
    name: &str,
    triple: &str,
    options: &BackendOptions,
) -> Result<TargetMachine, BackendError> {
    let cpu = options
        .cpu
        .clone()
        .unwrap_or_else(|| default_cpu(triple).to_string());
    TargetMachine::new(&MachineSpec {
        triple,
        cpu: &cpu,
        features: &options.features,
        codegen_level: options.codegen_level,
        reloc: options.reloc,
        function_sections: options.function_sections,
        data_sections: options.data_sections,
        asm_verbose: options.emit_asm,
        addrsig: options.addrsig,
        relax_relocations: options.relax_relocations,
    })
    .map_err(|detail| BackendError::Target {
        module: name.to_string(),
        detail,
    })
}

/// The object of LLVM's regular LTO part when every module of the link is
/// ThinLTO: its combined module, `ld-temp.o`, empty, compiled for the
/// link's target. LLVM's LTO emits it only when asked to
/// (`AlwaysEmitRegularLTOObj`, which lld's `--lto-obj-path` sets), and
/// lld writes it there. Under `emit_asm`, its assembly.
pub fn empty_regular_lto_object(
    triple: &str,
    options: &BackendOptions,
) -> Result<Vec<u8>, BackendError> {
    const NAME: &str = "ld-temp.o";
    let failed = |detail: String| BackendError::Codegen {
        module: NAME.to_string(),
        detail,
    };
    let ctx = Context::new();
    let module = Module::empty(&ctx, NAME, triple).map_err(failed)?;
    let tm = machine(NAME, triple, options)?;
    if options.emit_asm {
        tm.emit_assembly(&module).map_err(failed)
    } else {
        tm.emit_object(&module).map_err(failed)
    }
}

/// Writes the module's IR as `<prefix>.<stage>.bc` under `--save-temps`.
pub(crate) fn save_stage(
    module: &Module<'_>,
    name: &str,
    options: &BackendOptions,
    stage: &str,
) -> Result<(), BackendError> {
    match &options.save_temps {
        Some(prefix) => {
            let path = std::path::PathBuf::from(format!("{}.{stage}.bc", prefix.display()));
            module
                .write_bitcode(&path)
                .map_err(|detail| BackendError::Codegen {
                    module: name.to_string(),
                    detail,
                })
        }
        None => Ok(()),
    }
}

/// Runs one backend up to its object, or, for a plan with several parts,
/// up to the split: import, the plan, the simplification half of the
/// pipeline on the whole module, the partition.
pub fn start_backend(
    plan: &BackendPlan,
    module_bytes: &[u8],
    imports: &[ImportedModule<'_>],
    options: &BackendOptions,
) -> Result<Backend, BackendError> {
    let name = plan.module.clone();
    crate::apply_llvm_options(&options.llvm_options).map_err(|detail| {
        BackendError::LlvmOptions {
            module: name.clone(),
            detail,
        }
    })?;
    let ctx = Context::new();
    // As LLVM's thinBackend: remarks go to a file set up on the module's
    // context before anything runs, written out after code generation.
    let remarks = match &options.remarks {
        Some(r) => Some(
            RemarkFile::begin(&ctx, r, options.task as i32).map_err(|detail| {
                BackendError::Remarks {
                    module: name.clone(),
                    detail,
                }
            })?,
        ),
        None => None,
    };
    let module =
        Module::parse(&ctx, &name, module_bytes).map_err(|detail| BackendError::Bitcode {
            module: name.clone(),
            detail,
        })?;
    let mismatch = |detail: String| BackendError::PlanMismatch {
        module: name.clone(),
        detail,
    };
    if module.source_file_name() != plan.source_file_name {
        return Err(mismatch(format!(
            "the plan is for source `{}`, the module was compiled from `{}`",
            plan.source_file_name,
            module.source_file_name()
        )));
    }
    let triple = module.triple();
    let tm = machine(&name, &triple, options)?;
    apply_own_plan(&module, &plan.globals).map_err(mismatch)?;
    save_stage(&module, &name, options, "1.promote")?;
    let mut imported_to_internalize = Vec::new();
    // Made at the first import, and gone before anything else changes the
    // module.
    let mut mover = None;
    for source in &plan.imports {
        import_from(
            &ctx,
            &module,
            &mut mover,
            &name,
            source,
            imports,
            &mut imported_to_internalize,
        )?;
    }
    drop(mover);
    internalize_after_import(&module, plan, &imported_to_internalize);
    // renameModuleForThinLTO, on this module and on each import source:
    // what the index says resolves within the linkage unit is dso_local
    // (locals and hidden globals are already).
    for name in &plan.dso_local {
        if let Some(gv) = module.global(name) {
            if !gv.linkage().is_local() {
                gv.set_dso_local(true);
            }
        }
    }
    // renameModuleForThinLTO: code that may end up in a shared library
    // (PIC, not PIE) cannot assume declarations resolve locally.
    if options.reloc == RelocModel::Pic && module.pie_level() == 0 {
        clear_dso_local_on_declarations(&module);
    }

    save_stage(&module, &name, options, "3.import")?;
    if options.verify {
        module.verify().map_err(|detail| BackendError::Verify {
            module: name.clone(),
            detail,
        })?;
    }
    let optimize_failed = |detail: String| BackendError::Optimize {
        module: name.clone(),
        detail,
    };
    let vectorize = options.opt_level.level() > 1;
    if plan.parts > 1
        && (options.pipeline.is_some()
            || options.aa_pipeline.is_some()
            || remarks.is_some()
            || options.emit_asm)
    {
        return Err(optimize_failed(format!(
            "the plan splits it in {} parts, and a split module runs LLVM's default \
             pipeline and writes one object per part, without remarks: a custom pass \
             or alias-analysis pipeline, remarks and assembly need an unsplit plan",
            plan.parts
        )));
    }
    if plan.parts > 1 {
        let debug = options.debug_pass_manager;
        match options.opt_level.phase_level() {
            Some(level) => {
                passes::run_phase(&module, &tm, level, Phase::Simplify, vectorize, debug)
                    .map_err(optimize_failed)?
            }
            // -O0 has no simplification; its whole pipeline runs here.
            None => passes::run(
                &module,
                &tm,
                options.opt_level.pipeline(),
                false,
                None,
                debug,
            )
            .map_err(optimize_failed)?,
        }
        save_stage(&module, &name, options, "4.simplify")?;
        let split = SplitModule::new(&module, plan, &triple).map_err(optimize_failed)?;
        let errors = ctx.take_errors();
        if !errors.is_empty() {
            return Err(optimize_failed(errors.join("; ")));
        }
        return Ok(Backend::Split(split));
    }
    let pipeline = options
        .pipeline
        .as_deref()
        .unwrap_or(options.opt_level.pipeline());
    passes::run(
        &module,
        &tm,
        pipeline,
        vectorize,
        options.aa_pipeline.as_deref(),
        options.debug_pass_manager,
    )
    .map_err(optimize_failed)?;
    save_stage(&module, &name, options, "4.opt")?;
    let emitted = if options.emit_asm {
        tm.emit_assembly(&module)
    } else {
        tm.emit_object(&module)
    };
    let object = emitted.map_err(|detail| BackendError::Codegen {
        module: name.clone(),
        detail,
    })?;
    let errors = ctx.take_errors();
    if !errors.is_empty() {
        return Err(BackendError::Codegen {
            module: name,
            detail: errors.join("; "),
        });
    }
    if let Some(remarks) = remarks {
        remarks.finish().map_err(|detail| BackendError::Remarks {
            module: name.clone(),
            detail,
        })?;
    }
    Ok(Backend::Object(object))
}

/// Step 1: the thin link's decisions about the module's own globals.
fn apply_own_plan(module: &Module<'_>, globals: &[GlobalPlan]) -> Result<(), String> {
    for g in globals {
        let Some(gv) = module.global(&g.name) else {
            // Summaries exist only for definitions the module has; a plan
            // naming an absent one was made for another module.
            return Err(format!("it has no global named `{}`", g.name));
        };
        if !g.live {
            gv.convert_to_declaration();
            continue;
        }
        if let Some(new_name) = &g.rename {
            gv.set_name(new_name);
            gv.set_linkage(Linkage::External);
            gv.set_visibility(Visibility::Hidden);
        }
        let current = gv.linkage();
        if g.linkage != current {
            if g.linkage == Linkage::AvailableExternally && current.is_interposable() {
                // A non-prevailing interposable copy cannot be kept for
                // inlining: drop it.
                gv.convert_to_declaration();
                continue;
            }
            gv.set_linkage(g.linkage);
        }
        if g.linkage.is_local() {
            gv.set_visibility(Visibility::Default);
            gv.drop_comdat();
        } else if g.visibility != Visibility::Default {
            gv.set_visibility(g.visibility);
        }
        if g.linkage == Linkage::AvailableExternally {
            gv.drop_comdat();
        }
        if g.write_only {
            gv.zero_initializer();
        }
    }
    Ok(())
}

/// Step 2: import the planned definitions from one source module.
fn import_from<'m>(
    ctx: &Context,
    dest: &'m Module<'_>,
    mover: &mut Option<IrMover<'m>>,
    name: &str,
    source: &ImportSource,
    imports: &[ImportedModule<'_>],
    internalize: &mut Vec<String>,
) -> Result<(), BackendError> {
    let fail = |detail: String| BackendError::Import {
        module: name.to_string(),
        source_module: source.module.clone(),
        detail,
    };
    let bytes = imports
        .iter()
        .find(|m| m.path == source.module)
        .ok_or_else(|| BackendError::MissingImport {
            module: name.to_string(),
            source_module: source.module.clone(),
        })?
        .bytes;
    let src = Module::parse_lazy(ctx, &source.module, bytes).map_err(&fail)?;
    if src.source_file_name() != source.source_file_name {
        return Err(fail(format!(
            "it was compiled from `{}`, the plan expects `{}`",
            src.source_file_name(),
            source.source_file_name
        )));
    }
    src.materialize_metadata().map_err(&fail)?;

    // Read the bodies first: renaming and linkage changes apply to
    // materialized definitions, as in FunctionImporter. It takes them in
    // the source's order — functions, then variables, then aliases — and
    // IRMover creates the declarations they refer to in that order, which
    // shows in the object (symbol order) and in assembly.
    let mut moved = Vec::new();
    let mut wanted: Vec<(Global, &dtlto_core::plan::ImportedValue)> = Vec::new();
    let mut requested = Vec::new();
    for v in &source.values {
        if v.kind != ImportKind::Definition {
            continue;
        }
        let gv = src
            .global(&v.name)
            .ok_or_else(|| fail(format!("it has no global named `{}`", v.name)))?;
        requested.push((gv, v));
    }
    if requested.len() > 1 {
        let place: std::collections::HashMap<usize, usize> = src
            .globals()
            .into_iter()
            .enumerate()
            .map(|(i, g)| (g.id(), i))
            .collect();
        requested.sort_by_key(|(gv, _)| place.get(&gv.id()).copied().unwrap_or(usize::MAX));
    }
    for (mut gv, v) in requested {
        if gv.is_alias() {
            gv = gv.replace_alias_with_aliasee().map_err(&fail)?;
        } else {
            gv.materialize().map_err(&fail)?;
        }
        wanted.push((gv, v));
    }
    // Imported code refers to the source's locals by their promoted names,
    // which the exporting module's backend gives them too. As LLVM's
    // importer does, every local of the source (ifuncs aside, which have no
    // summary) is renamed: only those imported code references come across,
    // and the thin link exported (promoted) exactly those.
    let suffix = source.module_hash.promotion_suffix();
    for gv in src.globals() {
        if !gv.linkage().is_local() || gv.is_alias_of_ifunc() {
            continue;
        }
        let old = gv.name();
        if old.is_empty() {
            continue;
        }
        gv.set_name(&format!("{old}{suffix}"));
        gv.set_linkage(Linkage::External);
        gv.set_visibility(Visibility::Hidden);
    }
    for (gv, v) in wanted {
        if gv.is_declaration() {
            return Err(fail(format!("`{}` has no definition to import", v.name)));
        }
        gv.set_linkage(Linkage::AvailableExternally);
        gv.drop_comdat();
        if v.write_only {
            gv.zero_initializer();
        }
        if v.internalize {
            internalize.push(gv.name());
        }
        moved.push(gv.name());
    }
    if moved.is_empty() {
        return Ok(());
    }
    mover
        .get_or_insert_with(|| IrMover::new(dest))
        .import(src, &moved)
        .map_err(fail)?;
    let errors = ctx.take_errors();
    if !errors.is_empty() {
        return Err(BackendError::Import {
            module: name.to_string(),
            source_module: source.module.clone(),
            detail: errors.join("; "),
        });
    }
    Ok(())
}

pub(crate) fn clear_dso_local_on_declarations(module: &Module<'_>) {
    for gv in module.globals() {
        let linkage = gv.linkage();
        let declaration_for_linker = gv.is_declaration() || linkage == Linkage::AvailableExternally;
        let implicitly_local = linkage.is_local()
            || (gv.visibility() != Visibility::Default && linkage != Linkage::ExternalWeak);
        if declaration_for_linker && !implicitly_local {
            gv.set_dso_local(false);
        }
    }
}

/// Step 3: read-only and write-only variables become internal copies, in
/// the exporting module and in every importer alike. `imported` names the
/// imported ones under their names after import.
fn internalize_after_import(module: &Module<'_>, plan: &BackendPlan, imported: &[String]) {
    let own = plan
        .globals
        .iter()
        .filter(|g| g.live && g.internalize_after_import)
        .map(|g| g.rename.clone().unwrap_or_else(|| g.name.clone()));
    let imported = imported.iter().cloned();
    for name in own.chain(imported) {
        if let Some(gv) = module.global(&name) {
            if gv.is_variable() && !gv.is_declaration() {
                gv.set_linkage(Linkage::Internal);
                gv.set_visibility(Visibility::Default);
                gv.drop_comdat();
            }
        }
    }
}
