//! Delegated backends: after the thin link, `dtlto link --distributor=EXE`
//! writes a DTLTO job file (LLVM 22's schema) whose jobs are `dtlto
//! backend` commands, runs `EXE ARGS... JOBFILE` as lld does, and checks
//! every object that comes back before the final link takes it.
//!
//! Files are named as lld names them, next to the link's output:
//! `<output stem>.<pid>.dist-file.json`, and per module (task `n`, counted
//! from 1 as lld counts ThinLTO tasks) `<module stem>.<n>.<pid>.native.o`
//! with its plan at `...native.o.plan`. Archive members have no file of
//! their own, so their bitcode is written to `...native.o.bc` for the jobs
//! that compile or import them. All of it is removed when the link ends,
//! unless `--save-temps` keeps it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use dtlto_core::bitcode::{positions_by_path, BitcodeModule};
use dtlto_core::jobs::{Common, Job, JobFile};
use dtlto_core::plan::BackendPlan;
use dtlto_llvm::{BackendOptions, RelocModel};
use object::{Object, ObjectSection};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

use crate::backends::{file_stem, part_objects};
use crate::cache::Hit;
use crate::output::write_atomic;

/// How to hand the backends to another process (`--distributor` and
/// friends, named after lld's `--thinlto-distributor*` options).
#[derive(Clone, Debug, Default)]
pub struct Distribution {
    pub distributor: String,
    pub distributor_args: Vec<String>,
    /// The program each job runs; this `dtlto` by default.
    pub remote_compiler: Option<String>,
    /// Arguments before `backend` (a wrapper's own options).
    pub remote_compiler_prepend_args: Vec<String>,
    /// Arguments appended to every job's shared arguments.
    pub remote_compiler_args: Vec<String>,
}

impl Distribution {
    /// Takes one option under its canonical name (see
    /// `link_line::distribution_option`).
    pub fn set(&mut self, name: &str, value: &str) {
        match name {
            "distributor" => self.distributor = value.to_string(),
            "distributor-arg" => self.distributor_args.push(value.to_string()),
            "remote-compiler" => self.remote_compiler = Some(value.to_string()),
            "remote-compiler-prepend-arg" => {
                self.remote_compiler_prepend_args.push(value.to_string())
            }
            _ => self.remote_compiler_args.push(value.to_string()),
        }
    }

    /// Options for the jobs were given, but no distributor to run them.
    pub fn lacks_distributor(&self) -> bool {
        self.distributor.is_empty()
            && (self.remote_compiler.is_some()
                || !self.distributor_args.is_empty()
                || !self.remote_compiler_prepend_args.is_empty()
                || !self.remote_compiler_args.is_empty())
    }
}

/// Files the delegated link created; removed on drop unless kept.
pub struct Temporaries {
    paths: Vec<PathBuf>,
    keep: bool,
}

impl Temporaries {
    fn add(&mut self, path: PathBuf) {
        self.paths.push(path);
    }
}

