//! Function and global-variable import (LLVM's `ComputeCrossModuleImport`).
//!
//! For each module, every live function it defines seeds a walk of the call
//! graph. A callee defined elsewhere is imported if a qualifying copy is no
//! larger than the threshold: `import-instr-limit` at the roots, multiplied
//! per call site by the hotness bonus, and multiplied by the evolution
//! factor for the callees of imported functions. A callee reached again
//! with a higher threshold is reconsidered. Read-only and write-only global
//! variables referenced by imported code are imported too, so that they can
//! be internalized on both sides. Everything imported, and everything an
//! imported definition calls or references in its home module, is exported
//! from that module.
//!
//! Thresholds are computed in `f32` and truncated to `u32` where LLVM
//! stores them in `unsigned`, so that the decisions match LLVM's exactly
//! (100 × 0.7 = 70, 70 × 0.7 = 48).

use std::collections::BTreeMap;

use rayon::prelude::*;

use serde::{Deserialize, Serialize};

use crate::dense_map;
use crate::guid::Guid;
use crate::index::{CombinedIndex, ModuleId, SummaryId, ValueId, ValueKind};
use crate::summary::Hotness;

/// Every import tunable, with LLVM 22's defaults and LLVM's option names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportConfig {
    /// `-import-instr-limit`: only import functions with at most N instructions.
    pub instr_limit: u32,
    /// `-import-instr-evolution-factor`: threshold factor for callees of
    /// imported functions.
    pub instr_evolution_factor: f32,
    /// `-import-hot-evolution-factor`: the same after a hot call site.
    pub hot_evolution_factor: f32,
    /// `-import-hot-multiplier`.
    pub hot_multiplier: f32,
    /// `-import-critical-multiplier`.
    pub critical_multiplier: f32,
    /// `-import-cold-multiplier`.
    pub cold_multiplier: f32,
    /// `-import-cutoff`: stop after N imports (negative: no limit).
    pub cutoff: i64,
    /// `-force-import-all`: ignore size and noinline.
    pub force_import_all: bool,
    /// `-import-declaration`: import a declaration when the definition is
    /// rejected for size or noinline.
    pub import_declaration: bool,
    /// Import nothing (`-O0` links and `--no-import`).
    pub disabled: bool,
}

impl Default for ImportConfig {
    fn default() -> Self {
        ImportConfig {
            instr_limit: 100,
            instr_evolution_factor: 0.7,
            hot_evolution_factor: 1.0,
            hot_multiplier: 10.0,
            critical_multiplier: 100.0,
            cold_multiplier: 0.0,
            cutoff: -1,
            force_import_all: false,
            import_declaration: false,
            disabled: false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ImportKind {
    Definition,
    Declaration,
}

/// Why a callee was not imported (`FunctionImporter::ImportFailureReason`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportFailureReason {
    None,
    GlobalVar,
    NotLive,
    TooLarge,
    InterposableLinkage,
    LocalLinkageNotInModule,
    NotEligible,
    NoInline,
}

impl ImportFailureReason {
    pub fn name(self) -> &'static str {
        use ImportFailureReason::*;
        match self {
            None => "None",
            GlobalVar => "GlobalVar",
            NotLive => "NotLive",
            TooLarge => "TooLarge",
            InterposableLinkage => "InterposableLinkage",
            LocalLinkageNotInModule => "LocalLinkageNotInModule",
            NotEligible => "NotEligible",
            NoInline => "NoInline",
        }
    }
}

/// A callee that was considered for a module and not imported.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportFailure {
    pub guid: Guid,
    pub reason: ImportFailureReason,
    pub threshold: u32,
    pub size: Option<u32>,
    pub max_hotness: Hotness,
    pub attempts: u32,
}

/// What one module imports: source module -> GUID -> kind.
pub type ImportList = BTreeMap<ModuleId, BTreeMap<Guid, ImportKind>>;
/// What one module exports: GUID -> kind.
pub type ExportList = BTreeMap<Guid, ImportKind>;

#[derive(Debug, Default)]
pub struct ImportResult {
    /// Per module (by `ModuleId`).
    pub imports: Vec<ImportList>,
    pub exports: Vec<ExportList>,
    /// Rejections per module, in the order LLVM prints them (that of its
    /// per-module `ImportThresholds` hash map).
    pub failures: Vec<Vec<ImportFailure>>,
    /// Per module, what LLVM reports as errors under `-force-import-all`
    /// ("Failed to import function NAME due to REASON"), in the order met.
    pub errors: Vec<Vec<String>>,
}

