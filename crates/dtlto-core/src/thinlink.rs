//! The thin link, stage by stage, as LLVM's `LTO::runThinLTO` orders it:
//! global resolutions -> combined index -> dead symbols -> attribute
//! propagation -> import/export -> internalize/promote -> prevailing
//! linkages -> one backend plan per module.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use thiserror::Error;

use crate::attributes::propagate_attributes;
use crate::bitcode::IrGlobalKind;
use crate::dead::{compute_dead_symbols, DeadError};
use crate::guid::{guid, Guid, GuidMap, GuidSet};
use crate::import::{compute_imports, ImportConfig, ImportKind, ImportResult};
use crate::index::{CombinedIndex, ModuleId};
use crate::plan::{BackendPlan, GlobalPlan, ImportSource, ImportedValue, PLAN_FORMAT_VERSION};
use crate::promote::{internalize_and_promote, resolve_prevailing};
use crate::resolution::{Resolution, SymbolResolution};
use crate::split::SplitConfig;
use crate::summary::{Linkage, Visibility};

#[derive(Clone, Debug, Default)]
pub struct ThinLinkConfig {
    pub import: ImportConfig,
    /// Backend optimization level; at 0 nothing is imported and attributes
    /// are not propagated (as in LLVM).
    pub opt_level: u8,
    /// When a module's backend is split across cores.
    pub split: SplitConfig,
    pub passes: PassSwitches,
    /// The final link sees the backends' objects only (`dtlto link` under
    /// lld), not the bitcode's symbols: each prevailing definition takes
    /// the visibility the resolution merged over the link's files. A
    /// linker that reads the bitcode merges a hidden declaration of
    /// another module into the symbol; from objects alone it cannot once
    /// the backends optimized that reference away, and would export a
    /// symbol lld hides.
    pub resolved_visibility: bool,
}

/// LLVM's options that turn thin-link passes off, under LLVM's names;
/// both on by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PassSwitches {
    /// `-compute-dead`: dead-symbol analysis.
    pub compute_dead: bool,
    /// `-propagate-attrs`: read-only/write-only attributes of variables.
    pub propagate_attrs: bool,
}

impl Default for PassSwitches {
    fn default() -> Self {
        PassSwitches {
            compute_dead: true,
            propagate_attrs: true,
        }
    }
}

#[derive(Debug, Error)]
pub enum ThinLinkError {
    #[error("two inputs have the same module identifier `{0}`")]
    DuplicateModule(String),
    #[error(transparent)]
    Dead(#[from] DeadError),
}

/// Time spent in each stage, for `--time-trace` and `-v`.
#[derive(Clone, Debug, Default)]
pub struct StageTimes {
    pub stages: Vec<(&'static str, Duration)>,
}

pub struct ThinLink {
    pub index: CombinedIndex,
    /// Per module, the linker's resolution of each irsymtab symbol.
    pub resolutions: Vec<Vec<SymbolResolution>>,
    pub imports: ImportResult,
    pub preserved: GuidSet,
    pub plans: Vec<BackendPlan>,
    pub times: StageTimes,
}

/// What LTO knows about one symbol name across modules
/// (`LTO::GlobalResolution`).
#[derive(Default)]
struct GlobalRes<'a> {
    ir_name: &'a str,
    /// The GUID of `ir_name`.
    ir_guid: Guid,
    prevailing: bool,
    partition: Partition,
    visible_outside_summary: bool,
}

#[derive(Clone, Copy, Default, PartialEq, Eq)]
enum Partition {
    #[default]
    Unknown,
    External,
    Module(usize),
}

pub fn thin_link(
    resolution: Resolution,
    config: &ThinLinkConfig,
) -> Result<ThinLink, ThinLinkError> {
    let mut times = StageTimes::default();
    let mut clock = Instant::now();
    let mut lap = |name: &'static str, times: &mut StageTimes| {
        let now = Instant::now();
        times.stages.push((name, now - clock));
        clock = now;
    };

