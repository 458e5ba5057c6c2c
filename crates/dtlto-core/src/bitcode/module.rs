//! Module identity and the module's global values, from MODULE block records.

use serde::{Deserialize, Serialize};

use super::stream::{RawModule, RawRecord};
use super::symtab::SymtabSymbol;
use super::BitcodeError;
use crate::guid::{guid, Guid};
use crate::summary::{GlobalSummary, Linkage, ModuleHash, Visibility};

// MODULE_BLOCK record codes.
const MODULE_CODE_TRIPLE: u64 = 2;
const MODULE_CODE_GLOBALVAR: u64 = 7;
const MODULE_CODE_FUNCTION: u64 = 8;
const MODULE_CODE_ALIAS: u64 = 14;
const MODULE_CODE_SOURCE_FILENAME: u64 = 16;
const MODULE_CODE_HASH: u64 = 17;
const MODULE_CODE_IFUNC: u64 = 18;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IrGlobalKind {
    Variable,
    Function,
    Alias,
    IFunc,
}

/// One global value of the module, as its MODULE_CODE_* record declares it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IrGlobal {
    pub name: String,
    pub guid: Guid,
    pub kind: IrGlobalKind,
    pub linkage: Linkage,
    pub visibility: Visibility,
    pub is_declaration: bool,
    /// The record's `dso_local` (the compiler's word, before the thin
    /// link's): a plan need not ask for what is set already.
    pub dso_local: bool,
}

/// Everything the thin link knows about one bitcode module.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BitcodeModule {
    /// The module identifier: the input path, or `archive(member)`.
    pub path: String,
    pub triple: String,
    pub source_file_name: String,
    pub hash: ModuleHash,
    /// Global values in value-id order.
    pub globals: Vec<IrGlobal>,
    /// Per-module summaries, in record order.
    pub summaries: Vec<GlobalSummary>,
    /// The irsymtab: what a linker sees.
    pub symbols: Vec<SymtabSymbol>,
    /// The irsymtab's comdat names (only groups with symbols), indexed by
    /// [`SymtabSymbol::comdat`].
    pub symtab_comdats: Vec<String>,
    /// FS_FLAGS of the summary block.
    pub summary_flags: u64,
    /// The bitcode itself, for the module's backend and its importers.
    #[serde(skip)]
    pub bitcode: std::sync::Arc<[u8]>,
}

/// Position of each module by its identifier: plans name import sources
/// by identifier, and every consumer of a plan needs the module behind it.
pub fn positions_by_path(
    modules: &[std::sync::Arc<BitcodeModule>],
) -> std::collections::HashMap<&str, usize> {
    modules
        .iter()
        .enumerate()
        .map(|(i, m)| (m.path.as_str(), i))
        .collect()
}

pub(crate) fn string_of(ops: &[u64]) -> Vec<u8> {
    ops.iter().map(|&c| c as u8).collect()
}

fn op(rec: &RawRecord, index: usize, what: &'static str) -> Result<u64, BitcodeError> {
    rec.ops
        .get(index)
        .copied()
        .ok_or_else(|| BitcodeError::BadRecord {
            what,
            detail: format!("operand {index} missing ({} operands)", rec.ops.len()),
        })
}

fn strtab_name<'a>(
    strtab: &'a [u8],
    rec: &RawRecord,
    what: &'static str,
) -> Result<&'a [u8], BitcodeError> {
    let offset = op(rec, 0, what)? as usize;
    let size = op(rec, 1, what)? as usize;
    offset
        .checked_add(size)
        .and_then(|end| strtab.get(offset..end))
        .ok_or_else(|| BitcodeError::BadRecord {
            what,
            detail: format!("name {offset}+{size} outside the string table"),
        })
}

