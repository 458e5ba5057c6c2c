//! The combined summary index: every module's summaries, addressed by dense
//! ids, and the per-summary state the thin link updates (liveness, linkage
//! after resolution, read-only/write-only attributes).

use crate::bitcode::BitcodeModule;
use crate::guid::{Guid, GuidMap};
use crate::summary::{GlobalSummary, Hotness, Linkage, SummaryKind, Visibility};

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
    /// Resolves within the linkage unit: the module's flag, set by the
    /// linker's final definitions, cleared for all copies of a value when
    /// one live copy lacks it (see [`crate::attributes`]).
    pub dso_local: bool,
}

/// What a summary describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    Function,
    Variable,
    Alias,
}

/// What the passes read of a summary on every visit, copied out of it.
#[derive(Clone, Copy, Debug)]
pub struct SummaryFacts {
    pub kind: ValueKind,
    /// Functions: the instruction count (0 otherwise).
    pub inst_count: u32,
    pub no_inline: bool,
    pub always_inline: bool,
    pub not_eligible_to_import: bool,
    /// Variables: a constant.
    pub constant: bool,
    pub has_refs: bool,
}

/// One summary's record in the combined index. Import and dead stripping
/// visit summaries all over the index, millions of times on a big
/// program; reaching a module's `GlobalSummary` is three dependent loads
/// (module, its summary vector, the summary) and its kind a fourth. Each
/// record holds what those visits read, so that a visit is one cache
/// line; the module's summary is read only where its lists are walked.
/// The summaries of one value: most values have a single summary, held
/// here without a trip through `guid_lists`.
#[derive(Clone, Copy, Debug)]
struct ValueList {
    /// `len == 1`: the summary; otherwise the list's start in `guid_lists`.
    head: SummaryId,
    len: u32,
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    module: ModuleId,
    /// Index of the summary within its module.
    local: u32,
    /// The summary an alias stands for, in its module (itself for
    /// non-aliases; `u32::MAX` if the module lacks the aliasee).
    base: u32,
    /// Its edges in `CombinedIndex::edges`: `refs` references from
    /// `edge_start`, then `calls` calls.
    edge_start: u32,
    refs: u32,
    calls: u32,
    facts: SummaryFacts,
    state: SummaryState,
}

pub struct CombinedIndex {
    pub modules: Vec<std::sync::Arc<BitcodeModule>>,
    entries: Vec<Entry>,
    /// Every GUID with summaries gets a dense value id, in the order the
    /// modules (then their summaries) first name it: passes over all
    /// values walk them in that order, which is deterministic without a
    /// sort and visits each module's summaries together.
    by_guid: GuidMap<ValueId>,
    values: Vec<Guid>,
    /// Summaries of each value, in module order (LLVM's summary list).
    /// One array for all, not a vector per GUID: on a big program the
    /// thin link looks values up millions of times, and every lookup
    /// saves a pointer chase.
    value_lists: Vec<ValueList>,
    /// The lists of values with several summaries.
    guid_lists: Vec<SummaryId>,
    /// The values each module names first: module `m` defines the values
    /// `first_value[m]..first_value[m + 1]`, and those in `repeated[m]`
    /// (sorted) that an earlier module defines too.
    first_value: Vec<u32>,
    repeated: Vec<Vec<ValueId>>,
    /// Every summary's edges as value ids, resolved once: its references,
    /// then its calls (ranges in the summary's entry). Dead stripping and import follow edges millions of times on a big
    /// program; a resolved edge is an array index, near its neighbours
    /// for the calls that stay in their module, where a GUID is a hash
    /// lookup anywhere in a map of every value.
    edges: Vec<ValueId>,
    /// The hotness of each call edge (references: `Unknown`), beside it.
    hotness: Vec<Hotness>,
    /// Per module, by GUID, its summary there (`DefinedGVSummaries`):
    /// module `m`'s are `defined[defined_start[m]..defined_start[m + 1]]`,
    /// sorted by GUID. One array for all modules, not a hash map each:
    /// a hundred thousand small maps cost more to build than the lookups
    /// they serve (a module has a handful of summaries).
    defined: Vec<(Guid, SummaryId)>,
    defined_start: Vec<u32>,
    pub with_dead_stripping: bool,
    pub with_attribute_propagation: bool,
}

