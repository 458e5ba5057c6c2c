//! The `dtlto` binary: a thin layer over dtlto-core (and, for backends,
//! dtlto-llvm). Arguments are parsed, validated into a typed link line, then
//! dispatched to one subcommand module.
//!
//! Exit codes: 0 success, 1 the link failed (bad input, undefined symbol,
//! a failing tool), 2 the command line was wrong.

use std::process::ExitCode;

use dtlto_cli::{
    backend_cmd, distribute_cmd, link_cmd, link_line, slurm, summary_cmd, thin_link_cmd, trace,
    worker,
};

use anyhow::Result;
use dtlto_core::split::SplitConfig;
use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

const LINK_LINE_HELP: &str = "\
LINK LINE: the arguments you would give `clang-22 -flto=thin` to link: bitcode
and native objects, archives, -l/-L, -Wl,..., -shared, -pie, -static, -u, -e.
They go to clang-22 unchanged, except dtlto's own options:
  -o FILE                    output
  -O0|-O1|-O2|-O3|-Os|-Oz    backend optimization level (default -O2; -O0 imports nothing)
  --lto-CGO<N>               code generation level 0-3 (default as the final linker's
                             LTO: lld 2, 3 at -O3; bfd/gold/mold the -O level)
  -j N, --jobs N             parallel jobs (default: all cores)
  --target=TRIPLE            target (x86_64-linux-gnu, aarch64-linux-gnu)
  -fuse-ld=lld|bfd|gold|mold final linker (default lld, which runs inside dtlto:
                             it is LLVM 22's lld, linked in)
  --final-link-process       run the final ld.lld as a process of its own
  -mcpu=CPU, -mattr=+a,-b    target CPU and features for the backends
  --save-temps               keep plans, IR after each step, objects, link command
  --time-trace FILE          Chrome trace JSON: a span per stage and per backend
  --prefix-replace=OLD;NEW   write per-module outputs under NEW instead of OLD
  --import-instr-limit=N     LLVM's import knobs, with LLVM's defaults:
  --import-instr-evolution-factor=X (0.7)  --import-hot-multiplier=X (10)
  --import-critical-multiplier=X (100)     --import-cold-multiplier=X (0)
  --import-hot-evolution-factor=X (1.0)    --import-cutoff=N (-1, no limit)
  --force-import-all, --import-declaration, --no-import
  --print-import-failures    print each callee a module's import rejected and why,
                             as LLVM's -print-import-failures (lld: -mllvm)
  --split-threshold=N        split a module estimated above N instructions after
                             import (default 30000; thin-link: no split unless
                             given) into ceil(size/N) parts built on separate cores
  --no-split                 never split a module's backend
  --disable-verify           skip LLVM's verifier in in-process backends (lld's
                             option; delegated jobs skip it, as clang's do)
  --lto-newpm-passes=PIPELINE  the backends' pass pipeline after import, in
                             place of thinlto<O> (lld's; opt's -passes syntax)
  --lto-emit-asm             write each module's assembly as lld does
                             (<dir of module>/<output>.lto.<module stem>.s)
                             and link nothing
  --lto-aa-pipeline=AA       the backends' alias analyses, e.g. basic-aa,tbaa
                             (lld's); either one turns module splitting off
  --lto-obj-path=PATH        also keep each module's object as PATH1, PATH2, ...
                             in LTO task order, and PATH, the object of the
                             (empty) regular LTO part, as lld (no split)
  --lto-debug-pass-manager   print each pass and analysis the backends' pass
                             manager runs, on stderr, as lld
  --thinlto-emit-index-files write each module's .plan beside it, and with
                             --thinlto-emit-imports-files its .imports, as lld
                             writes its index files in a link that goes on
  --opt-remarks-filename=FILE  optimization remarks, as lld writes them:
                             FILE.thin.<task>.<format> per module, FILE empty;
                             also --opt-remarks-passes=REGEX,
                             --opt-remarks-format=yaml|bitstream,
                             --opt-remarks-with-hotness, and clang's
                             -fsave-optimization-record[=FORMAT],
                             -foptimization-record-file=, -passes= (no split)
  -v                         print stage times and commands
  --cache-dir=DIR            keep backend objects in DIR; a relink reruns only the
                             backends whose inputs changed
  --cache-policy=POLICY      LLVM's --thinlto-cache-policy: prune_interval=20m,
                             prune_after=7d, cache_size=75%, cache_size_bytes=0,
                             cache_size_files=1000000 (defaults), joined with ':'
DELEGATED BACKENDS (lld's --thinlto-* spellings are accepted too):
  --distributor=EXE          write a DTLTO job file (LLVM's JSON schema) and run
                             `EXE [ARGS] JOBFILE` to run the backends, e.g.
                             --distributor=dtlto --distributor-arg=distribute
  --distributor-arg=ARG      an argument for the distributor (repeatable)
  --remote-compiler=PATH     the program jobs run (default: this dtlto)
  --remote-compiler-prepend-arg=ARG  an argument before `backend` (repeatable)
  --remote-compiler-arg=ARG  an argument after the shared backend options
LTO OPTIONS FOR THE LINKER OR LLVM (-Wl,..., -Xlinker, -mllvm) are applied as
dtlto's, since the final linker sees no bitcode: --lto-O<N>, --lto-CGO<N>,
--thinlto-jobs=N, --thinlto-cache-dir=, --thinlto-cache-policy=, --save-temps,
--disable-verify, --lto-newpm-passes=, --lto-aa-pipeline=, --opt-remarks-*,
--lto-obj-path=, --lto-debug-pass-manager, --thinlto-emit-index-files,
--thinlto-emit-imports-files,
-plugin-opt=O<N>|jobs=|mcpu=|cache-dir=|obj-path=|debug-pass-manager|-<llvm option>, and
-mllvm: LLVM's import options, -compute-dead and -propagate-attrs steer the
thin link, any other LLVM option goes to LLVM for the backends (in-process and
in delegated jobs). Other LTO options, and LLVM's thin-link options dtlto does
not implement, are refused by name.";

#[derive(Parser)]
#[command(
    name = "dtlto",
    about = "A standalone ThinLTO pipeline on LLVM 22: thin link in Rust, backends in-process or distributed",
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The link line of `link`, `thin-link` and `summary` (see LINK LINE below).
#[derive(clap::Args)]
struct LinkLineArgs {
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        required = true,
        value_name = "LINK LINE"
    )]
    args: Vec<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Link: read, resolve, thin link, run the backends on a thread pool
    /// (biggest modules first), and run the final link with native objects
    /// in place of the bitcode. A drop-in for `clang-22 -flto=thin
    /// -fuse-ld=lld` at link time.
    #[command(after_help = LINK_LINE_HELP)]
    Link {
        #[command(flatten)]
        line: LinkLineArgs,
    },
    /// Run one backend job: apply PLAN to MODULE (importing from the
    /// IMPORTS, one file per import source of the plan, in its order),
    /// optimize, and write a native object. What a distributor runs.
    Backend {
        /// The module's backend plan (from `dtlto thin-link`).
        #[arg(long)]
        plan: PathBuf,
        /// Where to write the object (atomically).
        #[arg(short = 'o', value_name = "OUT.o")]
        output: PathBuf,
        /// Optimization level: 0, 1, 2, 3, s or z.
        #[arg(short = 'O', default_value = "2", value_parser = parse_opt_level)]
        opt: dtlto_llvm::OptLevel,
        /// Code generation level, 0-3 (default: lld's for -O: 2 up to -O2,
        /// 3 at -O3).
        #[arg(long, value_parser = clap::value_parser!(u8).range(0..=3))]
        codegen_level: Option<u8>,
        /// An LLVM option for the backend, as -mllvm gives it (repeatable).
        #[arg(long = "mllvm", value_name = "OPTION", allow_hyphen_values = true)]
        mllvm: Vec<String>,
        /// Target CPU (default: what clang passes to LTO for the triple).
        #[arg(long)]
        mcpu: Option<String>,
        /// Target features, e.g. +avx2,-sse4a.
        #[arg(long, default_value = "")]
        mattr: String,
        /// Relocation model.
        #[arg(long, value_enum, default_value = "pic")]
        reloc: Reloc,
        /// Do not put each function and variable in its own section.
        #[arg(long)]
        no_sections: bool,
        /// Run LLVM's verifier on the module after import. Off by default,
        /// as in the backend jobs of a release clang-22
        /// (-fno-verify-intermediate-code).
        #[arg(long)]
        verify: bool,
        /// A pass pipeline in place of `thinlto<O>` after import (lld's
        /// --lto-newpm-passes; LLVM's textual syntax, as opt's -passes).
        #[arg(long = "lto-newpm-passes", value_name = "PIPELINE")]
        pipeline: Option<String>,
        /// Alias analyses in place of the default stack (lld's
        /// --lto-aa-pipeline), e.g. basic-aa,tbaa.
        #[arg(long = "lto-aa-pipeline", value_name = "AA")]
        aa_pipeline: Option<String>,
        /// Write optimization remarks to FILE.thin.<TASK>.<FORMAT>, as lld's
        /// --opt-remarks-filename names a ThinLTO module's.
        #[arg(long = "opt-remarks-filename", value_name = "FILE")]
        remarks_file: Option<String>,
        /// Keep only the remarks of passes matching this regex.
        #[arg(long = "opt-remarks-passes", value_name = "REGEX", default_value = "")]
        remarks_passes: String,
        /// yaml (also when empty) or bitstream.
        #[arg(long = "opt-remarks-format", value_name = "FORMAT", default_value = "")]
        remarks_format: String,
        /// Include profile hotness in the remarks.
        #[arg(long = "opt-remarks-with-hotness")]
        remarks_with_hotness: bool,
        /// Minimum hotness of a remark kept: a count, or `auto`.
        #[arg(
            long = "opt-remarks-hotness-threshold",
            value_name = "N|auto",
            default_value = "0"
        )]
        remarks_hotness_threshold: String,
        /// The module's ThinLTO task (1 + its place among the link's
        /// modules), which names its remark file.
        #[arg(long, default_value = "1")]
        task: u32,
        /// Write assembly to OUT instead of an object (lld's --lto-emit-asm).
        #[arg(long = "lto-emit-asm")]
        emit_asm: bool,
        /// Print each pass and analysis the pass manager runs, on stderr
        /// (lld's --lto-debug-pass-manager).
        #[arg(long = "lto-debug-pass-manager")]
        debug_pass_manager: bool,
        /// No address-significance table in the object (LLVMgold's objects
        /// have none; lld's LTO asks for one).
        #[arg(long)]
        no_addrsig: bool,
        /// Plain GOTPCREL for GOT loads on x86-64, not the relaxable
        /// GOTPCRELX/REX_GOTPCRELX (LLVMgold's objects; lld's relax).
        #[arg(long)]
        no_relax_relocations: bool,
        /// Threads for the parts of a module the plan splits (default: all
        /// cores); part p's object is written to OUT.o.part<p>.o.
        #[arg(short = 'j', long)]
        jobs: Option<usize>,
        /// The module's bitcode.
        module: PathBuf,
        /// Bitcode of the modules the plan imports from, in the plan's order.
        imports: Vec<PathBuf>,
    },
    /// Run the jobs of a DTLTO job file (LLVM 22's JSON schema, written by
    /// `dtlto link --distributor` or by `ld.lld-22 --thinlto-distributor`)
    /// on this machine's cores. Every failed job is reported with its
    /// command and output; the exit status is non-zero if any failed. As
    /// lld's distributor: `--thinlto-distributor=dtlto
    /// --thinlto-distributor-arg=distribute`.
    Distribute {
        /// Jobs run at once (default: all cores).
        #[arg(short = 'j', long)]
        jobs: Option<usize>,
        /// Kill and fail a job that runs longer than SECONDS.
        #[arg(long, value_name = "SECONDS")]
        timeout: Option<f64>,
        /// Where jobs run: local processes, or job steps of one Slurm
        /// allocation of -j CPUs (salloc, then srun --exact per job).
        #[arg(long, value_enum, default_value = "local")]
        engine: EngineKind,
        /// The partition to allocate in.
        #[arg(long, help_heading = "Slurm")]
        partition: Option<String>,
        /// The account to charge.
        #[arg(long, help_heading = "Slurm")]
        account: Option<String>,
        /// The allocation's time limit (salloc --time syntax).
        #[arg(long, value_name = "TIME", help_heading = "Slurm")]
        time_limit: Option<String>,
        /// One more salloc argument (repeatable).
        #[arg(
            long,
            value_name = "ARG",
            allow_hyphen_values = true,
            help_heading = "Slurm"
        )]
        salloc_arg: Vec<String>,
        /// One more srun argument for every step (repeatable).
        #[arg(
            long,
            value_name = "ARG",
            allow_hyphen_values = true,
            help_heading = "Slurm"
        )]
        srun_arg: Vec<String>,
        /// The directory the nodes share; every job path must be under it.
        #[arg(long, value_name = "DIR", help_heading = "Slurm")]
        shared_dir: Option<PathBuf>,
        /// Retries of a step whose node failed.
        #[arg(long, default_value_t = 2, help_heading = "Slurm")]
        retries: usize,
        /// Print every job's command.
        #[arg(short = 'v', long)]
        verbose: bool,
        /// Start one process per job even for this dtlto's own backend
        /// jobs (by default they run in one long-lived worker process per
        /// slot, which loads LLVM once instead of once per job).
        #[arg(long)]
        no_workers: bool,
        /// The job file (lld passes it last).
        job_file: PathBuf,
    },
    /// Runs `backend` jobs sent one per line on stdin (a JSON array of
    /// arguments) and answers each on stdout; what `dtlto distribute` keeps
    /// running per slot.
    #[command(hide = true)]
    BackendWorker,
    /// Thin link only: write <module>.imports (lld's format) and <module>.plan
    /// for every bitcode input, like `ld.lld --thinlto-index-only
    /// --thinlto-emit-imports-files`. Plans are not split unless
    /// --split-threshold is given (`dtlto backend` then writes a part
    /// object beside its output for each part).
    #[command(after_help = LINK_LINE_HELP)]
    ThinLink {
        #[command(flatten)]
        line: LinkLineArgs,
    },
    /// Print the combined index after the thin link: summaries, resolved
    /// linkages, liveness and imports (text, --json, or the import graph as
    /// Graphviz --dot).
    #[command(after_help = LINK_LINE_HELP)]
    Summary {
        /// Machine-readable JSON.
        #[arg(long, conflicts_with = "dot")]
        json: bool,
        /// Import graph in Graphviz DOT (edge label: values imported).
        #[arg(long, conflicts_with = "resolutions")]
        dot: bool,
        /// Symbol resolutions in LLVM's resolution-file format (what lld
        /// writes to <output>.resolution.txt with -save-temps).
        #[arg(long, conflicts_with = "json")]
        resolutions: bool,
        #[command(flatten)]
        line: LinkLineArgs,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum EngineKind {
    Local,
    Slurm,
}

#[derive(Clone, Copy, ValueEnum)]
enum Reloc {
    Pic,
    Static,
}

fn parse_opt_level(text: &str) -> Result<dtlto_llvm::OptLevel, String> {
    dtlto_llvm::OptLevel::parse(text).ok_or_else(|| format!("`{text}` is not 0, 1, 2, 3, s or z"))
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Link { line } => {
            let line = link_line::parse(&line.args)?;
            link_cmd::link(&line)
        }
        Command::Backend {
            plan,
            output,
            opt,
            codegen_level,
            mllvm,
            mcpu,
            mattr,
            reloc,
            no_sections,
            verify,
            pipeline,
            aa_pipeline,
            remarks_file,
            remarks_passes,
            remarks_format,
            remarks_with_hotness,
            remarks_hotness_threshold,
            task,
            emit_asm,
            debug_pass_manager,
            no_addrsig,
            no_relax_relocations,
            jobs,
            module,
            imports,
        } => {
            let options = dtlto_llvm::BackendOptions {
                opt_level: opt,
                codegen_level: codegen_level.unwrap_or(opt.lld_codegen_level()),
                llvm_options: mllvm,
                cpu: mcpu,
                features: mattr,
                reloc: match reloc {
                    Reloc::Pic => dtlto_llvm::RelocModel::Pic,
                    Reloc::Static => dtlto_llvm::RelocModel::Static,
                },
                function_sections: !no_sections,
                data_sections: !no_sections,
                verify,
                save_temps: None,
                pipeline,
                aa_pipeline,
                remarks: match remarks_file {
                    Some(file) => Some(dtlto_llvm::RemarkOptions {
                        file,
                        passes: remarks_passes,
                        format: remarks_format,
                        with_hotness: remarks_with_hotness,
                        hotness_threshold: dtlto_llvm::RemarkOptions::parse_threshold(
                            &remarks_hotness_threshold,
                        )
                        .map_err(|e| anyhow::anyhow!("--opt-remarks-hotness-threshold: {e}"))?,
                    }),
                    None => None,
                },
                task,
                emit_asm,
                debug_pass_manager,
                addrsig: !no_addrsig,
                relax_relocations: !no_relax_relocations,
            };
            backend_cmd::run(&backend_cmd::BackendJob {
                plan,
                output,
                module,
                imports,
                options,
                jobs,
            })
        }
        Command::Distribute {
            jobs,
            timeout,
            verbose,
            no_workers,
            engine,
            partition,
            account,
            time_limit,
            salloc_arg,
            srun_arg,
            shared_dir,
            retries,
            job_file,
        } => {
            let timeout = match timeout {
                Some(t) if t.is_finite() && t > 0.0 => Some(std::time::Duration::from_secs_f64(t)),
                Some(t) => anyhow::bail!("--timeout takes a positive number of seconds, got {t}"),
                None => None,
            };
            let jobs = dtlto_cli::backends::jobs_or_all_cores(jobs);
            distribute_cmd::run(
                &job_file,
                &distribute_cmd::DistributeOptions {
                    engine: match engine {
                        EngineKind::Local => distribute_cmd::Engine::Local,
                        EngineKind::Slurm => distribute_cmd::Engine::Slurm(slurm::SlurmOptions {
                            partition,
                            account,
                            time_limit,
                            salloc_args: salloc_arg,
                            srun_args: srun_arg,
                            shared_dir,
                            retries,
                        }),
                    },
                    jobs,
                    no_workers,
                    timeout,
                    verbose,
                },
            )
        }
        Command::BackendWorker => worker::serve(|args| {
            let cli = Cli::try_parse_from(
                std::iter::once("dtlto").chain(args.iter().map(String::as_str)),
            )
            .map_err(|e| anyhow::anyhow!("{}", e.render()))?;
            match cli.command {
                Command::Backend { .. } => run(cli),
                _ => anyhow::bail!("a backend worker runs `backend` jobs only"),
            }
        }),
        Command::ThinLink { line } => {
            let mut line = link_line::parse(&line.args)?;
            // Whoever runs the backends of a thin-link also makes the final
            // link, expecting one object per module: splitting (more objects
            // per plan) is theirs to ask for.
            line.split.get_or_insert(SplitConfig { threshold: None });
            thin_link_cmd::thin_link(&line)
        }
        Command::Summary {
            json,
            dot,
            resolutions,
            line,
        } => {
            let line = link_line::parse(&line.args)?;
            let output = line.output.clone().unwrap_or_else(|| "a.out".into());
            let trace = trace::Trace::new(std::time::Instant::now());
            let link = thin_link_cmd::run_thin_link(&line, &output, &trace)?.link;
            if resolutions {
                print!("{}", link.resolution_file());
                return Ok(());
            }
            let format = if json {
                summary_cmd::Format::Json
            } else if dot {
                summary_cmd::Format::Dot
            } else {
                summary_cmd::Format::Text
            };
            print!("{}", summary_cmd::render(&link, format)?);
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    let (major, minor, patch) = dtlto_llvm::llvm_version();
    let version: &'static str = Box::leak(
        format!(
            "{} (LLVM {major}.{minor}.{patch})",
            env!("CARGO_PKG_VERSION")
        )
        .into_boxed_str(),
    );
    let parsed = Cli::command()
        .version(version)
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dtlto: error: {e:#}");
            ExitCode::from(1)
        }
    }
}