    // Global resolutions, in link order (LTO::addModuleToGlobalRes).
    // Keyed by the linker's name, borrowed from the inputs (a big program
    // has hundreds of thousands; their order never matters).
    // The GUIDs of every symbol's IR name first, on all cores: an MD5
    // each, the bulk of this stage's arithmetic.
    let ir_guids: Vec<Vec<Guid>> = resolution
        .modules
        .par_iter()
        .map(|rm| {
            let symbols = &rm.module.symbols;
            symbols.iter().map(|sym| ir_guid(&sym.ir_name)).collect()
        })
        .collect();
    let symbol_count = ir_guids.iter().map(Vec::len).sum();
    let mut globals: rustc_hash::FxHashMap<&str, GlobalRes<'_>> =
        rustc_hash::FxHashMap::with_capacity_and_hasher(symbol_count, Default::default());
    let mut prevailing_module: GuidMap<ModuleId> =
        GuidMap::with_capacity_and_hasher(symbol_count, Default::default());
    let mut seen_paths = HashSet::new();
    for (m, rm) in resolution.modules.iter().enumerate() {
        if !seen_paths.insert(rm.module.path.clone()) {
            return Err(ThinLinkError::DuplicateModule(rm.module.path.clone()));
        }
        let symbols = rm.module.symbols.iter().zip(&ir_guids[m]);
        for ((sym, &sym_guid), res) in symbols.zip(&rm.symbols) {
            if !sym.flags.is_global() || sym.flags.is_format_specific() {
                continue;
            }
            let g = globals.entry(sym.name.as_str()).or_default();
            if res.prevailing {
                g.prevailing = true;
                g.ir_name = &sym.ir_name;
                g.ir_guid = sym_guid;
            } else if !g.prevailing && g.ir_name.is_empty() {
                g.ir_name = &sym.ir_name;
                g.ir_guid = sym_guid;
            }
            if g.ir_name != sym.ir_name {
                g.partition = Partition::External;
                g.visible_outside_summary = true;
            }
            let partition = Partition::Module(m + 1);
            if res.visible_to_regular_obj
                || sym.flags.is_used()
                || (g.partition != Partition::Unknown && g.partition != partition)
            {
                g.partition = Partition::External;
            } else {
                g.partition = partition;
            }
            g.visible_outside_summary |= res.visible_to_regular_obj || sym.flags.is_used();
            if res.prevailing && !sym.ir_name.is_empty() {
                prevailing_module.insert(sym_guid, ModuleId(m as u32));
            }
        }
    }
    let mut preserved = GuidSet::default();
    let mut prevailing: GuidMap<bool> = GuidMap::default();
    for g in globals.values() {
        if g.ir_name.is_empty() {
            continue;
        }
        let id = g.ir_guid;
        if g.visible_outside_summary && g.prevailing {
            preserved.insert(id);
        }
        // Two linker names for one IR name: prevailing if either is, so the
        // answer does not depend on the map's order.
        *prevailing.entry(id).or_insert(false) |= g.prevailing;
    }
    // Prevailing globals visible outside their module: exported if live.
    let external: Vec<Guid> = globals
        .values()
        .filter(|g| g.partition == Partition::External && g.prevailing && !g.ir_name.is_empty())
        .map(|g| g.ir_guid)
        .collect();
    drop(globals);
    lap("resolve", &mut times);

    let mut resolutions = Vec::with_capacity(resolution.modules.len());
    let mut modules = Vec::with_capacity(resolution.modules.len());
    for rm in resolution.modules {
        resolutions.push(rm.symbols);
        modules.push(rm.module);
    }
    let mut index = CombinedIndex::new(modules);
    // LTO::addThinLTO: a summary whose symbol the linker resolved to a
    // final definition in the linkage unit is dso_local.
    for (m, res) in resolutions.iter().enumerate() {
        for (&guid, r) in ir_guids[m].iter().zip(res) {
            if r.final_definition {
                if let Some(s) = index.find_in_module(guid, ModuleId(m as u32)) {
                    index.state_mut(s).dso_local = true;
                }
            }
        }
    }
    lap("index", &mut times);

    if config.passes.compute_dead {
        compute_dead_symbols(&mut index, &preserved, &prevailing)?;
    }
    lap("dead", &mut times);
    if config.opt_level > 0 && config.passes.propagate_attrs {
        propagate_attributes(&mut index, &preserved);
    }
    lap("attributes", &mut times);

    // Does this module hold the copy of `g` the linker keeps?
    let is_prevailing = |g: Guid, m: ModuleId| prevailing_module.get(&g) == Some(&m);
    let mut import_config = config.import.clone();
    import_config.disabled |= config.opt_level == 0;
    let imports = compute_imports(&index, &import_config, &is_prevailing);
    lap("import", &mut times);

