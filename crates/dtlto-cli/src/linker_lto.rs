//! LTO options written for the linker or for LLVM on a link line:
//! `-Wl,--lto-O3`, `-Xlinker --thinlto-jobs=4`, `-Wl,-mllvm,-import-cutoff=5`,
//! `-mllvm -import-instr-limit=50`, `-Wl,-plugin-opt=O1`.
//!
//! With `clang-22 -flto=thin` these reach lld's (or LLVMgold's) LTO. dtlto
//! runs the LTO itself and gives the final linker native objects only, so
//! the linker would ignore them without a word and the result would differ
//! from lld's. Each is taken out of the line here and applied as dtlto's
//! own option (LLVM options: given to LLVM for the backends), or refused
//! with a message naming it. lld's index-only options are taken by
//! `dtlto thin-link`, so an lld index-only link line runs there as it is.

use anyhow::{bail, Result};
use dtlto_core::import::ImportConfig;
use dtlto_core::thinlink::PassSwitches;

use crate::link_line::{
    import_option, obj_path, pipeline_text, set_import_option, LinkLine, OptLevel,
};

/// The linker arguments of one `-Wl,a,b,c` (or a run of `-Xlinker`s), LTO
/// options applied to `line` and removed; the rest, in order, for the
/// linker. An option whose value is the next argument (`-mllvm X`,
/// `-plugin-opt X`) takes it from the same list.
pub fn take_lto_options(line: &mut LinkLine, args: &[String]) -> Result<Vec<String>> {
    let mut kept = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let spelled = a.trim_start_matches('-');
        let next = |i: usize| -> Result<&str> {
            match args.get(i + 1) {
                Some(v) => Ok(v.as_str()),
                None => bail!("linker option `{a}` needs a value"),
            }
        };
        match spelled {
            "mllvm" => {
                apply_llvm_option(line, next(i)?)?;
                i += 1;
            }
            "plugin-opt" => {
                apply_plugin_opt(line, next(i)?)?;
                i += 1;
            }
            "thinlto-cache-policy" => {
                line.cache_policy = crate::cache::CachePolicy::parse(next(i)?)?;
                i += 1;
            }
            "opt-remarks-filename"
            | "opt-remarks-passes"
            | "opt-remarks-format"
            | "opt-remarks-hotness-threshold" => {
                line.remarks.set(a, spelled, next(i)?)?;
                i += 1;
            }
            "lto-newpm-passes" => {
                line.lto_pipeline = Some(pipeline_text(a, next(i)?)?);
                i += 1;
            }
            "lto-aa-pipeline" => {
                line.lto_aa_pipeline = Some(pipeline_text(a, next(i)?)?);
                i += 1;
            }
            "lto-obj-path" => {
                line.obj_path = Some(obj_path(a, next(i)?)?);
                i += 1;
            }
            _ => {
                if !apply_linker_option(line, a, spelled)? {
                    kept.push(a.to_string());
                }
            }
        }
        i += 1;
    }
    Ok(kept)
}

