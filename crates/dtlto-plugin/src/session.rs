//! One link as the plugin sees it, free of FFI: the files it claimed, the
//! symbols it reported for them, and — once the linker has resolved every
//! symbol — the thin link and backends that turn them into native
//! objects. `lib.rs` moves data between the linker and this module.
//!
//! Faithful to LLVMgold (llvm/tools/gold/gold-plugin.cpp) where the
//! plugin interface leaves a choice: which symbols are reported (global,
//! not format-specific: what `lto::InputFile` keeps), how a linker
//! resolution becomes an LTO `SymbolResolution`, when the link stops
//! (`thinlto-index-only` ends it after writing the index outputs).

#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use dtlto_cli::backends::jobs_or_all_cores;
use dtlto_cli::delegate::Temporaries;
use dtlto_cli::native;
use dtlto_cli::output::{temp_dir_beside, write_atomic};
use dtlto_cli::thin_link_cmd::write_index_outputs;
use dtlto_cli::trace::Trace;
use dtlto_core::bitcode::{self, BitcodeModule, SymtabSymbol};
use dtlto_core::import;
use dtlto_core::input::{member_id, member_names, prebuilt_key};
use dtlto_core::resolution::{self, Origin, Resolution, ResolvedModule, SymbolResolution};
use dtlto_core::summary::Visibility;
use dtlto_core::thinlink::{self, ThinLinkConfig};
use dtlto_llvm::{BackendOptions, RelocModel};
use rayon::prelude::*;

use crate::api;
use crate::options::Options;

/// `LDPT_LINKER_OUTPUT`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputKind {
    Relocatable,
    Executable,
    Shared,
    Pie,
}

/// A symbol as reported to the linker (`struct ld_plugin_symbol`'s
/// fields, owned).
pub struct LinkerSymbol {
    pub name: CString,
    pub kind: std::ffi::c_char,
    pub visibility: std::ffi::c_int,
    pub comdat_key: Option<CString>,
}

/// A bitcode file the plugin claimed. Claiming reads only its symbol
/// table (the linker claims files one at a time); the module and its
/// summary are read at all-symbols-read, every file at once.
pub struct Claimed {
    /// The linker's handle for the file, kept as an address.
    pub handle: usize,
    /// The module identifier (`archive(member at offset)` for members).
    pub id: String,
    data: Vec<u8>,
    /// The irsymtab, as `read_bitcode` will give it.
    symtab: Vec<SymtabSymbol>,
    /// The module's own file, when it is a whole file (not an archive
    /// member): delegated jobs read it in place.
    pub file: Option<PathBuf>,
    /// Indices into `module.symbols` of the symbols reported, in order.
    pub reported: Vec<usize>,
    /// Its name among `prebuilt-module=` options (`prebuilt_key`), when
    /// `dtlto link` runs the link.
    prebuilt_key: Option<String>,
    pub symbols: Vec<LinkerSymbol>,
}

/// What `all_symbols_read` asks the linker to do next.
pub enum Outcome {
    /// Add these objects to the link, in order.
    Link(Vec<PathBuf>),
    /// `thinlto-index-only`, `emit-asm`, `disable-output`: the index
    /// outputs or the assembly are written (or nothing); the link stops
    /// here with success and no output.
    Stop,
}

pub struct Session {
    pub options: Options,
    pub output: String,
    pub kind: OutputKind,
    pub claimed: Vec<Claimed>,
    /// Whether every copy of a symbol may be left out of the dynamic
    /// symbol table (LLVMgold's `CanOmitFromDynSym`), by name.
    can_omit: HashMap<String, bool>,
    /// Whether every copy of a symbol has default visibility (LLVMgold's
    /// `DefaultVisibility`), by name.
    default_visibility: HashMap<String, bool>,
    /// Member names of the archives members were claimed from, by data
    /// offset.
    archives: HashMap<String, HashMap<u64, String>>,
    started: Instant,
    /// The objects handed to the linker and the delegation's files: they
    /// must outlive the link, and go in the cleanup hook.
    kept_dirs: Vec<tempfile::TempDir>,
    kept_files: Vec<Temporaries>,
    /// Objects kept in memory files, which the linker reads until the end.
    kept_memory: Vec<std::fs::File>,
    /// Reported symbols outlive the thin link: linkers keep pointers to
    /// their names until the link ends.
    reported: Vec<Vec<LinkerSymbol>>,
    /// The thread freeing the thin link's data while the linker links.
    releasing: Option<std::thread::JoinHandle<()>>,
}

