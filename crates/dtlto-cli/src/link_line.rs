//! The link line: what `dtlto link` and `dtlto thin-link` accept. It is the
//! line people give `clang-22 -flto=thin` to link, plus dtlto's own options.
//! dtlto's options are taken out; everything else is a driver argument and
//! goes to `clang-22` unchanged (see `driver.rs`).

use anyhow::{bail, Context, Result};
use dtlto_core::import::ImportConfig;
use dtlto_core::split::SplitConfig;
use dtlto_core::thinlink::PassSwitches;
pub use dtlto_llvm::OptLevel;

use crate::cache::CachePolicy;
use crate::delegate::Distribution;
use crate::linker_lto::{apply_llvm_option, codegen_level, take_lto_options};

/// One `--prefix-replace=OLD;NEW`, as lld's `--thinlto-prefix-replace`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PrefixReplace {
    pub old: String,
    pub new: String,
}

impl PrefixReplace {
    /// `OLD;NEW`, the value of `flag`.
    pub fn parse(flag: &str, v: &str) -> Result<PrefixReplace> {
        let (old, new) = old_new(flag, v)?;
        Ok(PrefixReplace { old, new })
    }

    /// Where an output for `input` goes: `input` with `old` replaced by
    /// `new` at its start (unchanged if it does not start with `old`).
    pub fn apply(&self, input: &str) -> String {
        match input.strip_prefix(&self.old) {
            Some(rest) if !self.old.is_empty() || !self.new.is_empty() => {
                format!("{}{}", self.new, rest)
            }
            _ => input.to_string(),
        }
    }
}

/// The two halves of lld's `OLD;NEW` option values.
fn old_new(flag: &str, v: &str) -> Result<(String, String)> {
    match v.split_once(';') {
        Some((old, new)) => Ok((old.into(), new.into())),
        None => bail!("{flag} takes OLD;NEW, got `{v}`"),
    }
}

/// lld's `--thinlto-object-suffix-replace=OLD;NEW`: in an index-only
/// link, each module is named with its path's suffix OLD replaced by NEW
/// (the build links minimized bitcode and compiles the full objects).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SuffixReplace {
    pub old: String,
    pub new: String,
}

impl SuffixReplace {
    /// `OLD;NEW`, the value of `flag`.
    pub fn parse(flag: &str, v: &str) -> Result<SuffixReplace> {
        let (old, new) = old_new(flag, v)?;
        Ok(SuffixReplace { old, new })
    }

    /// `path` with its suffix `old` replaced by `new` (unchanged if it
    /// does not end with `old`).
    pub fn apply(&self, path: &str) -> String {
        match path.strip_suffix(&self.old) {
            Some(stem) => format!("{stem}{}", self.new),
            None => path.to_string(),
        }
    }
}

/// Optimization remarks as the line asks for them: lld's
/// `--opt-remarks-*` (also as `-plugin-opt=opt-remarks-*=`), and clang's
/// `-fsave-optimization-record` family, which clang turns into those.
#[derive(Clone, Debug, Default)]
pub struct RemarkRequest {
    pub file: Option<String>,
    pub passes: Option<String>,
    pub format: Option<String>,
    pub with_hotness: bool,
    /// `Some(None)`: `auto`.
    pub hotness_threshold: Option<Option<u64>>,
    /// `-fsave-optimization-record[=FORMAT]`: the format (`yaml` bare).
    pub save_record: Option<String>,
    /// `-foptimization-record-file=`.
    pub record_file: Option<String>,
    /// `-foptimization-record-passes=`.
    pub record_passes: Option<String>,
}

impl RemarkRequest {
    /// Takes one of lld's (and LLVMgold's) remark options by name, without
    /// dashes; `flag` is how it was spelled, for errors.
    pub fn set(&mut self, flag: &str, name: &str, value: &str) -> Result<()> {
        match name {
            "opt-remarks-with-hotness" => self.with_hotness = true,
            "opt-remarks-filename" => self.file = Some(value.to_string()),
            "opt-remarks-passes" => self.passes = Some(value.to_string()),
            "opt-remarks-format" => self.format = Some(value.to_string()),
            "opt-remarks-hotness-threshold" => {
                self.hotness_threshold = Some(
                    dtlto_llvm::RemarkOptions::parse_threshold(value)
                        .map_err(|e| anyhow::anyhow!("`{flag}`: {e}"))?,
                )
            }
            _ => bail!("`{flag}` is not a remarks option"),
        }
        Ok(())
    }

