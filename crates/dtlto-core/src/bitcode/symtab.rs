//! The irsymtab: the symbol table LLVM embeds in bitcode for linkers
//! (llvm/Object/IRSymtab.h, storage format version 3). All integers are
//! little-endian 32-bit words; strings are (offset, size) into the STRTAB.

use serde::{Deserialize, Serialize};

use super::BitcodeError;

/// `storage::Symbol::FlagBits`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SymbolFlags(pub u32);

impl SymbolFlags {
    const UNDEFINED: u32 = 1 << 3;
    const WEAK: u32 = 1 << 4;
    const COMMON: u32 = 1 << 5;
    const INDIRECT: u32 = 1 << 6;
    const USED: u32 = 1 << 7;
    const TLS: u32 = 1 << 8;
    const MAY_OMIT: u32 = 1 << 9;
    const GLOBAL: u32 = 1 << 10;
    const FORMAT_SPECIFIC: u32 = 1 << 11;
    const UNNAMED_ADDR: u32 = 1 << 12;
    const EXECUTABLE: u32 = 1 << 13;

    pub fn visibility(self) -> crate::summary::Visibility {
        crate::summary::Visibility::from_bits((self.0 & 3) as u64)
    }
    pub fn is_undefined(self) -> bool {
        self.0 & Self::UNDEFINED != 0
    }
    pub fn is_weak(self) -> bool {
        self.0 & Self::WEAK != 0
    }
    pub fn is_common(self) -> bool {
        self.0 & Self::COMMON != 0
    }
    pub fn is_indirect(self) -> bool {
        self.0 & Self::INDIRECT != 0
    }
    /// Referenced from `llvm.used` / `llvm.compiler.used`.
    pub fn is_used(self) -> bool {
        self.0 & Self::USED != 0
    }
    pub fn is_tls(self) -> bool {
        self.0 & Self::TLS != 0
    }
    /// linkonce_odr + unnamed_addr (or local_unnamed_addr constant): the
    /// linker may drop it if nothing outside the LTO unit needs it.
    pub fn may_omit(self) -> bool {
        self.0 & Self::MAY_OMIT != 0
    }
    pub fn is_global(self) -> bool {
        self.0 & Self::GLOBAL != 0
    }
    pub fn is_format_specific(self) -> bool {
        self.0 & Self::FORMAT_SPECIFIC != 0
    }
    pub fn is_unnamed_addr(self) -> bool {
        self.0 & Self::UNNAMED_ADDR != 0
    }
    pub fn is_executable(self) -> bool {
        self.0 & Self::EXECUTABLE != 0
    }
}

/// One linker-visible symbol of a bitcode module.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SymtabSymbol {
    /// The mangled (object file) name.
    pub name: String,
    /// The IR name; empty for symbols that exist only in module asm.
    pub ir_name: String,
    /// Index into [`crate::bitcode::BitcodeModule::symtab_comdats`].
    pub comdat: Option<u32>,
    pub flags: SymbolFlags,
    pub common_size: u32,
    pub common_align: u32,
    pub section: String,
}

const HEADER_WORDS: usize = 19;
const SYMBOL_SIZE: usize = 24;
const UNCOMMON_SIZE: usize = 24;
const COMDAT_SIZE: usize = 12;
const CURRENT_VERSION: u32 = 3;
const HAS_UNCOMMON: u32 = 1 << 2;

struct Blob<'a> {
    bytes: &'a [u8],
    strtab: &'a [u8],
}

impl<'a> Blob<'a> {
    fn word(&self, at: usize) -> Result<u32, BitcodeError> {
        at.checked_add(4)
            .and_then(|end| self.bytes.get(at..end))
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .ok_or_else(|| BitcodeError::Symtab(format!("word at {at} past the end")))
    }