impl CombinedIndex {
    pub fn new(modules: Vec<std::sync::Arc<BitcodeModule>>) -> CombinedIndex {
        let mut entries: Vec<Entry> = Vec::new();
        let mut by_guid: GuidMap<ValueId> = GuidMap::default();
        let mut values: Vec<Guid> = Vec::new();
        // Per value: its first summary and how many it has.
        let mut value_lists: Vec<ValueList> = Vec::new();
        let mut first_value = Vec::with_capacity(modules.len() + 1);
        let mut repeated = Vec::with_capacity(modules.len());
        // Each summary's value, in summary order, for the second pass.
        let mut value_of_summary: Vec<ValueId> = Vec::new();
        let mut defined: Vec<(Guid, SummaryId)> = Vec::new();
        let mut defined_start = Vec::with_capacity(modules.len() + 1);
        let mut edge_count = 0u32;
        for (m, module) in modules.iter().enumerate() {
            let mut here: Vec<(Guid, SummaryId)> = Vec::with_capacity(module.summaries.len());
            let first = entries.len();
            first_value.push(values.len() as u32);
            let mut again = Vec::new();
            for (i, s) in module.summaries.iter().enumerate() {
                let id = SummaryId(entries.len() as u32);
                let (ro, wo) = match &s.kind {
                    SummaryKind::Variable { flags, .. } => {
                        (flags.maybe_read_only, flags.maybe_write_only)
                    }
                    _ => (false, false),
                };
                let calls = s.calls().len() as u32;
                entries.push(Entry {
                    module: ModuleId(m as u32),
                    local: i as u32,
                    base: id.0,
                    edge_start: edge_count,
                    refs: s.refs.len() as u32,
                    calls,
                    facts: facts_of(s),
                    state: SummaryState {
                        live: s.flags.live,
                        linkage: s.flags.linkage,
                        visibility: s.flags.visibility,
                        can_auto_hide: s.flags.can_auto_hide,
                        read_only: ro,
                        write_only: wo,
                        promoted: false,
                        dso_local: s.flags.dso_local,
                    },
                });
                edge_count += s.refs.len() as u32 + calls;
                let v = *by_guid.entry(s.guid).or_insert_with(|| {
                    values.push(s.guid);
                    value_lists.push(ValueList { head: id, len: 0 });
                    ValueId(values.len() as u32 - 1)
                });
                value_lists[v.0 as usize].len += 1;
                value_of_summary.push(v);
                here.push((s.guid, id));
            }
            // Two summaries of one GUID in a module: the module's is the
            // first (`DefinedGVSummaries` keeps it); the sort is stable.
            here.sort_by_key(|&(g, _)| g);
            here.dedup_by_key(|&mut (g, _)| g);
            for &(_, id) in &here {
                let v = value_of_summary[id.0 as usize];
                if v.0 < first_value[m] {
                    again.push(v);
                }
            }
            // Aliases point at a summary of their own module.
            for (i, s) in module.summaries.iter().enumerate() {
                if let SummaryKind::Alias { aliasee } = s.kind {
                    entries[first + i].base = match here.binary_search_by_key(&aliasee, |&(g, _)| g)
                    {
                        Ok(at) => here[at].1 .0,
                        Err(_) => u32::MAX,
                    };
                }
            }
            defined_start.push(defined.len() as u32);
            defined.extend_from_slice(&here);
            again.sort_unstable();
            repeated.push(again);
        }
        defined_start.push(defined.len() as u32);
        first_value.push(values.len() as u32);
        // The lists of values with several summaries, in module order:
        // each value's range (counted above), then the summaries.
        let mut next = 0u32;
        let mut filled: Vec<u32> = vec![0; value_lists.len()];
        for list in value_lists.iter_mut().filter(|l| l.len > 1) {
            list.head = SummaryId(next);
            next += list.len;
        }
        let mut guid_lists = vec![SummaryId(0); next as usize];
        for (id, v) in value_of_summary.into_iter().enumerate() {
            let list = value_lists[v.0 as usize];
            if list.len > 1 {
                let at = &mut filled[v.0 as usize];
                guid_lists[(list.head.0 + *at) as usize] = SummaryId(id as u32);
                *at += 1;
            }
        }
        let (edges, hotness) = resolve_edges(&modules, &by_guid);
        CombinedIndex {
            modules,
            entries,
            by_guid,
            values,
            value_lists,
            guid_lists,
            first_value,
            repeated,
            edges,
            hotness,
            defined,
            defined_start,
            with_dead_stripping: false,
            with_attribute_propagation: false,
        }
    }

