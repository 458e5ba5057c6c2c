//! `-plugin-opt=` options, under LLVMgold's names wherever LLVMgold has
//! the option (so a build that passes them to LLVMgold.so can pass them
//! here), lld's names for delegation. An option the plugin does not know
//! is an error: silently ignoring `-plugin-opt=O3` misspelled would build
//! a different program than asked.

use anyhow::{bail, Context, Result};
use dtlto_cli::cache::CachePolicy;
use dtlto_cli::delegate::Distribution;
use dtlto_cli::link_line::{distribution_option, import_option, PrefixReplace, RemarkRequest};
use dtlto_cli::linker_lto::LlvmOptionTargets;
use dtlto_core::import::ImportConfig;
use dtlto_core::split::SplitConfig;
use dtlto_core::thinlink::PassSwitches;
use dtlto_llvm::OptLevel;

pub const HELP: &str = "\
dtlto linker plugin options (-plugin-opt=OPTION, or -Wl,-plugin-opt=OPTION from clang):
  O0|O1|O2|O3|Os|Oz           backend optimization level (default O2)
  jobs=N | thinlto-jobs=N     parallel backends (default: all cores)
  mcpu=CPU  mattr=+a,-b       target CPU and features for the backends
  cache-dir=DIR               keep backend objects in DIR across links
  cache-policy=POLICY         LLVM's cache pruning policy (prune_after=7d:...)
  distributor=EXE             run the backends as a DTLTO job file through EXE
  distributor-arg=ARG         an argument for the distributor (repeatable)
  remote-compiler=PATH        the program the jobs run (default: the dtlto
                              beside this plugin, else dtlto on PATH)
  remote-compiler-arg=ARG, remote-compiler-prepend-arg=ARG
  save-temps                  keep plans and objects in <output>.dtlto/
  obj-path=PATH               also keep each module's object as PATH1, PATH2, ...
                              and the (empty) regular LTO part's as PATH, as
                              LLVMgold (no split)
  emit-asm                    write each module's assembly as <output>1, 2, ...
                              (obj-path's names if given) and stop the link
                              with no output, as LLVMgold (no split, in-process)
  disable-output              run the thin link only; stop the link with no output
                              (as LLVMgold)
  thinlto-index-only[=FILE]   write a .plan per module (and the objects to link
                              to FILE), then stop the link with no output
  thinlto-emit-imports-files  with thinlto-index-only: also <module>.imports
                              (without it: accepted and ignored, as LLVMgold)
  thinlto-prefix-replace=OLD;NEW  write index-only outputs under NEW
  import-instr-limit=N, import-cutoff=N, ... LLVM's import knobs
  -print-import-failures      print the callees each module's import rejected
  -<llvm option>[=V]          any other LLVM option, for the backends (as LLVMgold)
  split-threshold=N | no-split  split a module estimated above N instructions
                              (default 30000; no split with thinlto-index-only)
                              into parts built on separate cores
  backends=threads|processes  run the backends on threads of the linker, or in
                              dtlto worker processes (default: processes under
                              mold, whose allocator slows LLVM; threads otherwise)
  opt-remarks-filename=FILE   optimization remarks, as LLVMgold writes them:
                              FILE.thin.<task>.<format> per module (no split)
  opt-remarks-passes=REGEX, opt-remarks-format=yaml|bitstream,
  opt-remarks-with-hotness, opt-remarks-hotness-threshold=N|auto
  lto-newpm-passes=PIPELINE   the backends' pass pipeline after import, in place
                              of thinlto<On> (lld's --lto-newpm-passes; no split)
  lto-aa-pipeline=AA          the backends' alias analyses (lld's --lto-aa-pipeline)
  debug-pass-manager          print each pass and analysis the backends' pass
                              manager runs, on stderr (as LLVMgold)
  disable-verify | verify      skip (default, as LLVMgold) or run LLVM's verifier
                              on each module after import
  prebuilt-module=FILE@OFFSET then prebuilt-object=OBJ...
                              link objects built already for each module,
                              named by canonical path and offset (dtlto link
                              -fuse-ld=bfd|gold links through the plugin so)
  time-trace=FILE             Chrome trace of the plugin's stages
  v                           print stage times and decisions
  thinlto                     accepted: dtlto is always ThinLTO
  new-pass-manager            accepted: the only pass manager (as LLVMgold)
  lto-partitions=N            accepted: partitions of the regular LTO part,
                              which is always empty here
  help                        print this and stop";

#[derive(Clone, Debug, Default)]
pub struct Options {
    pub opt_level: OptLevel,
    pub jobs: Option<usize>,
    pub mcpu: Option<String>,
    pub mattr: String,
    pub cache_dir: Option<String>,
    pub cache_policy: CachePolicy,
    pub distribution: Distribution,
    pub save_temps: bool,
    /// `obj-path=PATH`: each module's object also kept as `PATH<task>`.
    pub obj_path: Option<String>,
    /// `emit-asm`: each module's assembly in place of its object, written
    /// as LLVMgold names it; the link stops there.
    pub emit_asm: bool,
    /// `disable-output`: the thin link runs, no backend does, and the
    /// link stops with no output (LLVMgold's).
    pub disable_output: bool,
    pub index_only: bool,
    /// `thinlto-index-only=FILE`: the objects the final link takes.
    pub linked_objects_file: Option<String>,
    /// `thinlto-emit-imports-files`: each module's import list beside its
    /// plan in an index-only link; LLVMgold ignores it otherwise, and so
    /// does the plugin.
    pub emit_imports_files: bool,
    pub prefix_replace: Option<PrefixReplace>,
    pub import: ImportConfig,
    /// `split-threshold=`/`no-split` when given (see
    /// [`Options::split_config`]).
    pub split: Option<SplitConfig>,
    pub time_trace: Option<String>,
    pub verbose: bool,
    pub help: bool,
    /// Verify each module after import. Off by default, as in LLVMgold's
    /// release builds; `verify` turns it on.
    pub verify: bool,
    /// `backends=threads|processes`: where in-process backends run (see
    /// [`Options::place_backends`]); unset, the plugin chooses.
    pub backends: Option<BackendPlace>,
    /// `prebuilt-module=`/`prebuilt-object=`: the objects `dtlto link`
    /// built for each module, by `prebuilt_key`; when given, the plugin
    /// only hands them to the linker.
    pub prebuilt: Vec<(String, Vec<String>)>,
    /// LLVM's `-print-import-failures`.
    pub print_import_failures: bool,
    /// `-plugin-opt=-foo` other than dtlto's own: LLVM's options, which
    /// LLVMgold gives LLVM for the backends; so does the plugin.
    pub llvm_options: Vec<String>,
    /// `-compute-dead=false`, `-propagate-attrs=false`.
    pub passes: PassSwitches,
    /// `lto-newpm-passes=`: the backends' pass pipeline (lld's option;
    /// LLVMgold has none).
    pub pipeline: Option<String>,
    /// `lto-aa-pipeline=`: the backends' alias analyses.
    pub aa_pipeline: Option<String>,
    /// `debug-pass-manager`: the pass manager prints what it runs.
    pub debug_pass_manager: bool,
    /// `opt-remarks-filename=` and its companions (LLVMgold's names).
    pub remarks: RemarkRequest,
}

/// Where the plugin runs backends when no distributor is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendPlace {
    /// Threads of the linker process, as LLVMgold.
    Threads,
    /// `dtlto distribute`'s worker processes on this machine.
    Processes,
}