pub(crate) fn build(path: &str, raw: &RawModule) -> Result<BitcodeModule, BitcodeError> {
    if raw.has_full_lto_summary && !raw.has_summary {
        return Err(BitcodeError::FullLtoSummary);
    }
    if !raw.has_summary {
        return Err(BitcodeError::NoSummary);
    }
    let strtab = raw.strtab.as_deref().ok_or(BitcodeError::BadRecord {
        what: "STRTAB",
        detail: "the file has no string table (bitcode older than LLVM 5?)".into(),
    })?;

    let mut module = BitcodeModule {
        path: path.to_string(),
        triple: String::new(),
        source_file_name: String::new(),
        hash: ModuleHash::default(),
        globals: Vec::new(),
        summaries: Vec::new(),
        symbols: Vec::new(),
        symtab_comdats: Vec::new(),
        summary_flags: 0,
        bitcode: std::sync::Arc::from(&[][..]),
    };
    // The source file name is needed for local GUIDs; it precedes the
    // global records in practice, but do not rely on record order.
    let mut source_file_name = Vec::new();
    for rec in &raw.module_records {
        match rec.code {
            MODULE_CODE_TRIPLE => {
                module.triple = String::from_utf8_lossy(&string_of(&rec.ops)).into_owned()
            }
            MODULE_CODE_SOURCE_FILENAME => source_file_name = string_of(&rec.ops),
            MODULE_CODE_HASH => {
                if rec.ops.len() != 5 {
                    return Err(BitcodeError::BadRecord {
                        what: "MODULE_CODE_HASH",
                        detail: format!("{} words instead of 5", rec.ops.len()),
                    });
                }
                for (slot, v) in module.hash.0.iter_mut().zip(&rec.ops) {
                    *slot = *v as u32;
                }
            }
            _ => {}
        }
    }
    module.source_file_name = String::from_utf8_lossy(&source_file_name).into_owned();

    for rec in &raw.module_records {
        // v2 records: [strtab offset, strtab size, v1 fields...]; the
        // linkage is v1 field 3 in every kind. Visibility and dso_local
        // sit in the optional tail (absent: default, not dso_local); an
        // ifunc record has no dso_local field.
        let (kind, what, decl, visibility_at, dso_local_at) = match rec.code {
            MODULE_CODE_GLOBALVAR => {
                let has_init = op(rec, 4, "MODULE_CODE_GLOBALVAR")? != 0;
                (
                    IrGlobalKind::Variable,
                    "MODULE_CODE_GLOBALVAR",
                    !has_init,
                    8,
                    Some(15),
                )
            }
            MODULE_CODE_FUNCTION => {
                let is_proto = op(rec, 4, "MODULE_CODE_FUNCTION")? != 0;
                (
                    IrGlobalKind::Function,
                    "MODULE_CODE_FUNCTION",
                    is_proto,
                    9,
                    Some(17),
                )
            }
            MODULE_CODE_ALIAS => (IrGlobalKind::Alias, "MODULE_CODE_ALIAS", false, 6, Some(10)),
            MODULE_CODE_IFUNC => (IrGlobalKind::IFunc, "MODULE_CODE_IFUNC", false, 6, None),
            _ => continue,
        };
        let name = strtab_name(strtab, rec, what)?;
        let linkage = Linkage::from_record_value(op(rec, 5, what)?);
        let visibility = rec
            .ops
            .get(visibility_at)
            .map(|&v| Visibility::from_bits(v))
            .unwrap_or(Visibility::Default);
        let dso_local = dso_local_at.and_then(|at| rec.ops.get(at)) == Some(&1);
        module.globals.push(IrGlobal {
            name: String::from_utf8_lossy(name).into_owned(),
            guid: guid(name, linkage, &source_file_name),
            kind,
            linkage,
            visibility,
            is_declaration: decl,
            dso_local,
        });
    }
    Ok(module)
}

impl BitcodeModule {
    /// The global with this GUID, if the module declares or defines it.
    pub fn global_by_guid(&self, guid: Guid) -> Option<&IrGlobal> {
        self.globals.iter().find(|g| g.guid == guid)
    }

    /// Instruction count of the whole module, from its function summaries:
    /// the size estimate backends are scheduled by.
    pub fn instruction_count(&self) -> u64 {
        self.summaries.iter().map(|s| s.inst_count() as u64).sum()
    }
}
