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
    /// Summaries of each GUID, in module order (LLVM's summary list): a
    /// range of `guid_lists`. One array for all, not a vector per GUID:
    /// on a big program the thin link looks GUIDs up millions of times,
    /// and every lookup saves a pointer chase.
    by_guid: GuidMap<(u32, u32)>,
    guid_lists: Vec<SummaryId>,
    /// Per module: GUID -> its summary there (`DefinedGVSummaries`).
    defined: Vec<GuidMap<SummaryId>>,
    pub with_dead_stripping: bool,
    pub with_attribute_propagation: bool,
}

impl CombinedIndex {
    pub fn new(modules: Vec<std::sync::Arc<BitcodeModule>>) -> CombinedIndex {
        let mut summaries = Vec::new();
        let mut state = Vec::new();
        let mut by_guid: GuidMap<(u32, u32)> = GuidMap::default();
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
                by_guid.entry(s.guid).or_default().1 += 1;
                here.entry(s.guid).or_insert(id);
            }
            defined.push(here);
        }
        // Each GUID's range (its count was gathered above), then the
        // summaries in module order.
        let mut next = 0u32;
        for range in by_guid.values_mut() {
            let count = range.1;
            *range = (next, 0);
            next += count;
        }
        let mut guid_lists = vec![SummaryId(0); summaries.len()];
        for (id, &(m, i)) in summaries.iter().enumerate() {
            let guid = modules[m.0 as usize].summaries[i as usize].guid;
            if let Some(range) = by_guid.get_mut(&guid) {
                guid_lists[(range.0 + range.1) as usize] = SummaryId(id as u32);
                range.1 += 1;
            }
        }
        CombinedIndex {
            modules,
            summaries,
            state,
            by_guid,
            guid_lists,
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
            Some(&(start, len)) => &self.guid_lists[start as usize..(start + len) as usize],
            None => &[],
        }
    }

    /// Marks every summary of a GUID live.
    pub fn mark_live(&mut self, guid: Guid) {
        if let Some(&(start, len)) = self.by_guid.get(&guid) {
            for id in &self.guid_lists[start as usize..(start + len) as usize] {
                self.state[id.0 as usize].live = true;
            }
        }
    }

    pub fn has_guid(&self, guid: Guid) -> bool {
        self.by_guid.contains_key(&guid)
    }

    /// All GUIDs with summaries, sorted (for deterministic passes).
    pub fn guids(&self) -> Vec<Guid> {
        let mut g: Vec<Guid> = self.by_guid.keys().copied().collect();
        g.sort_unstable();
        g
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
