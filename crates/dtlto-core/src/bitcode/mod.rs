//! Reading what the thin link needs out of LLVM bitcode, without building IR.
//!
//! A `clang -flto=thin -c` object is a bitstream with a MODULE block, a
//! string table (STRTAB) and the linker's symbol table (SYMTAB, the
//! "irsymtab"). From the MODULE block we keep only its small records
//! (triple, source file name, module hash, one record per global value) and
//! the GLOBALVAL_SUMMARY sub-block; function bodies, metadata, constants and
//! types are skipped by their block length without being decoded.
//!
//! Steps: [`stream`] walks the bitstream and collects raw records,
//! [`module`] turns the global records into named globals with GUIDs,
//! [`summary`] decodes the summary records against those value ids, and
//! [`symtab`] decodes the irsymtab blob.
//!
//! Pitfalls: names live in the STRTAB that follows the MODULE block, so
//! nothing can be named until the whole file has been walked; summary
//! records refer to globals by *value id*, which is the order of the
//! GLOBALVAR, FUNCTION and ALIAS records.

mod module;
mod stream;
mod summary;
mod symtab;

pub use module::{positions_by_path, BitcodeModule, IrGlobal, IrGlobalKind};
pub use symtab::{SymbolFlags, SymtabSymbol};

use thiserror::Error;

/// Why a bitcode file could not be read. The file is named by the caller
/// (see [`read_bitcode`]), which wraps these in [`ReadError`].
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum BitcodeError {
    #[error("not LLVM bitcode (bad magic)")]
    BadMagic,
    #[error("malformed bitstream: {0}")]
    Bitstream(String),
    #[error("no MODULE block")]
    NoModule,
    #[error(
        "contains {0} modules (split LTO unit); dtlto reads single-module ThinLTO objects only"
    )]
    MultipleModules(usize),
    #[error("malformed {what} record: {detail}")]
    BadRecord { what: &'static str, detail: String },
    #[error(
        "has no ThinLTO summary; compile it with `-flto=thin` (plain `-flto` or `-emit-llvm` \
         bitcode cannot be thin-linked)"
    )]
    NoSummary,
    #[error("has a regular (full) LTO summary; compile it with `-flto=thin` instead of `-flto`")]
    FullLtoSummary,
    #[error("summary version {0} is not supported (LLVM 22 writes 1 to 12)")]
    SummaryVersion(u64),
    #[error("malformed symbol table: {0}")]
    Symtab(String),
}

/// An unreadable bitcode file, named.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("{path}: {error}")]
pub struct ReadError {
    pub path: String,
    pub error: BitcodeError,
}

/// True if `data` starts like a bitcode file (raw or wrapped).
pub fn is_bitcode(data: &[u8]) -> bool {
    data.starts_with(b"BC\xC0\xDE") || data.starts_with(&[0xDE, 0xC0, 0x17, 0x0B])
}

/// Reads one ThinLTO bitcode module. `path` is the module identifier used
/// everywhere after this (for an archive member, `archive.a(member.o)`).
pub fn read_bitcode(path: &str, data: &[u8]) -> Result<BitcodeModule, ReadError> {
    read_module(path, data, Bytes::Keep)
}

/// Whether a module read keeps its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bytes {
    /// For backends: in-process, delegated or cached.
    Keep,
    /// For a thin link alone (index-only outputs, summaries): the bytes
    /// of every module would be most of its memory; `bitcode` is empty.
    Drop,
}

/// [`read_bitcode`], keeping the module's bytes or not.
pub fn read_module(path: &str, data: &[u8], bytes: Bytes) -> Result<BitcodeModule, ReadError> {
    read_inner(path, data, bytes).map_err(|error| ReadError {
        path: path.to_string(),
        error,
    })
}

/// The linker's view of a bitcode file: its irsymtab symbols and comdat
/// names, without the module or its summary (what a linker plugin reports
/// when it claims the file; [`read_bitcode`] later gives the same symbols).
pub fn read_symbols(
    path: &str,
    data: &[u8],
) -> Result<(Vec<SymtabSymbol>, Vec<String>), ReadError> {
    let inner = || -> Result<_, BitcodeError> {
        if !is_bitcode(data) {
            return Err(BitcodeError::BadMagic);
        }
        let raw = stream::collect(data, true)?;
        let table = symtab::decode(raw.symtab.as_deref(), raw.strtab.as_deref())?;
        Ok((table.symbols, table.comdats))
    };
    inner().map_err(|error| ReadError {
        path: path.to_string(),
        error,
    })
}

fn read_inner(path: &str, data: &[u8], bytes: Bytes) -> Result<BitcodeModule, BitcodeError> {
    if !is_bitcode(data) {
        return Err(BitcodeError::BadMagic);
    }
    let raw = stream::collect(data, false)?;
    let mut module = module::build(path, &raw)?;
    module.summaries = summary::decode(&raw, &module)?;
    // Grown record by record; every module stays in memory for the whole
    // link, so the slack of their growth is given back.
    module.summaries.shrink_to_fit();
    module.globals.shrink_to_fit();
    let table = symtab::decode(raw.symtab.as_deref(), raw.strtab.as_deref())?;
    module.symbols = table.symbols;
    module.symtab_comdats = table.comdats;
    if bytes == Bytes::Keep {
        module.bitcode = std::sync::Arc::from(data);
    }
    Ok(module)
}
