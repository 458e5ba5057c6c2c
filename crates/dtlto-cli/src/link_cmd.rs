//! `dtlto link`: read → resolve → thin link → backends → final link.
//!
//! The final link is the linker command `clang-22 -###` printed for the
//! user's line, with each bitcode file replaced by its native object and the
//! objects of bitcode archive members placed before their archive, so that
//! symbol precedence is that of a normal link. It writes to a temporary
//! name and is renamed into place: a failed link leaves no output.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use dtlto_core::input::InputFile;
use dtlto_core::resolution::Origin;
use dtlto_llvm::{BackendOptions, RelocModel};

use crate::driver;
use crate::link_line::LinkLine;
use crate::native;
use crate::thin_link_cmd::{run_thin_link, ThinLinked};
use crate::trace::Trace;

pub fn backend_options(line: &LinkLine, pic: bool) -> BackendOptions {
    BackendOptions {
        opt_level: line.opt_level,
        cpu: line.mcpu.clone(),
        features: line.mattr.clone(),
        reloc: if pic {
            RelocModel::Pic
        } else {
            RelocModel::Static
        },
        ..BackendOptions::default()
    }
}

pub fn link(line: &LinkLine) -> Result<()> {
    let output = line.output.clone().unwrap_or_else(|| "a.out".into());
    let started = Instant::now();
    let trace = Trace::new(started);
    let ThinLinked {
        cmd,
        view,
        inputs,
        origins,
        link,
    } = run_thin_link(line, &output, &trace)?;
    let thin_done = Instant::now();

    let out_path = Path::new(&output);
    let out_dir = crate::output::parent_dir(out_path);
    let temps = tempfile::Builder::new()
        .prefix(".dtlto-")
        .tempdir_in(out_dir)
        .with_context(|| {
            format!(
                "cannot create a temporary directory in {}",
                out_dir.display()
            )
        })?;
    let jobs = line
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let options = backend_options(line, view.pic);
    let built = native::build(
        &native::Request {
            modules: &link.index.modules,
            plans: &link.plans,
            module_files: &module_files(&view, &origins),
            options: &options,
            jobs,
            distribution: line.distribution.as_ref(),
            cache_dir: line.cache_dir.as_deref(),
            cache_policy: &line.cache_policy,
            output: out_path,
            temps: temps.path(),
            save_temps: line.save_temps,
            verbose: line.verbose,
        },
        &trace,
    )?;
    let objects = &built.objects;
    let backends_done = Instant::now();
    trace.span(
        if line.distribution.is_some() {
            "Distributed backends"
        } else {
            "Backends"
        },
        None,
        thin_done,
    );

    let args = final_link_args(&cmd.args, &view, &inputs, &origins, objects, temps.path())?;
    let tmp_output = temps.path().join("output");
    let mut final_link = Command::new(&cmd.program);
    final_link.args(&args);
    if line.verbose {
        eprintln!("dtlto: {}", render(&cmd.program, &args));
    }
    let status = final_link
        .status()
        .with_context(|| format!("cannot run the linker {}", cmd.program))?;
    if !status.success() {
        bail!(
            "the final link failed ({}): {}",
            status,
            render(&cmd.program, &args)
        );
    }
    std::fs::rename(&tmp_output, out_path)
        .with_context(|| format!("cannot move the linked output to {output}"))?;
    trace.span("Final link", Some(&cmd.program), backends_done);
    trace.span("Total", None, started);
    if let Some(path) = &line.time_trace {
        trace.write(Path::new(path))?;
    }
    if line.save_temps {
        save_temps(temps.path(), &output, &link.plans, &cmd.program, &args)?;
        if let Some(report) = &built.cache_report {
            std::fs::write(format!("{output}.dtlto/cache.txt"), report)?;
        }
    }
    if line.verbose {
        let secs = |a: Instant, b: Instant| (b - a).as_secs_f64();
        let done = Instant::now();
        let how = match &line.distribution {
            Some(d) => format!("by {}", d.distributor),
            None => format!("-j {jobs}"),
        };
        eprintln!(
            "dtlto: read+thin link {:.3}s, backends {:.3}s ({} modules, {how}), final link {:.3}s",
            secs(started, thin_done),
            secs(thin_done, backends_done),
            objects.len(),
            secs(backends_done, done)
        );
    }
    // The process ends when the link returns: freeing the index and every
    // module piece by piece would only delay it (tens of milliseconds on a
    // no-change relink of a big program).
    std::mem::forget(link);
    std::mem::forget(inputs);
    Ok(())
}

