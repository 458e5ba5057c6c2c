//! The `dtlto` binary: a thin layer over dtlto-core (and, for backends,
//! dtlto-llvm). Arguments are parsed, validated into a typed link line, then
//! dispatched to one subcommand module.
//!
//! Exit codes: 0 success, 1 the link failed (bad input, undefined symbol,
//! a failing tool), 2 the command line was wrong.

mod driver;
mod link_line;
mod output;
mod summary_cmd;
mod thin_link_cmd;

use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

const LINK_LINE_HELP: &str = "\
LINK LINE: the arguments you would give `clang-22 -flto=thin` to link: bitcode
and native objects, archives, -l/-L, -Wl,..., -shared, -pie, -static, -u, -e.
They go to clang-22 unchanged, except dtlto's own options:
  -o FILE                    output
  -O0|-O1|-O2|-O3|-Os|-Oz    backend optimization level (default -O2; -O0 imports nothing)
  -j N, --jobs N             parallel jobs (default: all cores)
  --target=TRIPLE            target (x86_64-linux-gnu, aarch64-linux-gnu)
  -fuse-ld=lld|bfd|gold|mold final linker (default lld)
  --prefix-replace=OLD;NEW   write per-module outputs under NEW instead of OLD
  --import-instr-limit=N     LLVM's import knobs, with LLVM's defaults:
  --import-instr-evolution-factor=X (0.7)  --import-hot-multiplier=X (10)
  --import-critical-multiplier=X (100)     --import-cold-multiplier=X (0)
  --import-hot-evolution-factor=X (1.0)    --import-cutoff=N (-1, no limit)
  --force-import-all, --import-declaration, --no-import
  -v                         print stage times and commands";

#[derive(Parser)]
#[command(
    name = "dtlto",
    version = concat!(env!("CARGO_PKG_VERSION"), " (for LLVM 22)"),
    about = "A standalone ThinLTO pipeline on LLVM 22: thin link in Rust, backends in-process or distributed",
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Thin link only: write <module>.imports (lld's format) and <module>.plan
    /// for every bitcode input, like `ld.lld --thinlto-index-only
    /// --thinlto-emit-imports-files`.
    #[command(after_help = LINK_LINE_HELP)]
    ThinLink {
        #[arg(
            trailing_var_arg = true,
            allow_hyphen_values = true,
            required = true,
            value_name = "LINK LINE"
        )]
        args: Vec<String>,
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
        #[arg(long)]
        dot: bool,
        #[arg(
            trailing_var_arg = true,
            allow_hyphen_values = true,
            required = true,
            value_name = "LINK LINE"
        )]
        args: Vec<String>,
    },
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::ThinLink { args } => {
            let line = link_line::parse(&args)?;
            thin_link_cmd::thin_link(&line)
        }
        Command::Summary { json, dot, args } => {
            let line = link_line::parse(&args)?;
            let output = line.output.clone().unwrap_or_else(|| "a.out".into());
            let link = thin_link_cmd::run_thin_link(&line, &output)?;
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
    let cli = match Cli::try_parse() {
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