impl Options {
    /// The splitting in force: as given; else dtlto's default, except for
    /// index-only links, whose build system links one object per module.
    pub fn split_config(&self) -> SplitConfig {
        match self.split {
            Some(split) => split,
            None if self.index_only || self.needs_whole_modules() => {
                SplitConfig { threshold: None }
            }
            None => SplitConfig::default(),
        }
    }

    /// `lto-newpm-passes=`, `lto-aa-pipeline=`, `opt-remarks-filename=`,
    /// `obj-path=` or `emit-asm` is given: each needs every module's
    /// backend whole (a split module runs the default pipeline's two
    /// halves, writes no remarks and more than one object).
    pub fn needs_whole_modules(&self) -> bool {
        self.pipeline.is_some()
            || self.aa_pipeline.is_some()
            || self.remarks.any()
            || self.obj_path.is_some()
            || self.emit_asm
    }

    /// Takes one `-plugin-opt=` value.
    pub fn add(&mut self, opt: &str) -> Result<()> {
        let (name, value) = match opt.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (opt, None),
        };
        // LLVMgold forwards `-plugin-opt=-foo` to LLVM's own options; the
        // ones dtlto has are taken with or without the dash.
        let bare = name.trim_start_matches('-');
        let need = |what: &str| -> Result<&str> {
            value
                .filter(|v| !v.is_empty())
                .with_context(|| format!("-plugin-opt={bare} needs a value: {bare}={what}"))
        };
        // Delegation, under dtlto link's and lld's names.
        if let Some((name, _)) = distribution_option(&format!("--{bare}=")) {
            self.distribution.set(name, need("VALUE")?);
            return Ok(());
        }
        match bare {
            "O0" | "O1" | "O2" | "O3" | "Os" | "Oz" if value.is_none() => {
                self.opt_level = OptLevel::parse(&bare[1..]).expect("listed levels parse");
            }
            "jobs" | "thinlto-jobs" => {
                let v = need("N")?;
                let n: usize =
                    v.parse().ok().filter(|&n| n > 0).with_context(|| {
                        format!("-plugin-opt={bare}={v}: not a positive number")
                    })?;
                self.jobs = Some(n);
            }
            "mcpu" => self.mcpu = Some(need("CPU")?.to_string()),
            "mattr" => self.mattr = need("+feature,-feature")?.to_string(),
            "cache-dir" => self.cache_dir = Some(need("DIR")?.to_string()),
            "cache-policy" => self.cache_policy = CachePolicy::parse(need("POLICY")?)?,
            "save-temps" if value.is_none() => self.save_temps = true,
            "obj-path" => self.obj_path = Some(need("PATH")?.to_string()),
            "emit-asm" if value.is_none() => self.emit_asm = true,
            "thinlto-index-only" => {
                self.index_only = true;
                self.linked_objects_file = value.filter(|v| !v.is_empty()).map(String::from);
            }
            "thinlto-emit-imports-files" if value.is_none() => self.emit_imports_files = true,
            "thinlto-prefix-replace" => {
                let v = need("OLD;NEW")?;
                self.prefix_replace = Some(PrefixReplace::parse(
                    "-plugin-opt=thinlto-prefix-replace",
                    v,
                )?);
            }
            "time-trace" => self.time_trace = Some(need("FILE")?.to_string()),
            "opt-remarks-with-hotness" if value.is_none() => self.remarks.set(opt, bare, "")?,
            "opt-remarks-filename" | "opt-remarks-hotness-threshold" => {
                self.remarks.set(opt, bare, need("VALUE")?)?
            }
            // LLVMgold takes these empty (all passes; yaml).
            "opt-remarks-passes" | "opt-remarks-format" => {
                self.remarks.set(opt, bare, value.unwrap_or_default())?
            }
            "lto-newpm-passes" => self.pipeline = Some(need("PIPELINE")?.to_string()),
            "lto-aa-pipeline" => self.aa_pipeline = Some(need("AA")?.to_string()),
            "debug-pass-manager" if value.is_none() => self.debug_pass_manager = true,
            "v" | "verbose" if value.is_none() => self.verbose = true,
            "thinlto" if value.is_none() => {}
            // LLVMgold's: it always runs the new pass manager, as dtlto.
            "new-pass-manager" if value.is_none() => {}
            // LLVMgold's partitions of the regular LTO part's code
            // generation: here that part is always empty.
            "lto-partitions" => {
                let v = need("N")?;
                v.parse::<u32>()
                    .with_context(|| format!("-plugin-opt=lto-partitions={v}: not a number"))?;
            }
            "disable-output" if value.is_none() => self.disable_output = true,
            "disable-verify" if value.is_none() => self.verify = false,
            "verify" if value.is_none() => self.verify = true,
            "backends" => {
                self.backends = Some(match need("threads|processes")? {
                    "threads" => BackendPlace::Threads,
                    "processes" => BackendPlace::Processes,
                    v => bail!("-plugin-opt=backends={v}: threads or processes"),
                })
            }
            "help" if value.is_none() => self.help = true,
            "prebuilt-module" => self
                .prebuilt
                .push((need("FILE@OFFSET")?.into(), Vec::new())),
            "prebuilt-object" => {
                let object = need("OBJ")?.to_string();
                let Some((_, objects)) = self.prebuilt.last_mut() else {
                    bail!("-plugin-opt=prebuilt-object={object} comes before any prebuilt-module=");
                };
                objects.push(object);
            }
            "no-split" if value.is_none() => self.split = Some(SplitConfig { threshold: None }),
            "split-threshold" => {
                let v = need("N")?;
                let n = v.parse().map_err(|_| {
                    anyhow::anyhow!("-plugin-opt=split-threshold takes a number, got `{v}`")
                })?;
                self.split = Some(SplitConfig { threshold: Some(n) });
            }
            _ if opt.starts_with('-')
                || import_option(opt).is_some()
                || matches!(
                    bare,
                    "force-import-all" | "print-import-failures" | "import-declaration"
                ) =>
            {
                // LLVM's options, as LLVMgold takes them (dtlto's import
                // knobs also without the dash).
                LlvmOptionTargets {
                    import: &mut self.import,
                    print_import_failures: &mut self.print_import_failures,
                    passes: &mut self.passes,
                    llvm_options: &mut self.llvm_options,
                }
                .apply(opt)?;
            }
            _ => bail!("unknown option -plugin-opt={opt}; -plugin-opt=help lists the options"),
        }
        Ok(())
    }

    /// Without a distributor, backends run on the linker's threads, except
    /// where that is measurably slower: mold links its own allocator
    /// (mimalloc) into the process, under which LLVM's backends take ~12 %
    /// more CPU time (sqlite3, 110 modules: 22.2 s vs 19.7 s user), so
    /// there they run in `dtlto distribute`'s worker processes. `dtlto` is
    /// the dtlto installed beside the plugin, if any.
    pub fn place_backends(&mut self, linker: &str, dtlto: Option<&str>) -> Result<()> {
        if !self.distribution.distributor.is_empty() {
            return Ok(());
        }
        let place = self.backends.unwrap_or(if linker.contains("mold") {
            BackendPlace::Processes
        } else {
            BackendPlace::Threads
        });
        if place == BackendPlace::Threads {
            return Ok(());
        }
        let Some(dtlto) = dtlto else {
            if self.backends == Some(BackendPlace::Processes) {
                bail!("-plugin-opt=backends=processes needs the dtlto binary installed beside the plugin");
            }
            return Ok(());
        };
        let jobs = dtlto_cli::backends::jobs_or_all_cores(self.jobs);
        self.distribution = Distribution {
            distributor: dtlto.to_string(),
            distributor_args: vec!["distribute".into(), format!("-j{jobs}")],
            remote_compiler: Some(dtlto.to_string()),
            ..Distribution::default()
        };
        Ok(())
    }

    /// Checks made once every option is in.
    pub fn finish(&mut self) -> Result<()> {
        if self.distribution.lacks_distributor() {
            bail!(
                "-plugin-opt=distributor-arg and remote-compiler* need -plugin-opt=distributor=EXE"
            );
        }
        if self.needs_whole_modules() && self.split.is_some_and(|s| s.threshold.is_some()) {
            bail!(
                "-plugin-opt=split-threshold cannot be used with lto-newpm-passes=, \
                 lto-aa-pipeline=, opt-remarks-filename=, obj-path= or emit-asm: a split \
                 module runs LLVM's default pipeline, writes no remarks and one object per part"
            );
        }
        if self.emit_asm && !self.distribution.distributor.is_empty() {
            bail!(
                "-plugin-opt=emit-asm writes the backends' assembly in-process; it cannot be \
                 delegated to a distributor"
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(opts: &[&str]) -> Result<Options> {
        let mut o = Options::default();
        for opt in opts {
            o.add(opt)?;
        }
        o.finish()?;
        Ok(o)
    }

    #[test]
    fn a_custom_pipeline_turns_splitting_off_and_refuses_a_threshold() {
        let custom = parse(&["lto-newpm-passes=default<O1>"]).unwrap();
        assert_eq!(custom.pipeline.as_deref(), Some("default<O1>"));
        assert_eq!(custom.split_config().threshold, None);
        let aa = parse(&["lto-aa-pipeline=basic-aa"]).unwrap();
        assert_eq!(aa.aa_pipeline.as_deref(), Some("basic-aa"));
        assert_eq!(aa.split_config().threshold, None);
        let e = parse(&["lto-aa-pipeline=basic-aa", "split-threshold=10"]).unwrap_err();
        assert!(e.to_string().contains("default pipeline"), "{e}");
        let e = parse(&["lto-newpm-passes="]).unwrap_err();
        assert!(e.to_string().contains("needs a value"), "{e}");
    }

    #[test]
    fn llvmgold_s_no_op_options_are_accepted() {
        let o = parse(&["new-pass-manager", "lto-partitions=4", "disable-output"]).unwrap();
        assert!(o.disable_output);
        let e = parse(&["lto-partitions=many"]).unwrap_err();
        assert!(e.to_string().contains("not a number"), "{e}");
        assert!(parse(&["new-pass-manager=1"]).is_err());
    }

    #[test]
    fn emit_asm_keeps_modules_whole_and_in_process() {
        let asm = parse(&["emit-asm"]).unwrap();
        assert!(asm.emit_asm && asm.needs_whole_modules());
        assert_eq!(asm.split_config().threshold, None);
        let e = parse(&["emit-asm", "split-threshold=10"]).unwrap_err();
        assert!(e.to_string().contains("emit-asm"), "{e}");
        let e = parse(&["emit-asm", "distributor=dist"]).unwrap_err();
        assert!(e.to_string().contains("cannot be delegated"), "{e}");
        let e = parse(&["emit-asm=x"]).unwrap_err();
        assert!(e.to_string().contains("emit-asm"), "{e}");
    }

    #[test]
    fn obj_path_keeps_modules_whole() {
        let kept = parse(&["obj-path=lto.o"]).unwrap();
        assert_eq!(kept.obj_path.as_deref(), Some("lto.o"));
        assert_eq!(kept.split_config().threshold, None);
        let e = parse(&["obj-path=lto.o", "split-threshold=10"]).unwrap_err();
        assert!(e.to_string().contains("obj-path="), "{e}");
        assert!(parse(&["obj-path="]).is_err());
    }

    #[test]
    fn splitting_is_on_by_default_except_for_index_only_links() {
        assert_eq!(parse(&[]).unwrap().split_config(), SplitConfig::default());
        let index_only = parse(&["thinlto-index-only"]).unwrap();
        assert_eq!(index_only.split_config().threshold, None);
        let asked = parse(&["thinlto-index-only", "split-threshold=5000"]).unwrap();
        assert_eq!(asked.split_config().threshold, Some(5000));
        assert_eq!(parse(&["no-split"]).unwrap().split_config().threshold, None);
        assert!(parse(&["split-threshold=many"]).is_err());
    }

    #[test]
    fn llvmgold_names() {
        let o = parse(&[
            "O3",
            "jobs=4",
            "mcpu=x86-64-v3",
            "-mattr=+avx2",
            "thinlto",
            "cache-dir=c",
            "cache-policy=prune_after=1h",
            "save-temps",
            "-import-instr-limit=7",
        ])
        .unwrap();
        assert_eq!(o.opt_level, OptLevel::O3);
        assert_eq!(o.jobs, Some(4));
        assert_eq!(o.mcpu.as_deref(), Some("x86-64-v3"));
        assert_eq!(o.mattr, "+avx2");
        assert_eq!(o.cache_dir.as_deref(), Some("c"));
        assert!(o.save_temps);
        assert_eq!(o.import.instr_limit, 7);
    }

    #[test]
    fn index_only_with_objects_file() {
        let o = parse(&["thinlto-index-only=objs.txt", "thinlto-emit-imports-files"]).unwrap();
        assert!(o.index_only && o.emit_imports_files);
        assert_eq!(o.linked_objects_file.as_deref(), Some("objs.txt"));
        let o = parse(&["thinlto-index-only"]).unwrap();
        assert!(o.index_only && o.linked_objects_file.is_none());
    }

    #[test]
    fn delegation() {
        let o = parse(&[
            "distributor=dtlto",
            "distributor-arg=distribute",
            "thinlto-remote-compiler=/x/dtlto",
        ])
        .unwrap();
        assert_eq!(o.distribution.distributor, "dtlto");
        assert_eq!(o.distribution.distributor_args, ["distribute"]);
        assert_eq!(o.distribution.remote_compiler.as_deref(), Some("/x/dtlto"));
        let err = parse(&["distributor-arg=x"]).unwrap_err().to_string();
        assert!(err.contains("need -plugin-opt=distributor=EXE"), "{err}");
    }

    #[test]
    fn backends_go_to_processes_under_mold_only() {
        let mut o = parse(&["jobs=3"]).unwrap();
        o.place_backends("/usr/bin/ld.mold", Some("/x/dtlto"))
            .unwrap();
        assert_eq!(o.distribution.distributor, "/x/dtlto");
        assert_eq!(o.distribution.distributor_args, ["distribute", "-j3"]);
        let mut o = parse(&[]).unwrap();
        o.place_backends("/usr/bin/ld.gold", Some("/x/dtlto"))
            .unwrap();
        assert!(o.distribution.distributor.is_empty());
        let mut o = parse(&["backends=threads"]).unwrap();
        o.place_backends("/usr/bin/mold", Some("/x/dtlto")).unwrap();
        assert!(o.distribution.distributor.is_empty());
        let mut o = parse(&["backends=processes"]).unwrap();
        let err = o
            .place_backends("/usr/bin/ld.bfd", None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("needs the dtlto binary"), "{err}");
        // A distributor given by the user always wins.
        let mut o = parse(&["distributor=/d"]).unwrap();
        o.place_backends("/usr/bin/mold", Some("/x/dtlto")).unwrap();
        assert_eq!(o.distribution.distributor, "/d");
    }

    #[test]
    fn bad_options_are_refused() {
        for (opt, needle) in [
            ("O4", "unknown option -plugin-opt=O4"),
            ("frobnicate", "unknown option -plugin-opt=frobnicate"),
            ("jobs=0", "not a positive number"),
            ("jobs=many", "not a positive number"),
            ("mcpu=", "needs a value"),
            ("thinlto-prefix-replace=nosemicolon", "takes OLD;NEW"),
            ("save-temps=yes", "unknown option"),
        ] {
            let err = format!("{:#}", parse(&[opt]).unwrap_err());
            assert!(err.contains(needle), "{opt}: {err}");
        }
        // A dash makes it LLVM's: LLVM judges it when the plugin loads.
        let o = parse(&["-inline-threshold=9", "-import-cutoff=3"]).unwrap();
        assert_eq!(o.llvm_options, ["-inline-threshold=9"]);
        assert_eq!(o.import.cutoff, 3);
        // LLVMgold ignores it in a link that goes on; so does the plugin.
        let o = parse(&["thinlto-emit-imports-files"]).unwrap();
        assert!(o.emit_imports_files && !o.index_only);
    }
}
