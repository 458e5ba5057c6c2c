//! Decoding GLOBALVAL_SUMMARY records (the per-module summary).

use std::collections::HashMap;

use super::module::BitcodeModule;
use super::stream::{RawModule, RawRecord};
use super::BitcodeError;
use crate::guid::Guid;
use crate::summary::{
    CallEdge, FunctionFlags, GlobalSummary, GvFlags, Hotness, Ref, SummaryKind, VarFlags,
};

const FS_PERMODULE: u64 = 1;
const FS_PERMODULE_PROFILE: u64 = 2;
const FS_PERMODULE_GLOBALVAR_INIT_REFS: u64 = 3;
const FS_ALIAS: u64 = 7;
const FS_VERSION: u64 = 10;
const FS_VALUE_GUID: u64 = 16;
const FS_PERMODULE_RELBF: u64 = 19;
const FS_FLAGS: u64 = 20;
const FS_PERMODULE_VTABLE_GLOBALVAR_INIT_REFS: u64 = 23;

/// Highest summary version LLVM 22 writes (`BitcodeSummaryVersion`).
const MAX_VERSION: u64 = 12;
/// `CalleeInfo::RelBlockFreqBits`.
const REL_BLOCK_FREQ_BITS: u32 = 28;

struct ValueMap<'m> {
    module: &'m BitcodeModule,
    /// FS_VALUE_GUID assignments, which take precedence.
    explicit: HashMap<u64, Guid>,
}

impl ValueMap<'_> {
    fn guid(&self, value_id: u64, what: &'static str) -> Result<Guid, BitcodeError> {
        if let Some(g) = self.explicit.get(&value_id) {
            return Ok(*g);
        }
        self.module
            .globals
            .get(value_id as usize)
            .map(|g| g.guid)
            .ok_or_else(|| BitcodeError::BadRecord {
                what,
                detail: format!("value id {value_id} names no global"),
            })
    }

    fn name(&self, value_id: u64) -> String {
        if self.explicit.contains_key(&value_id) {
            return String::new();
        }
        self.module
            .globals
            .get(value_id as usize)
            .map(|g| g.name.clone())
            .unwrap_or_default()
    }
}

fn slice<'r>(
    rec: &'r RawRecord,
    start: usize,
    len: Option<usize>,
    what: &'static str,
) -> Result<&'r [u64], BitcodeError> {
    let end = match len {
        Some(n) => start.checked_add(n),
        None => Some(rec.ops.len()),
    };
    end.and_then(|end| rec.ops.get(start..end))
        .ok_or_else(|| BitcodeError::BadRecord {
            what,
            detail: format!(
                "operands {start}..{} out of range ({} operands)",
                end.map(|e| e.to_string()).unwrap_or_else(|| "?".into()),
                rec.ops.len()
            ),
        })
}

fn at(rec: &RawRecord, index: usize, what: &'static str) -> Result<u64, BitcodeError> {
    Ok(slice(rec, index, Some(1), what)?[0])
}

fn flags(raw: u64, version: u64, what: &'static str) -> Result<GvFlags, BitcodeError> {
    GvFlags::decode(raw, version).ok_or_else(|| BitcodeError::BadRecord {
        what,
        detail: format!("unknown linkage {} in flags {raw:#x}", raw & 0xf),
    })
}