    /// Whether remarks are asked for.
    pub fn any(&self) -> bool {
        self.file.is_some() || self.save_record.is_some()
    }

    /// The remarks the backends write, if any: lld's options as given,
    /// else what clang-22 makes of `-fsave-optimization-record` for the
    /// linker: `<-foptimization-record-file>.opt.ld.<format>`, or
    /// `<output>-opt.ld.<format>`.
    pub fn options(&self, output: &str) -> Option<dtlto_llvm::RemarkOptions> {
        let record = self.save_record.as_deref();
        let file = self.file.clone().or_else(|| {
            let format = record?;
            Some(match &self.record_file {
                Some(f) => format!("{f}.opt.ld.{format}"),
                None => format!("{output}-opt.ld.{format}"),
            })
        })?;
        Some(dtlto_llvm::RemarkOptions {
            file,
            passes: self
                .passes
                .clone()
                .or_else(|| record.and(self.record_passes.clone()))
                .unwrap_or_default(),
            format: self
                .format
                .clone()
                .or_else(|| record.map(String::from))
                .unwrap_or_default(),
            with_hotness: self.with_hotness,
            hotness_threshold: self.hotness_threshold.unwrap_or(Some(0)),
        })
    }

    /// Takes clang's `-fsave-optimization-record` family; false for any
    /// other argument.
    fn take_clang_flag(&mut self, a: &str) -> Result<bool> {
        if a == "-fsave-optimization-record" {
            self.save_record = Some("yaml".into());
        } else if let Some(f) = a.strip_prefix("-fsave-optimization-record=") {
            self.save_record = Some(f.to_string());
        } else if a == "-fno-save-optimization-record" {
            self.save_record = None;
        } else if let Some(f) = a.strip_prefix("-foptimization-record-file=") {
            self.record_file = Some(f.to_string());
        } else if let Some(p) = a.strip_prefix("-foptimization-record-passes=") {
            self.record_passes = Some(p.to_string());
        } else if a == "-fdiagnostics-show-hotness" {
            self.with_hotness = true;
        } else if let Some(v) = a.strip_prefix("-fdiagnostics-hotness-threshold=") {
            self.hotness_threshold = Some(
                dtlto_llvm::RemarkOptions::parse_threshold(v)
                    .map_err(|e| anyhow::anyhow!("`{a}`: {e}"))?,
            );
        } else {
            return Ok(false);
        }
        Ok(true)
    }
}

#[derive(Clone, Debug, Default)]
pub struct LinkLine {
    pub output: Option<String>,
    /// Backend optimization level (`-O0`..`-O3`, `-Os`, `-Oz`).
    pub opt_level: OptLevel,
    /// `--lto-CGO<n>`: code generation level, when given.
    pub codegen_level: Option<u8>,
    /// `-mllvm` options other than the import ones: LLVM's, for the
    /// backends.
    pub llvm_options: Vec<String>,
    /// `-mllvm -compute-dead=false`, `-propagate-attrs=false`.
    pub passes: PassSwitches,
    /// lld's `--thinlto-object-suffix-replace=OLD;NEW` (thin-link only,
    /// as in lld, where it applies to index-only links alone).
    pub object_suffix_replace: Option<SuffixReplace>,
    /// lld's `--thinlto-index-only[=FILE]` on the line: only `dtlto
    /// thin-link` takes it; FILE receives the modules the link took, one
    /// per line.
    pub index_only: Option<Option<String>>,
    /// lld's `--thinlto-emit-index-files`: a link that goes on to the
    /// backends also writes each module's index (`<module>.plan`) beside
    /// it, as LLVM's in-process backend does (`dtlto thin-link` always
    /// writes them).
    pub emit_index_files: bool,
    /// lld's `--thinlto-emit-imports-files`: with index files (or in
    /// `dtlto thin-link`, which always writes them), `<module>.imports`
    /// too. Alone in a link that goes on, it writes nothing, as in lld.
    pub emit_imports_files: bool,
    /// lld's `--lto-debug-pass-manager`: the backends' pass manager prints
    /// what it runs.
    pub debug_pass_manager: bool,
    /// lld's `--lto-obj-path=PATH`: each module's object also kept as
    /// `PATH<task>` (see `lto_outputs`); no module is split under it.
    pub obj_path: Option<String>,
    /// lld's `--disable-verify`: no verifier run on the backends' modules.
    pub disable_verify: bool,
    /// lld's `--lto-newpm-passes=`: the backends' pass pipeline after
    /// import, in place of `thinlto<On>`.
    pub lto_pipeline: Option<String>,
    /// lld's `--lto-aa-pipeline=`: the backends' alias analyses.
    pub lto_aa_pipeline: Option<String>,
    /// Optimization remarks asked for (see [`LinkLine::remark_options`]).
    pub remarks: RemarkRequest,
    /// lld's `--lto-emit-asm`: write each module's assembly (as lld names
    /// it) and link nothing.
    pub emit_asm: bool,
    pub jobs: Option<usize>,
    pub target: Option<String>,
    pub mcpu: Option<String>,
    /// `-mattr=+a,-b`: target features for the backends.
    pub mattr: String,
    pub linker: String,
    pub save_temps: bool,
    /// `--final-link-process`: ld.lld as a process even though the same
    /// lld is linked into dtlto.
    pub final_link_process: bool,
    pub verbose: bool,
    pub time_trace: Option<String>,
    pub prefix_replace: Option<PrefixReplace>,
    pub import: ImportConfig,
    /// LLVM's `-print-import-failures`: the callees each module's import
    /// considered and rejected, on stderr, as LLVM prints them.
    pub print_import_failures: bool,
    /// `--no-split`, `--split-threshold=N` when given: splitting big
    /// modules' backends (see [`LinkLine::split_config`]).
    pub split: Option<SplitConfig>,
    /// `--cache-dir=DIR`: reuse backend objects across links.
    pub cache_dir: Option<String>,
    pub cache_policy: CachePolicy,
    /// `--distributor=EXE`: run the backends as DTLTO jobs of EXE.
    pub distribution: Option<Distribution>,
    /// Arguments for the compiler driver, in order (inputs, -l, -L, -Wl, ...).
    pub driver_args: Vec<String>,
}