/// The bitcode file of each module that is a file of its own on the link
/// line (archive members are not).
fn module_files(view: &driver::LinkerView, origins: &[Origin]) -> Vec<Option<PathBuf>> {
    origins
        .iter()
        .map(|origin| match origin {
            Origin::Input(f) => Some(view.files[*f].path.clone()),
            Origin::Member { .. } => None,
        })
        .collect()
}

/// The linker arguments with native objects in place of bitcode.
fn final_link_args(
    args: &[String],
    view: &driver::LinkerView,
    inputs: &[InputFile],
    origins: &[Origin],
    objects: &[PathBuf],
    temps: &Path,
) -> Result<Vec<String>> {
    let object_of = |origin: Origin| {
        origins
            .iter()
            .position(|&o| o == origin)
            .map(|m| objects[m].display().to_string())
    };
    let mut replace: Vec<Option<String>> = vec![None; args.len()];
    let mut before: Vec<Vec<String>> = vec![Vec::new(); args.len()];
    for (i, (file, input)) in view.files.iter().zip(inputs).enumerate() {
        match input {
            InputFile::Bitcode(_) => {
                let object = object_of(Origin::Input(i))
                    .with_context(|| format!("no object was built for {}", file.path.display()))?;
                replace[file.arg] = Some(object);
            }
            InputFile::Archive { .. } => {
                let mut members: Vec<(usize, String)> = origins
                    .iter()
                    .enumerate()
                    .filter_map(|(m, o)| match o {
                        Origin::Member { input, member } if *input == i => {
                            Some((*member, objects[m].display().to_string()))
                        }
                        _ => None,
                    })
                    .collect();
                members.sort();
                before[file.arg].extend(members.into_iter().map(|(_, o)| o));
            }
            _ => {}
        }
    }
    let mut out = Vec::with_capacity(args.len() + objects.len());
    let mut i = 0;
    while i < args.len() {
        out.append(&mut before[i]);
        if args[i] == "-o" && i + 1 < args.len() {
            out.push("-o".into());
            out.push(temps.join("output").display().to_string());
            i += 2;
            continue;
        }
        out.push(replace[i].take().unwrap_or_else(|| args[i].clone()));
        i += 1;
    }
    Ok(out)
}

fn render(program: &str, args: &[String]) -> String {
    std::iter::once(program)
        .chain(args.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `--save-temps`: plans, objects and the final link command, kept in
/// `<output>.dtlto/`.
fn save_temps(
    temps: &Path,
    output: &str,
    plans: &[dtlto_core::plan::BackendPlan],
    program: &str,
    args: &[String],
) -> Result<()> {
    let keep = PathBuf::from(format!("{output}.dtlto"));
    std::fs::create_dir_all(&keep).with_context(|| format!("cannot create {}", keep.display()))?;
    for entry in std::fs::read_dir(temps)? {
        let entry = entry?;
        if entry
            .path()
            .extension()
            .is_some_and(|e| e == "o" || e == "bc")
        {
            std::fs::copy(entry.path(), keep.join(entry.file_name()))?;
        }
    }
    for (i, plan) in plans.iter().enumerate() {
        std::fs::write(keep.join(format!("{i}.plan")), plan.to_json())?;
    }
    std::fs::write(keep.join("link.cmd"), render(program, args) + "\n")?;
    Ok(())
}