pub(crate) fn decode(
    raw: &RawModule,
    module: &BitcodeModule,
) -> Result<Vec<GlobalSummary>, BitcodeError> {
    let mut records = raw.summary_records.iter();
    let version = match records.next() {
        Some(r) if r.code == FS_VERSION => at(r, 0, "FS_VERSION")?,
        Some(_) => {
            return Err(BitcodeError::BadRecord {
                what: "GLOBALVAL_SUMMARY",
                detail: "the block does not start with its version".into(),
            })
        }
        // An empty summary block: the module defines nothing summarizable.
        None => return Ok(Vec::new()),
    };
    if !(1..=MAX_VERSION).contains(&version) {
        return Err(BitcodeError::SummaryVersion(version));
    }
    let mut values = ValueMap {
        module,
        explicit: HashMap::new(),
    };
    let mut out = Vec::new();
    for rec in records {
        match rec.code {
            FS_VALUE_GUID => {
                let id = at(rec, 0, "FS_VALUE_GUID")?;
                let g = at(rec, 1, "FS_VALUE_GUID")?;
                values.explicit.insert(id, Guid(g));
            }
            FS_PERMODULE | FS_PERMODULE_PROFILE | FS_PERMODULE_RELBF => {
                out.push(function_summary(rec, version, &values)?);
            }
            FS_PERMODULE_GLOBALVAR_INIT_REFS => {
                const W: &str = "FS_PERMODULE_GLOBALVAR_INIT_REFS";
                let value_id = at(rec, 0, W)?;
                let gv_flags = flags(at(rec, 1, W)?, version, W)?;
                let (var_flags, refs_at) = if version >= 5 {
                    (VarFlags::decode(at(rec, 2, W)?), 3)
                } else {
                    (VarFlags::default(), 2)
                };
                let refs = plain_refs(slice(rec, refs_at, None, W)?, &values, W)?;
                out.push(GlobalSummary {
                    guid: values.guid(value_id, W)?,
                    name: values.name(value_id),
                    flags: gv_flags,
                    refs,
                    kind: SummaryKind::Variable {
                        flags: var_flags,
                        vtable_funcs: Vec::new(),
                    },
                });
            }
            FS_PERMODULE_VTABLE_GLOBALVAR_INIT_REFS => {
                const W: &str = "FS_PERMODULE_VTABLE_GLOBALVAR_INIT_REFS";
                let value_id = at(rec, 0, W)?;
                let gv_flags = flags(at(rec, 1, W)?, version, W)?;
                let var_flags = VarFlags::decode(at(rec, 2, W)?);
                let num_refs = at(rec, 3, W)? as usize;
                let refs = plain_refs(slice(rec, 4, Some(num_refs), W)?, &values, W)?;
                let rest = slice(rec, 4 + num_refs, None, W)?;
                let mut vtable_funcs = Vec::with_capacity(rest.len() / 2);
                for pair in rest.chunks(2) {
                    let [func, offset] = pair else {
                        return Err(BitcodeError::BadRecord {
                            what: W,
                            detail: "odd vtable function list".into(),
                        });
                    };
                    vtable_funcs.push((values.guid(*func, W)?, *offset));
                }
                out.push(GlobalSummary {
                    guid: values.guid(value_id, W)?,
                    name: values.name(value_id),
                    flags: gv_flags,
                    refs,
                    kind: SummaryKind::Variable {
                        flags: var_flags,
                        vtable_funcs,
                    },
                });
            }
            FS_ALIAS => {
                const W: &str = "FS_ALIAS";
                let value_id = at(rec, 0, W)?;
                let gv_flags = flags(at(rec, 1, W)?, version, W)?;
                let aliasee = values.guid(at(rec, 2, W)?, W)?;
                out.push(GlobalSummary {
                    guid: values.guid(value_id, W)?,
                    name: values.name(value_id),
                    flags: gv_flags,
                    refs: Vec::new(),
                    kind: SummaryKind::Alias { aliasee },
                });
            }
            FS_FLAGS => {}
            // Type tests, virtual calls, parameter accesses, memprof and
            // block counts do not influence importing; they are skipped.
            _ => {}
        }
    }
    Ok(out)
}

fn plain_refs(
    ids: &[u64],
    values: &ValueMap<'_>,
    what: &'static str,
) -> Result<Vec<Ref>, BitcodeError> {
    ids.iter()
        .map(|&id| {
            Ok(Ref {
                guid: values.guid(id, what)?,
                read_only: false,
                write_only: false,
            })
        })
        .collect()
}