impl LinkLine {
    /// The splitting in force: as given, else dtlto's default — none
    /// under a custom pass or alias-analysis pipeline, which a split
    /// module could not run (it runs the default pipeline's two halves),
    /// or with remarks (one file per module, as lld writes them).
    pub fn split_config(&self) -> SplitConfig {
        match self.split {
            Some(split) => split,
            None if self.needs_whole_modules() => SplitConfig { threshold: None },
            None => SplitConfig::default(),
        }
    }

    /// `--lto-newpm-passes`, `--lto-aa-pipeline`, remarks, assembly or
    /// `--lto-obj-path` are asked for: each needs every module's backend
    /// whole.
    pub fn needs_whole_modules(&self) -> bool {
        self.lto_pipeline.is_some()
            || self.lto_aa_pipeline.is_some()
            || self.remarks.any()
            || self.emit_asm
            || self.obj_path.is_some()
    }

    /// The remarks the backends write, if any (see
    /// [`RemarkRequest::options`]).
    pub fn remark_options(&self) -> Option<dtlto_llvm::RemarkOptions> {
        self.remarks
            .options(self.output.as_deref().unwrap_or("a.out"))
    }

    /// The code generation level: as given, else the one the final
    /// linker's own LTO pairs with the optimization level (lld: 2 up to
    /// -O2; LLVMgold, for GNU ld, gold and mold: the same number), so the
    /// code is what `clang-22 -flto=thin -fuse-ld=<linker>` gives.
    pub fn codegen_level(&self) -> u8 {
        self.codegen_level.unwrap_or(if self.linker == "lld" {
            self.opt_level.lld_codegen_level()
        } else {
            self.opt_level.gold_codegen_level()
        })
    }
}

fn value<'a>(args: &'a [String], i: &mut usize, flag: &str) -> Result<&'a str> {
    *i += 1;
    args.get(*i)
        .map(String::as_str)
        .with_context(|| format!("`{flag}` needs a value"))
}

/// A pipeline option's value: LLVM's own parser checks the text when the
/// backends run; an empty one would silently mean the default.
pub fn pipeline_text(flag: &str, v: &str) -> Result<String> {
    if v.trim().is_empty() {
        bail!("`{flag}` needs a pipeline, e.g. `{flag}default<O2>`");
    }
    Ok(v.to_string())
}

/// `--lto-obj-path`'s value: a file name the tasks' numbers follow.
pub fn obj_path(flag: &str, v: &str) -> Result<String> {
    if v.is_empty() {
        bail!("`{flag}` needs a file name");
    }
    Ok(v.to_string())
}

