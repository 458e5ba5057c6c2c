//! Cache keys of backends: a digest of everything a backend's object
//! depends on, so that a relink reruns only the backends whose inputs
//! changed.
//!
//! A backend is a pure function of its plan, the bitcode of its module and
//! of the modules it imports from, the code-generation options and the
//! toolchain (dtlto's and LLVM's versions). The key covers exactly those:
//! - the toolchain and the options, as the caller spells them;
//! - the plan: the module's own hash and triple, every resolution,
//!   promotion, internalization and liveness decision for its globals, and
//!   per import source the values imported and the names promoted there;
//! - the identity of the content of the module and of each import source:
//!   the module hash clang stores in ThinLTO bitcode (`MODULE_CODE_HASH`,
//!   a SHA-1 of the module; it changes when any name changes, even to one
//!   of the same length), as LLVM's own cache keys do; for bitcode without
//!   that hash, a digest of its bytes.
//!
//! Left out on purpose, because they cannot change the object: the paths
//! of the modules (an unchanged file moved elsewhere still hits) and the
//! plan's cost estimate, which only orders the work.

use md5::{Digest, Md5};
use serde::Serialize;

use crate::plan::{BackendPlan, GlobalPlan, ImportedValue};
use crate::summary::ModuleHash;

/// The identity of a module's content in keys.
pub type ContentDigest = [u8; 16];

/// Digest of bytes: for bitcode without a module hash.
pub fn content_digest(bytes: &[u8]) -> ContentDigest {
    let mut h = Md5::new();
    h.update(b"bytes");
    h.update(bytes);
    h.finalize().into()
}

/// A module's content identity: its module hash if it has one (reading
/// the whole bitcode again for every relink would cost more than the
/// rest of a no-change relink), else a digest of its bytes.
pub fn module_digest(hash: &ModuleHash, bytes: &[u8]) -> ContentDigest {
    if hash.is_zero() {
        return content_digest(bytes);
    }
    let mut h = Md5::new();
    h.update(b"module hash");
    for word in hash.0 {
        h.update(word.to_le_bytes());
    }
    h.finalize().into()
}

#[derive(Serialize)]
struct PlanView<'a> {
    format_version: u32,
    module_hash: &'a ModuleHash,
    source_file_name: &'a str,
    triple: &'a str,
    globals: &'a [GlobalPlan],
    imports: Vec<SourceView<'a>>,
}

#[derive(Serialize)]
struct SourceView<'a> {
    module_hash: &'a ModuleHash,
    source_file_name: &'a str,
    values: &'a [ImportedValue],
    promoted: &'a [(String, String)],
}

/// An `io::Write` that feeds a digest and counts bytes.
struct DigestWriter(Md5, u64);

