//! Read-only / write-only attribute propagation (LLVM's
//! `ModuleSummaryIndex::propagateAttributes`): a global variable stays
//! read-only only if every live reference to it only reads it, and it is
//! not visible outside the summaries. Read-only variables can be imported
//! as constants; write-only ones lose their initializer.

use crate::guid::GuidSet;
use crate::index::{CombinedIndex, ValueKind};

pub fn propagate_attributes(index: &mut CombinedIndex, preserved: &GuidSet) {
    let mut marked_plain = GuidSet::default();
    let values: Vec<_> = index.values().collect();
    // Buffers reused for every value: the index changes while they are
    // walked.
    let mut list = Vec::new();
    let mut refs = Vec::new();
    let mut targets = Vec::new();
    for (v, g) in values {
        list.clear();
        list.extend_from_slice(index.value_summaries(v));
        for &s in &list {
            if !index.is_live(s) {
                // References from dead code do not count.
                break;
            }
            if let Some(base) = index.base_object(s) {
                if index.kind(base) == ValueKind::Variable
                    && (!index.can_import_global_var(s, false) || preserved.contains(&g))
                {
                    let st = index.state_mut(base);
                    st.read_only = false;
                    st.write_only = false;
                }
            }
            refs.clear();
            refs.extend_from_slice(&index.summary(s).refs);
            for r in &refs {
                if !r.read_only && !r.write_only {
                    if !marked_plain.insert(r.guid) {
                        continue;
                    }
                } else if marked_plain.contains(&r.guid) {
                    continue;
                }
                targets.clear();
                targets.extend_from_slice(index.summaries_of(r.guid));
                for &t in &targets {
                    let Some(base) = index.base_object(t) else {
                        continue;
                    };
                    if index.kind(base) != ValueKind::Variable {
                        continue;
                    }
                    let st = index.state_mut(base);
                    if !r.read_only {
                        st.read_only = false;
                    }
                    if !r.write_only {
                        st.write_only = false;
                    }
                }
            }
        }
    }
    index.with_attribute_propagation = true;
}
