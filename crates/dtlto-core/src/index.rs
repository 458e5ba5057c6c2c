//! The combined summary index: every module's summaries, addressed by dense
//! ids, and the per-summary state the thin link updates (liveness, linkage
//! after resolution, read-only/write-only attributes).

use crate::bitcode::BitcodeModule;
use crate::guid::{Guid, GuidMap};
use crate::summary::{GlobalSummary, Linkage, SummaryKind, Visibility};

/// Index of a module in link order.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct ModuleId(pub u32);

/// Index of one summary in the combined index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SummaryId(pub u32);

/// Dense number of one GUID that has summaries (see `CombinedIndex::values`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ValueId(pub u32);

impl ValueId {
    /// The target of an edge to a GUID without summaries (a symbol
    /// defined outside the summaries, or nowhere).
    pub const NONE: ValueId = ValueId(u32::MAX);

    pub fn is_none(self) -> bool {
        self == ValueId::NONE
    }
}

/// What the thin link changes about a summary.
#[derive(Clone, Copy, Debug)]
pub struct SummaryState {
    pub live: bool,
    pub linkage: Linkage,
    pub visibility: Visibility,
    pub can_auto_hide: bool,
    /// Variables only: every reference reads (writes) it; valid once
    /// attributes have been propagated.
    pub read_only: bool,
    pub write_only: bool,
    /// A local exported from its module and made external.
    pub promoted: bool,
}

pub struct CombinedIndex {
    pub modules: Vec<std::sync::Arc<BitcodeModule>>,
    /// (module, summary index within the module) of every summary.
    pub summaries: Vec<(ModuleId, u32)>,
    pub state: Vec<SummaryState>,
    /// Every GUID with summaries gets a dense value id, in the order the
    /// modules (then their summaries) first name it: passes over all
    /// values walk them in that order, which is deterministic without a
    /// sort and visits each module's summaries together.
    by_guid: GuidMap<ValueId>,
    values: Vec<Guid>,
    /// Summaries of each value, in module order (LLVM's summary list): a
    /// range of `guid_lists`. One array for all, not a vector per GUID:
    /// on a big program the thin link looks GUIDs up millions of times,
    /// and every lookup saves a pointer chase.
    value_lists: Vec<(u32, u32)>,
    guid_lists: Vec<SummaryId>,
    /// Every summary's edges as value ids, resolved once: its references,
    /// then its calls, from `edge_start[s]` to `edge_start[s + 1]`. Dead
    /// stripping and import follow edges millions of times on a big
    /// program; a resolved edge is an array index, near its neighbours
    /// for the calls that stay in their module, where a GUID is a hash
    /// lookup anywhere in a map of every value.
    edge_start: Vec<u32>,
    edges: Vec<ValueId>,
    /// Per module: GUID -> its summary there (`DefinedGVSummaries`).
    defined: Vec<GuidMap<SummaryId>>,
    pub with_dead_stripping: bool,
    pub with_attribute_propagation: bool,
}