impl std::io::Write for DigestWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        self.1 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The key of one backend, as 32 hex digits.
///
/// `toolchain` names the producer (dtlto and LLVM versions) and
/// `options` the code-generation options, one per element, in a fixed
/// order. `imports` holds the content digest of each of the plan's import
/// sources, in the plan's order.
pub fn backend_key(
    toolchain: &str,
    options: &[String],
    plan: &BackendPlan,
    module: &ContentDigest,
    imports: &[ContentDigest],
) -> String {
    let mut h = Md5::new();
    // Every field is length-prefixed, so no two different inputs can
    // serialize to the same byte stream.
    let mut field = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    field(b"dtlto backend key v1");
    field(toolchain.as_bytes());
    field(&(options.len() as u64).to_le_bytes());
    for option in options {
        field(option.as_bytes());
    }
    // The plan, streamed into the digest through a view that leaves the
    // paths and the cost out (no copy of the plan, no JSON text).
    let view = PlanView {
        format_version: plan.format_version,
        module_hash: &plan.module_hash,
        source_file_name: &plan.source_file_name,
        triple: &plan.triple,
        globals: &plan.globals,
        imports: plan
            .imports
            .iter()
            .map(|s| SourceView {
                module_hash: &s.module_hash,
                source_file_name: &s.source_file_name,
                values: &s.values,
                promoted: &s.promoted,
            })
            .collect(),
    };
    let mut json = DigestWriter(Md5::new(), 0);
    // Writing plain data into a digest cannot fail.
    let _ = serde_json::to_writer(&mut json, &view);
    field(&json.1.to_le_bytes());
    field(&json.0.finalize());
    field(module);
    field(&(imports.len() as u64).to_le_bytes());
    for digest in imports {
        field(digest);
    }
    h.finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{GlobalPlan, ImportSource, PLAN_FORMAT_VERSION};
    use crate::summary::{Linkage, Visibility};

    fn plan() -> BackendPlan {
        BackendPlan {
            format_version: PLAN_FORMAT_VERSION,
            module: "obj/main.o".into(),
            module_hash: Default::default(),
            source_file_name: "main.c".into(),
            triple: "x86_64-pc-linux-gnu".into(),
            cost: 10,
            globals: vec![GlobalPlan {
                name: "f".into(),
                rename: None,
                linkage: Linkage::External,
                visibility: Visibility::Default,
                live: true,
                internalize_after_import: false,
                write_only: false,
            }],
            imports: vec![ImportSource {
                module: "obj/util.o".into(),
                module_hash: Default::default(),
                source_file_name: "util.c".into(),
                values: Vec::new(),
                promoted: Vec::new(),
            }],
        }
    }

    fn key(plan: &BackendPlan, options: &[&str], module: &[u8], import: &[u8]) -> String {
        let options: Vec<String> = options.iter().map(|s| s.to_string()).collect();
        backend_key(
            "dtlto 0 / LLVM 22",
            &options,
            plan,
            &content_digest(module),
            &[content_digest(import)],
        )
    }

    #[test]
    fn modules_are_known_by_their_hash_or_else_their_bytes() {
        let h = ModuleHash([1, 2, 3, 4, 5]);
        assert_eq!(module_digest(&h, b"one"), module_digest(&h, b"two"));
        assert_ne!(
            module_digest(&h, b"one"),
            module_digest(&ModuleHash([1, 2, 3, 4, 6]), b"one")
        );
        let none = ModuleHash::default();
        assert_ne!(module_digest(&none, b"one"), module_digest(&none, b"two"));
        assert_eq!(module_digest(&none, b"one"), content_digest(b"one"));
    }

    #[test]
    fn what_cannot_change_the_object_does_not_change_the_key() {
        let base = key(&plan(), &["-O2"], b"main", b"util");
        assert_eq!(base.len(), 32);
        let mut moved = plan();
        moved.module = "elsewhere/main.o".into();
        moved.imports[0].module = "elsewhere/util.o".into();
        moved.cost = 99;
        assert_eq!(key(&moved, &["-O2"], b"main", b"util"), base);
    }

    #[test]
    fn every_input_of_the_backend_changes_the_key() {
        let base = key(&plan(), &["-O2"], b"main", b"util");
        let mut keys = vec![
            key(&plan(), &["-O3"], b"main", b"util"),
            key(&plan(), &["-O2", "--mcpu=skylake"], b"main", b"util"),
            key(&plan(), &["-O2"], b"main2", b"util"),
            key(&plan(), &["-O2"], b"main", b"util2"),
        ];
        let mut p = plan();
        p.globals[0].linkage = Linkage::Internal;
        keys.push(key(&p, &["-O2"], b"main", b"util"));
        let mut p = plan();
        p.globals[0].rename = Some("f.llvm.1".into());
        keys.push(key(&p, &["-O2"], b"main", b"util"));
        let mut p = plan();
        p.triple = "aarch64-unknown-linux-gnu".into();
        keys.push(key(&p, &["-O2"], b"main", b"util"));
        let mut p = plan();
        p.imports[0].promoted.push(("g".into(), "g.llvm.2".into()));
        keys.push(key(&p, &["-O2"], b"main", b"util"));
        let options: Vec<String> = vec!["-O2".into()];
        keys.push(backend_key(
            "dtlto 1 / LLVM 22",
            &options,
            &plan(),
            &content_digest(b"main"),
            &[content_digest(b"util")],
        ));
        // Option boundaries count: ["-O", "2"] is not ["-O2"].
        keys.push(key(&plan(), &["-O", "2"], b"main", b"util"));
        for (i, k) in keys.iter().enumerate() {
            assert_ne!(k, &base, "change {i} kept the key");
        }
        let unique: std::collections::BTreeSet<&String> = keys.iter().collect();
        assert_eq!(unique.len(), keys.len());
    }
}