fn number<T: std::str::FromStr>(flag: &str, v: &str) -> Result<T> {
    v.parse()
        .map_err(|_| anyhow::anyhow!("`{flag}` takes a number, got `{v}`"))
}

pub fn parse(args: &[String]) -> Result<LinkLine> {
    let mut line = LinkLine {
        linker: "lld".into(),
        ..LinkLine::default()
    };
    let mut dist = Distribution::default();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if let Some((name, v)) = distribution_option(a) {
            dist.set(name, v);
            i += 1;
            continue;
        }
        match a {
            "-o" => line.output = Some(value(args, &mut i, a)?.to_string()),
            "-j" | "--jobs" => line.jobs = Some(number(a, value(args, &mut i, a)?)?),
            "--target" | "-target" => line.target = Some(value(args, &mut i, a)?.to_string()),
            "--save-temps" | "-save-temps" => line.save_temps = true,
            "-v" | "--verbose" => line.verbose = true,
            "--time-trace" => line.time_trace = Some(value(args, &mut i, a)?.to_string()),
            "--no-import" => line.import.disabled = true,
            "--no-split" => line.split = Some(SplitConfig { threshold: None }),
            "--final-link-process" => line.final_link_process = true,
            "--disable-verify" | "-disable-verify" => line.disable_verify = true,
            "--lto-emit-asm" => line.emit_asm = true,
            "--lto-debug-pass-manager" => line.debug_pass_manager = true,
            "--force-import-all" | "-force-import-all" => line.import.force_import_all = true,
            "--import-declaration" | "-import-declaration" => line.import.import_declaration = true,
            "--print-import-failures" | "-print-import-failures" => {
                line.print_import_failures = true
            }
            "--cache-dir" => line.cache_dir = Some(value(args, &mut i, a)?.to_string()),
            "-flto" | "-flto=thin" => {}
            "-mllvm" => apply_llvm_option(&mut line, value(args, &mut i, a)?)?,
            "-Xlinker" => {
                // A run of `-Xlinker X`, read as one list: an LTO option
                // may take the next `-Xlinker`'s argument as its value.
                let mut run = vec![value(args, &mut i, a)?.to_string()];
                while args.get(i + 1).map(String::as_str) == Some("-Xlinker") {
                    i += 1;
                    run.push(value(args, &mut i, a)?.to_string());
                }
                for kept in take_lto_options(&mut line, &run)? {
                    line.driver_args.push("-Xlinker".into());
                    line.driver_args.push(kept);
                }
            }
            _ => {
                if let Some(list) = a.strip_prefix("-Wl,") {
                    let pieces: Vec<String> = list.split(',').map(String::from).collect();
                    let kept = take_lto_options(&mut line, &pieces)?;
                    if !kept.is_empty() {
                        line.driver_args.push(format!("-Wl,{}", kept.join(",")));
                    }
                } else if let Some(v) = a.strip_prefix("--lto-CGO") {
                    line.codegen_level = Some(codegen_level(a, v)?);
                } else if let Some(level) = a.strip_prefix("-O").and_then(OptLevel::parse) {
                    line.opt_level = level;
                } else if let Some(v) = a.strip_prefix("-o") {
                    line.output = Some(v.to_string());
                } else if let Some(v) = a.strip_prefix("-j") {
                    line.jobs = Some(number("-j", v)?);
                } else if let Some(v) = a.strip_prefix("--jobs=") {
                    line.jobs = Some(number("--jobs", v)?);
                } else if let Some(v) = a.strip_prefix("--target=") {
                    line.target = Some(v.to_string());
                } else if let Some(v) = a.strip_prefix("-mcpu=") {
                    line.mcpu = Some(v.to_string());
                } else if let Some(v) = a.strip_prefix("-mattr=") {
                    line.mattr = v.to_string();
                } else if let Some(v) = a.strip_prefix("-fuse-ld=") {
                    match v {
                        "lld" | "bfd" | "gold" | "mold" => line.linker = v.to_string(),
                        _ => bail!("-fuse-ld={v}: dtlto links with lld, bfd, gold or mold"),
                    }
                } else if let Some(v) = a
                    .strip_prefix("--cache-dir=")
                    .or_else(|| a.strip_prefix("--thinlto-cache-dir="))
                {
                    line.cache_dir = Some(v.to_string());
                } else if let Some(v) = a
                    .strip_prefix("--cache-policy=")
                    .or_else(|| a.strip_prefix("--thinlto-cache-policy="))
                {
                    line.cache_policy = CachePolicy::parse(v)?;
                } else if let Some(v) = a.strip_prefix("--split-threshold=") {
                    line.split = Some(SplitConfig {
                        threshold: Some(number("--split-threshold", v)?),
                    });
                } else if let Some(v) = a.strip_prefix("--time-trace=") {
                    line.time_trace = Some(v.to_string());
                } else if let Some(v) = a
                    .strip_prefix("--prefix-replace=")
                    .or_else(|| a.strip_prefix("--thinlto-prefix-replace="))
                {
                    line.prefix_replace = Some(PrefixReplace::parse("--prefix-replace", v)?);
                } else if line.remarks.take_clang_flag(a)? {
                } else if let Some((name, v)) = a
                    .strip_prefix("--")
                    .and_then(|o| o.split_once('='))
                    .filter(|(n, _)| n.starts_with("opt-remarks-"))
                {
                    line.remarks.set(a, name, v)?;
                } else if a == "--opt-remarks-with-hotness" {
                    line.remarks.set(a, "opt-remarks-with-hotness", "")?;
                } else if let Some(v) = a.strip_prefix("--lto-newpm-passes=") {
                    line.lto_pipeline = Some(pipeline_text(a, v)?);
                } else if let Some(v) = a.strip_prefix("--lto-aa-pipeline=") {
                    line.lto_aa_pipeline = Some(pipeline_text(a, v)?);
                } else if let Some(v) = a.strip_prefix("--lto-obj-path=") {
                    line.obj_path = Some(obj_path(a, v)?);
                } else if let Some(v) = a.strip_prefix("--thinlto-object-suffix-replace=") {
                    line.object_suffix_replace = Some(SuffixReplace::parse(a, v)?);
                } else if let Some((name, v)) = import_option(a) {
                    set_import_option(&mut line.import, name, v)?;
                } else {
                    line.driver_args.push(a.to_string());
                }
            }
        }
        i += 1;
    }
    if dist.lacks_distributor() {
        bail!("--distributor-arg and --remote-compiler* options need --distributor=EXE");
    }
    if line.needs_whole_modules() && line.split.is_some_and(|s| s.threshold.is_some()) {
        bail!(
            "--split-threshold cannot be used with --lto-newpm-passes, --lto-aa-pipeline, \
             optimization remarks, --lto-emit-asm or --lto-obj-path: a split module runs \
             LLVM's default pipeline, writes no remarks and one object per part"
        );
    }
    if !dist.distributor.is_empty() {
        line.distribution = Some(dist);
    }
    if line.emit_asm && line.distribution.is_some() {
        bail!(
            "--lto-emit-asm writes the backends' assembly in-process; it cannot be delegated \
             to a distributor"
        );
    }
    Ok(line)
}