/// A callee as the importer tracks it: a value of the index, or a GUID
/// nothing summarizes (a call out of the summaries).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Callee {
    Value(ValueId),
    Unsummarized(Guid),
}

#[derive(Clone, Copy, Debug)]
struct Threshold {
    processed: u32,
    callee: Option<SummaryId>,
    failure: Option<usize>,
}

struct ModuleImporter<'a> {
    index: &'a CombinedIndex,
    config: &'a ImportConfig,
    module: ModuleId,
    is_prevailing: &'a (dyn Fn(Guid, ModuleId) -> bool + Sync),
    imports: ImportList,
    /// What this module's imported definitions make other modules export:
    /// (exporter, value), merged into the export lists after every module
    /// ran. Declarations imported export nothing, as in LLVM.
    exported: Vec<(ModuleId, Guid)>,
    thresholds: rustc_hash::FxHashMap<Callee, Threshold>,
    /// The keys of `thresholds` in the order they were added: LLVM's
    /// failure report walks its map of them in hash-table order, which
    /// depends on that.
    considered: Vec<Callee>,
    /// Each failure's callee, beside it.
    failures: Vec<ImportFailure>,
    failed: Vec<Callee>,
    errors: Vec<String>,
    /// Imports made so far in the whole link (for `-import-cutoff`).
    import_count: i64,
}

/// One module's part of the import computation.
struct ModuleImports {
    imports: ImportList,
    failures: Vec<ImportFailure>,
    errors: Vec<String>,
    exported: Vec<(ModuleId, Guid)>,
    import_count: i64,
}

/// Computes the import and export lists of every module.
pub fn compute_imports(
    index: &CombinedIndex,
    config: &ImportConfig,
    is_prevailing: &(dyn Fn(Guid, ModuleId) -> bool + Sync),
) -> ImportResult {
    let n = index.modules.len();
    let mut result = ImportResult {
        imports: vec![ImportList::new(); n],
        exports: vec![ExportList::new(); n],
        failures: vec![Vec::new(); n],
        errors: vec![Vec::new(); n],
    };
    if config.disabled {
        return result;
    }
    let run_module = |m: usize, import_count: i64| -> ModuleImports {
        let mut importer = ModuleImporter {
            index,
            config,
            module: ModuleId(m as u32),
            is_prevailing,
            imports: ImportList::new(),
            exported: Vec::new(),
            thresholds: Default::default(),
            considered: Vec::new(),
            failures: Vec::new(),
            failed: Vec::new(),
            errors: Vec::new(),
            import_count,
        };
        importer.run();
        let ModuleImporter {
            imports,
            failures,
            failed,
            errors,
            thresholds,
            considered,
            exported,
            import_count,
            ..
        } = importer;
        // Only callees that in the end were not imported are failures.
        let mut failures: Vec<ImportFailure> = failures
            .into_iter()
            .zip(failed)
            .filter(|(_, c)| thresholds.get(c).is_none_or(|t| t.callee.is_none()))
            .map(|(f, _)| f)
            .collect();
        if !failures.is_empty() {
            order_as_llvm_prints(index, &considered, &mut failures);
        }
        ModuleImports {
            imports,
            failures,
            errors,
            exported,
            import_count,
        }
    };
    // A module's imports depend on the index alone, so modules run in
    // parallel — except under -import-cutoff, whose count runs through the
    // modules in the order LLVM walks them.
    let per_module: Vec<ModuleImports> = if config.cutoff < 0 {
        (0..n).into_par_iter().map(|m| run_module(m, 0)).collect()
    } else {
        let mut walked: Vec<Option<ModuleImports>> = (0..n).map(|_| None).collect();
        let mut count = 0;
        for m in module_walk_order(index) {
            let r = run_module(m, count);
            count = r.import_count;
            walked[m] = Some(r);
        }
        walked
            .into_iter()
            .map(|r| r.expect("the walk visits every module"))
            .collect()
    };
    for (m, r) in per_module.into_iter().enumerate() {
        for (from, guid) in r.exported {
            result.exports[from.0 as usize].insert(guid, ImportKind::Definition);
        }
        result.imports[m] = r.imports;
        result.failures[m] = r.failures;
        result.errors[m] = r.errors;
    }
    expand_exports(index, &mut result.exports);
    result
}