// [valueid, flags, instcount, fflags, numrefs, rorefcnt, worefcnt,
//  numrefs x valueid, calls...] (older versions lack the later counts).
fn function_summary(
    rec: &RawRecord,
    version: u64,
    values: &ValueMap<'_>,
) -> Result<GlobalSummary, BitcodeError> {
    let what = match rec.code {
        FS_PERMODULE_PROFILE => "FS_PERMODULE_PROFILE",
        FS_PERMODULE_RELBF => "FS_PERMODULE_RELBF",
        _ => "FS_PERMODULE",
    };
    let value_id = at(rec, 0, what)?;
    let gv_flags = flags(at(rec, 1, what)?, version, what)?;
    let inst_count = at(rec, 2, what)? as u32;
    let (fflags, num_refs, num_ro, num_wo, refs_at) = if version >= 7 {
        (
            at(rec, 3, what)?,
            at(rec, 4, what)?,
            at(rec, 5, what)?,
            at(rec, 6, what)?,
            7,
        )
    } else if version >= 5 {
        (
            at(rec, 3, what)?,
            at(rec, 4, what)?,
            at(rec, 5, what)?,
            0,
            6,
        )
    } else if version >= 4 {
        (at(rec, 3, what)?, at(rec, 4, what)?, 0, 0, 5)
    } else {
        (0, at(rec, 3, what)?, 0, 0, 4)
    };
    let num_refs = num_refs as usize;
    let mut refs = plain_refs(slice(rec, refs_at, Some(num_refs), what)?, values, what)?;
    // Read-only refs come last but for the write-only ones, which end the list.
    let special = num_ro.saturating_add(num_wo) as usize;
    if special > refs.len() {
        return Err(BitcodeError::BadRecord {
            what,
            detail: format!(
                "{num_ro} read-only + {num_wo} write-only refs of {}",
                refs.len()
            ),
        });
    }
    let first_wo = refs.len() - num_wo as usize;
    let first_ro = first_wo - num_ro as usize;
    for r in &mut refs[first_ro..first_wo] {
        r.read_only = true;
    }
    for r in &mut refs[first_wo..] {
        r.write_only = true;
    }

    let call_ops = slice(rec, refs_at + num_refs, None, what)?;
    let old_profile_format = version == 1;
    let has_profile = rec.code == FS_PERMODULE_PROFILE;
    let has_relbf = rec.code == FS_PERMODULE_RELBF;
    // Operands after each callee: hotness and relative frequency (old
    // format: profile count too).
    let extra = if old_profile_format {
        if has_profile {
            2
        } else {
            1
        }
    } else if has_profile || has_relbf {
        1
    } else {
        0
    };
    let mut calls = Vec::with_capacity(call_ops.len() / (1 + extra));
    let mut i = 0;
    while i < call_ops.len() {
        let callee = values.guid(call_ops[i], what)?;
        let mut edge = CallEdge {
            callee,
            hotness: Hotness::Unknown,
            rel_block_freq: 0,
            tail_call: false,
        };
        if extra == 1 && !old_profile_format {
            let info = *call_ops.get(i + 1).ok_or_else(|| BitcodeError::BadRecord {
                what,
                detail: "call edge without its profile operand".into(),
            })?;
            if has_profile {
                edge.hotness = Hotness::from_bits(info & 7);
                edge.tail_call = info & 8 != 0;
            } else {
                edge.rel_block_freq = info & ((1 << REL_BLOCK_FREQ_BITS) - 1);
                edge.tail_call = info & (1 << REL_BLOCK_FREQ_BITS) != 0;
            }
        }
        calls.push(edge);
        i += 1 + extra;
    }
    Ok(GlobalSummary {
        guid: values.guid(value_id, what)?,
        name: values.name(value_id),
        flags: gv_flags,
        refs,
        kind: SummaryKind::Function {
            inst_count,
            flags: FunctionFlags::decode(fflags),
            calls,
        },
    })
}