/// The delegation options, under dtlto's names, lld's (`--thinlto-...`)
/// and clang's (`-fthinlto-distributor=`, `-Xthinlto-distributor=`):
/// (canonical name, value).
pub fn distribution_option(a: &str) -> Option<(&'static str, &str)> {
    const NAMES: [(&str, &str); 7] = [
        ("distributor", "distributor"),
        ("distributor-arg", "distributor-arg"),
        ("remote-compiler", "remote-compiler"),
        ("remote-compiler-prepend-arg", "remote-compiler-prepend-arg"),
        ("remote-compiler-arg", "remote-compiler-arg"),
        ("fthinlto-distributor", "distributor"),
        ("Xthinlto-distributor", "distributor-arg"),
    ];
    let (flag, v) = a.split_once('=')?;
    let flag = flag
        .strip_prefix("--thinlto-")
        .or_else(|| flag.strip_prefix("--"))
        .or_else(|| flag.strip_prefix('-'))?;
    NAMES
        .iter()
        .find(|(spelled, _)| *spelled == flag)
        .map(|&(_, name)| (name, v))
}

/// LLVM's import options, with or without a leading `--`/`-` and `-mllvm`
/// style spelling: `--import-instr-limit=N`.
pub fn import_option(a: &str) -> Option<(&str, &str)> {
    let a = a.trim_start_matches('-');
    let (name, v) = a.split_once('=')?;
    matches!(
        name,
        "import-instr-limit"
            | "import-instr-evolution-factor"
            | "import-hot-evolution-factor"
            | "import-hot-multiplier"
            | "import-critical-multiplier"
            | "import-cold-multiplier"
            | "import-cutoff"
    )
    .then_some((name, v))
}