impl Session {
    pub fn new(options: Options, output: String, kind: OutputKind) -> Session {
        Session {
            options,
            output,
            kind,
            claimed: Vec::new(),
            can_omit: HashMap::new(),
            default_visibility: HashMap::new(),
            archives: HashMap::new(),
            started: Instant::now(),
            kept_dirs: Vec::new(),
            kept_files: Vec::new(),
            kept_memory: Vec::new(),
            reported: Vec::new(),
            releasing: None,
        }
    }

    /// The claim-file hook's work for a file that starts like bitcode:
    /// read it and choose the symbols to report. `offset` is where the
    /// file starts inside `name` (non-zero for an archive member).
    pub fn claim(&mut self, name: &str, offset: u64, data: Vec<u8>, handle: usize) -> Result<()> {
        let id = if offset == 0 {
            name.to_string()
        } else {
            self.member_name(name, offset)?
        };
        let (symtab, comdats) = bitcode::read_symbols(&id, &data)?;
        let mut reported = Vec::new();
        let mut symbols = Vec::new();
        for (i, sym) in symtab.iter().enumerate() {
            // What lto::InputFile keeps: the rest play no part in
            // resolution.
            if !sym.flags.is_global() || sym.flags.is_format_specific() {
                continue;
            }
            let f = sym.flags;
            let kind = if f.is_undefined() {
                if f.is_weak() {
                    api::LDPK_WEAKUNDEF
                } else {
                    api::LDPK_UNDEF
                }
            } else if f.is_common() {
                api::LDPK_COMMON
            } else if f.is_weak() {
                api::LDPK_WEAKDEF
            } else {
                api::LDPK_DEF
            };
            let visibility = match f.visibility() {
                Visibility::Default => api::LDPV_DEFAULT,
                Visibility::Hidden => api::LDPV_HIDDEN,
                Visibility::Protected => api::LDPV_PROTECTED,
            };
            // A nodeduplicate comdat has no key: the linker must not drop
            // its other copies (module.symtab_comdats keeps only names, so
            // every comdat is keyed; clang emits nodeduplicate only for
            // COFF and some sanitizer metadata).
            let comdat_key = sym
                .comdat
                .and_then(|c| comdats.get(c as usize))
                .map(|c| cstring(c, &id))
                .transpose()?;
            *self.can_omit.entry(sym.name.clone()).or_insert(true) &= f.may_omit();
            *self
                .default_visibility
                .entry(sym.name.clone())
                .or_insert(true) &= f.visibility() == Visibility::Default;
            reported.push(i);
            symbols.push(LinkerSymbol {
                name: cstring(&sym.name, &id)?,
                kind,
                visibility,
                comdat_key,
            });
        }
        let file = (offset == 0).then(|| PathBuf::from(name));
        let prebuilt_key =
            (!self.options.prebuilt.is_empty()).then(|| prebuilt_key(Path::new(name), offset));
        self.claimed.push(Claimed {
            handle,
            id,
            // With objects built already, the module itself is never read.
            data: if prebuilt_key.is_some() {
                Vec::new()
            } else {
                data
            },
            symtab,
            file,
            reported,
            symbols,
            prebuilt_key,
        });
        Ok(())
    }

    /// `archive(member at offset)`, the name `dtlto link` gives the same
    /// member, so plans and objects match it.
    fn member_name(&mut self, archive: &str, offset: u64) -> Result<String> {
        if !self.archives.contains_key(archive) {
            let data = std::fs::read(archive).with_context(|| format!("cannot read {archive}"))?;
            let names = member_names(archive, &data).unwrap_or_default();
            self.archives
                .insert(archive.to_string(), names.into_iter().collect());
        }
        Ok(match self.archives[archive].get(&offset) {
            Some(member) => member_id(archive, member, offset),
            // Not an archive we can read (the linker found bitcode inside
            // some other container): the offset still names it uniquely.
            None => format!("{archive}(at {offset})"),
        })
    }