impl Drop for Temporaries {
    fn drop(&mut self) {
        if !self.keep {
            for path in &self.paths {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

pub struct Delegated {
    /// Each module's objects (its parts when split), in module order.
    pub objects: Vec<Vec<PathBuf>>,
    pub temporaries: Temporaries,
}

/// What one module's job reads and writes.
struct JobPaths {
    module: String,
    plan: PathBuf,
    /// The module's objects: one, or one per part (`outputs` of its job).
    objects: Vec<PathBuf>,
}

pub struct DelegateInput<'a> {
    pub modules: &'a [std::sync::Arc<BitcodeModule>],
    pub plans: &'a [BackendPlan],
    /// Each module's own file when it is one (a bitcode file on the link
    /// line); `None` for an archive member, whose bitcode is written out
    /// for the jobs that need it.
    pub module_files: &'a [Option<PathBuf>],
    pub options: &'a BackendOptions,
    pub output: &'a Path,
    pub save_temps: bool,
    pub verbose: bool,
    /// Objects the cache already holds, by module: no job for those.
    pub cached: &'a [Option<Vec<Hit>>],
}

pub fn run(dist: &Distribution, input: &DelegateInput<'_>) -> Result<Delegated> {
    let pid = std::process::id();
    // Empty for an output in the current directory: job paths are then
    // bare names, as lld writes them.
    let dir = input.output.parent().unwrap_or(Path::new(""));
    let mut temporaries = Temporaries {
        paths: Vec::new(),
        keep: input.save_temps,
    };

    let n = input.plans.len();
    let miss = |i: usize| input.cached.get(i).is_none_or(|c| c.is_none());
    // A module needs a file of its own if it is compiled, or imported from
    // by a module that is.
    let position = positions_by_path(input.modules);
    let mut needs_file: Vec<bool> = (0..n).map(miss).collect();
    for (i, plan) in input.plans.iter().enumerate() {
        if !miss(i) {
            continue;
        }
        for source in &plan.imports {
            let &m = position.get(source.module.as_str()).with_context(|| {
                format!(
                    "{}: the thin link imports from an unknown module {}",
                    plan.module, source.module
                )
            })?;
            needs_file[m] = true;
        }
    }

    let mut paths = Vec::with_capacity(n);
    for (i, (plan, module)) in input.plans.iter().zip(input.modules).enumerate() {
        let stem = file_stem(&plan.module);
        let stem = Path::new(&stem)
            .file_stem()
            .map_or(stem.clone(), |s| s.to_string_lossy().into_owned());
        let object = dir.join(format!("{stem}.{}.{pid}.native.o", i + 1));
        let plan_path = PathBuf::from(format!("{}.plan", object.display()));
        let objects = part_objects(&object, plan.parts);
        for o in &objects {
            temporaries.add(o.clone());
        }
        if let Some(Some(hits)) = input.cached.get(i) {
            for (hit, o) in hits.iter().zip(&objects) {
                hit.place(o)?;
            }
        } else {
            write_atomic(&plan_path, plan.to_json().as_bytes())?;
            temporaries.add(plan_path.clone());
        }
        let module_file = match &input.module_files[i] {
            Some(file) => file.display().to_string(),
            None if needs_file[i] => {
                let path = PathBuf::from(format!("{}.bc", object.display()));
                write_atomic(&path, &module.bitcode)
                    .with_context(|| format!("writing the bitcode of {}", plan.module))?;
                temporaries.add(path.clone());
                path.display().to_string()
            }
            None => String::new(),
        };
        paths.push(JobPaths {
            module: module_file,
            plan: plan_path,
            objects,
        });
    }

    let file_of = |module: &str| -> &str {
        position
            .get(module)
            .map_or("", |&m| paths[m].module.as_str())
    };
    let mut jobs = Vec::new();
    // The job (index in the job file) that builds each module.
    let mut job_of = vec![None; n];
    for (i, (plan, p)) in input.plans.iter().zip(&paths).enumerate() {
        if !miss(i) {
            continue;
        }
        let imports: Vec<String> = plan
            .imports
            .iter()
            .map(|s| file_of(&s.module).to_string())
            .collect();
        let plan_path = p.plan.display().to_string();
        let object = p.objects[0].display().to_string();
        let mut args = vec![
            p.module.clone(),
            "--plan".to_string(),
            plan_path.clone(),
            "-o".to_string(),
            object.clone(),
        ];
        if input.options.remarks.is_some() {
            // The module's ThinLTO task names its remark file.
            args.push(format!("--task={}", i + 1));
        }
        args.extend(imports.iter().cloned());
        let mut inputs = vec![p.module.clone(), plan_path];
        inputs.extend(imports);
        job_of[i] = Some(jobs.len());
        // A split module is one job writing every part (`-o` names part
        // 0; the others follow from it): its parts share the job's cores.
        jobs.push(Job {
            args,
            inputs,
            outputs: p.objects.iter().map(|o| o.display().to_string()).collect(),
        });
    }
    if jobs.is_empty() {
        // Every object came from the cache: nothing to distribute.
        return Ok(Delegated {
            objects: paths.into_iter().map(|p| p.objects).collect(),
            temporaries,
        });
    }
    let remote_compiler = match &dist.remote_compiler {
        Some(c) => c.clone(),
        None => std::env::current_exe()
            .context("cannot find this dtlto executable to run the backend jobs")?
            .display()
            .to_string(),
    };
    let mut common_args = vec![remote_compiler];
    common_args.extend(dist.remote_compiler_prepend_args.iter().cloned());
    common_args.push("backend".into());
    common_args.extend(backend_args(input.options));
    common_args.extend(dist.remote_compiler_args.iter().cloned());
    let file = JobFile {
        common: Common {
            linker_output: input.output.display().to_string(),
            args: common_args,
            inputs: Vec::new(),
        },
        jobs,
    };
    let output_stem = input
        .output
        .file_stem()
        .map_or("a".into(), |s| s.to_string_lossy().into_owned());
    let job_file = dir.join(format!("{output_stem}.{pid}.dist-file.json"));
    write_atomic(&job_file, file.to_json().as_bytes())?;
    temporaries.add(job_file.clone());

    run_distributor(dist, &job_file, input.verbose)?;

    for (i, p) in paths.iter().enumerate() {
        let Some(job) = job_of[i] else { continue };
        for object in &p.objects {
            check_object(object, &input.plans[i], input.options.emit_asm).with_context(|| {
                format!(
                    "job {job} ({}) of {}",
                    input.plans[i].module,
                    job_file.display()
                )
            })?;
        }
    }
    Ok(Delegated {
        objects: paths.into_iter().map(|p| p.objects).collect(),
        temporaries,
    })
}

/// The `dtlto backend` options every job shares.
pub fn backend_args(options: &BackendOptions) -> Vec<String> {
    let mut args = vec![
        format!("-O{}", options.opt_level.as_str()),
        format!("--codegen-level={}", options.codegen_level),
        "--reloc".to_string(),
        match options.reloc {
            RelocModel::Pic => "pic",
            RelocModel::Static => "static",
        }
        .to_string(),
    ];
    if let Some(cpu) = &options.cpu {
        args.push(format!("--mcpu={cpu}"));
    }
    if !options.features.is_empty() {
        args.push(format!("--mattr={}", options.features));
    }
    if !options.function_sections {
        args.push("--no-sections".to_string());
    }
    if options.verify {
        args.push("--verify".to_string());
    }
    if options.emit_asm {
        args.push("--lto-emit-asm".to_string());
    }
    if options.debug_pass_manager {
        args.push("--lto-debug-pass-manager".to_string());
    }
    if !options.addrsig {
        args.push("--no-addrsig".to_string());
    }
    if !options.relax_relocations {
        args.push("--no-relax-relocations".to_string());
    }
    if let Some(p) = &options.pipeline {
        args.push(format!("--lto-newpm-passes={p}"));
    }
    if let Some(aa) = &options.aa_pipeline {
        args.push(format!("--lto-aa-pipeline={aa}"));
    }
    if let Some(r) = &options.remarks {
        // Jobs may run elsewhere than the link's directory.
        let file = std::path::absolute(&r.file).unwrap_or_else(|_| r.file.clone().into());
        args.push(format!("--opt-remarks-filename={}", file.display()));
        args.push(format!("--opt-remarks-passes={}", r.passes));
        args.push(format!("--opt-remarks-format={}", r.format));
        if r.with_hotness {
            args.push("--opt-remarks-with-hotness".into());
        }
        args.push(format!(
            "--opt-remarks-hotness-threshold={}",
            r.hotness_threshold
                .map_or("auto".to_string(), |t| t.to_string())
        ));
    }
    args.extend(options.llvm_options.iter().map(|o| format!("--mllvm={o}")));
    args
}

fn run_distributor(dist: &Distribution, job_file: &Path, verbose: bool) -> Result<()> {
    let mut command = Command::new(&dist.distributor);
    command.args(&dist.distributor_args).arg(job_file);
    if verbose {
        let mut shown = vec![dist.distributor.as_str()];
        shown.extend(dist.distributor_args.iter().map(String::as_str));
        let job_file = job_file.display().to_string();
        shown.push(&job_file);
        eprintln!("dtlto: {}", crate::distribute_cmd::render(&shown));
    }
    // Jobs a dying distributor leaves behind become our children, so that
    // they can be stopped before their outputs are cleaned away.
    crate::process::adopt_orphans();
    // Ctrl-C reaches the distributor too (same process group); the link
    // waits for it to stop its jobs, then cleans up. A second Ctrl-C ends
    // the link at once.
    let interrupted = Arc::new(AtomicBool::new(false));
    for signal in [SIGINT, SIGTERM, SIGHUP] {
        signal_hook::flag::register_conditional_shutdown(signal, 130, interrupted.clone())
            .and_then(|_| signal_hook::flag::register(signal, interrupted.clone()))
            .context("cannot install the interrupt handler")?;
    }
    let status = command.status();
    crate::process::reap_orphans();
    if interrupted.load(Ordering::SeqCst) {
        bail!("interrupted while the distributor ran");
    }
    let status =
        status.with_context(|| format!("cannot run the distributor {}", dist.distributor))?;
    if !status.success() {
        bail!(
            "the distributor {} failed ({status}) on {}",
            dist.distributor,
            job_file.display()
        );
    }
    Ok(())
}

/// The distributor said it succeeded; the object must still be a complete
/// ELF relocatable object for the module's target (or, when the jobs write
/// assembly, a file with some).
fn check_object(path: &Path, plan: &BackendPlan, assembly: bool) -> Result<()> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            bail!("the distributor did not produce {}", path.display())
        }
        Err(e) => bail!("cannot read {}: {e}", path.display()),
    };
    if bytes.is_empty() {
        bail!("{} is empty", path.display());
    }
    if assembly {
        return Ok(());
    }
    let bad = |why: String| anyhow::anyhow!("{} is not a valid object: {why}", path.display());
    let file = object::File::parse(&*bytes).map_err(|e| bad(e.to_string()))?;
    if file.format() != object::BinaryFormat::Elf || file.kind() != object::ObjectKind::Relocatable
    {
        return Err(bad("not an ELF relocatable object".into()));
    }
    // A truncated object can keep a readable header; its sections cannot
    // all be in bounds.
    for section in file.sections() {
        section.data().map_err(|e| bad(e.to_string()))?;
    }
    let expected = if plan.triple.starts_with("x86_64") {
        Some(object::Architecture::X86_64)
    } else if plan.triple.starts_with("aarch64") {
        Some(object::Architecture::Aarch64)
    } else {
        None
    };
    if let Some(arch) = expected.filter(|&a| a != file.architecture()) {
        bail!(
            "{} is for {:?}, the module is for {} ({arch:?})",
            path.display(),
            file.architecture(),
            plan.triple
        );
    }
    Ok(())
}