    let mut exported = GuidSet::default();
    for &id in &external {
        if index.is_guid_live(id) {
            exported.insert(id);
        }
    }
    let is_exported = |m: ModuleId, g: Guid| {
        imports.exports[m.0 as usize].contains_key(&g) || exported.contains(&g)
    };
    internalize_and_promote(&mut index, &is_exported, &is_prevailing);
    resolve_prevailing(&mut index, &is_prevailing, &preserved);
    if config.resolved_visibility {
        for (m, res) in resolutions.iter().enumerate() {
            for (&guid, r) in ir_guids[m].iter().zip(res) {
                if !r.prevailing || r.visibility == Visibility::Default {
                    continue;
                }
                if let Some(s) = index.find_in_module(guid, ModuleId(m as u32)) {
                    let st = index.state_mut(s);
                    if !st.linkage.is_local() {
                        st.visibility = st.visibility.merge(r.visibility);
                    }
                }
            }
        }
    }
    lap("promote", &mut times);

    let external_globals = external_globals(&index);
    let plans = (0..index.modules.len())
        .into_par_iter()
        .map(|m| {
            make_plan(
                &index,
                &imports,
                &config.split,
                &external_globals,
                ModuleId(m as u32),
            )
        })
        .collect();
    lap("plans", &mut times);
    Ok(ThinLink {
        index,
        resolutions,
        imports,
        preserved,
        plans,
        times,
    })
}

/// GUID of a symbol named in the irsymtab (`getGUIDAssumingExternalLinkage`
/// of the IR name without its `\1` escape).
fn ir_guid(ir_name: &str) -> Guid {
    guid(ir_name.as_bytes(), Linkage::External, b"")
}

/// Each module's globals that are neither local nor hidden, as (GUID,
/// place in `globals`) sorted by GUID: what an importer's declarations of
/// the module's values are named.
fn external_globals(index: &CombinedIndex) -> Vec<Vec<(Guid, u32)>> {
    index
        .modules
        .par_iter()
        .map(|module| {
            let mut list: Vec<(Guid, u32)> = module
                .globals
                .iter()
                .enumerate()
                .filter(|(_, g)| !g.linkage.is_local() && g.visibility == Visibility::Default)
                .map(|(i, g)| (g.guid, i as u32))
                .collect();
            list.sort_unstable();
            list
        })
        .collect()
}

/// renameModuleForThinLTO's dso_local step: the module's globals, the
/// values it imports and those the imported code refers to, by IR name,
/// that the index says resolve within the linkage unit (LLVM's
/// `ValueInfo::isDSOLocal`) and that are not dso_local in the module
/// after import already. Locals and hidden globals always are.
///
/// After import a name carries the flags of: the imported definition (the
/// IR mover copies the source's global over the module's declaration),
/// else the module's own global, else the global of the module the
/// reference came from (a new declaration copies its flags). Naming a
/// value that is dso_local already costs the backend nothing, so where
/// the flags are not known (an alias) the name is listed.
fn dso_local_names(
    index: &CombinedIndex,
    imports: &ImportResult,
    external: &[Vec<(Guid, u32)>],
    m: ModuleId,
) -> Vec<String> {
    let ir_global = |from: ModuleId, guid: Guid| {
        let list = &external[from.0 as usize];
        list.binary_search_by_key(&guid, |&(g, _)| g)
            .ok()
            .map(|at| &index.modules[from.0 as usize].globals[list[at].1 as usize])
    };
    let mut names = std::collections::BTreeSet::new();
    // `definition`: the value comes into the module as an imported body.
    let mut consider = |from: ModuleId, guid: Guid, definition: bool| {
        let Some(g) = ir_global(from, guid) else {
            return;
        };
        // What the IR mover copies from `g`: a function's or variable's
        // flags; an alias arrives as a copy of its aliasee, or as a plain
        // declaration, with flags of its own making.
        let copied = g.dso_local && g.kind != IrGlobalKind::Alias;
        let already = match ir_global(m, guid) {
            Some(own) if !definition => own.dso_local,
            _ => copied,
        };
        // The module's own data first: the index's answer is a lookup at
        // a random place in a map of every GUID, a cache miss in a big
        // link, and most names (definitions in position-independent code)
        // are dso_local already.
        if !already && index.is_dso_local(guid) {
            names.insert(g.name.as_str());
        }
    };
    for g in &index.modules[m.0 as usize].globals {
        consider(m, g.guid, false);
    }
    for (&from, list) in &imports.imports[m.0 as usize] {
        for (&g, &kind) in list {
            consider(from, g, kind == ImportKind::Definition);
            if kind != ImportKind::Definition {
                continue;
            }
            // An imported alias brings its aliasee's body.
            if let Some(id) = index
                .find_in_module(g, from)
                .and_then(|id| index.base_object(id))
            {
                let s = index.summary(id);
                for r in &s.refs {
                    consider(from, r.guid, false);
                }
                for c in s.calls() {
                    consider(from, c.callee, false);
                }
            }
        }
    }
    names.into_iter().map(String::from).collect()
}

