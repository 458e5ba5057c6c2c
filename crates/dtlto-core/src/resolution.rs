//! Symbol resolution: which definition of every symbol prevails, and which
//! symbols are seen from outside the LTO unit — the answers lld gives LTO
//! as `SymbolResolution`s.
//!
//! Files are visited in link order. Archive members are lazy (lld's rule,
//! not GNU ld's): a member is pulled in as soon as anything, earlier or
//! later on the line, references a symbol it defines. Among definitions a
//! strong one beats a weak or common one, a larger common beats a smaller,
//! and otherwise the first one seen wins. A comdat group is kept from the
//! first file that has it; the other files' members of that group do not
//! define anything.

use rustc_hash::FxHashMap;

use thiserror::Error;

use crate::bitcode::BitcodeModule;
use crate::input::{InputFile, MemberContent, NativeSymbol};
use crate::summary::Visibility;

/// How the output is linked, as far as resolution cares.
#[derive(Clone, Debug, Default)]
pub struct ResolveOptions {
    /// `-shared`: every default-visibility definition is exported.
    pub shared: bool,
    /// `--export-dynamic` / `-rdynamic`.
    pub export_dynamic: bool,
    /// The entry symbol (`-e`), kept alive.
    pub entry: Option<String>,
    /// `-u SYM`: treated as referenced from outside.
    pub undefined: Vec<String>,
    /// Do not report undefined symbols (`-shared`, `--unresolved-symbols`).
    pub allow_undefined: bool,
    /// Final definitions as LLVMgold (which GNU ld, gold and mold load)
    /// decides them rather than lld: every copy of a symbol the output
    /// resolves, not only those lld has not yet handed to LTO.
    pub gold_final_definitions: bool,
}

/// lld's `lto::SymbolResolution` for one irsymtab symbol.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SymbolResolution {
    /// This module's definition is the one the link keeps.
    pub prevailing: bool,
    /// Something outside the LTO unit (a native object, `-u`, the entry
    /// point, a dynamic export) needs the symbol.
    pub visible_to_regular_obj: bool,
    /// The symbol is in the dynamic symbol table of the output.
    pub export_dynamic: bool,
    /// lld's `FinalDefinitionInLinkageUnit`: the symbol resolves to a
    /// (non-shared) definition that nothing outside can preempt — in an
    /// executable any definition, in a shared library a hidden one.
    #[serde(default)]
    pub final_definition: bool,
    /// The symbol's visibility merged over every object and bitcode file
    /// of the link, references included: what the linker's symbol table
    /// holds, and a final link of the backends' objects alone may not see.
    #[serde(default)]
    pub visibility: Visibility,
}

/// Where a selected bitcode module came from on the link line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    Input(usize),
    Member { input: usize, member: usize },
}

/// A bitcode module that takes part in the link, with the resolution of
/// each of its irsymtab symbols.
#[derive(Debug)]
pub struct ResolvedModule {
    /// Shared with the input it was read from: the thin link reads it, the
    /// inputs stay whole for the final link.
    pub module: std::sync::Arc<BitcodeModule>,
    pub origin: Origin,
    pub symbols: Vec<SymbolResolution>,
}

#[derive(Debug)]
pub struct Resolution {
    /// Selected bitcode modules, in link order (archive members in the
    /// order they were pulled in).
    pub modules: Vec<ResolvedModule>,
    /// Native archive members pulled into the link: (input, member).
    pub native_members: Vec<(usize, usize)>,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ResolveError {
    #[error("duplicate symbol: {symbol}\n>>> defined in {first}\n>>> defined in {second}")]
    Duplicate {
        symbol: String,
        first: String,
        second: String,
    },
    #[error("undefined symbol: {symbol}\n>>> referenced by {referenced_by}")]
    Undefined {
        symbol: String,
        referenced_by: String,
    },
    #[error("{path}: target triple `{triple}` differs from `{expected}` of {first}")]
    MixedTriples {
        path: String,
        triple: String,
        expected: String,
        first: String,
    },
}

/// Every module must be for the first one's target: one link, one
/// target (a linker plugin, given its modules by the linker, checks this
/// too).
pub fn check_triples<'a>(
    mut modules: impl Iterator<Item = &'a BitcodeModule>,
) -> Result<(), ResolveError> {
    let Some(first) = modules.next() else {
        return Ok(());
    };
    for m in modules {
        if !same_target(&m.triple, &first.triple) {
            return Err(ResolveError::MixedTriples {
                path: m.path.clone(),
                triple: m.triple.clone(),
                expected: first.triple.clone(),
                first: first.path.clone(),
            });
        }
    }
    Ok(())
}

