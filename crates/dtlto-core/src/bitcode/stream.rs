//! Walks the bitstream once and keeps the raw records the thin link needs.

use llvm_bitcode::bitcode::{Payload, Record};
use llvm_bitcode::{BitStreamVisitor, Bitcode};

use super::BitcodeError;

// Block ids (llvm/Bitcode/LLVMBitCodes.h, FIRST_APPLICATION_BLOCKID = 8).
const MODULE_BLOCK: u32 = 8;
const GLOBALVAL_SUMMARY_BLOCK: u32 = 20;
const STRTAB_BLOCK: u32 = 23;
const FULL_LTO_GLOBALVAL_SUMMARY_BLOCK: u32 = 24;
const SYMTAB_BLOCK: u32 = 25;

/// A record flattened to its code and all operand values (scalar fields
/// followed by the array payload, if any).
#[derive(Debug, Clone)]
pub(crate) struct RawRecord {
    pub code: u64,
    pub ops: Vec<u64>,
}

#[derive(Debug, Default)]
pub(crate) struct RawModule {
    pub modules: usize,
    pub module_records: Vec<RawRecord>,
    pub summary_records: Vec<RawRecord>,
    pub has_summary: bool,
    pub has_full_lto_summary: bool,
    pub strtab: Option<Vec<u8>>,
    pub symtab: Option<Vec<u8>>,
}

struct Collector {
    raw: RawModule,
    stack: Vec<u32>,
    /// Keep only STRTAB and SYMTAB: the MODULE block is skipped by its
    /// length, as a linker does when it only wants the symbols.
    symbols_only: bool,
}

impl BitStreamVisitor for Collector {
    fn should_enter_block(&mut self, id: u32) -> bool {
        let parent = self.stack.last().copied();
        let enter = match (parent, id) {
            (None, MODULE_BLOCK) => {
                self.raw.modules += 1;
                !self.symbols_only
            }
            (None, STRTAB_BLOCK | SYMTAB_BLOCK) => true,
            (Some(MODULE_BLOCK), GLOBALVAL_SUMMARY_BLOCK) => {
                self.raw.has_summary = true;
                true
            }
            (Some(MODULE_BLOCK), FULL_LTO_GLOBALVAL_SUMMARY_BLOCK) => {
                self.raw.has_full_lto_summary = true;
                false
            }
            _ => false,
        };
        if enter {
            self.stack.push(id);
        }
        enter
    }

    fn did_exit_block(&mut self, _id: u32) {
        self.stack.pop();
    }

    fn visit(&mut self, block_id: u32, mut record: Record) {
        // Only the first module's records are kept; a second module is an
        // error reported after the walk.
        if self.raw.modules > 1 {
            return;
        }
        match block_id {
            MODULE_BLOCK => {
                let rec = flatten(&mut record);
                self.raw.module_records.push(rec);
            }
            GLOBALVAL_SUMMARY_BLOCK => {
                let rec = flatten(&mut record);
                self.raw.summary_records.push(rec);
            }
            STRTAB_BLOCK | SYMTAB_BLOCK => {
                if let Some(Payload::Blob(blob)) = record.take_payload() {
                    let slot = if block_id == STRTAB_BLOCK {
                        &mut self.raw.strtab
                    } else {
                        &mut self.raw.symtab
                    };
                    if slot.is_none() {
                        *slot = Some(blob);
                    }
                }
            }
            _ => {}
        }
    }
}

fn flatten(record: &mut Record) -> RawRecord {
    let mut ops = record.fields().to_vec();
    match record.take_payload() {
        Some(Payload::Array(values)) => ops.extend(values),
        Some(Payload::Char6String(s)) => ops.extend(s.bytes().map(u64::from)),
        Some(Payload::Blob(bytes)) => ops.extend(bytes.into_iter().map(u64::from)),
        None => {}
    }
    RawRecord {
        code: record.id,
        ops,
    }
}

pub(crate) fn collect(data: &[u8], symbols_only: bool) -> Result<RawModule, BitcodeError> {
    let mut collector = Collector {
        raw: RawModule::default(),
        stack: Vec::new(),
        symbols_only,
    };
    Bitcode::read(data, &mut collector).map_err(|e| BitcodeError::Bitstream(e.to_string()))?;
    let raw = collector.raw;
    match raw.modules {
        0 => Err(BitcodeError::NoModule),
        1 => Ok(raw),
        n => Err(BitcodeError::MultipleModules(n)),
    }
}
