//! `dtlto thin-link`: the thin link alone, like `ld.lld --thinlto-index-only
//! --thinlto-emit-imports-files`. Writes `<module>.imports` and
//! `<module>.plan` next to each bitcode input (or where
//! `--prefix-replace` says).

use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use dtlto_core::import;
use dtlto_core::input::{Bitcode, InputFile};
use dtlto_core::plan::BackendPlan;
use dtlto_core::resolution::{self, Origin};
use dtlto_core::thinlink::{self, ThinLink, ThinLinkConfig};
use rayon::prelude::*;

use crate::driver::{self, LinkerCommand, LinkerView};
use crate::link_line::{LinkLine, PrefixReplace};
use crate::output::{parent_dir, write_index_file};
use crate::trace::Trace;

/// Everything the thin link produced, and what the final link needs of
/// what came before it.
pub struct ThinLinked {
    pub cmd: LinkerCommand,
    pub view: LinkerView,
    pub inputs: Vec<InputFile>,
    /// Where each module of `link` came from on the link line.
    pub origins: Vec<Origin>,
    pub link: ThinLink,
}

/// What the driver query gives: the linker command, the files it names,
/// and the link-line files read while clang ran.
pub struct Driven {
    pub cmd: LinkerCommand,
    pub view: LinkerView,
    prefetched: driver::Prefetched,
    bitcode: Bitcode,
}

/// Driver -> read -> resolve -> thin link, for `thin-link` and `summary`:
/// no backend follows, so modules' bytes are not kept. Each stage is a
/// span of `trace`.
pub fn run_thin_link(line: &LinkLine, output: &str, trace: &Trace) -> Result<ThinLinked> {
    let driven = drive(line, output, trace, Bitcode::Drop)?;
    thin_link_driven(line, driven, trace, false)
}

/// The driver stage alone: `clang-22 -###` and the linker view, with the
/// link line's own files read meanwhile (keeping modules' bytes or not).
pub fn drive(line: &LinkLine, output: &str, trace: &Trace, bitcode: Bitcode) -> Result<Driven> {
    let started = Instant::now();
    let (cmd, prefetched) = std::thread::scope(|scope| {
        let prefetch = scope.spawn(|| driver::prefetch_inputs(&line.driver_args, bitcode));
        let cmd = driver::linker_command(line, output);
        (cmd, prefetch.join().unwrap_or_default())
    });
    let cmd = cmd?;
    if line.verbose {
        eprintln!("dtlto: resolving over: {cmd}");
    }
    let view = driver::linker_view(&cmd)?;
    trace.span("Driver", Some(&cmd.program), started);
    Ok(Driven {
        cmd,
        view,
        prefetched,
        bitcode,
    })
}

/// The driver stage from a stored answer of the driver (a relink with a
/// cache, see `link_record::driver_key`): the linker view, no query and
/// nothing read ahead.
pub fn driven_from(
    line: &LinkLine,
    cmd: LinkerCommand,
    trace: &Trace,
    bitcode: Bitcode,
) -> Result<Driven> {
    let started = Instant::now();
    if line.verbose {
        eprintln!("dtlto: resolving over (the driver's stored answer): {cmd}");
    }
    let view = driver::linker_view(&cmd)?;
    trace.span("Driver", Some("stored answer"), started);
    Ok(Driven {
        cmd,
        view,
        prefetched: driver::Prefetched::default(),
        bitcode,
    })
}

/// Read -> resolve -> thin link, after the driver stage. `final_link`: the
/// link's own final link follows, from the backends' objects alone.
pub fn thin_link_driven(
    line: &LinkLine,
    driven: Driven,
    trace: &Trace,
    final_link: bool,
) -> Result<ThinLinked> {
    let Driven {
        cmd,
        view,
        prefetched,
        bitcode,
    } = driven;
    let t = Instant::now();
    let inputs = driver::load_inputs(&view, prefetched, bitcode)?;
    trace.span("Read inputs", None, t);
    let read = t.elapsed();
    let t = Instant::now();
    // Under GNU ld, gold and mold the final link goes through the linker
    // plugin, whose LTO decides final definitions as LLVMgold does.
    let options = resolution::ResolveOptions {
        gold_final_definitions: line.linker != "lld",
        ..view.options.clone()
    };
    let resolution = resolution::resolve(&inputs, &options)?;
    trace.span("Resolve", None, t);
    if resolution.modules.is_empty() {
        bail!("no ThinLTO bitcode among the inputs; link them with clang-22 directly");
    }
    let origins: Vec<Origin> = resolution.modules.iter().map(|m| m.origin).collect();
    let config = ThinLinkConfig {
        import: line.import.clone(),
        opt_level: line.opt_level.level(),
        split: line.split_config(),
        passes: line.passes,
        // Under lld the final link reads objects only; the other linkers
        // get the bitcode's symbols through the plugin.
        resolved_visibility: final_link && line.linker == "lld",
    };
    let t = Instant::now();
    let link = thinlink::thin_link(resolution, &config)?;
    trace.span("Thin link", None, t);
    eprint!(
        "{}",
        import::diagnostics(&link.index, &link.imports, line.print_import_failures)
    );
    if line.verbose {
        eprintln!(
            "dtlto: read {} files in {:.3}s",
            inputs.len(),
            read.as_secs_f64()
        );
        for (stage, t) in &link.times.stages {
            eprintln!("dtlto: thin link: {stage:<10} {:.3}s", t.as_secs_f64());
        }
    }
    Ok(ThinLinked {
        cmd,
        view,
        inputs,
        origins,
        link,
    })
}