    /// The all-symbols-read hook's work. `resolutions[i]` is what the
    /// linker answered for the symbols reported for `claimed[i]`, `None`
    /// for a file the link did not take.
    pub fn run(&mut self, resolutions: Vec<Option<Vec<i32>>>) -> Result<Outcome> {
        let trace = Trace::new(self.started);
        let t = Instant::now();
        let claimed = std::mem::take(&mut self.claimed);
        if !self.options.prebuilt.is_empty() {
            return self.link_prebuilt(claimed, &resolutions);
        }
        let mut taken = Vec::new();
        let mut skipped = Vec::new();
        for (k, (mut c, res)) in claimed.into_iter().zip(resolutions).enumerate() {
            self.reported.push(std::mem::take(&mut c.symbols));
            match res {
                Some(res) => taken.push((k, c, res)),
                None => skipped.push(c.id),
            }
        }
        // The modules the link took, read in parallel; each file's bytes
        // are let go once its module holds its own copy.
        let read: Vec<BitcodeModule> = taken
            .par_iter_mut()
            .map(|(_, c, _)| bitcode::read_bitcode(&c.id, &std::mem::take(&mut c.data)))
            .collect::<Result<_, _>>()?;
        let mut modules = Vec::with_capacity(read.len());
        let mut files = Vec::with_capacity(read.len());
        for ((k, c, res), module) in taken.into_iter().zip(read) {
            let symbols = self.symbol_resolutions(&c, &res)?;
            files.push(c.file);
            modules.push(ResolvedModule {
                module: module.into(),
                origin: Origin::Input(k),
                symbols,
            });
        }
        resolution::check_triples(modules.iter().map(|m| &*m.module))?;
        trace.span("Resolve", None, t);
        if self.options.index_only && self.options.emit_imports_files {
            // LLVMgold writes empty outputs for modules the link left out,
            // so that a build system finds every file it expects.
            for path in &skipped {
                write_atomic(
                    Path::new(&format!("{}.imports", self.index_path(path))),
                    b"",
                )?;
            }
        }
        if modules.is_empty() {
            return Ok(if self.options.index_only {
                self.write_linked_objects(&[])?;
                Outcome::Stop
            } else {
                Outcome::Link(Vec::new())
            });
        }
        let config = ThinLinkConfig {
            import: self.options.import.clone(),
            opt_level: self.options.opt_level.level(),
            split: self.options.split_config(),
            passes: self.options.passes,
            // The linker merges the bitcode symbols' visibility itself.
            resolved_visibility: false,
        };
        let t = Instant::now();
        let link = thinlink::thin_link(
            Resolution {
                modules,
                native_members: Vec::new(),
            },
            &config,
        )?;
        trace.span("Thin link", None, t);
        eprint!(
            "{}",
            import::diagnostics(
                &link.index,
                &link.imports,
                self.options.print_import_failures
            )
        );
        let thin_done = Instant::now();
        if self.options.verbose {
            eprintln!(
                "dtlto: the linker links {} ({:?}); {} modules",
                self.output,
                self.kind,
                link.plans.len()
            );
            for (stage, t) in &link.times.stages {
                eprintln!("dtlto: thin link: {stage:<10} {:.3}s", t.as_secs_f64());
            }
        }

        if self.options.index_only {
            write_index_outputs(
                &link.plans,
                self.options.prefix_replace.as_ref(),
                self.options.emit_imports_files,
            )?;
            let linked: Vec<&str> = link.plans.iter().map(|p| p.module.as_str()).collect();
            self.write_linked_objects(&linked)?;
            self.write_trace(&trace)?;
            return Ok(Outcome::Stop);
        }
        if self.options.disable_output {
            // LLVMgold's disable-output: its backends stop before they
            // optimize and the link ends with no output; here no backend
            // runs at all.
            self.write_trace(&trace)?;
            return Ok(Outcome::Stop);
        }

        let kept = native::BackendInputs::keep(link);

        let out_path = PathBuf::from(&self.output);
        let temps = temp_dir_beside(&out_path)?;

        let options = BackendOptions {
            opt_level: self.options.opt_level,
            // LLVMgold's pairing (0 at -O0), not lld's.
            codegen_level: self.options.opt_level.gold_codegen_level(),
            llvm_options: self.options.llvm_options.clone(),
            cpu: self.options.mcpu.clone(),
            features: self.options.mattr.clone(),
            // LLVMgold's choice: only a non-PIE executable is static.
            reloc: if self.kind == OutputKind::Executable {
                RelocModel::Static
            } else {
                RelocModel::Pic
            },
            verify: self.options.verify,
            // LLVMgold keeps one section per kind for `-r` output, which
            // is linked again later; function and data sections otherwise.
            function_sections: self.kind != OutputKind::Relocatable,
            data_sections: self.kind != OutputKind::Relocatable,
            pipeline: self.options.pipeline.clone(),
            aa_pipeline: self.options.aa_pipeline.clone(),
            remarks: self.options.remarks.options(&self.output),
            debug_pass_manager: self.options.debug_pass_manager,
            emit_asm: self.options.emit_asm,
            // LLVMgold's target options: no address-significance table,
            // and plain GOTPCREL on x86-64 (gold-plugin.cpp turns the
            // relaxable GOT relocations off).
            addrsig: false,
            relax_relocations: false,
            ..BackendOptions::default()
        };
        let jobs = jobs_or_all_cores(self.options.jobs);
        let distribution = &self.options.distribution;
        let built = native::build(
            &native::Request {
                modules: &kept.modules,
                plans: &kept.plans,
                module_files: &files,
                options: &options,
                jobs,
                distribution: (!distribution.distributor.is_empty()).then_some(distribution),
                cache_dir: self.options.cache_dir.as_deref(),
                cache_policy: &self.options.cache_policy,
                output: &out_path,
                temps: temps.path(),
                save_temps: self.options.save_temps,
                verbose: self.options.verbose,
                // The linker that loaded the plugin opens the objects in
                // this process: `/proc/self/fd/<n>` reaches them.
                store: dtlto_cli::backends::ObjectStore::Memory,
            },
            &trace,
        )?;
        trace.span(
            if distribution.distributor.is_empty() {
                "Backends"
            } else {
                "Distributed backends"
            },
            None,
            thin_done,
        );
        if let Some(remarks) = &options.remarks {
            // As LLVMgold's LTO: the (here empty) file of the regular LTO
            // part beside the backends' own.
            dtlto_llvm::write_regular_lto_remarks(remarks)
                .map_err(|e| anyhow::anyhow!("optimization remarks {}: {e}", remarks.file))?;
        }
        if let Some(path) = &self.options.obj_path {
            dtlto_cli::lto_outputs::write_regular_lto_object(
                path,
                &kept.plans[0].triple,
                &options,
            )?;
            dtlto_cli::lto_outputs::write_task_objects(path, &built.objects)?;
        }
        if self.options.save_temps {
            dtlto_cli::link_cmd::save_temps(
                temps.path(),
                &self.output,
                &kept.plans,
                None,
                built.cache_report.as_deref(),
            )?;
        }
        if self.options.emit_asm {
            // LLVMgold's emit-asm: the assembly goes where objects would
            // be kept (obj-path's names, written above), else to
            // <output><task>; then the link stops.
            if self.options.obj_path.is_none() {
                dtlto_cli::lto_outputs::write_task_objects(&self.output, &built.objects)?;
            }
            self.write_trace(&trace)?;
            return Ok(Outcome::Stop);
        }
        if self.options.verbose {
            eprintln!(
                "dtlto: read+thin link {:.3}s, backends {:.3}s ({} modules, {})",
                (thin_done - self.started).as_secs_f64(),
                thin_done.elapsed().as_secs_f64(),
                built.objects.len(),
                if distribution.distributor.is_empty() {
                    format!("-j {jobs}")
                } else {
                    format!("by {}", distribution.distributor)
                }
            );
        }
        self.write_trace(&trace)?;
        // Modules in order, a split module's parts in part order.
        let objects = built.objects.into_iter().flatten().collect();
        self.kept_dirs.push(temps);
        self.kept_files.extend(built.delegated);
        self.kept_memory.extend(built.memory);
        // The linker links the objects in this process next, its memory
        // on top of ours: the modules, the plans and the pages the
        // backends' threads freed go back to the system meanwhile, on a
        // thread of their own.
        self.releasing = Some(std::thread::spawn(move || {
            drop(kept.release_modules());
            dtlto_llvm::return_free_heap_pages();
        }));
        Ok(Outcome::Link(objects))
    }