/// The order in which LLVM's `ComputeCrossModuleImport` walks the modules:
/// that of its `DenseMap` of module paths, reserved for every module and
/// filled as the GUID-ordered combined index first names each module
/// (`collectDefinedGVSummariesPerModule`), then with the modules without
/// summaries, in link order.
fn module_walk_order(index: &CombinedIndex) -> Vec<usize> {
    let n = index.modules.len();
    let mut values: Vec<(Guid, ValueId)> = index.values().map(|(v, g)| (g, v)).collect();
    values.sort_unstable();
    let mut named = vec![false; n];
    let mut first_named = Vec::with_capacity(n);
    for (_, v) in values {
        for &s in index.value_summaries(v) {
            let m = index.module_of(s).0 as usize;
            if !named[m] {
                named[m] = true;
                first_named.push(m);
            }
        }
    }
    first_named.extend((0..n).filter(|&m| !named[m]));
    let path_hash = |m: usize| dense_map::string_hash(index.modules[m].path.as_bytes());
    dense_map::iteration_order_by(first_named, path_hash, n)
}

impl ModuleImporter<'_> {
    fn run(&mut self) {
        let index = self.index;
        // Seeds in the order LLVM walks the module's `DefinedGVSummaries`,
        // a DenseMap filled in GUID order (the combined index is a
        // std::map): the order decides how often a rejected callee is
        // retried and, under -import-cutoff, what is imported.
        let guids = index.defined_in(self.module).iter().map(|(g, _)| g.0);
        let mut worklist: Vec<(SummaryId, u32)> = Vec::new();
        for guid in dense_map::iteration_order(guids) {
            let Some(id) = index.find_in_module(Guid(guid), self.module) else {
                continue;
            };
            if !index.is_live(id) {
                continue;
            }
            let Some(base) = index.base_object(id) else {
                continue;
            };
            if index.kind(base) != ValueKind::Function {
                continue;
            }
            self.import_for_function(base, self.config.instr_limit, &mut worklist);
        }
        while let Some((summary, threshold)) = worklist.pop() {
            self.import_for_function(summary, threshold, &mut worklist);
        }
    }

    fn bonus(&self, hotness: Hotness) -> f32 {
        match hotness {
            Hotness::Hot => self.config.hot_multiplier,
            Hotness::Cold => self.config.cold_multiplier,
            Hotness::Critical => self.config.critical_multiplier,
            _ => 1.0,
        }
    }

    /// A callee's name as the combined index knows it: its summaries'
    /// IR name, else the caller module's declaration of it ("" if none).
    fn callee_name(&self, callee: Callee, caller: SummaryId) -> String {
        let index = self.index;
        if let Callee::Value(v) = callee {
            let named = index
                .value_summaries(v)
                .iter()
                .map(|&s| &index.summary(s).name);
            if let Some(name) = named.into_iter().find(|n| !n.is_empty()) {
                return name.clone();
            }
        }
        let guid = self.guid(callee);
        let module = &index.modules[index.module_of(caller).0 as usize];
        module
            .globals
            .iter()
            .find(|g| g.guid == guid)
            .map(|g| g.name.clone())
            .unwrap_or_default()
    }

    /// The GUID of a callee.
    fn guid(&self, callee: Callee) -> Guid {
        match callee {
            Callee::Value(v) => self.index.guid_of(v),
            Callee::Unsummarized(g) => g,
        }
    }

    fn import_for_function(
        &mut self,
        summary: SummaryId,
        threshold: u32,
        worklist: &mut Vec<(SummaryId, u32)>,
    ) {
        let index = self.index;
        self.import_referenced_globals(summary);
        let caller_module = index.module_of(summary);
        let targets = index.call_targets(summary);
        let hotness = index.call_hotness(summary);
        for (i, (&target, &hotness)) in targets.iter().zip(hotness).enumerate() {
            if self.config.cutoff >= 0 && self.import_count >= self.config.cutoff {
                continue;
            }
            // Callees are followed by value id: the GUID is read only
            // where a decision is recorded.
            let callee = if target.is_none() {
                Callee::Unsummarized(index.summary(summary).calls()[i].callee)
            } else if index.defines(self.module, target) {
                continue;
            } else {
                Callee::Value(target)
            };
            let new_threshold = threshold as f32 * self.bonus(hotness);
            let previously_visited = self.thresholds.contains_key(&callee);
            if !previously_visited {
                self.considered.push(callee);
            }
            let entry = *self.thresholds.entry(callee).or_insert(Threshold {
                processed: new_threshold as u32,
                callee: None,
                failure: None,
            });
            let is_hot = hotness == Hotness::Hot;

            let resolved = if let Some(resolved) = entry.callee {
                if new_threshold <= entry.processed as f32 {
                    continue;
                }
                self.set_threshold(callee, new_threshold as u32);
                resolved
            } else {
                if previously_visited && new_threshold <= entry.processed as f32 {
                    if let Some(f) = entry.failure {
                        self.failures[f].attempts += 1;
                    }
                    continue;
                }
                let (selected, reason, decl_candidate) =
                    self.select_callee(target, new_threshold as u32, caller_module);
                let Some(selected) = selected else {
                    if self.config.import_declaration {
                        if let Some(d) = decl_candidate {
                            let guid = self.guid(callee);
                            self.add_declaration(index.module_of(d), guid);
                        }
                    }
                    if previously_visited {
                        self.set_threshold(callee, new_threshold as u32);
                    }
                    self.record_failure(callee, entry.failure, reason, hotness, new_threshold);
                    if self.config.force_import_all {
                        // LLVM reports the failure as an error and leaves
                        // this function's remaining calls alone.
                        let name = self.callee_name(callee, summary);
                        self.errors.push(format!(
                            "Failed to import function {name} due to {}",
                            reason.name()
                        ));
                        break;
                    }
                    continue;
                };
                if let Some(t) = self.thresholds.get_mut(&callee) {
                    t.callee = Some(selected);
                }
                let from = index.module_of(selected);
                let guid = self.guid(callee);
                *self
                    .imports
                    .entry(from)
                    .or_default()
                    .entry(guid)
                    .or_insert(ImportKind::Definition) = ImportKind::Definition;
                self.exported.push((from, guid));
                selected
            };
            let factor = if is_hot {
                self.config.hot_evolution_factor
            } else {
                self.config.instr_evolution_factor
            };
            self.import_count += 1;
            worklist.push((resolved, (threshold as f32 * factor) as u32));
        }
    }

    /// `-import-declaration`: `guid` from `from` as a declaration, unless
    /// it comes already. A declaration exports nothing (LLVM's export
    /// lists follow definitions only).
    fn add_declaration(&mut self, from: ModuleId, guid: Guid) {
        self.imports
            .entry(from)
            .or_default()
            .entry(guid)
            .or_insert(ImportKind::Declaration);
    }

    fn set_threshold(&mut self, callee: Callee, value: u32) {
        if let Some(t) = self.thresholds.get_mut(&callee) {
            t.processed = value;
        }
    }

    fn record_failure(
        &mut self,
        callee: Callee,
        existing: Option<usize>,
        reason: ImportFailureReason,
        hotness: Hotness,
        threshold: f32,
    ) {
        let index = self.index;
        let size = match callee {
            Callee::Value(v) => index.value_summaries(v).first().copied(),
            Callee::Unsummarized(_) => None,
        }
        .and_then(|s| index.base_object(s))
        .filter(|&s| index.kind(s) == ValueKind::Function)
        .map(|s| index.facts(s).inst_count);
        match existing {
            Some(f) => {
                let failure = &mut self.failures[f];
                failure.reason = reason;
                failure.attempts += 1;
                failure.max_hotness = failure.max_hotness.max(hotness);
                failure.threshold = threshold as u32;
            }
            None => {
                self.failures.push(ImportFailure {
                    guid: self.guid(callee),
                    reason,
                    threshold: threshold as u32,
                    size,
                    max_hotness: hotness,
                    attempts: 1,
                });
                self.failed.push(callee);
                let at = self.failures.len() - 1;
                if let Some(t) = self.thresholds.get_mut(&callee) {
                    t.failure = Some(at);
                }
            }
        }
    }

    /// `qualifyCalleeCandidates` for one candidate.
    fn qualify(
        &self,
        candidate: SummaryId,
        list_len: usize,
        caller: ModuleId,
    ) -> ImportFailureReason {
        let index = self.index;
        if !index.is_live(candidate) {
            return ImportFailureReason::NotLive;
        }
        if index.state(candidate).linkage.is_interposable() {
            return ImportFailureReason::InterposableLinkage;
        }
        let Some(base) = index.base_object(candidate) else {
            return ImportFailureReason::GlobalVar;
        };
        let facts = index.facts(base);
        if facts.kind != ValueKind::Function {
            return ImportFailureReason::GlobalVar;
        }
        if index.state(base).linkage.is_local() && list_len > 1 && index.module_of(base) != caller {
            return ImportFailureReason::LocalLinkageNotInModule;
        }
        if facts.not_eligible_to_import {
            return ImportFailureReason::NotEligible;
        }
        ImportFailureReason::None
    }

    /// `selectCallee`: the first qualifying copy within the threshold.
    /// Returns the chosen function summary (aliases resolved), the last
    /// rejection reason, and the last too-large or noinline candidate.
    fn select_callee(
        &self,
        callee: ValueId,
        threshold: u32,
        caller: ModuleId,
    ) -> (Option<SummaryId>, ImportFailureReason, Option<SummaryId>) {
        let index = self.index;
        let list: &[SummaryId] = if callee.is_none() {
            &[]
        } else {
            index.value_summaries(callee)
        };
        let mut reason = ImportFailureReason::None;
        let mut too_large_or_noinline = None;
        for &candidate in list {
            reason = self.qualify(candidate, list.len(), caller);
            if reason != ImportFailureReason::None {
                continue;
            }
            let Some(base) = index.base_object(candidate) else {
                continue;
            };
            let facts = index.facts(base);
            let (always_inline, no_inline) = (facts.always_inline, facts.no_inline);
            if facts.inst_count > threshold && !always_inline && !self.config.force_import_all {
                too_large_or_noinline = Some(base);
                reason = ImportFailureReason::TooLarge;
                continue;
            }
            if no_inline && !self.config.force_import_all {
                too_large_or_noinline = Some(base);
                reason = ImportFailureReason::NoInline;
                continue;
            }
            return (Some(base), reason, too_large_or_noinline);
        }
        (None, reason, too_large_or_noinline)
    }

    /// Should a referenced global be imported into this module at all?
    fn should_import_global(&self, v: ValueId) -> bool {
        let index = self.index;
        if !index.defines(self.module, v) {
            return true;
        }
        // A non-prevailing interposable copy here is replaced by the
        // prevailing one, which must then be imported.
        let guid = index.guid_of(v);
        let Some(here) = index.find_in_module(guid, self.module) else {
            return true;
        };
        index.value_summaries(v).len() > 1
            && index.state(here).linkage.is_interposable()
            && !(self.is_prevailing)(guid, index.module_of(here))
    }

    /// `GlobalsImporter::onImportingSummary`. References are followed by
    /// value id, like calls: a function imported from far away is not
    /// opened for the GUIDs of its references unless one is imported.
    fn import_referenced_globals(&mut self, summary: SummaryId) {
        let index = self.index;
        let mut worklist = vec![summary];
        while let Some(s) = worklist.pop() {
            let home = index.module_of(s);
            for &target in index.ref_targets(s) {
                if target.is_none() || !self.should_import_global(target) {
                    continue;
                }
                let list = index.value_summaries(target);
                for &candidate in list {
                    if index.kind(candidate) != ValueKind::Variable {
                        continue;
                    }
                    let from = index.module_of(candidate);
                    // shouldSkipLocalInAnotherModule: a local shares its
                    // GUID with another module's only when both were
                    // compiled from same-named files; take the caller's.
                    let state = index.state(candidate);
                    if list.len() > 1 && state.linkage.is_local() && from != home {
                        continue;
                    }
                    if !index.can_import_global_var(candidate, true) {
                        // -import-declaration: a variable whose definition
                        // cannot come along still comes as a declaration
                        // if it is eligible and not interposable (it
                        // exports nothing).
                        if self.config.import_declaration
                            && !index.facts(candidate).not_eligible_to_import
                            && !state.linkage.is_interposable()
                        {
                            self.add_declaration(from, index.guid_of(target));
                        }
                        continue;
                    }
                    let guid = index.guid_of(target);
                    let list = self.imports.entry(from).or_default();
                    if let Some(kind) = list.get_mut(&guid) {
                        *kind = ImportKind::Definition;
                        break;
                    }
                    list.insert(guid, ImportKind::Definition);
                    self.exported.push((from, guid));
                    if !index.is_write_only(candidate) {
                        worklist.push(candidate);
                    }
                    break;
                }
            }
        }
    }
}