fn make_plan(
    index: &CombinedIndex,
    imports: &ImportResult,
    split: &SplitConfig,
    external: &[Vec<(Guid, u32)>],
    m: ModuleId,
) -> BackendPlan {
    let module = &index.modules[m.0 as usize];
    let mut globals = Vec::new();
    for s in &module.summaries {
        if s.name.is_empty() {
            continue;
        }
        let Some(id) = index.find_in_module(s.guid, m) else {
            continue;
        };
        let st = index.state(id);
        let ro_wo = s.is_variable() && (index.is_read_only(id) || index.is_write_only(id));
        // thinLTOFinalizeInModule: a kept linkonce_odr copy that every copy
        // allowed to hide (unnamed_addr) becomes hidden.
        let visibility = if st.linkage == Linkage::WeakOdr && st.can_auto_hide {
            Visibility::Hidden
        } else {
            st.visibility
        };
        let plan = GlobalPlan {
            name: s.name.clone(),
            rename: st
                .promoted
                .then(|| format!("{}{}", s.name, module.hash.promotion_suffix())),
            linkage: st.linkage,
            visibility,
            live: index.is_live(id),
            internalize_after_import: ro_wo,
            write_only: s.is_variable() && index.is_write_only(id),
        };
        // A live local that stays as it is needs nothing of the backend
        // (LLVM's leaves it alone too): most of a big module's globals
        // (string literals, static helpers) and half of git's plan bytes.
        let untouched = plan.live
            && plan.rename.is_none()
            && plan.linkage.is_local()
            && plan.linkage == s.flags.linkage
            && !plan.internalize_after_import
            && !plan.write_only;
        if !untouched {
            globals.push(plan);
        }
    }
    globals.sort_by(|a, b| a.name.cmp(&b.name));

    let mut cost = module.instruction_count();
    let mut sources: Vec<ImportSource> = Vec::new();
    for (&from, list) in &imports.imports[m.0 as usize] {
        let src = &index.modules[from.0 as usize];
        let mut values = Vec::new();
        for (&g, &kind) in list {
            let Some(id) = index.find_in_module(g, from) else {
                continue;
            };
            let s = index.summary(id);
            if kind == ImportKind::Definition {
                cost += s.inst_count() as u64;
            }
            let internalize =
                s.is_variable() && (index.is_read_only(id) || index.is_write_only(id));
            values.push(ImportedValue {
                name: s.name.clone(),
                kind,
                is_variable: s.is_variable(),
                internalize,
                write_only: s.is_variable() && index.is_write_only(id),
            });
        }
        values.sort_by(|a, b| a.name.cmp(&b.name));
        sources.push(ImportSource {
            module: src.path.clone(),
            module_hash: src.hash,
            source_file_name: src.source_file_name.clone(),
            values,
        });
    }
    sources.sort_by(|a, b| a.module.cmp(&b.module));
    BackendPlan {
        format_version: PLAN_FORMAT_VERSION,
        module: module.path.clone(),
        module_hash: module.hash,
        source_file_name: module.source_file_name.clone(),
        triple: module.triple.clone(),
        cost,
        parts: split.parts_for(cost),
        globals,
        imports: sources,
        dso_local: dso_local_names(index, imports, external, m),
    }
}

impl ThinLink {
    /// The resolutions in the format of LLVM's resolution file (lld writes
    /// it with `-save-temps`): per module its path, then one
    /// `-r=<module>,<symbol>,<flags>` line per symbol with `p` prevailing,
    /// `x` visible to regular objects.
    pub fn resolution_file(&self) -> String {
        let mut out = String::new();
        for (module, res) in self.index.modules.iter().zip(&self.resolutions) {
            out.push_str(&module.path);
            out.push('\n');
            for (sym, r) in module.symbols.iter().zip(res) {
                if !sym.flags.is_global() || sym.flags.is_format_specific() {
                    continue;
                }
                out.push_str(&format!("-r={},{},", module.path, sym.name));
                if r.prevailing {
                    out.push('p');
                }
                if r.visible_to_regular_obj {
                    out.push('x');
                }
                out.push('\n');
            }
        }
        out
    }
}
