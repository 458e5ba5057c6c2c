//! `dtlto backend`: one backend job, as a distributor runs it. It reads a
//! plan, the module's bitcode and the bitcode of each module the plan
//! imports from, and writes the object atomically (a split module: every
//! part's object, part 0 under `-o`, the others beside it).

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use dtlto_core::plan::BackendPlan;
use dtlto_llvm::{start_backend, Backend, BackendOptions, ImportedModule};

use crate::backends::part_object;
use crate::output::write_atomic;

pub struct BackendJob {
    pub plan: PathBuf,
    pub output: PathBuf,
    pub module: PathBuf,
    /// One file per import source of the plan, in the plan's order.
    pub imports: Vec<PathBuf>,
    pub options: BackendOptions,
    /// `-j`: threads for a split module's parts (default: every core).
    pub jobs: Option<usize>,
}

fn read(path: &PathBuf) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

pub fn run(job: &BackendJob) -> Result<()> {
    let text = std::fs::read_to_string(&job.plan)
        .with_context(|| format!("cannot read {}", job.plan.display()))?;
    let plan = BackendPlan::from_json(&job.plan.display().to_string(), &text)?;
    if job.imports.len() != plan.imports.len() {
        let expected: Vec<&str> = plan.imports.iter().map(|s| s.module.as_str()).collect();
        bail!(
            "{}: the plan imports from {} module(s) ({}), {} file(s) were given",
            job.plan.display(),
            expected.len(),
            expected.join(", "),
            job.imports.len()
        );
    }
    let module = read(&job.module)?;
    let sources: Vec<Vec<u8>> = job.imports.iter().map(read).collect::<Result<_>>()?;
    let imports: Vec<ImportedModule<'_>> = plan
        .imports
        .iter()
        .zip(&sources)
        .map(|(s, bytes)| ImportedModule {
            path: &s.module,
            bytes,
        })
        .collect();
    match start_backend(&plan, &module, &imports, &job.options)? {
        Backend::Object(object) => write_atomic(&job.output, &object),
        // A split module's parts run on the job's cores; part p goes to
        // `part_object(output, p)`, as the job file lists its outputs.
        Backend::Split(split) => {
            let threads = crate::backends::jobs_or_all_cores(job.jobs);
            let objects = split.emit_all(&job.options, threads)?;
            for (p, object) in objects.iter().enumerate() {
                write_atomic(&part_object(&job.output, p as u32), object)?;
            }
            Ok(())
        }
    }
}