impl CombinedIndex {
    pub fn new(modules: Vec<std::sync::Arc<BitcodeModule>>) -> CombinedIndex {
        let mut summaries = Vec::new();
        let mut state = Vec::new();
        let mut by_guid: GuidMap<ValueId> = GuidMap::default();
        let mut values: Vec<Guid> = Vec::new();
        // Per value: summaries counted, then the range they fill.
        let mut value_lists: Vec<(u32, u32)> = Vec::new();
        // Each summary's value, in summary order, for the second pass.
        let mut value_of_summary: Vec<ValueId> = Vec::new();
        let mut defined = Vec::with_capacity(modules.len());
        for (m, module) in modules.iter().enumerate() {
            let mut here =
                GuidMap::with_capacity_and_hasher(module.summaries.len(), Default::default());
            for (i, s) in module.summaries.iter().enumerate() {
                let id = SummaryId(summaries.len() as u32);
                summaries.push((ModuleId(m as u32), i as u32));
                let (ro, wo) = match &s.kind {
                    SummaryKind::Variable { flags, .. } => {
                        (flags.maybe_read_only, flags.maybe_write_only)
                    }
                    _ => (false, false),
                };
                state.push(SummaryState {
                    live: s.flags.live,
                    linkage: s.flags.linkage,
                    visibility: s.flags.visibility,
                    can_auto_hide: s.flags.can_auto_hide,
                    read_only: ro,
                    write_only: wo,
                    promoted: false,
                });
                let v = *by_guid.entry(s.guid).or_insert_with(|| {
                    values.push(s.guid);
                    value_lists.push((0, 0));
                    ValueId(values.len() as u32 - 1)
                });
                value_lists[v.0 as usize].1 += 1;
                value_of_summary.push(v);
                here.entry(s.guid).or_insert(id);
            }
            defined.push(here);
        }
        // Each value's range (its count was gathered above), then the
        // summaries in module order.
        let mut next = 0u32;
        for range in value_lists.iter_mut() {
            let count = range.1;
            *range = (next, 0);
            next += count;
        }
        let mut guid_lists = vec![SummaryId(0); summaries.len()];
        for (id, v) in value_of_summary.into_iter().enumerate() {
            let range = &mut value_lists[v.0 as usize];
            guid_lists[(range.0 + range.1) as usize] = SummaryId(id as u32);
            range.1 += 1;
        }
        let (edge_start, edges) = resolve_edges(&modules, &by_guid);
        CombinedIndex {
            modules,
            summaries,
            state,
            by_guid,
            values,
            value_lists,
            guid_lists,
            edge_start,
            edges,
            defined,
            with_dead_stripping: false,
            with_attribute_propagation: false,
        }
    }

    pub fn summary(&self, id: SummaryId) -> &GlobalSummary {
        let (m, i) = self.summaries[id.0 as usize];
        &self.modules[m.0 as usize].summaries[i as usize]
    }

    pub fn module_of(&self, id: SummaryId) -> ModuleId {
        self.summaries[id.0 as usize].0
    }

    pub fn state(&self, id: SummaryId) -> &SummaryState {
        &self.state[id.0 as usize]
    }

    pub fn state_mut(&mut self, id: SummaryId) -> &mut SummaryState {
        &mut self.state[id.0 as usize]
    }

    /// The summary list of a GUID (empty if nothing defines it).
    pub fn summaries_of(&self, guid: Guid) -> &[SummaryId] {
        match self.by_guid.get(&guid) {
            Some(&v) => self.value_summaries(v),
            None => &[],
        }
    }

    /// The summary list of a value.
    pub fn value_summaries(&self, v: ValueId) -> &[SummaryId] {
        let (start, len) = self.value_lists[v.0 as usize];
        &self.guid_lists[start as usize..(start + len) as usize]
    }

    /// The value of a GUID, if it has summaries.
    pub fn value_of(&self, guid: Guid) -> Option<ValueId> {
        self.by_guid.get(&guid).copied()
    }

    pub fn guid_of(&self, v: ValueId) -> Guid {
        self.values[v.0 as usize]
    }

    /// The values a summary refers to, in the order of its `refs`
    /// (`ValueId::NONE` where the GUID has no summary).
    pub fn ref_targets(&self, s: SummaryId) -> &[ValueId] {
        let refs = self.summary(s).refs.len();
        let start = self.edge_start[s.0 as usize] as usize;
        &self.edges[start..start + refs]
    }

    /// The values a summary calls, in the order of its `calls()`.
    pub fn call_targets(&self, s: SummaryId) -> &[ValueId] {
        let refs = self.summary(s).refs.len();
        let start = self.edge_start[s.0 as usize] as usize + refs;
        let end = self.edge_start[s.0 as usize + 1] as usize;
        &self.edges[start..end]
    }

    /// References then calls of a summary, as values.
    pub fn edge_targets(&self, s: SummaryId) -> &[ValueId] {
        let start = self.edge_start[s.0 as usize] as usize;
        let end = self.edge_start[s.0 as usize + 1] as usize;
        &self.edges[start..end]
    }

    /// Marks every summary of a GUID live.
    pub fn mark_live(&mut self, guid: Guid) {
        if let Some(&v) = self.by_guid.get(&guid) {
            self.mark_value_live(v);
        }
    }

    /// Marks every summary of a value live.
    pub fn mark_value_live(&mut self, v: ValueId) {
        let (start, len) = self.value_lists[v.0 as usize];
        for id in &self.guid_lists[start as usize..(start + len) as usize] {
            self.state[id.0 as usize].live = true;
        }
    }

