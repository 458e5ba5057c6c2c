//! Linkage decisions after import (LLVM's `thinLTOInternalizeAndPromoteInIndex`
//! and `thinLTOResolvePrevailingInIndex`):
//! - a local that another module now refers to is promoted to a hidden
//!   external named `<name>.llvm.<hash>`;
//! - an external definition nobody outside its module needs is internalized;
//! - of several linkonce/weak copies the prevailing one becomes weak and
//!   the others available_externally (dropped after optimization).

use std::collections::HashSet;

use crate::guid::{Guid, GuidSet};
use crate::index::{CombinedIndex, ModuleId, SummaryId, ValueKind};
use crate::summary::{Linkage, Visibility};

pub fn internalize_and_promote(
    index: &mut CombinedIndex,
    is_exported: &dyn Fn(ModuleId, Guid) -> bool,
    is_prevailing: &dyn Fn(Guid, ModuleId) -> bool,
) {
    let values: Vec<_> = index.values().collect();
    let mut list = Vec::new();
    for (v, guid) in values {
        list.clear();
        list.extend_from_slice(index.value_summaries(v));
        let single_visible_copy = list.len() == 1 && !index.state(list[0]).linkage.is_local();
        for &s in &list {
            let linkage = index.state(s).linkage;
            if is_exported(index.module_of(s), guid) {
                if linkage.is_local() {
                    let st = index.state_mut(s);
                    st.linkage = Linkage::External;
                    st.promoted = true;
                }
                continue;
            }
            if linkage == Linkage::External {
                index.state_mut(s).linkage = Linkage::Internal;
                continue;
            }
            if !linkage.is_weak_for_linker() || linkage == Linkage::ExternalWeak {
                continue;
            }
            // Only a single, prevailing copy of a weak/linkonce value is
            // internalized: that cannot grow the binary.
            if single_visible_copy && is_prevailing(guid, index.module_of(s)) {
                index.state_mut(s).linkage = Linkage::Internal;
            }
        }
    }
}

/// The most constraining visibility of all copies (hidden > protected > default).
fn elf_visibility(index: &CombinedIndex, list: &[SummaryId]) -> Visibility {
    list.iter()
        .map(|&s| index.summary(s).flags.visibility)
        .fold(Visibility::Default, Visibility::merge)
}

pub fn resolve_prevailing(
    index: &mut CombinedIndex,
    is_prevailing: &dyn Fn(Guid, ModuleId) -> bool,
    preserved: &GuidSet,
) {
    // Globals an alias points to keep their linkage: an alias cannot point
    // to an available_externally definition.
    let mut aliased: HashSet<SummaryId> = HashSet::new();
    for i in 0..index.summary_count() {
        let s = SummaryId(i as u32);
        if index.kind(s) == ValueKind::Alias {
            if let Some(base) = index.base_object(s) {
                aliased.insert(base);
            }
        }
    }
    let values: Vec<_> = index.values().collect();
    let mut list = Vec::new();
    for (v, guid) in values {
        list.clear();
        list.extend_from_slice(index.value_summaries(v));
        let visibility = elf_visibility(index, &list);
        let can_auto_hide = !list.is_empty() && list.iter().all(|&s| index.state(s).can_auto_hide);
        for &s in &list {
            let original = index.state(s).linkage;
            if original.is_local() || original == Linkage::Appending {
                continue;
            }
            let is_alias = index.kind(s) == ValueKind::Alias;
            let promoted = index.state(s).promoted;
            let prevailing = is_prevailing(guid, index.module_of(s));
            let st = index.state_mut(s);
            if prevailing {
                if original.is_linkonce() {
                    st.linkage = if original == Linkage::LinkOnceOdr {
                        Linkage::WeakOdr
                    } else {
                        Linkage::WeakAny
                    };
                    st.can_auto_hide = can_auto_hide && !preserved.contains(&guid);
                }
            } else if !is_alias && !aliased.contains(&s) && !promoted {
                st.linkage = Linkage::AvailableExternally;
            }
            st.visibility = visibility;
        }
    }
}