/// One linker argument (`spelled`: without its dashes): applied and
/// `true` if it is an LTO option, `false` if it is for the linker.
fn apply_linker_option(line: &mut LinkLine, a: &str, spelled: &str) -> Result<bool> {
    if let Some(v) = spelled.strip_prefix("mllvm=") {
        apply_llvm_option(line, v)?;
    } else if let Some(v) = spelled.strip_prefix("plugin-opt=") {
        apply_plugin_opt(line, v)?;
    } else if let Some(v) = spelled.strip_prefix("lto-O") {
        line.opt_level = lto_level(a, v)?;
    } else if let Some(v) = spelled.strip_prefix("lto-CGO") {
        line.codegen_level = Some(codegen_level(a, v)?);
    } else if let Some(v) = spelled.strip_prefix("thinlto-jobs=") {
        line.jobs = jobs(a, v)?;
    } else if let Some(v) = spelled.strip_prefix("thinlto-cache-dir=") {
        line.cache_dir = Some(v.to_string());
    } else if let Some(v) = spelled.strip_prefix("thinlto-cache-policy=") {
        line.cache_policy = crate::cache::CachePolicy::parse(v)?;
    } else if let Some(v) = spelled.strip_prefix("lto-newpm-passes=") {
        line.lto_pipeline = Some(pipeline_text(a, v)?);
    } else if let Some(v) = spelled.strip_prefix("lto-aa-pipeline=") {
        line.lto_aa_pipeline = Some(pipeline_text(a, v)?);
    } else if let Some(v) = spelled.strip_prefix("lto-obj-path=") {
        line.obj_path = Some(obj_path(a, v)?);
    } else if let Some(v) = spelled.strip_prefix("opt-remarks-hotness-threshold=") {
        line.remarks.set(a, "opt-remarks-hotness-threshold", v)?;
    } else if spelled == "opt-remarks-with-hotness" {
        line.remarks.set(a, spelled, "")?;
    } else if spelled == "lto-emit-asm" {
        line.emit_asm = true;
    } else if spelled == "lto-debug-pass-manager" {
        line.debug_pass_manager = true;
    } else if spelled == "save-temps" {
        line.save_temps = true;
    } else if spelled == "disable-verify" {
        line.disable_verify = true;
    } else if spelled == "thinlto-index-only" {
        line.index_only = Some(None);
    } else if let Some(file) = spelled.strip_prefix("thinlto-index-only=") {
        line.index_only = Some(Some(file.to_string()));
    } else if spelled == "thinlto-emit-imports-files" {
        line.emit_imports_files = true;
    } else if spelled == "thinlto-emit-index-files" {
        line.emit_index_files = true;
    } else if let Some(v) = spelled.strip_prefix("thinlto-prefix-replace=") {
        line.prefix_replace = Some(crate::link_line::PrefixReplace::parse(a, v)?);
    } else if let Some(v) = spelled.strip_prefix("thinlto-object-suffix-replace=") {
        line.object_suffix_replace = Some(crate::link_line::SuffixReplace::parse(a, v)?);
    } else if spelled.starts_with("lto-") || spelled.starts_with("thinlto-") {
        bail!("linker option `{a}`: dtlto does not support this LTO option");
    } else {
        return Ok(false);
    }
    Ok(true)
}

/// `-plugin-opt=X` (lld's alias set and LLVMgold's options).
fn apply_plugin_opt(line: &mut LinkLine, v: &str) -> Result<()> {
    let flag = format!("-plugin-opt={v}");
    if v.starts_with('-') {
        apply_llvm_option(line, v)
    } else if let Some(level) = v.strip_prefix('O') {
        line.opt_level = lto_level(&flag, level)?;
        Ok(())
    } else if let Some(n) = v.strip_prefix("jobs=") {
        line.jobs = jobs(&flag, n)?;
        Ok(())
    } else if let Some(cpu) = v.strip_prefix("mcpu=") {
        line.mcpu = Some(cpu.to_string());
        Ok(())
    } else if let Some(dir) = v.strip_prefix("cache-dir=") {
        line.cache_dir = Some(dir.to_string());
        Ok(())
    } else if v == "thinlto" {
        Ok(())
    } else if v == "emit-asm" {
        line.emit_asm = true;
        Ok(())
    } else if v == "debug-pass-manager" {
        line.debug_pass_manager = true;
        Ok(())
    } else if let Some(path) = v.strip_prefix("obj-path=") {
        line.obj_path = Some(obj_path(&flag, path)?);
        Ok(())
    } else if v == "opt-remarks-with-hotness" {
        line.remarks.set(&flag, v, "")
    } else if let Some((name, value)) = v
        .split_once('=')
        .filter(|(n, _)| n.starts_with("opt-remarks-"))
    {
        line.remarks.set(&flag, name, value)
    } else if v == "save-temps" {
        line.save_temps = true;
        Ok(())
    } else if v == "disable-verify" {
        line.disable_verify = true;
        Ok(())
    } else {
        bail!("linker option `{flag}`: dtlto does not support this LTO option")
    }
}

/// What an LLVM option given to LTO (`-mllvm X`, `-plugin-opt=-X`) is for.
pub enum LlvmOption<'a> {
    /// One of LLVM's import knobs (name, value).
    Import(&'a str, &'a str),
    ForceImportAll,
    ImportDeclaration,
    PrintImportFailures,
    /// `-compute-dead[=bool]`.
    ComputeDead(bool),
    /// `-propagate-attrs[=bool]`.
    PropagateAttrs(bool),
    /// Any other: LLVM's, for the backends.
    Backend,
}

/// LLVM options that steer LLVM's thin link or its import step, which dtlto
/// computes itself and does not implement: LLVM would accept them and they
/// would change nothing here.
const THIN_LINK_ONLY: &[&str] = &[
    "enable-lto-internalization",
    "import-constants-with-refs",
    "import-all-index",
    "print-imports",
    "summary-file",
    "thinlto-workload-def",
    "import-assume-unique-local",
    "enable-import-metadata",
    "thinlto-distributed-indexes",
];

