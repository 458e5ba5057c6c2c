//! `dtlto thin-link`: the thin link alone, like `ld.lld --thinlto-index-only
//! --thinlto-emit-imports-files`. Writes `<module>.imports` and
//! `<module>.plan` next to each bitcode input (or where
//! `--prefix-replace` says).

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use dtlto_core::resolution::{self, Resolution};
use dtlto_core::thinlink::{self, ThinLink, ThinLinkConfig};
use rayon::prelude::*;

use crate::driver;
use crate::link_line::LinkLine;
use crate::output::write_atomic;

/// Read -> resolve -> thin link; shared by `thin-link` and `link`.
pub fn run_thin_link(line: &LinkLine, output: &str) -> Result<ThinLink> {
    let started = Instant::now();
    let cmd = driver::linker_command(line, output)?;
    if line.verbose {
        eprintln!("dtlto: resolving over: {cmd}");
    }
    let view = driver::linker_view(&cmd)?;
    let inputs = driver::load_inputs(&view)?;
    let read = started.elapsed();
    let resolution: Resolution = resolution::resolve(&inputs, &view.options)?;
    if resolution.modules.is_empty() {
        anyhow::bail!("no ThinLTO bitcode among the inputs; nothing to thin-link");
    }
    let config = ThinLinkConfig {
        import: line.import.clone(),
        opt_level: line.opt_level.level(),
    };
    let link = thinlink::thin_link(resolution, &config)?;
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
    Ok(link)
}

pub fn thin_link(line: &LinkLine) -> Result<()> {
    let output = line.output.clone().unwrap_or_else(|| "a.out".into());
    let link = run_thin_link(line, &output)?;
    link.plans.par_iter().try_for_each(|plan| -> Result<()> {
        let base = match &line.prefix_replace {
            Some(p) => p.apply(&plan.module),
            None => plan.module.clone(),
        };
        write_atomic(
            Path::new(&format!("{base}.imports")),
            plan.imports_file().as_bytes(),
        )
        .with_context(|| format!("writing the import list of {}", plan.module))?;
        write_atomic(
            Path::new(&format!("{base}.plan")),
            plan.to_json().as_bytes(),
        )
        .with_context(|| format!("writing the backend plan of {}", plan.module))
    })?;
    Ok(())
}