/// Who provides a symbol's current definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Provider {
    /// Module index into the selection, symbol index into its irsymtab.
    Bitcode(usize, usize),
    /// A native file (its display name is kept in `names`).
    Native(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Strength {
    Shared,
    Common(u64),
    Weak,
    Strong,
}

#[derive(Clone, Copy, Debug)]
enum Def {
    None,
    Lazy { input: usize, member: usize },
    Defined(Provider, Strength),
}

struct Entry {
    def: Def,
    used_in_regular_obj: bool,
    /// A shared library defines or references the name: a definition in
    /// the output must be in its dynamic symbol table (to satisfy the
    /// library's reference, or to interpose the library's definition).
    in_shared: bool,
    /// First file with a non-weak reference, for the undefined-symbol error.
    first_strong_ref: Option<usize>,
    /// The most constraining visibility any loaded object or bitcode file
    /// gives the name, definition or reference (lld's
    /// `Symbol::mergeProperties`; shared libraries do not count).
    visibility: Visibility,
}

impl Entry {
    fn new() -> Entry {
        Entry {
            def: Def::None,
            used_in_regular_obj: false,
            in_shared: false,
            first_strong_ref: None,
            visibility: Visibility::Default,
        }
    }

    fn merge_visibility(&mut self, v: Visibility) {
        self.visibility = self.visibility.merge(v);
    }
}

struct Resolver<'a> {
    inputs: &'a [InputFile],
    opts: &'a ResolveOptions,
    /// By name, borrowed from the inputs: every symbol of every file is
    /// looked up here, so no name is copied.
    table: FxHashMap<&'a str, Entry>,
    /// Display names of every file visited; `Provider::Native` and refs index it.
    names: Vec<String>,
    comdats: FxHashMap<&'a str, usize>,
    selected: Vec<(Origin, &'a std::sync::Arc<BitcodeModule>)>,
    /// Per selected module: symbol indices whose comdat was discarded.
    discarded: Vec<Vec<bool>>,
    native_members: Vec<(usize, usize)>,
    fetched: Vec<Vec<bool>>,
    pending: Vec<(usize, usize)>,
}

pub fn resolve(inputs: &[InputFile], opts: &ResolveOptions) -> Result<Resolution, ResolveError> {
    let mut r = Resolver {
        inputs,
        opts,
        table: FxHashMap::default(),
        names: Vec::new(),
        comdats: FxHashMap::default(),
        selected: Vec::new(),
        discarded: Vec::new(),
        native_members: Vec::new(),
        fetched: inputs
            .iter()
            .map(|f| match f {
                InputFile::Archive { members, .. } => vec![false; members.len()],
                _ => Vec::new(),
            })
            .collect(),
        pending: Vec::new(),
    };
    let command_line = r.name("<command line>");
    for sym in opts.undefined.iter().chain(opts.entry.iter()) {
        r.reference(sym, command_line, false);
        r.entry(sym).used_in_regular_obj = true;
    }
    for (index, input) in inputs.iter().enumerate() {
        match input {
            InputFile::Bitcode(m) => r.add_bitcode(Origin::Input(index), m)?,
            InputFile::Object { path, symbols } => r.add_native(path, symbols)?,
            InputFile::Shared { path, symbols } => r.add_shared(path, symbols)?,
            InputFile::Archive { members, .. } => {
                for (m, member) in members.iter().enumerate() {
                    for name in member_definitions(&member.content) {
                        r.add_lazy(name, index, m);
                    }
                }
            }
        }
        r.drain()?;
    }
    r.check_triples()?;
    r.check_undefined()?;
    Ok(r.finish())
}

fn member_definitions(content: &MemberContent) -> Vec<&str> {
    match content {
        MemberContent::Bitcode(m) => m
            .symbols
            .iter()
            .filter(|s| {
                !s.flags.is_undefined() && s.flags.is_global() && !s.flags.is_format_specific()
            })
            .map(|s| s.name.as_str())
            .collect(),
        MemberContent::Object(symbols) => symbols
            .iter()
            .filter(|s| s.defined)
            .map(|s| s.name.as_str())
            .collect(),
    }
}

impl<'a> Resolver<'a> {
    fn name(&mut self, name: &str) -> usize {
        self.names.push(name.to_string());
        self.names.len() - 1
    }

    fn entry(&mut self, sym: &'a str) -> &mut Entry {
        self.table.entry(sym).or_insert_with(Entry::new)
    }

    /// A reference; a non-weak one pulls in a lazy archive member.
    fn reference(&mut self, sym: &'a str, file: usize, weak: bool) {
        let entry = self.entry(sym);
        if !weak && entry.first_strong_ref.is_none() {
            entry.first_strong_ref = Some(file);
        }
        if let (false, Def::Lazy { input, member }) = (weak, entry.def) {
            entry.def = Def::None;
            self.pending.push((input, member));
        }
    }

    fn add_lazy(&mut self, sym: &'a str, input: usize, member: usize) {
        let entry = self.entry(sym);
        match entry.def {
            Def::None if entry.first_strong_ref.is_some() => self.pending.push((input, member)),
            Def::None => entry.def = Def::Lazy { input, member },
            _ => {}
        }
    }

    fn define(
        &mut self,
        sym: &'a str,
        provider: Provider,
        strength: Strength,
    ) -> Result<(), ResolveError> {
        let names = &self.names;
        let selected = &self.selected;
        let entry = self.table.entry(sym).or_insert_with(Entry::new);
        let replace = match entry.def {
            Def::None | Def::Lazy { .. } => true,
            Def::Defined(old, old_strength) => match (old_strength, strength) {
                (Strength::Strong, Strength::Strong) => {
                    let describe = |p: Provider| match p {
                        Provider::Bitcode(m, _) => selected[m].1.path.clone(),
                        Provider::Native(f) => names[f].clone(),
                    };
                    return Err(ResolveError::Duplicate {
                        symbol: sym.to_string(),
                        first: describe(old),
                        second: describe(provider),
                    });
                }
                (Strength::Common(a), Strength::Common(b)) => b > a,
                (old, new) => new > old,
            },
        };
        if replace {
            entry.def = Def::Defined(provider, strength);
        }
        Ok(())
    }

    fn add_bitcode(
        &mut self,
        origin: Origin,
        m: &'a std::sync::Arc<BitcodeModule>,
    ) -> Result<(), ResolveError> {
        let file = self.name(&m.path);
        let index = self.selected.len();
        self.selected.push((origin, m));
        // Comdats this module keeps: the ones no earlier file had.
        let kept: Vec<bool> = m
            .symtab_comdats
            .iter()
            .map(|name| match self.comdats.get(name.as_str()) {
                Some(_) => false,
                None => {
                    self.comdats.insert(name, file);
                    true
                }
            })
            .collect();
        let mut discarded = vec![false; m.symbols.len()];
        for (i, sym) in m.symbols.iter().enumerate() {
            // Intrinsics and other llvm.* names are not linker symbols.
            if !sym.flags.is_global() || sym.flags.is_format_specific() {
                continue;
            }
            self.entry(&sym.name)
                .merge_visibility(sym.flags.visibility());
            let in_dropped_comdat = sym
                .comdat
                .is_some_and(|c| !kept.get(c as usize).copied().unwrap_or(true));
            if sym.flags.is_undefined() || in_dropped_comdat {
                discarded[i] = in_dropped_comdat;
                self.reference(&sym.name, file, sym.flags.is_weak());
                continue;
            }
            let strength = if sym.flags.is_common() {
                Strength::Common(sym.common_size as u64)
            } else if sym.flags.is_weak() {
                Strength::Weak
            } else {
                Strength::Strong
            };
            self.define(&sym.name, Provider::Bitcode(index, i), strength)?;
            // A defining module also references: lld keeps the lazy member
            // out, the definition above already replaced it.
        }
        self.discarded.push(discarded);
        Ok(())
    }

    fn add_native(&mut self, path: &str, symbols: &'a [NativeSymbol]) -> Result<(), ResolveError> {
        let file = self.name(path);
        for sym in symbols {
            let entry = self.entry(&sym.name);
            entry.used_in_regular_obj = true;
            entry.merge_visibility(sym.visibility);
            if !sym.defined {
                self.reference(&sym.name, file, sym.weak);
                continue;
            }
            let strength = match sym.common_size {
                Some(size) => Strength::Common(size),
                None if sym.weak => Strength::Weak,
                None => Strength::Strong,
            };
            self.define(&sym.name, Provider::Native(file), strength)?;
        }
        Ok(())
    }

    fn add_shared(&mut self, path: &str, symbols: &'a [NativeSymbol]) -> Result<(), ResolveError> {
        let file = self.name(path);
        for sym in symbols {
            // A shared library's reference never pulls archive members (lld).
            self.entry(&sym.name).in_shared = true;
            if sym.defined {
                self.define(&sym.name, Provider::Native(file), Strength::Shared)?;
            }
        }
        Ok(())
    }

    /// Pulls in the archive members that references asked for.
    fn drain(&mut self) -> Result<(), ResolveError> {
        while let Some((input, member)) = self.pending.pop() {
            if std::mem::replace(&mut self.fetched[input][member], true) {
                continue;
            }
            let inputs: &'a [InputFile] = self.inputs;
            let InputFile::Archive { members, .. } = &inputs[input] else {
                continue;
            };
            let m = &members[member];
            match &m.content {
                MemberContent::Bitcode(module) => {
                    self.add_bitcode(Origin::Member { input, member }, module)?
                }
                MemberContent::Object(symbols) => {
                    self.native_members.push((input, member));
                    self.add_native(&m.id, symbols)?;
                }
            }
        }
        Ok(())
    }

    fn check_triples(&self) -> Result<(), ResolveError> {
        check_triples(self.selected.iter().map(|(_, m)| &***m))
    }

    fn check_undefined(&self) -> Result<(), ResolveError> {
        if self.opts.allow_undefined {
            return Ok(());
        }
        let mut missing: Vec<(&str, usize)> = self
            .table
            .iter()
            .filter_map(|(name, e)| match (e.def, e.first_strong_ref) {
                (Def::None, Some(file)) if !is_linker_defined(name) => Some((*name, file)),
                _ => None,
            })
            .collect();
        missing.sort();
        match missing.first() {
            Some((symbol, file)) => Err(ResolveError::Undefined {
                symbol: symbol.to_string(),
                referenced_by: self.names[*file].clone(),
            }),
            None => Ok(()),
        }
    }

    fn finish(self) -> Resolution {
        let mut modules: Vec<ResolvedModule> = Vec::with_capacity(self.selected.len());
        for (index, (origin, m)) in self.selected.iter().enumerate() {
            let symbols = m
                .symbols
                .iter()
                .enumerate()
                .map(|(i, sym)| {
                    let Some(entry) = self.table.get(sym.name.as_str()) else {
                        return SymbolResolution::default();
                    };
                    let prevailing = !self.discarded[index][i]
                        && matches!(entry.def, Def::Defined(Provider::Bitcode(mi, si), _) if mi == index && si == i);
                    // The visibility merged over the link's files, as lld
                    // decides with it: protected symbols are exported but
                    // final; hidden ones neither.
                    let visibility = entry.visibility;
                    let exported = visibility != Visibility::Hidden
                        && (self.opts.shared
                            || self.opts.export_dynamic
                            || entry.in_shared);
                    // lld: the global symbol is Defined (not shared, not
                    // common), and the output an executable or the symbol
                    // not default visibility. lld hands LTO one bitcode
                    // file at a time and undefines each prevailing symbol
                    // once its file is handed over, so a module after the
                    // prevailing one sees an undefined symbol: not final.
                    let defined = match entry.def {
                        Def::Defined(Provider::Bitcode(p, _), Strength::Weak | Strength::Strong) => {
                            p >= index || self.opts.gold_final_definitions
                        }
                        Def::Defined(_, Strength::Weak | Strength::Strong) => true,
                        // LLVMgold: anything but a shared library's or nothing.
                        Def::Defined(_, Strength::Common(_)) => self.opts.gold_final_definitions,
                        _ => false,
                    };
                    SymbolResolution {
                        prevailing,
                        visible_to_regular_obj: entry.used_in_regular_obj
                            || (prevailing && exported),
                        export_dynamic: exported,
                        final_definition: defined
                            && (!self.opts.shared || visibility != Visibility::Default),
                        visibility,
                    }
                })
                .collect();
            modules.push(ResolvedModule {
                module: std::sync::Arc::clone(m),
                origin: *origin,
                symbols,
            });
        }
        Resolution {
            modules,
            native_members: self.native_members,
        }
    }
}

/// Symbols the ELF linkers define themselves when they are referenced.
fn is_linker_defined(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "_GLOBAL_OFFSET_TABLE_",
        "_DYNAMIC",
        "__ehdr_start",
        "__executable_start",
        "__dso_handle",
        "_TLS_MODULE_BASE_",
        "__bss_start",
        "_end",
        "end",
        "_edata",
        "edata",
        "_etext",
        "etext",
        "__etext",
        "__init_array_start",
        "__init_array_end",
        "__fini_array_start",
        "__fini_array_end",
        "__preinit_array_start",
        "__preinit_array_end",
        "__rela_iplt_start",
        "__rela_iplt_end",
        "__rel_iplt_start",
        "__rel_iplt_end",
        "__global_pointer$",
        "_PROCEDURE_LINKAGE_TABLE_",
        "__GNU_EH_FRAME_HDR",
        "__eh_frame_hdr_start",
    ];
    NAMES.contains(&name)
        || name
            .strip_prefix("__start_")
            .or_else(|| name.strip_prefix("__stop_"))
            .is_some_and(|sec| !sec.is_empty())
}

/// Triples name the same target if architecture and OS agree (the vendor
/// field differs between e.g. `x86_64-pc-linux-gnu` and
/// `x86_64-unknown-linux-gnu`).
fn same_target(a: &str, b: &str) -> bool {
    let parts = |t: &str| {
        let p: Vec<&str> = t.split('-').collect();
        let arch = p.first().copied().unwrap_or("");
        let rest: Vec<&str> = p.iter().skip(2).copied().collect();
        (arch.to_string(), rest.join("-"))
    };
    parts(a) == parts(b)
}