    /// Number of summaries in the index.
    pub fn summary_count(&self) -> usize {
        self.entries.len()
    }

    pub fn summary(&self, id: SummaryId) -> &GlobalSummary {
        let e = &self.entries[id.0 as usize];
        &self.modules[e.module.0 as usize].summaries[e.local as usize]
    }

    pub fn module_of(&self, id: SummaryId) -> ModuleId {
        self.entries[id.0 as usize].module
    }

    /// What a summary is, without reading it.
    pub fn facts(&self, id: SummaryId) -> &SummaryFacts {
        &self.entries[id.0 as usize].facts
    }

    pub fn kind(&self, id: SummaryId) -> ValueKind {
        self.entries[id.0 as usize].facts.kind
    }

    pub fn state(&self, id: SummaryId) -> &SummaryState {
        &self.entries[id.0 as usize].state
    }

    pub fn state_mut(&mut self, id: SummaryId) -> &mut SummaryState {
        &mut self.entries[id.0 as usize].state
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
        let list = &self.value_lists[v.0 as usize];
        if list.len == 1 {
            std::slice::from_ref(&list.head)
        } else {
            let start = list.head.0 as usize;
            &self.guid_lists[start..start + list.len as usize]
        }
    }

    /// Does a module define a value (`DefinedGVSummaries` holds its GUID)?
    pub fn defines(&self, module: ModuleId, v: ValueId) -> bool {
        let m = module.0 as usize;
        (self.first_value[m]..self.first_value[m + 1]).contains(&v.0)
            || (v.0 < self.first_value[m] && self.repeated[m].binary_search(&v).is_ok())
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
        let e = &self.entries[s.0 as usize];
        let start = e.edge_start as usize;
        &self.edges[start..start + e.refs as usize]
    }

    /// The values a summary calls, in the order of its `calls()`.
    pub fn call_targets(&self, s: SummaryId) -> &[ValueId] {
        let e = &self.entries[s.0 as usize];
        let start = (e.edge_start + e.refs) as usize;
        &self.edges[start..start + e.calls as usize]
    }

    /// The hotness of each of a summary's calls, beside `call_targets`.
    pub fn call_hotness(&self, s: SummaryId) -> &[Hotness] {
        let e = &self.entries[s.0 as usize];
        let start = (e.edge_start + e.refs) as usize;
        &self.hotness[start..start + e.calls as usize]
    }

    /// References then calls of a summary, as values.
    pub fn edge_targets(&self, s: SummaryId) -> &[ValueId] {
        let e = &self.entries[s.0 as usize];
        let start = e.edge_start as usize;
        &self.edges[start..start + (e.refs + e.calls) as usize]
    }

    /// Marks every summary of a GUID live.
    pub fn mark_live(&mut self, guid: Guid) {
        if let Some(&v) = self.by_guid.get(&guid) {
            self.mark_value_live(v);
        }
    }

    /// Whether any summary of a value is marked live (whatever the state
    /// of dead stripping).
    pub fn value_marked_live(&self, v: ValueId) -> bool {
        self.value_summaries(v)
            .iter()
            .any(|&s| self.entries[s.0 as usize].state.live)
    }

    /// Marks every summary of a value live.
    pub fn mark_value_live(&mut self, v: ValueId) {
        let list = self.value_lists[v.0 as usize];
        if list.len == 1 {
            self.entries[list.head.0 as usize].state.live = true;
            return;
        }
        let start = list.head.0 as usize;
        for i in start..start + list.len as usize {
            let id = self.guid_lists[i];
            self.entries[id.0 as usize].state.live = true;
        }
    }

    pub fn has_guid(&self, guid: Guid) -> bool {
        self.by_guid.contains_key(&guid)
    }

    /// Every value with summaries and its GUID, in value-id order: the
    /// order passes over all values take (deterministic, and each
    /// module's summaries together; LLVM walks its GUID-sorted map, and no
    /// pass's outcome depends on the order).
    /// How many values (GUIDs with summaries) the index has.
    pub fn value_count(&self) -> usize {
        self.values.len()
    }

