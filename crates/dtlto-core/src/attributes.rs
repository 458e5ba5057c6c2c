//! Read-only / write-only attribute propagation (LLVM's
//! `ModuleSummaryIndex::propagateAttributes`): a global variable stays
//! read-only only if every live reference to it only reads it, and it is
//! not visible outside the summaries. Read-only variables can be imported
//! as constants; write-only ones lose their initializer. Alongside, as
//! LLVM does, a value is dso_local only if every live copy is.

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
        let mut dso_local = true;
        for &s in &list {
            if !index.is_live(s) {
                // References from dead code do not count.
                break;
            }
            // One live copy that may resolve outside the linkage unit
            // makes the value so.
            dso_local &= index.state(s).dso_local;
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
        if !dso_local {
            for &s in &list {
                index.state_mut(s).dso_local = false;
            }
        }
    }
    index.with_attribute_propagation = true;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guid::Guid;
    use crate::index::tests::{function, module};
    use crate::summary::Linkage;

    #[test]
    fn a_value_is_dso_local_only_if_every_live_copy_is() {
        // 2 (linkonce_odr) in a.o and b.o, b.o's copy compiled as maybe
        // preemptible; 1 and 3 dso_local everywhere; 4 has no summary.
        let odr = Linkage::LinkOnceOdr;
        let mut b2 = function(2, odr, &[]);
        b2.flags.dso_local = false;
        let mut index = CombinedIndex::new(vec![
            module(
                "a.o",
                vec![function(1, Linkage::External, &[2]), function(2, odr, &[])],
            ),
            module("b.o", vec![b2, function(3, Linkage::External, &[4])]),
        ]);
        for s in 0..index.summary_count() {
            index.state_mut(crate::index::SummaryId(s as u32)).live = true;
        }
        // Before propagation, every copy must say so.
        assert!(index.is_dso_local(Guid(1)));
        assert!(!index.is_dso_local(Guid(2)));
        propagate_attributes(&mut index, &GuidSet::default());
        // After it, the first copy speaks for all, and was cleared.
        assert!(index.is_dso_local(Guid(1)) && index.is_dso_local(Guid(3)));
        assert!(!index.is_dso_local(Guid(2)));
        let first = index.summaries_of(Guid(2))[0];
        assert!(!index.state(first).dso_local);
        assert!(!index.is_dso_local(Guid(4)));
    }
}