/// Puts a module's failures in the order of LLVM's report: the iteration
/// order of its `ImportThresholds` (`DenseMap` by GUID) after the callees
/// were added in the order `considered` gives.
fn order_as_llvm_prints(
    index: &CombinedIndex,
    considered: &[Callee],
    failures: &mut [ImportFailure],
) {
    let guid = |c: &Callee| match *c {
        Callee::Value(v) => index.guid_of(v).0,
        Callee::Unsummarized(g) => g.0,
    };
    let rank: rustc_hash::FxHashMap<u64, usize> =
        dense_map::iteration_order(considered.iter().map(guid))
            .into_iter()
            .enumerate()
            .map(|(i, g)| (g, i))
            .collect();
    failures.sort_by_key(|f| rank.get(&f.guid.0).copied().unwrap_or(usize::MAX));
}

/// The names of the callees in `result.failures`, as the modules give them
/// (declarations included: a call to printf has no summary but a name),
/// the first module's for each GUID.
pub fn failure_names<'a>(
    index: &'a CombinedIndex,
    result: &ImportResult,
) -> std::collections::HashMap<Guid, &'a str> {
    let wanted: std::collections::HashSet<Guid> =
        result.failures.iter().flatten().map(|f| f.guid).collect();
    let mut names = std::collections::HashMap::new();
    for module in &index.modules {
        for g in &module.globals {
            if wanted.contains(&g.guid) && !g.name.is_empty() {
                names.entry(g.guid).or_insert(g.name.as_str());
            }
        }
    }
    names
}