    pub fn has_guid(&self, guid: Guid) -> bool {
        self.by_guid.contains_key(&guid)
    }

    /// Every value with summaries and its GUID, in value-id order: the
    /// order passes over all values take (deterministic, and each
    /// module's summaries together; LLVM walks its GUID-sorted map, and no
    /// pass's outcome depends on the order).
    pub fn values(&self) -> impl Iterator<Item = (ValueId, Guid)> + '_ {
        self.values
            .iter()
            .enumerate()
            .map(|(i, &g)| (ValueId(i as u32), g))
    }

    /// `DefinedGVSummaries` of a module.
    pub fn defined_in(&self, module: ModuleId) -> &GuidMap<SummaryId> {
        &self.defined[module.0 as usize]
    }

    pub fn find_in_module(&self, guid: Guid, module: ModuleId) -> Option<SummaryId> {
        self.defined[module.0 as usize].get(&guid).copied()
    }

    /// The summary an alias stands for (itself for non-aliases).
    pub fn base_object(&self, id: SummaryId) -> Option<SummaryId> {
        match &self.summary(id).kind {
            SummaryKind::Alias { aliasee } => self.find_in_module(*aliasee, self.module_of(id)),
            _ => Some(id),
        }
    }

    /// `isGlobalValueLive`: everything is live until dead stripping ran.
    pub fn is_live(&self, id: SummaryId) -> bool {
        !self.with_dead_stripping || self.state(id).live
    }

    /// `isGUIDLive`.
    pub fn is_guid_live(&self, guid: Guid) -> bool {
        let list = self.summaries_of(guid);
        list.is_empty() || list.iter().any(|&s| self.is_live(s))
    }

    pub fn is_read_only(&self, id: SummaryId) -> bool {
        self.with_attribute_propagation && self.state(id).read_only
    }

    pub fn is_write_only(&self, id: SummaryId) -> bool {
        self.with_attribute_propagation && self.state(id).write_only
    }

    /// `canImportGlobalVar`: may this variable's definition be copied into
    /// another module? `analyze_refs` also rejects variables whose
    /// initializer references other globals, unless they are constants
    /// (LLVM's `import-constants-with-refs`, on by default), read-only or
    /// write-only.
    pub fn can_import_global_var(&self, id: SummaryId, analyze_refs: bool) -> bool {
        let s = self.summary(id);
        let Some(base) = self.base_object(id) else {
            return false;
        };
        if !self.summary(base).is_variable() {
            return false;
        }
        let non_interposable = !self.state(id).linkage.is_interposable();
        let eligible = !s.flags.not_eligible_to_import;
        let constant = matches!(
            self.summary(base).kind,
            SummaryKind::Variable { flags, .. } if flags.constant
        );
        let refs_prevent = analyze_refs
            && !constant
            && !self.is_read_only(base)
            && !self.is_write_only(base)
            && !self.summary(base).refs.is_empty();
        non_interposable && eligible && !refs_prevent
    }

    pub fn module_path(&self, m: ModuleId) -> &str {
        &self.modules[m.0 as usize].path
    }
}

/// Every summary's references and calls as value ids (see
/// `CombinedIndex::edges`), module by module on all cores: the lookups
/// are read-only, and each is a likely cache miss on a big program.
fn resolve_edges(
    modules: &[std::sync::Arc<BitcodeModule>],
    by_guid: &GuidMap<ValueId>,
) -> (Vec<u32>, Vec<ValueId>) {
    use rayon::prelude::*;
    let target = |g: &Guid| by_guid.get(g).copied().unwrap_or(ValueId::NONE);
    let per_module: Vec<Vec<ValueId>> = modules
        .par_iter()
        .map(|module| {
            let mut out = Vec::new();
            for s in &module.summaries {
                out.extend(s.refs.iter().map(|r| target(&r.guid)));
                out.extend(s.calls().iter().map(|c| target(&c.callee)));
            }
            out
        })
        .collect();
    let summaries: usize = modules.iter().map(|m| m.summaries.len()).sum();
    let mut edge_start = Vec::with_capacity(summaries + 1);
    let mut next = 0u32;
    for module in modules {
        for s in &module.summaries {
            edge_start.push(next);
            next += (s.refs.len() + s.calls().len()) as u32;
        }
    }
    edge_start.push(next);
    (edge_start, per_module.concat())
}
