//! `dtlto backend`: one backend job, as a distributor runs it. It reads a
//! plan, the module's bitcode and the bitcode of each module the plan
//! imports from, and writes the object atomically.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use dtlto_core::plan::BackendPlan;
use dtlto_llvm::{run_backend, BackendOptions, ImportedModule};

use crate::output::write_atomic;

pub struct BackendJob {
    pub plan: PathBuf,
    pub output: PathBuf,
    pub module: PathBuf,
    /// One file per import source of the plan, in the plan's order.
    pub imports: Vec<PathBuf>,
    pub options: BackendOptions,
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
    let object = run_backend(&plan, &module, &imports, &job.options)?;
    write_atomic(&job.output, &object)
}