    /// `dtlto link` ran the thin link and the backends already: the linker
    /// gets the objects it built, in the order the linker took the
    /// modules. Each module the linker took must have its objects and each
    /// module built must be taken; anything else means the linker resolved
    /// the link differently from dtlto, and the objects would not fit.
    fn link_prebuilt(
        &mut self,
        claimed: Vec<Claimed>,
        resolutions: &[Option<Vec<i32>>],
    ) -> Result<Outcome> {
        let mut built: HashMap<&str, &[String]> = self
            .options
            .prebuilt
            .iter()
            .map(|(key, objects)| (key.as_str(), objects.as_slice()))
            .collect();
        let mut objects = Vec::new();
        for (mut c, res) in claimed.into_iter().zip(resolutions) {
            self.reported.push(std::mem::take(&mut c.symbols));
            if res.is_none() {
                continue;
            }
            let key = c.prebuilt_key.as_deref().unwrap_or_default();
            let Some(theirs) = built.remove(key) else {
                anyhow::bail!(
                    "the linker took {}, for which dtlto link built no object",
                    c.id
                );
            };
            objects.extend(theirs.iter().map(PathBuf::from));
        }
        if let Some(key) = built.keys().min() {
            anyhow::bail!("dtlto link built {key}, which the linker did not take");
        }
        Ok(Outcome::Link(objects))
    }