/// Sorts an LLVM option given to LTO: the import options and the thin-link
/// switches dtlto implements; a thin-link option it does not implement is
/// refused by name; anything else goes to LLVM for the backends.
pub fn classify_llvm_option(option: &str) -> Result<LlvmOption<'_>> {
    if let Some((name, v)) = import_option(option) {
        return Ok(LlvmOption::Import(name, v));
    }
    let bare = option.trim_start_matches('-');
    let (name, value) = match bare.split_once('=') {
        Some((n, v)) => (n, Some(v)),
        None => (bare, None),
    };
    // cl::opt<bool>: bare, or =true/false/1/0.
    let flag = || -> Result<bool> {
        match value {
            None | Some("true" | "1" | "TRUE" | "True") => Ok(true),
            Some("false" | "0" | "FALSE" | "False") => Ok(false),
            Some(v) => bail!("-mllvm {option}: `{v}` is not true or false"),
        }
    };
    Ok(match name {
        "force-import-all" => LlvmOption::ForceImportAll,
        "import-declaration" => LlvmOption::ImportDeclaration,
        "print-import-failures" => LlvmOption::PrintImportFailures,
        "compute-dead" => LlvmOption::ComputeDead(flag()?),
        "propagate-attrs" => LlvmOption::PropagateAttrs(flag()?),
        _ if THIN_LINK_ONLY.contains(&name) => bail!(
            "-mllvm {option}: an option of LLVM's thin link, which dtlto computes \
             itself and does not implement this option of"
        ),
        _ => LlvmOption::Backend,
    })
}

/// What an LLVM option given to LTO can change: a link line's settings
/// or the plugin's.
pub struct LlvmOptionTargets<'a> {
    pub import: &'a mut ImportConfig,
    pub print_import_failures: &'a mut bool,
    pub passes: &'a mut PassSwitches,
    /// Options for LLVM itself (the backends).
    pub llvm_options: &'a mut Vec<String>,
}

impl LlvmOptionTargets<'_> {
    /// Applies an LLVM option given to LTO (`-mllvm X`): the import
    /// options and thin-link switches steer the thin link, which dtlto
    /// computes itself; any other goes to LLVM for the backends, as lld
    /// and LLVMgold apply it (LLVM checks it when the link starts).
    pub fn apply(self, option: &str) -> Result<()> {
        match classify_llvm_option(option)? {
            LlvmOption::Import(name, v) => set_import_option(self.import, name, v)?,
            LlvmOption::ForceImportAll => self.import.force_import_all = true,
            LlvmOption::ImportDeclaration => self.import.import_declaration = true,
            LlvmOption::PrintImportFailures => *self.print_import_failures = true,
            LlvmOption::ComputeDead(on) => self.passes.compute_dead = on,
            LlvmOption::PropagateAttrs(on) => self.passes.propagate_attrs = on,
            LlvmOption::Backend => self.llvm_options.push(option.to_string()),
        }
        Ok(())
    }
}

/// [`LlvmOptionTargets::apply`] on a link line.
pub fn apply_llvm_option(line: &mut LinkLine, option: &str) -> Result<()> {
    LlvmOptionTargets {
        import: &mut line.import,
        print_import_failures: &mut line.print_import_failures,
        passes: &mut line.passes,
        llvm_options: &mut line.llvm_options,
    }
    .apply(option)
}

/// `--lto-O`'s level: 0 to 3, as lld takes it.
fn lto_level(flag: &str, v: &str) -> Result<OptLevel> {
    match v {
        "0" | "1" | "2" | "3" => Ok(OptLevel::parse(v).expect("0-3 parse")),
        _ => bail!("linker option `{flag}`: the LTO optimization level is 0, 1, 2 or 3"),
    }
}

/// `--lto-CGO`'s level: 0 to 3.
pub fn codegen_level(flag: &str, v: &str) -> Result<u8> {
    match v.parse::<u8>() {
        Ok(n) if n <= 3 => Ok(n),
        _ => bail!("`{flag}`: the code generation level is 0, 1, 2 or 3"),
    }
}

/// `--thinlto-jobs=`: a count, or `all` (every core: dtlto's default).
fn jobs(flag: &str, v: &str) -> Result<Option<usize>> {
    match v {
        "all" => Ok(None),
        _ => match v.parse::<usize>() {
            Ok(n) if n > 0 => Ok(Some(n)),
            _ => bail!("linker option `{flag}`: takes a number of jobs or `all`"),
        },
    }
}