/// Each module's `<module>.plan` (and, with `imports`, lld's
/// `<module>.imports`), under `prefix_replace` if given. A file already
/// holding what would be written is left untouched. The contents are made
/// in parallel and written one after the other: files created in one
/// directory serialize on it, and two threads only add handovers.
pub fn write_index_outputs(
    plans: &[BackendPlan],
    prefix_replace: Option<&PrefixReplace>,
    imports: bool,
) -> Result<()> {
    let files: Vec<(String, String, &str)> = plans
        .par_iter()
        .flat_map_iter(|plan| {
            let base = match prefix_replace {
                Some(p) => p.apply(&plan.module),
                None => plan.module.clone(),
            };
            let mut out = Vec::with_capacity(2);
            if imports {
                out.push((
                    format!("{base}.imports"),
                    plan.imports_file(),
                    "import list",
                ));
            }
            out.push((format!("{base}.plan"), plan.to_json(), "backend plan"));
            out
        })
        .collect();
    let mut made = std::collections::BTreeSet::new();
    for (path, text, what) in &files {
        let path = Path::new(path);
        let dir = parent_dir(path);
        if made.insert(dir.to_path_buf()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        write_index_file(path, text.as_bytes())
            .with_context(|| format!("writing the {what} {}", path.display()))?;
    }
    Ok(())
}

/// The list `--thinlto-index-only=FILE` (LLVMgold: `thinlto-index-only=`)
/// asks for: each module the link took, under the prefix replacement
/// (where the build puts its object), one per line, as LLVM's
/// index-writing backend lists them.
pub fn write_linked_objects<'m>(
    file: &Path,
    modules: impl Iterator<Item = &'m str>,
    prefix_replace: Option<&PrefixReplace>,
) -> Result<()> {
    let text: String = modules
        .map(|m| match prefix_replace {
            Some(r) => format!("{}\n", r.apply(m)),
            None => format!("{m}\n"),
        })
        .collect();
    crate::output::write_atomic(file, text.as_bytes())
}

pub fn thin_link(line: &LinkLine) -> Result<()> {
    // As lld's index-only link: LLVM takes the options (and refuses those
    // it does not know), though no backend runs here.
    crate::link_cmd::apply_llvm_options(line)?;
    let output = line.output.clone().unwrap_or_else(|| "a.out".into());
    let trace = Trace::new(Instant::now());
    let mut linked = run_thin_link(line, &output, &trace)?;
    // lld's --thinlto-object-suffix-replace: the modules, in the outputs'
    // names and in every import list, are the full objects the build
    // compiles, not the minimized files the link read.
    if let Some(r) = &line.object_suffix_replace {
        for plan in &mut linked.link.plans {
            plan.module = r.apply(&plan.module);
            for source in &mut plan.imports {
                source.module = r.apply(&source.module);
            }
        }
    }
    let t = Instant::now();
    write_index_outputs(&linked.link.plans, line.prefix_replace.as_ref(), true)?;
    // lld's --thinlto-index-only=FILE: the modules the link took, each
    // under the prefix replacement (where the build puts its object), as
    // LLVM's index-writing backend lists them.
    if let Some(Some(file)) = &line.index_only {
        let modules = linked.link.plans.iter().map(|p| p.module.as_str());
        write_linked_objects(Path::new(file), modules, line.prefix_replace.as_ref())?;
    }
    // lld's --lto-obj-path in an index-only link: the regular LTO object
    // (of an empty module here), for the final link the build runs later.
    if let (Some(path), Some(plan)) = (&line.obj_path, linked.link.plans.first()) {
        let options = crate::link_cmd::backend_options(line, linked.view.pic);
        crate::lto_outputs::write_regular_lto_object(path, &plan.triple, &options)?;
    }
    trace.span("Write plans", None, t);
    if let Some(path) = &line.time_trace {
        trace.write(Path::new(path))?;
    }
    // The process ends here: tearing down the index and the inputs piece
    // by piece would only delay it.
    std::mem::forget(linked);
    Ok(())
}