/// What LLVM's import prints on stderr: the `-force-import-all` errors
/// (always), then the `-print-import-failures` report when asked for.
pub fn diagnostics(index: &CombinedIndex, result: &ImportResult, print_failures: bool) -> String {
    let mut out: String = result
        .errors
        .iter()
        .flatten()
        .map(|e| format!("Error importing module: {e}\n"))
        .collect();
    if print_failures {
        out.push_str(&failure_report(index, result));
    }
    out
}

/// What LLVM prints under `-print-import-failures`: per module, "Missed
/// imports into module PATH", then each callee considered and not
/// imported, `GUID (name): Reason = .., Threshold = .., Size = ..,
/// MaxHotness = .., Attempts = ..` (size -1 where nothing summarizes the
/// callee), in LLVM's order.
pub fn failure_report(index: &CombinedIndex, result: &ImportResult) -> String {
    use std::fmt::Write as _;
    let names = failure_names(index, result);
    let mut out = String::new();
    for (m, failures) in result.failures.iter().enumerate() {
        let _ = writeln!(
            out,
            "Missed imports into module {}",
            index.module_path(ModuleId(m as u32))
        );
        for f in failures {
            let _ = write!(out, "{}", f.guid.0);
            if let Some(name) = names.get(&f.guid) {
                let _ = write!(out, " ({name})");
            }
            let _ = writeln!(
                out,
                ": Reason = {}, Threshold = {}, Size = {}, MaxHotness = {}, Attempts = {}",
                f.reason.name(),
                f.threshold,
                f.size.map_or(-1, i64::from),
                f.max_hotness.name(),
                f.attempts
            );
        }
    }
    out
}

