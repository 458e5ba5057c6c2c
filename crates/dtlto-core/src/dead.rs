//! Dead-symbol analysis (LLVM's `computeDeadSymbolsAndUpdateIndirectCalls`):
//! everything reachable through calls, references and aliases from the
//! preserved symbols and from summaries the compiler marked live stays;
//! the rest is dead and its definitions are dropped in the backends.

use crate::guid::{Guid, GuidMap, GuidSet};
use crate::index::{CombinedIndex, ValueId, ValueKind};
use crate::summary::{Linkage, SummaryKind};

/// One bit per value of the index.
struct ValueBits(Vec<u64>);

impl ValueBits {
    fn new(values: usize) -> ValueBits {
        ValueBits(vec![0; values.div_ceil(64)])
    }

    fn get(&self, v: ValueId) -> bool {
        self.0[v.0 as usize / 64] & (1 << (v.0 % 64)) != 0
    }

    fn set(&mut self, v: ValueId) {
        self.0[v.0 as usize / 64] |= 1 << (v.0 % 64);
    }
}

#[derive(Debug, thiserror::Error)]
#[error(
    "symbol with GUID {0} has both interposable and available_externally/linkonce_odr/weak_odr \
     copies, and none of them prevails"
)]
pub struct DeadError(pub Guid);

