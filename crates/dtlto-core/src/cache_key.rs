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
//!   per import source the values imported (the names imported code uses
//!   for the source's locals follow from the source's module hash);
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

use crate::plan::BackendPlan;
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

fn hash_words(hash: &ModuleHash) -> [u8; 20] {
    let mut out = [0; 20];
    for (chunk, word) in out.chunks_mut(4).zip(hash.0) {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    out
}

/// An MD5 digest of length-prefixed fields, so that no two different
/// field sequences feed it the same bytes; shared by backend keys and the
/// link records of dtlto-cli.
pub struct FieldDigest(Md5);

impl FieldDigest {
    /// A digest whose first field names what is keyed (and its version).
    pub fn new(kind: &[u8]) -> FieldDigest {
        let mut d = FieldDigest(Md5::new());
        d.field(kind);
        d
    }

    pub fn field(&mut self, bytes: &[u8]) {
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }

    /// A list: its length, then each element as a field.
    pub fn fields<T: AsRef<[u8]>>(&mut self, items: &[T]) {
        self.field(&(items.len() as u64).to_le_bytes());
        for item in items {
            self.field(item.as_ref());
        }
    }

    /// 32 hex digits.
    pub fn hex(self) -> String {
        self.0
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
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
    let mut h = FieldDigest::new(b"dtlto backend key v4");
    let mut field = |bytes: &[u8]| h.field(bytes);
    field(toolchain.as_bytes());
    field(&(options.len() as u64).to_le_bytes());
    for option in options {
        field(option.as_bytes());
    }
    // The plan, fed to the digest field by field (no copy of the plan, no
    // JSON text: this runs for every module on every relink), paths and
    // cost left out.
    field(&plan.format_version.to_le_bytes());
    field(&hash_words(&plan.module_hash));
    field(plan.source_file_name.as_bytes());
    field(plan.triple.as_bytes());
    field(&plan.parts.to_le_bytes());
    field(&(plan.globals.len() as u64).to_le_bytes());
    for g in &plan.globals {
        field(g.name.as_bytes());
        match &g.rename {
            Some(new) => {
                field(b"renamed");
                field(new.as_bytes());
            }
            None => field(b"kept"),
        }
        field(&[
            g.linkage as u8,
            g.visibility as u8,
            g.live as u8,
            g.internalize_after_import as u8,
            g.write_only as u8,
        ]);
    }
    field(&(plan.imports.len() as u64).to_le_bytes());
    for source in &plan.imports {
        field(&hash_words(&source.module_hash));
        field(source.source_file_name.as_bytes());
        field(&(source.values.len() as u64).to_le_bytes());
        for v in &source.values {
            // The name alone: unique in its source module, whose hash is
            // above.
            field(v.name.as_bytes());
            field(&[
                v.kind as u8,
                v.is_variable as u8,
                v.internalize as u8,
                v.write_only as u8,
            ]);
        }
    }
    field(&(plan.dso_local.len() as u64).to_le_bytes());
    for name in &plan.dso_local {
        field(name.as_bytes());
    }
    field(module);
    field(&(imports.len() as u64).to_le_bytes());
    for digest in imports {
        field(digest);
    }
    h.hex()
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
            parts: 1,
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
            }],
            dso_local: vec!["f".into()],
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
        p.globals[0].visibility = Visibility::Hidden;
        keys.push(key(&p, &["-O2"], b"main", b"util"));
        let mut p = plan();
        p.parts = 3;
        keys.push(key(&p, &["-O2"], b"main", b"util"));
        let mut p = plan();
        p.globals[0].live = false;
        keys.push(key(&p, &["-O2"], b"main", b"util"));
        let mut p = plan();
        p.imports[0].values.push(crate::plan::ImportedValue {
            name: "g".into(),
            kind: crate::import::ImportKind::Definition,
            is_variable: false,
            internalize: false,
            write_only: false,
        });
        keys.push(key(&p, &["-O2"], b"main", b"util"));
        let mut p = plan();
        p.dso_local.clear();
        keys.push(key(&p, &["-O2"], b"main", b"util"));
        let mut p = plan();
        p.module_hash = ModuleHash([9, 9, 9, 9, 9]);
        keys.push(key(&p, &["-O2"], b"main", b"util"));
        let mut p = plan();
        p.triple = "aarch64-unknown-linux-gnu".into();
        keys.push(key(&p, &["-O2"], b"main", b"util"));
        let mut p = plan();
        p.imports[0].module_hash = ModuleHash([2, 0, 0, 0, 0]);
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