    fn string(&self, at: usize) -> Result<String, BitcodeError> {
        let offset = self.word(at)? as usize;
        let size = self.word(at + 4)? as usize;
        offset
            .checked_add(size)
            .and_then(|end| self.strtab.get(offset..end))
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .ok_or_else(|| BitcodeError::Symtab(format!("string {offset}+{size} past the end")))
    }

    /// A `Range<T>` of the header: (offset, count), checked to fit.
    fn range(&self, at: usize, elem: usize) -> Result<(usize, usize), BitcodeError> {
        let offset = self.word(at)? as usize;
        let count = self.word(at + 4)? as usize;
        let fits = count
            .checked_mul(elem)
            .and_then(|n| n.checked_add(offset))
            .is_some_and(|end| end <= self.bytes.len());
        if !fits {
            return Err(BitcodeError::Symtab(format!(
                "range of {count} x {elem} bytes at {offset} past the end"
            )));
        }
        Ok((offset, count))
    }
}

/// The irsymtab: symbols, and the comdat names their `comdat` indexes.
pub(crate) struct Symtab {
    pub symbols: Vec<SymtabSymbol>,
    pub comdats: Vec<String>,
}

pub(crate) fn decode(symtab: Option<&[u8]>, strtab: Option<&[u8]>) -> Result<Symtab, BitcodeError> {
    let (Some(bytes), Some(strtab)) = (symtab, strtab) else {
        return Err(BitcodeError::Symtab(
            "the file has no symbol table; it was not written by an LLVM 5+ compiler".into(),
        ));
    };
    let blob = Blob { bytes, strtab };
    if bytes.len() < HEADER_WORDS * 4 {
        return Err(BitcodeError::Symtab("header truncated".into()));
    }
    let version = blob.word(0)?;
    if version != CURRENT_VERSION {
        return Err(BitcodeError::Symtab(format!(
            "format version {version}, expected {CURRENT_VERSION}"
        )));
    }
    // Header: Version, Producer(2), Modules(2), Comdats(2), Symbols(2),
    // Uncommons(2), TargetTriple(2), SourceFileName(2), COFFLinkerOpts(2),
    // DependentLibraries(2).
    let (comdat_off, comdat_count) = blob.range(5 * 4, COMDAT_SIZE)?;
    let comdats = (0..comdat_count)
        .map(|i| blob.string(comdat_off + i * COMDAT_SIZE))
        .collect::<Result<Vec<_>, _>>()?;
    let (sym_off, sym_count) = blob.range(7 * 4, SYMBOL_SIZE)?;
    let (unc_off, unc_count) = blob.range(9 * 4, UNCOMMON_SIZE)?;
    let mut symbols = Vec::with_capacity(sym_count);
    let mut next_uncommon = 0usize;
    for i in 0..sym_count {
        let at = sym_off + i * SYMBOL_SIZE;
        let comdat = blob.word(at + 16)?;
        let flags = blob.word(at + 20)?;
        if comdat != u32::MAX && comdat as usize >= comdats.len() {
            return Err(BitcodeError::Symtab(format!(
                "comdat index {comdat} out of range"
            )));
        }
        let mut sym = SymtabSymbol {
            name: blob.string(at)?,
            ir_name: blob.string(at + 8)?,
            comdat: (comdat != u32::MAX).then_some(comdat),
            flags: SymbolFlags(flags),
            common_size: 0,
            common_align: 0,
            section: String::new(),
        };
        if flags & HAS_UNCOMMON != 0 {
            if next_uncommon >= unc_count {
                return Err(BitcodeError::Symtab(
                    "more uncommon symbols than entries".into(),
                ));
            }
            let u = unc_off + next_uncommon * UNCOMMON_SIZE;
            sym.common_size = blob.word(u)?;
            sym.common_align = blob.word(u + 4)?;
            sym.section = blob.string(u + 16)?;
            next_uncommon += 1;
        }
        symbols.push(sym);
    }
    Ok(Symtab { symbols, comdats })
}
