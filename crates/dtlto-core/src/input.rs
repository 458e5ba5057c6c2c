//! Link inputs: what each file on the link line is and which symbols it
//! defines and references. Bitcode is read with [`crate::bitcode`]; native
//! ELF objects, shared libraries and archives with the `object` crate.

use std::path::{Path, PathBuf};

use object::read::archive::ArchiveFile;
use object::{Object, ObjectSymbol};
use thiserror::Error;

use crate::bitcode::{self, BitcodeModule, ReadError};
use crate::summary::Visibility;

#[derive(Debug, Error)]
pub enum InputError {
    #[error("{path}: cannot read: {error}")]
    Io { path: String, error: std::io::Error },
    #[error(transparent)]
    Bitcode(#[from] ReadError),
    #[error("{path}: not a valid ELF file: {detail}")]
    BadObject { path: String, detail: String },
    #[error("{path}: {detail}")]
    BadArchive { path: String, detail: String },
    #[error("{path}: unknown file type (not bitcode, ELF, an archive or a linker script)")]
    Unknown { path: String },
}

/// A symbol of a native (non-LTO) object or shared library.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NativeSymbol {
    pub name: String,
    pub defined: bool,
    pub weak: bool,
    pub common_size: Option<u64>,
    /// ELF `st_other` visibility (internal counts as hidden): merged over
    /// the link's objects as linkers merge it.
    pub visibility: Visibility,
}

/// One file that takes part in symbol resolution.
#[derive(Clone, Debug)]
pub enum InputFile {
    Bitcode(std::sync::Arc<BitcodeModule>),
    Object {
        path: String,
        symbols: Vec<NativeSymbol>,
    },
    Shared {
        path: String,
        symbols: Vec<NativeSymbol>,
    },
    Archive {
        path: String,
        members: Vec<ArchiveMember>,
    },
}

/// An archive member: bitcode or a native object, not yet selected.
#[derive(Clone, Debug)]
pub struct ArchiveMember {
    /// lld's identifier: `archive(member at offset)`.
    pub id: String,
    /// Where its data starts in the archive (0 in a thin archive): what a
    /// linker plugin is told.
    pub offset: u64,
    pub content: MemberContent,
}

#[derive(Clone, Debug)]
pub enum MemberContent {
    Bitcode(std::sync::Arc<BitcodeModule>),
    Object(Vec<NativeSymbol>),
}

impl InputFile {
    /// Lets go of what only the thin link and the backends read: each
    /// bitcode module's bytes, IR globals and summaries, wherever this file
    /// holds the module's only reference. Paths, symbols and member ids,
    /// what a final link is built from, stay.
    pub fn release_module_data(&mut self) {
        let release = |module: &mut std::sync::Arc<BitcodeModule>| {
            if let Some(m) = std::sync::Arc::get_mut(module) {
                m.bitcode = std::sync::Arc::from(&[][..]);
                m.globals = Vec::new();
                m.summaries = Vec::new();
            }
        };
        match self {
            InputFile::Bitcode(m) => release(m),
            InputFile::Archive { members, .. } => {
                for member in members {
                    if let MemberContent::Bitcode(m) = &mut member.content {
                        release(m);
                    }
                }
            }
            InputFile::Object { .. } | InputFile::Shared { .. } => {}
        }
    }

    pub fn path(&self) -> &str {
        match self {
            InputFile::Bitcode(m) => &m.path,
            InputFile::Object { path, .. }
            | InputFile::Shared { path, .. }
            | InputFile::Archive { path, .. } => path,
        }
    }
}

/// What a file is, by its content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Bitcode,
    ElfRelocatable,
    ElfShared,
    Archive,
    /// A GNU ld script (e.g. Debian's libc.so); the driver expands it.
    LinkerScript,
    Unknown,
}

pub fn file_kind(data: &[u8]) -> FileKind {
    if bitcode::is_bitcode(data) {
        return FileKind::Bitcode;
    }
    if data.starts_with(b"!<arch>\n") || data.starts_with(b"!<thin>\n") {
        return FileKind::Archive;
    }
    if data.starts_with(b"\x7fELF") && data.len() >= 18 {
        // e_type, little or big endian by EI_DATA.
        let e_type = if data[5] == 2 {
            u16::from_be_bytes([data[16], data[17]])
        } else {
            u16::from_le_bytes([data[16], data[17]])
        };
        return match e_type {
            1 => FileKind::ElfRelocatable,
            3 => FileKind::ElfShared,
            _ => FileKind::Unknown,
        };
    }
    let head = &data[..data.len().min(4096)];
    if std::str::from_utf8(head).is_ok_and(|s| {
        let s = s.trim_start();
        ["GROUP", "INPUT", "OUTPUT_FORMAT", "/*", "SEARCH_DIR"]
            .iter()
            .any(|k| s.starts_with(k))
    }) {
        return FileKind::LinkerScript;
    }
    FileKind::Unknown
}

fn read_file(path: &Path) -> Result<Vec<u8>, InputError> {
    std::fs::read(path).map_err(|error| InputError::Io {
        path: path.display().to_string(),
        error,
    })
}

/// Reads one input file (not a linker script) for resolution, keeping
/// the bytes of bitcode modules for their backends.
pub fn load(path: &Path) -> Result<InputFile, InputError> {
    load_with(path, Bitcode::Keep)
}

/// Whether bitcode modules keep their bytes once read.
pub use crate::bitcode::Bytes as Bitcode;

pub fn load_with(path: &Path, bitcode: Bitcode) -> Result<InputFile, InputError> {
    let data = read_file(path)?;
    load_contents(path, &data, bitcode)
}