    /// lto::SymbolResolution for each irsymtab symbol of `c`, from the
    /// linker's answers for the reported ones (LLVMgold's `addModule`).
    fn symbol_resolutions(&self, c: &Claimed, answers: &[i32]) -> Result<Vec<SymbolResolution>> {
        let mut out = vec![SymbolResolution::default(); c.symtab.len()];
        for (&i, &answer) in c.reported.iter().zip(answers) {
            let sym = &c.symtab[i];
            let defined = !sym.flags.is_undefined();
            let r = &mut out[i];
            match answer {
                api::LDPR_UNDEF
                | api::LDPR_PREEMPTED_REG
                | api::LDPR_PREEMPTED_IR
                | api::LDPR_RESOLVED_IR
                | api::LDPR_RESOLVED_EXEC => {}
                api::LDPR_RESOLVED_DYN => r.export_dynamic = true,
                api::LDPR_PREVAILING_DEF_IRONLY => r.prevailing = defined,
                api::LDPR_PREVAILING_DEF => {
                    r.prevailing = defined;
                    r.visible_to_regular_obj = true;
                }
                api::LDPR_PREVAILING_DEF_IRONLY_EXP => {
                    r.prevailing = defined;
                    r.export_dynamic = true;
                    // Exported dynamically: a shared library the linker
                    // cannot see may use it, unless every copy may be
                    // left out of the dynamic symbol table.
                    if !self.can_omit.get(&sym.name).copied().unwrap_or(false) {
                        r.visible_to_regular_obj = true;
                    }
                }
                other => anyhow::bail!(
                    "{}: the linker gave symbol {} the resolution {other}, which the plugin \
                     interface does not define",
                    c.id,
                    sym.name
                ),
            }
            // __start_SEC / __stop_SEC: the linker needs the section kept.
            if is_c_identifier(&sym.section) {
                r.visible_to_regular_obj = true;
            }
            // LLVMgold: resolved in the output (not to a shared library, not
            // undefined) and not preemptible there — an executable, or a
            // symbol no copy of which has default visibility.
            let executable = matches!(self.kind, OutputKind::Executable | OutputKind::Pie);
            let default_visibility = self
                .default_visibility
                .get(&sym.name)
                .copied()
                .unwrap_or(true);
            r.final_definition = answer != api::LDPR_RESOLVED_DYN
                && answer != api::LDPR_UNDEF
                && (executable || !default_visibility);
            // A relocatable output is linked again: whatever it defines may
            // be used there (lld's rule for -r). mold answers IRONLY for
            // -r, and LLVMgold, taking that literally, drops everything.
            if self.kind == OutputKind::Relocatable && r.prevailing {
                r.visible_to_regular_obj = true;
            }
        }
        Ok(out)
    }

    /// Where index-only outputs for `module` go (`thinlto-prefix-replace`).
    fn index_path(&self, module: &str) -> String {
        match &self.options.prefix_replace {
            Some(p) => p.apply(module),
            None => module.to_string(),
        }
    }

    fn write_linked_objects(&self, modules: &[&str]) -> Result<()> {
        if let Some(file) = &self.options.linked_objects_file {
            dtlto_cli::thin_link_cmd::write_linked_objects(
                Path::new(file),
                modules.iter().copied(),
                self.options.prefix_replace.as_ref(),
            )?;
        }
        Ok(())
    }

    fn write_trace(&self, trace: &Trace) -> Result<()> {
        if let Some(path) = &self.options.time_trace {
            trace.span("Total", None, self.started);
            trace.write(Path::new(path))?;
        }
        Ok(())
    }

    /// The cleanup hook: remove the objects and delegation files (unless
    /// `save-temps` copied them out already).
    pub fn cleanup(&mut self) {
        if let Some(releasing) = self.releasing.take() {
            let _ = releasing.join();
        }
        self.kept_files.clear();
        self.kept_dirs.clear();
        self.kept_memory.clear();
    }
}

fn cstring(text: &str, module: &str) -> Result<CString> {
    CString::new(text).with_context(|| format!("{module}: a symbol name contains a NUL byte"))
}

/// LLVMgold's `isValidCIdentifier`: the sections the linker defines
/// `__start_`/`__stop_` symbols for.
fn is_c_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_identifier_sections() {
        assert!(is_c_identifier("my_section"));
        assert!(is_c_identifier("_s1"));
        assert!(!is_c_identifier(".text.foo"));
        assert!(!is_c_identifier("1abc"));
        assert!(!is_c_identifier(""));
    }
}
