//! Dead-symbol analysis (LLVM's `computeDeadSymbolsAndUpdateIndirectCalls`):
//! everything reachable through calls, references and aliases from the
//! preserved symbols and from summaries the compiler marked live stays;
//! the rest is dead and its definitions are dropped in the backends.

use crate::guid::{Guid, GuidMap, GuidSet};
use crate::index::{CombinedIndex, ValueId, ValueKind};
use crate::summary::{Linkage, SummaryKind};

/// Whether the link keeps an IR copy of a symbol (`PrevailingType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prevailing {
    Yes,
    No,
    Unknown,
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
    let is_prevailing = |g: Guid| match prevailing.get(&g) {
        Some(true) => Prevailing::Yes,
        Some(false) => Prevailing::No,
        None => Prevailing::Unknown,
    };
    let mut guids: Vec<Guid> = preserved.iter().copied().collect();
    guids.sort_unstable();
    for &g in &guids {
        index.mark_live(g);
    }
    let mut worklist: Vec<ValueId> = index
        .values()
        .filter(|&(v, _)| {
            index
                .value_summaries(v)
                .iter()
                .any(|&s| index.state(s).live)
        })
        .map(|(v, _)| v)
        .collect();

    // Marks a value live; returns whether it has to be walked.
    let visit =
        |index: &mut CombinedIndex, v: ValueId, is_aliasee: bool| -> Result<bool, DeadError> {
            let list = index.value_summaries(v);
            if list.iter().any(|&s| index.state(s).live) {
                return Ok(false);
            }
            // Symbols known not to prevail are kept only if some copy can serve
            // as available_externally (ODR linkages), for later optimizations.
            let g = index.guid_of(v);
            if is_prevailing(g) == Prevailing::No {
                let mut keep_alive = false;
                let mut interposable = false;
                for &s in list {
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
                        return Err(DeadError(g));
                    }
                }
            }
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
            if visit(index, t, is_aliasee)? {
                worklist.push(t);
            }
        }
    }
    index.with_dead_stripping = true;
    Ok(())
}
