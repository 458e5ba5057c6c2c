//! Global unique identifiers, computed the way LLVM computes them.
//!
//! LLVM names every global value in a summary by a 64-bit GUID: the low
//! 64 bits (little-endian) of the MD5 of its *global identifier*. A global
//! with external linkage is identified by its name; a local (internal or
//! private) one by `<source file name>;<name>`, so that two `static`
//! functions called `helper` in different files get different GUIDs.

use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::summary::Linkage;

/// A global value's GUID.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Guid(pub u64);

/// Maps and sets keyed by GUID, with rustc's Fx hash: a GUID is already
/// an MD5 digest, so SipHash's protection buys nothing and costs most of a
/// lookup, and the thin link looks GUIDs up millions of times on a big
/// program.
pub type GuidMap<V> = rustc_hash::FxHashMap<Guid, V>;
pub type GuidSet = rustc_hash::FxHashSet<Guid>;

impl fmt::Debug for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// LLVM's `GlobalValue::getGlobalIdentifier`: the string a GUID is hashed from.
pub fn global_identifier(name: &[u8], linkage: Linkage, source_file_name: &[u8]) -> Vec<u8> {
    // A leading \1 tells the backend not to mangle the name; it is not part
    // of the identifier.
    let name = name.strip_prefix(b"\x01").unwrap_or(name);
    let mut id = Vec::with_capacity(name.len() + source_file_name.len() + 1);
    if linkage.is_local() {
        if source_file_name.is_empty() {
            id.extend_from_slice(b"<unknown>");
        } else {
            id.extend_from_slice(source_file_name);
        }
        id.push(b';');
    }
    id.extend_from_slice(name);
    id
}

/// The GUID of an already formed global identifier.
pub fn guid_of_identifier(identifier: &[u8]) -> Guid {
    let digest = Md5::digest(identifier);
    let mut low = [0u8; 8];
    low.copy_from_slice(&digest[..8]);
    Guid(u64::from_le_bytes(low))
}

/// The GUID of a global value with this name and linkage, defined in a
/// module compiled from `source_file_name`.
pub fn guid(name: &[u8], linkage: Linkage, source_file_name: &[u8]) -> Guid {
    guid_of_identifier(&global_identifier(name, linkage, source_file_name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_guid_is_md5_of_name() {
        // `main` as printed by llvm-dis-22 for a clang-22 -flto=thin object.
        assert_eq!(
            guid(b"main", Linkage::External, b"main.c"),
            Guid(15822663052811949562)
        );
    }

    #[test]
    fn local_guid_includes_source_file() {
        let a = guid(b"helper", Linkage::Internal, b"a.c");
        let b = guid(b"helper", Linkage::Internal, b"b.c");
        assert_ne!(a, b);
        assert_eq!(a, guid_of_identifier(b"a.c;helper"));
    }

    #[test]
    fn unmangled_marker_is_ignored() {
        assert_eq!(
            guid(b"\x01foo", Linkage::External, b"x.c"),
            guid(b"foo", Linkage::External, b"x.c")
        );
    }
}