/// Marks as exported whatever an exported definition calls or references,
/// if its home module defines it (the callee/ref must stay reachable by
/// name from the importers).
fn expand_exports(index: &CombinedIndex, exports: &mut [ExportList]) {
    for (m, list) in exports.iter_mut().enumerate() {
        let module = ModuleId(m as u32);
        let mut new: BTreeMap<Guid, ImportKind> = BTreeMap::new();
        for (&guid, &kind) in list.iter() {
            if kind == ImportKind::Declaration {
                continue;
            }
            let Some(s) = index
                .find_in_module(guid, module)
                .and_then(|s| index.base_object(s))
            else {
                continue;
            };
            let summary = index.summary(s);
            if summary.is_variable() {
                if !index.is_write_only(s) {
                    for r in &summary.refs {
                        new.entry(r.guid).or_insert(ImportKind::Declaration);
                    }
                }
            } else {
                for c in summary.calls() {
                    new.entry(c.callee).or_insert(ImportKind::Declaration);
                }
                for r in &summary.refs {
                    new.entry(r.guid).or_insert(ImportKind::Declaration);
                }
            }
        }
        for (guid, kind) in new {
            if index.find_in_module(guid, module).is_some() {
                list.entry(guid).or_insert(kind);
            }
        }
    }
}