pub fn set_import_option(c: &mut ImportConfig, name: &str, v: &str) -> Result<()> {
    let flag = format!("--{name}");
    match name {
        "import-instr-limit" => c.instr_limit = number(&flag, v)?,
        "import-instr-evolution-factor" => c.instr_evolution_factor = number(&flag, v)?,
        "import-hot-evolution-factor" => c.hot_evolution_factor = number(&flag, v)?,
        "import-hot-multiplier" => c.hot_multiplier = number(&flag, v)?,
        "import-critical-multiplier" => c.critical_multiplier = number(&flag, v)?,
        "import-cold-multiplier" => c.cold_multiplier = number(&flag, v)?,
        "import-cutoff" => c.cutoff = number(&flag, v)?,
        _ => unreachable!("import_option only returns known names"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn pipelines_are_taken_in_lld_s_spellings_and_turn_splitting_off() {
        for line in [
            "a.o --lto-newpm-passes=default<O1>",
            "a.o -Wl,--lto-newpm-passes=default<O1>",
            "a.o -Xlinker --lto-newpm-passes -Xlinker default<O1>",
        ] {
            let l = parse(&args(line)).unwrap();
            assert_eq!(l.lto_pipeline.as_deref(), Some("default<O1>"), "{line}");
            assert_eq!(l.split_config().threshold, None, "{line}");
            assert!(!l.driver_args.iter().any(|a| a.contains("newpm")), "{line}");
        }
        let l = parse(&args("a.o -Wl,--lto-aa-pipeline=basic-aa")).unwrap();
        assert_eq!(l.lto_aa_pipeline.as_deref(), Some("basic-aa"));
        assert_eq!(l.split_config().threshold, None);
        let e = parse(&args("a.o --split-threshold=10 --lto-aa-pipeline=tbaa")).unwrap_err();
        assert!(e.to_string().contains("default pipeline"), "{e}");
        let e = parse(&args("a.o -Wl,--lto-newpm-passes=")).unwrap_err();
        assert!(e.to_string().contains("needs a pipeline"), "{e}");
    }

    #[test]
    fn remarks_are_taken_as_lld_and_clang_spell_them() {
        let remarks = |line: &str| parse(&args(line)).unwrap().remark_options();
        assert_eq!(remarks("a.o -o p"), None);
        let r =
            remarks("a.o -Wl,--opt-remarks-filename,r.yaml,--opt-remarks-passes,inline").unwrap();
        assert_eq!(
            (r.file.as_str(), r.passes.as_str(), r.format.as_str()),
            ("r.yaml", "inline", "")
        );
        assert_eq!(r.hotness_threshold, Some(0));
        let r = remarks("a.o -Wl,-plugin-opt=opt-remarks-filename=x,-plugin-opt=opt-remarks-hotness-threshold=auto")
            .unwrap();
        assert_eq!((r.file.as_str(), r.hotness_threshold), ("x", None));
        // clang-22's names for the linker: <output>-opt.ld.<format>, or
        // <record file>.opt.ld.<format>.
        let r = remarks("a.o -fsave-optimization-record -o out/p").unwrap();
        assert_eq!(
            (r.file.as_str(), r.format.as_str()),
            ("out/p-opt.ld.yaml", "yaml")
        );
        let r = remarks(
            "a.o -fsave-optimization-record=bitstream -foptimization-record-file=f \
             -foptimization-record-passes=gvn",
        )
        .unwrap();
        assert_eq!(
            (r.file.as_str(), r.format.as_str(), r.passes.as_str()),
            ("f.opt.ld.bitstream", "bitstream", "gvn")
        );
        assert_eq!(remarks("a.o -foptimization-record-file=f"), None);
        let l = parse(&args("a.o -fsave-optimization-record")).unwrap();
        assert_eq!(l.split_config().threshold, None);
        assert!(l
            .driver_args
            .iter()
            .all(|a| !a.contains("optimization-record")));
        let e = parse(&args("a.o -Wl,--opt-remarks-hotness-threshold=hot")).unwrap_err();
        assert!(e.to_string().contains("hotness threshold"), "{e}");
    }

    #[test]
    fn split_options() {
        let l = parse(&args("a.o")).unwrap();
        assert_eq!(l.split, None);
        assert_eq!(l.split_config(), SplitConfig::default());
        let l = parse(&args("--split-threshold=5000 a.o")).unwrap();
        assert_eq!(l.split_config().threshold, Some(5000));
        assert_eq!(l.driver_args, args("a.o"));
        let l = parse(&args("--no-split a.o")).unwrap();
        assert_eq!(l.split_config().threshold, None);
        let e = parse(&args("--split-threshold=big a.o")).unwrap_err();
        assert!(e.to_string().contains("--split-threshold"), "{e}");
    }

    #[test]
    fn own_options_are_taken_out() {
        let l = parse(&args(
            "-O3 -j 4 -o out a.o -lm -L/x --import-instr-limit=50 b.o",
        ))
        .unwrap();
        assert_eq!(l.opt_level, OptLevel::O3);
        assert_eq!(l.jobs, Some(4));
        assert_eq!(l.output.as_deref(), Some("out"));
        assert_eq!(l.import.instr_limit, 50);
        assert_eq!(l.driver_args, args("a.o -lm -L/x b.o"));
    }

    #[test]
    fn lto_options_for_the_linker_and_llvm_are_taken_out() {
        let l = parse(&args(
            "a.o -Wl,--as-needed,--lto-O3,--thinlto-jobs=3 -Xlinker --lto-CGO1 \
             -Xlinker -mllvm -Xlinker -import-cutoff=7 -Xlinker -z -Xlinker now \
             -mllvm -import-instr-limit=40 -Wl,-plugin-opt=mcpu=znver2,-plugin-opt=-force-import-all \
             -Wl,--thinlto-cache-dir=c,--thinlto-cache-policy,prune_after=1h",
        ))
        .unwrap();
        assert_eq!(l.opt_level, OptLevel::O3);
        assert_eq!(l.jobs, Some(3));
        assert_eq!(l.codegen_level, Some(1));
        assert_eq!(l.import.cutoff, 7);
        assert_eq!(l.import.instr_limit, 40);
        assert!(l.import.force_import_all);
        assert_eq!(l.mcpu.as_deref(), Some("znver2"));
        assert!(l.llvm_options.is_empty());
        assert_eq!(l.cache_dir.as_deref(), Some("c"));
        assert_eq!(
            l.cache_policy,
            CachePolicy::parse("prune_after=1h").unwrap()
        );
        // What is the linker's stays, in order.
        assert_eq!(
            l.driver_args,
            args("a.o -Wl,--as-needed -Xlinker -z -Xlinker now")
        );
        // LLVM's switches of thin-link passes are dtlto's.
        let l = parse(&args(
            "a.o -mllvm -compute-dead=false -Wl,-mllvm,-propagate-attrs=0",
        ))
        .unwrap();
        assert!(!l.passes.compute_dead && !l.passes.propagate_attrs);
        assert!(l.llvm_options.is_empty());
        // LLVM's other options go to LLVM, in order.
        let l = parse(&args(
            "a.o -mllvm -inline-threshold=9 -Wl,-mllvm,-enable-foo -Wl,--plugin-opt=-x=1",
        ))
        .unwrap();
        assert_eq!(
            l.llvm_options,
            ["-inline-threshold=9", "-enable-foo", "-x=1"]
        );
        assert_eq!(l.driver_args, args("a.o"));
        // lld's index-only line, for `dtlto thin-link`.
        let l = parse(&args(
            "a.o -Wl,--thinlto-index-only=list,--thinlto-emit-imports-files \
             -Wl,--thinlto-prefix-replace=obj/;idx/",
        ))
        .unwrap();
        assert_eq!(l.index_only, Some(Some("list".to_string())));
        assert_eq!(l.prefix_replace.unwrap().apply("obj/a.o"), "idx/a.o");
        assert_eq!(l.driver_args, args("a.o"));
        // Index and imports files in a link that goes on, and kept objects
        // (whole modules): lld's options, not index-only.
        let l = parse(&args(
            "a.o -Wl,--thinlto-emit-index-files,--thinlto-emit-imports-files \
             -Xlinker --lto-obj-path -Xlinker lto.o",
        ))
        .unwrap();
        assert_eq!(l.index_only, None);
        assert!(l.emit_index_files && l.emit_imports_files);
        assert_eq!(l.obj_path.as_deref(), Some("lto.o"));
        assert_eq!(l.split_config().threshold, None);
        assert_eq!(l.driver_args, args("a.o"));
        let l = parse(&args("a.o -Wl,-plugin-opt=obj-path=o")).unwrap();
        assert_eq!(l.obj_path.as_deref(), Some("o"));
        let l = parse(&args(
            "a.min.o -Wl,--thinlto-object-suffix-replace=.min.o;.o",
        ))
        .unwrap();
        let r = l.object_suffix_replace.unwrap();
        assert_eq!(r.apply("obj/a.min.o"), "obj/a.o");
        assert_eq!(r.apply("lib.a(m.min.o at 8)"), "lib.a(m.min.o at 8)");
        assert_eq!(l.driver_args, args("a.min.o"));
        let l = parse(&args("a.o -Wl,-plugin-opt=O1,--thinlto-jobs=all")).unwrap();
        assert_eq!((l.opt_level, l.jobs), (OptLevel::O1, None));
        assert_eq!(l.driver_args, args("a.o"));
    }

    #[test]
    fn the_codegen_level_follows_the_final_linker_s_lto() {
        let level = |line: &str| parse(&args(line)).unwrap().codegen_level();
        // lld: --lto-CGO defaults to 2, 3 at -O3; LLVMgold: the -O level.
        assert_eq!(level("a.o -O0"), 2);
        assert_eq!(level("a.o -O1"), 2);
        assert_eq!(level("a.o -O3"), 3);
        assert_eq!(level("a.o -O0 -fuse-ld=gold"), 0);
        assert_eq!(level("a.o -O1 -fuse-ld=bfd"), 1);
        assert_eq!(level("a.o -O0 --lto-CGO1"), 1);
        assert_eq!(level("a.o -O3 -Wl,--lto-CGO0 -fuse-ld=mold"), 0);
        assert!(parse(&args("a.o --lto-CGO4")).is_err());
    }

    #[test]
    fn lto_options_dtlto_cannot_honour_are_refused() {
        for (line, named) in [
            ("a.o -Wl,-plugin-opt=emit-llvm", "-plugin-opt=emit-llvm"),
            ("a.o -Wl,--lto-sample-profile=x", "--lto-sample-profile"),
            ("a.o -Wl,--lto-obj-path=", "needs a file name"),
            ("a.o -Wl,--lto-O9", "0, 1, 2 or 3"),
            ("a.o -Wl,--thinlto-jobs=0", "--thinlto-jobs=0"),
            ("a.o -Wl,-mllvm", "needs a value"),
            ("a.o -mllvm -import-instr-limit=x", "import-instr-limit"),
            ("a.o -mllvm -compute-dead=maybe", "not true or false"),
            (
                "a.o -Wl,-mllvm,-enable-lto-internalization=false",
                "-enable-lto-internalization=false: an option of LLVM's thin link",
            ),
        ] {
            let e = format!("{:#}", parse(&args(line)).unwrap_err());
            assert!(e.contains(named), "{line}: {e}");
        }
    }

    #[test]
    fn bad_values_are_refused() {
        assert!(parse(&args("-j x")).is_err());
        assert!(parse(&args("-fuse-ld=foo")).is_err());
        assert!(parse(&args("--prefix-replace=nosep")).is_err());
        assert!(parse(&args("-o")).is_err());
    }

    #[test]
    fn distribution_options_under_dtlto_and_lld_names() {
        let l = parse(&args(
            "a.o --distributor=/bin/d --distributor-arg=x --thinlto-distributor-arg=y \
             --remote-compiler=rc --thinlto-remote-compiler-prepend-arg=p --remote-compiler-arg=r",
        ))
        .unwrap();
        let d = l.distribution.unwrap();
        assert_eq!(d.distributor, "/bin/d");
        assert_eq!(d.distributor_args, ["x", "y"]);
        assert_eq!(d.remote_compiler.as_deref(), Some("rc"));
        assert_eq!(d.remote_compiler_prepend_args, ["p"]);
        assert_eq!(d.remote_compiler_args, ["r"]);
        assert_eq!(l.driver_args, ["a.o"]);
        let clang = parse(&args("a.o -fthinlto-distributor=d -Xthinlto-distributor=z")).unwrap();
        assert_eq!(clang.distribution.unwrap().distributor_args, ["z"]);
        assert!(parse(&args("a.o --distributor-arg=x")).is_err());
    }

    #[test]
    fn prefix_replace_moves_outputs() {
        let p = PrefixReplace {
            old: "obj/".into(),
            new: "out/".into(),
        };
        assert_eq!(p.apply("obj/a.o"), "out/a.o");
        assert_eq!(p.apply("src/a.o"), "src/a.o");
    }
}