pub fn compute_dead_symbols(
    index: &mut CombinedIndex,
    preserved: &GuidSet,
    prevailing: &GuidMap<bool>,
) -> Result<(), DeadError> {
    // Nothing preserved means nothing is known: keep everything (LLVM does
    // the same, which keeps tests of partial links meaningful).
    if preserved.is_empty() {
        return Ok(());
    }
    let mut guids: Vec<Guid> = preserved.iter().copied().collect();
    guids.sort_unstable();
    for &g in &guids {
        index.mark_live(g);
    }
    // Which values are live, one bit each, beside the index: an edge into
    // a value already live (most edges, on a big program) is answered
    // from this small array instead of from the value's records, which
    // lie anywhere in an index far bigger than the caches.
    let mut live = ValueBits::new(index.value_count());
    let mut worklist: Vec<ValueId> = index
        .values()
        .filter(|&(v, _)| index.value_marked_live(v))
        .map(|(v, _)| v)
        .collect();
    for &v in &worklist {
        live.set(v);
    }
    // The values the link does not take from IR (`PrevailingType::No`):
    // few, found in one pass over the resolutions rather than by a lookup
    // per value reached.
    let mut not_prevailing = ValueBits::new(index.value_count());
    for (&g, &prevails) in prevailing {
        if !prevails {
            if let Some(v) = index.value_of(g) {
                not_prevailing.set(v);
            }
        }
    }

    // Marks a value live; returns whether it has to be walked.
    let visit = |index: &mut CombinedIndex,
                 live: &mut ValueBits,
                 v: ValueId,
                 is_aliasee: bool|
     -> Result<bool, DeadError> {
        if live.get(v) {
            return Ok(false);
        }
        // Symbols known not to prevail are kept only if some copy can serve
        // as available_externally (ODR linkages), for later optimizations.
        if not_prevailing.get(v) {
            let mut keep_alive = false;
            let mut interposable = false;
            for &s in index.value_summaries(v) {
                let l = index.state(s).linkage;
                if matches!(
                    l,
                    Linkage::AvailableExternally | Linkage::WeakOdr | Linkage::LinkOnceOdr
                ) {
                    keep_alive = true;
                } else if l.is_interposable() {
                    interposable = true;
                }
            }
            if !is_aliasee {
                if !keep_alive {
                    return Ok(false);
                }
                if interposable {
                    return Err(DeadError(index.guid_of(v)));
                }
            }
        }
        live.set(v);
        index.mark_value_live(v);
        Ok(true)
    };

    // Edges of the value being walked, gathered before visiting (visiting
    // changes the index); one buffer for the whole walk. Edges to GUIDs
    // without summaries lead nowhere: nothing there to mark.
    let mut targets: Vec<(ValueId, bool)> = Vec::new();
    while let Some(v) = worklist.pop() {
        targets.clear();
        for &s in index.value_summaries(v) {
            if index.kind(s) == ValueKind::Alias {
                if let SummaryKind::Alias { aliasee } = index.summary(s).kind {
                    if let Some(t) = index.value_of(aliasee) {
                        targets.push((t, true));
                    }
                }
            } else {
                targets.extend(
                    index
                        .edge_targets(s)
                        .iter()
                        .filter(|t| !t.is_none())
                        .map(|&t| (t, false)),
                );
            }
        }
        for &(t, is_aliasee) in &targets {
            if visit(index, &mut live, t, is_aliasee)? {
                worklist.push(t);
            }
        }
    }
    index.with_dead_stripping = true;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::tests::{function, module};

    fn live_guids(index: &CombinedIndex) -> Vec<u64> {
        index
            .values()
            .filter(|&(v, _)| index.value_marked_live(v))
            .map(|(_, g)| g.0)
            .collect()
    }

    fn guids(list: &[u64]) -> GuidSet {
        list.iter().map(|&g| Guid(g)).collect()
    }

    #[test]
    fn live_is_what_the_roots_reach() {
        // a.o: 1 -> 2 -> 3 (in b.o); 4 -> 5, nothing reaches 4.
        let mut index = CombinedIndex::new(vec![
            module(
                "a.o",
                vec![
                    function(1, Linkage::External, &[2]),
                    function(2, Linkage::Internal, &[3, 77]),
                    function(4, Linkage::External, &[5]),
                ],
            ),
            module(
                "b.o",
                vec![
                    function(3, Linkage::External, &[]),
                    function(5, Linkage::External, &[]),
                ],
            ),
        ]);
        compute_dead_symbols(&mut index, &guids(&[1]), &GuidMap::default()).unwrap();
        assert_eq!(live_guids(&index), [1, 2, 3]);
        assert!(index.with_dead_stripping);
    }

    #[test]
    fn copies_that_do_not_prevail_stay_only_for_odr_linkage() {
        // 2 and 3 are called from the root, and the link took both from
        // outside the IR (not prevailing): 2's linkonce_odr copy is kept
        // (an available_externally candidate), 3's external one is not,
        // nor what only 3 calls.
        let mut index = CombinedIndex::new(vec![
            module("a.o", vec![function(1, Linkage::External, &[2, 3])]),
            module(
                "b.o",
                vec![
                    function(2, Linkage::LinkOnceOdr, &[4]),
                    function(3, Linkage::External, &[5]),
                    function(4, Linkage::External, &[]),
                    function(5, Linkage::External, &[]),
                ],
            ),
        ]);
        let prevailing: GuidMap<bool> = [(Guid(1), true), (Guid(2), false), (Guid(3), false)]
            .into_iter()
            .collect();
        compute_dead_symbols(&mut index, &guids(&[1]), &prevailing).unwrap();
        assert_eq!(live_guids(&index), [1, 2, 4]);
    }

    #[test]
    fn a_non_prevailing_symbol_with_odr_and_interposable_copies_is_an_error() {
        let mut index = CombinedIndex::new(vec![
            module("a.o", vec![function(1, Linkage::External, &[2])]),
            module("b.o", vec![function(2, Linkage::LinkOnceOdr, &[])]),
            module("c.o", vec![function(2, Linkage::WeakAny, &[])]),
        ]);
        let prevailing: GuidMap<bool> = [(Guid(2), false)].into_iter().collect();
        let err = compute_dead_symbols(&mut index, &guids(&[1]), &prevailing).unwrap_err();
        assert_eq!(err.0, Guid(2));
        assert!(err.to_string().contains("GUID 2 "), "{err}");
    }

    #[test]
    fn nothing_preserved_keeps_everything() {
        let mut index = CombinedIndex::new(vec![module(
            "a.o",
            vec![function(1, Linkage::External, &[])],
        )]);
        compute_dead_symbols(&mut index, &GuidSet::default(), &GuidMap::default()).unwrap();
        assert!(!index.with_dead_stripping);
        assert_eq!(live_guids(&index), Vec::<u64>::new());
    }
}