    pub fn values(&self) -> impl Iterator<Item = (ValueId, Guid)> + '_ {
        self.values
            .iter()
            .enumerate()
            .map(|(i, &g)| (ValueId(i as u32), g))
    }

    /// `DefinedGVSummaries` of a module: (GUID, summary), sorted by GUID.
    pub fn defined_in(&self, module: ModuleId) -> &[(Guid, SummaryId)] {
        let m = module.0 as usize;
        &self.defined[self.defined_start[m] as usize..self.defined_start[m + 1] as usize]
    }

    pub fn find_in_module(&self, guid: Guid, module: ModuleId) -> Option<SummaryId> {
        let here = self.defined_in(module);
        here.binary_search_by_key(&guid, |&(g, _)| g)
            .ok()
            .map(|at| here[at].1)
    }

    /// The summary an alias stands for (itself for non-aliases).
    pub fn base_object(&self, id: SummaryId) -> Option<SummaryId> {
        match self.entries[id.0 as usize].base {
            u32::MAX => None,
            base => Some(SummaryId(base)),
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

    /// LLVM's `ValueInfo::isDSOLocal`: the value resolves within the
    /// linkage unit. After propagation, the first summary speaks for all;
    /// without it, every summary must say so.
    pub fn is_dso_local(&self, guid: Guid) -> bool {
        let list = self.summaries_of(guid);
        match list.first() {
            None => false,
            Some(&first) if self.with_attribute_propagation => self.state(first).dso_local,
            Some(_) => list.iter().all(|&s| self.state(s).dso_local),
        }
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
        let Some(base) = self.base_object(id) else {
            return false;
        };
        let facts = self.facts(base);
        if facts.kind != ValueKind::Variable {
            return false;
        }
        let non_interposable = !self.state(id).linkage.is_interposable();
        let eligible = !self.facts(id).not_eligible_to_import;
        let refs_prevent = analyze_refs
            && !facts.constant
            && !self.is_read_only(base)
            && !self.is_write_only(base)
            && facts.has_refs;
        non_interposable && eligible && !refs_prevent
    }

    pub fn module_path(&self, m: ModuleId) -> &str {
        &self.modules[m.0 as usize].path
    }
}

fn facts_of(s: &GlobalSummary) -> SummaryFacts {
    let mut facts = SummaryFacts {
        kind: ValueKind::Alias,
        inst_count: 0,
        no_inline: false,
        always_inline: false,
        not_eligible_to_import: s.flags.not_eligible_to_import,
        constant: false,
        has_refs: !s.refs.is_empty(),
    };
    match &s.kind {
        SummaryKind::Function {
            inst_count, flags, ..
        } => {
            facts.kind = ValueKind::Function;
            facts.inst_count = *inst_count;
            facts.no_inline = flags.no_inline;
            facts.always_inline = flags.always_inline;
        }
        SummaryKind::Variable { flags, .. } => {
            facts.kind = ValueKind::Variable;
            facts.constant = flags.constant;
        }
        SummaryKind::Alias { .. } => {}
    }
    facts
}

/// Every summary's references and calls as value ids (see
/// `CombinedIndex::edges`), module by module on all cores: the lookups
/// are read-only, and each is a likely cache miss on a big program.
fn resolve_edges(
    modules: &[std::sync::Arc<BitcodeModule>],
    by_guid: &GuidMap<ValueId>,
) -> (Vec<ValueId>, Vec<Hotness>) {
    use rayon::prelude::*;
    let target = |g: &Guid| by_guid.get(g).copied().unwrap_or(ValueId::NONE);
    let per_module: Vec<(Vec<ValueId>, Vec<Hotness>)> = modules
        .par_iter()
        .map(|module| {
            let mut targets = Vec::new();
            let mut hotness = Vec::new();
            for s in &module.summaries {
                targets.extend(s.refs.iter().map(|r| target(&r.guid)));
                hotness.resize(targets.len(), Hotness::Unknown);
                targets.extend(s.calls().iter().map(|c| target(&c.callee)));
                hotness.extend(s.calls().iter().map(|c| c.hotness));
            }
            (targets, hotness)
        })
        .collect();
    let mut edges = Vec::with_capacity(per_module.iter().map(|p| p.0.len()).sum());
    let mut hotness = Vec::with_capacity(edges.capacity());
    for (t, h) in per_module {
        edges.extend(t);
        hotness.extend(h);
    }
    (edges, hotness)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::summary::{CallEdge, FunctionFlags, GvFlags, ModuleHash};

    /// A function summary named `f<guid>`, of `guid` instructions, calling
    /// `calls` (the call to GUID 3 hot).
    pub(crate) fn function(guid: u64, linkage: Linkage, calls: &[u64]) -> GlobalSummary {
        GlobalSummary {
            guid: Guid(guid),
            name: format!("f{guid}"),
            flags: GvFlags {
                linkage,
                visibility: Visibility::Default,
                not_eligible_to_import: false,
                live: false,
                dso_local: true,
                can_auto_hide: false,
                import_as_declaration: false,
            },
            refs: Vec::new(),
            kind: SummaryKind::Function {
                inst_count: guid as u32,
                flags: FunctionFlags::default(),
                calls: calls
                    .iter()
                    .map(|&c| CallEdge {
                        callee: Guid(c),
                        hotness: if c == 3 { Hotness::Hot } else { Hotness::None },
                        rel_block_freq: 0,
                        tail_call: false,
                    })
                    .collect(),
            },
        }
    }

    pub(crate) fn module(
        path: &str,
        summaries: Vec<GlobalSummary>,
    ) -> std::sync::Arc<BitcodeModule> {
        std::sync::Arc::new(BitcodeModule {
            path: path.into(),
            triple: "x86_64-pc-linux-gnu".into(),
            source_file_name: path.into(),
            hash: ModuleHash::default(),
            globals: Vec::new(),
            summaries,
            symbols: Vec::new(),
            symtab_comdats: Vec::new(),
            summary_flags: 0,
            bitcode: std::sync::Arc::from(&[][..]),
        })
    }

    #[test]
    fn values_and_their_summaries_across_modules() {
        // a.o: 1, 2 (linkonce_odr); b.o: 2 (again), 3; c.o: 4, 2 (again).
        let odr = Linkage::LinkOnceOdr;
        let index = CombinedIndex::new(vec![
            module(
                "a.o",
                vec![
                    function(1, Linkage::External, &[2, 3, 99]),
                    function(2, odr, &[]),
                ],
            ),
            module(
                "b.o",
                vec![function(2, odr, &[]), function(3, Linkage::External, &[])],
            ),
            module(
                "c.o",
                vec![function(4, Linkage::External, &[]), function(2, odr, &[])],
            ),
        ]);
        let v = |g| index.value_of(Guid(g)).unwrap();
        let (a, b, c) = (ModuleId(0), ModuleId(1), ModuleId(2));
        // Values numbered as modules first name them.
        let order: Vec<u64> = index.values().map(|(_, g)| g.0).collect();
        assert_eq!(order, [1, 2, 3, 4]);
        // A single copy, and three copies in module order.
        assert_eq!(index.value_summaries(v(1)), [SummaryId(0)]);
        assert_eq!(
            index.value_summaries(v(2)),
            [SummaryId(1), SummaryId(2), SummaryId(5)]
        );
        assert_eq!(index.value_summaries(v(4)), [SummaryId(4)]);
        assert!(index.value_of(Guid(99)).is_none());
        // Defined here: first named here, or named earlier and repeated.
        assert!(index.defines(a, v(1)) && index.defines(a, v(2)));
        assert!(!index.defines(a, v(3)) && !index.defines(a, v(4)));
        assert!(index.defines(b, v(2)) && index.defines(b, v(3)));
        assert!(!index.defines(b, v(1)) && !index.defines(b, v(4)));
        assert!(index.defines(c, v(2)) && index.defines(c, v(4)));
        assert!(!index.defines(c, v(1)) && !index.defines(c, v(3)));
        // Calls as values beside their hotness; unsummarized ones lead nowhere.
        assert_eq!(
            index.call_targets(SummaryId(0)),
            [v(2), v(3), ValueId::NONE]
        );
        assert_eq!(
            index.call_hotness(SummaryId(0)),
            [Hotness::None, Hotness::Hot, Hotness::None]
        );
        assert_eq!(index.facts(SummaryId(3)).inst_count, 3);
        assert_eq!(index.module_of(SummaryId(5)), c);
        assert_eq!(index.summary(SummaryId(5)).guid, Guid(2));
    }
}