/// Reads one input file from its contents, however they were brought into
/// memory (`dtlto` maps them, as lld does: resolution touches only the
/// symbol tables of a shared library or an archive's members).
pub fn load_contents(path: &Path, data: &[u8], bitcode: Bitcode) -> Result<InputFile, InputError> {
    let name = path.display().to_string();
    load_bytes(&name, path, data, bitcode)
}

fn load_bytes(
    name: &str,
    path: &Path,
    data: &[u8],
    keep: Bitcode,
) -> Result<InputFile, InputError> {
    match file_kind(data) {
        FileKind::Bitcode => Ok(InputFile::Bitcode(std::sync::Arc::new(
            bitcode::read_module(name, data, keep)?,
        ))),
        FileKind::ElfRelocatable => Ok(InputFile::Object {
            path: name.to_string(),
            symbols: native_symbols(name, data, false)?,
        }),
        FileKind::ElfShared => Ok(InputFile::Shared {
            path: name.to_string(),
            symbols: native_symbols(name, data, true)?,
        }),
        FileKind::Archive => load_archive(name, path, data, keep),
        FileKind::LinkerScript | FileKind::Unknown => Err(InputError::Unknown {
            path: name.to_string(),
        }),
    }
}

fn native_symbols(name: &str, data: &[u8], dynamic: bool) -> Result<Vec<NativeSymbol>, InputError> {
    let file = object::File::parse(data).map_err(|e| InputError::BadObject {
        path: name.to_string(),
        detail: e.to_string(),
    })?;
    let mut out = Vec::new();
    let symbols: Box<dyn Iterator<Item = object::Symbol<'_, '_>>> = if dynamic {
        Box::new(file.dynamic_symbols())
    } else {
        Box::new(file.symbols())
    };
    for sym in symbols {
        if sym.is_local() || !(sym.is_global() || sym.is_weak()) {
            continue;
        }
        let Ok(sym_name) = sym.name() else { continue };
        if sym_name.is_empty() {
            continue;
        }
        let common_size = sym.is_common().then(|| sym.size());
        let visibility = match sym.flags() {
            object::SymbolFlags::Elf { st_other, .. } => match st_other & 3 {
                object::elf::STV_PROTECTED => Visibility::Protected,
                object::elf::STV_DEFAULT => Visibility::Default,
                _ => Visibility::Hidden,
            },
            _ => Visibility::Default,
        };
        out.push(NativeSymbol {
            name: sym_name.to_string(),
            defined: !sym.is_undefined(),
            weak: sym.is_weak(),
            common_size,
            visibility,
        });
    }
    Ok(out)
}

/// The name of a module `dtlto link` built to hand a linker plugin its
/// objects (see `dtlto-plugin`'s `prebuilt-module=`): the file's canonical
/// path and where the module starts in it, which both sides know however
/// the link line spelled the path.
pub fn prebuilt_key(file: &Path, offset: u64) -> String {
    let file = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    format!("{}@{offset}", file.display())
}

/// The module identifier of an archive member: `archive(base at offset)`,
/// `offset` being where the member's data starts in the archive (what a
/// linker plugin is told), so that members of the same name stay apart.
pub fn member_id(archive: &str, member_name: &str, offset: u64) -> String {
    let base = Path::new(member_name).file_name().map_or_else(
        || member_name.to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    format!("{archive}({base} at {offset})")
}

/// The name of every member of a regular archive by the offset of its
/// data.
pub fn member_names(archive: &str, data: &[u8]) -> Result<Vec<(u64, String)>, InputError> {
    let bad = |detail: String| InputError::BadArchive {
        path: archive.to_string(),
        detail,
    };
    let parsed = ArchiveFile::parse(data).map_err(|e| bad(e.to_string()))?;
    let mut names = Vec::new();
    for member in parsed.members() {
        let member = member.map_err(|e| bad(e.to_string()))?;
        let (offset, _) = member.file_range();
        names.push((offset, String::from_utf8_lossy(member.name()).into_owned()));
    }
    Ok(names)
}

fn load_archive(
    name: &str,
    path: &Path,
    data: &[u8],
    keep: Bitcode,
) -> Result<InputFile, InputError> {
    let bad = |detail: String| InputError::BadArchive {
        path: name.to_string(),
        detail,
    };
    let archive = ArchiveFile::parse(data).map_err(|e| bad(e.to_string()))?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut members = Vec::new();
    for member in archive.members() {
        let member = member.map_err(|e| bad(e.to_string()))?;
        let member_name = String::from_utf8_lossy(member.name()).into_owned();
        let (member_data, offset): (std::borrow::Cow<'_, [u8]>, u64) = if member.is_thin() {
            let member_path: PathBuf = dir.join(&member_name);
            (read_file(&member_path)?.into(), 0)
        } else {
            let (offset, _) = member.file_range();
            (
                member.data(data).map_err(|e| bad(e.to_string()))?.into(),
                offset,
            )
        };
        let id = member_id(name, &member_name, offset);
        let content =
            match file_kind(&member_data) {
                FileKind::Bitcode => MemberContent::Bitcode(std::sync::Arc::new(
                    bitcode::read_module(&id, &member_data, keep)?,
                )),
                FileKind::ElfRelocatable => {
                    MemberContent::Object(native_symbols(&id, &member_data, false)?)
                }
                // Archives may carry other files (e.g. a symbol index of their
                // own); a linker ignores what it cannot link.
                _ => continue,
            };
        members.push(ArchiveMember {
            id,
            offset,
            content,
        });
    }
    Ok(InputFile::Archive {
        path: name.to_string(),
        members,
    })
}
