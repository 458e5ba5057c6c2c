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
use dtlto_core::input::{prebuilt_key, Bitcode, InputFile, MemberContent};
use dtlto_core::resolution::Origin;
use dtlto_llvm::{BackendOptions, RelocModel};

use crate::cache::{self, Cache};
use crate::driver;
use crate::link_line::LinkLine;
use crate::link_record::{self, LinkRecord};
use crate::lto_outputs;
use crate::native;
use crate::thin_link_cmd::{self, ThinLinked};
use crate::trace::Trace;

pub fn backend_options(line: &LinkLine, pic: bool) -> BackendOptions {
    BackendOptions {
        opt_level: line.opt_level,
        codegen_level: line.codegen_level(),
        llvm_options: line.llvm_options.clone(),
        cpu: line.mcpu.clone(),
        features: line.mattr.clone(),
        // lld verifies its in-process backends unless --disable-verify;
        // the clang-22 jobs of its DTLTO do not (release clang passes
        // -disable-llvm-verifier). dtlto does as each does.
        verify: !line.disable_verify && line.distribution.is_none(),
        reloc: if pic {
            RelocModel::Pic
        } else {
            RelocModel::Static
        },
        pipeline: line.lto_pipeline.clone(),
        aa_pipeline: line.lto_aa_pipeline.clone(),
        remarks: line.remark_options(),
        emit_asm: line.emit_asm,
        debug_pass_manager: line.debug_pass_manager,
        // lld's target options under lld; under GNU ld, gold and mold the
        // objects are LLVMgold's: no address-significance table, no
        // relaxable GOT relocations.
        addrsig: line.linker == "lld",
        relax_relocations: line.linker == "lld",
        ..BackendOptions::default()
    }
}

/// Gives LLVM the link's `-mllvm` options before anything is built, so an
/// option LLVM does not know stops the link at once.
pub fn apply_llvm_options(line: &LinkLine) -> Result<()> {
    dtlto_llvm::apply_llvm_options(&line.llvm_options)
        .map_err(|e| anyhow::anyhow!("-mllvm {}: {e}", line.llvm_options.join(" ")))
}

pub fn link(line: &LinkLine) -> Result<()> {
    if line.index_only.is_some() {
        bail!(
            "--thinlto-index-only: the thin link alone is `dtlto thin-link`, which takes \
             this link line as it is"
        );
    }
    apply_llvm_options(line)?;
    let output = line.output.clone().unwrap_or_else(|| "a.out".into());
    let started = Instant::now();
    let trace = Trace::new(started);
    let out_path = Path::new(&output);
    // A link record (see link_record) needs a cache; links that keep their
    // temporaries or other outputs of the thin link or the backends, or
    // print what the thin link decided, do without.
    let record_cache = match &line.cache_dir {
        Some(dir)
            if !line.save_temps
                && !line.print_import_failures
                && line.remark_options().is_none()
                && !line.emit_asm
                && !line.emit_index_files
                && line.obj_path.is_none() =>
        {
            Some(Cache::open(Path::new(dir))?)
        }
        _ => None,
    };
    // With a record cache, the driver's answer of an earlier link of the
    // same line spares a run of the driver.
    let driver_key = match &record_cache {
        Some(_) => link_record::driver_key(&cache::toolchain(), line, &output)?,
        None => None,
    };
    let stored = match (&record_cache, &driver_key) {
        (Some(cache), Some(key)) => cache.get_driver_answer(key),
        _ => None,
    };
    // A stored answer whose view cannot be made (a library gone) is
    // dropped for a fresh one, which reports what is wrong.
    let stored =
        stored.and_then(
            |cmd| match thin_link_cmd::driven_from(line, cmd, &trace, Bitcode::Keep) {
                Ok(driven) => Some(driven),
                Err(error) if line.verbose => {
                    eprintln!(
                        "dtlto: the driver's stored answer no longer holds ({error:#}); asking it"
                    );
                    None
                }
                Err(_) => None,
            },
        );
    let driven = match stored {
        Some(driven) => driven,
        None => {
            let driven = thin_link_cmd::drive(line, &output, &trace, Bitcode::Keep)?;
            if let (Some(cache), Some(key)) = (&record_cache, &driver_key) {
                cache.put_driver_answer(key, &driven.cmd)?;
            }
            driven
        }
    };
    let options = backend_options(line, driven.view.pic);
    let record = match record_cache {
        Some(cache) => {
            let key = link_record::record_key(
                &cache::toolchain(),
                &record_options(line, &options),
                &driven.cmd,
                &driven.view,
            )?;
            Some((cache, key))
        }
        None => None,
    };
    if let Some((cache, key)) = &record {
        if let Some(recorded) = cache.get_record(key) {
            if relink_recorded(line, out_path, &driven.cmd, &recorded, cache, &trace)? {
                return Ok(());
            }
        }
    }
    let ThinLinked {
        cmd,
        view,
        mut inputs,
        origins,
        link,
    } = thin_link_cmd::thin_link_driven(line, driven, &trace, !line.emit_asm)?;
    let thin_done = Instant::now();
    if line.emit_index_files {
        // As LLVM's in-process backend: each module's index beside it,
        // under its own name (no prefix replacement).
        thin_link_cmd::write_index_outputs(&link.plans, None, line.emit_imports_files)?;
    }
    let kept = native::BackendInputs::keep(link);

    let temps = crate::output::temp_dir_beside(out_path)?;

    let jobs = crate::backends::jobs_or_all_cores(line.jobs);
    let built = native::build(
        &native::Request {
            modules: &kept.modules,
            plans: &kept.plans,
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
            // lld linked in reads `/proc/self/fd/<n>`; a linker process
            // (GNU linkers through the plugin, --final-link-process) and
            // --lto-emit-asm want files.
            store: if line.linker == "lld" && !line.final_link_process && !line.emit_asm {
                crate::backends::ObjectStore::Memory
            } else {
                crate::backends::ObjectStore::Files
            },
        },
        &trace,
    )?;
    if let Some(remarks) = &options.remarks {
        // LLVM's LTO writes the (here empty) file of its regular LTO part
        // beside the backends' own.
        dtlto_llvm::write_regular_lto_remarks(remarks)
            .map_err(|e| anyhow::anyhow!("optimization remarks {}: {e}", remarks.file))?;
    }
    if let Some(path) = &line.obj_path {
        lto_outputs::write_regular_lto_object(path, &kept.plans[0].triple, &options)?;
        lto_outputs::write_task_objects(path, &built.objects)?;
    }
    if line.emit_asm {
        // lld's --lto-emit-asm: each module's assembly, and no link. The
        // regular LTO part's (empty) assembly too when --lto-obj-path asks
        // LLVM to emit that part: lld writes it as <output>.lto.s.
        if line.obj_path.is_some() {
            lto_outputs::write_regular_lto_object(
                &format!("{}.lto.s", out_path.display()),
                &kept.plans[0].triple,
                &options,
            )?;
        }
        for (plan, objects) in kept.plans.iter().zip(&built.objects) {
            let path = lto_output_path(&plan.module, out_path, "s");
            let text = std::fs::read(&objects[0])
                .with_context(|| format!("reading the assembly of {}", plan.module))?;
            crate::output::write_atomic(&path, &text)
                .with_context(|| format!("writing {}", path.display()))?;
        }
        trace.span("Backends", None, thin_done);
        if let Some(path) = &line.time_trace {
            trace.write(Path::new(path))?;
        }
        return Ok(());
    }
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
    // The final link adds its own memory to what is held here: let go of
    // the modules and of the pages the backends freed (git: about 35 MB
    // less at the final link).
    let plans = kept.release_modules();
    for input in &mut inputs {
        input.release_module_data();
    }
    dtlto_llvm::return_free_heap_pages();

    let plugin = plugin_route(line, &inputs, &origins);
    let link_args = |objects: &[Vec<PathBuf>], temps: &Path, plugin: Option<&Path>| match plugin {
        Some(plugin) => {
            plugin_link_args(&cmd.args, &view, &inputs, &origins, objects, temps, plugin)
        }
        None => final_link_args(
            &cmd.args,
            &view,
            &inputs,
            &origins,
            objects,
            temps,
            line.linker == "mold",
        ),
    };
    let (args, through_plugin) = final_link_by_route(
        line,
        &cmd.program,
        plugin.as_deref(),
        |plugin| link_args(objects, temps.path(), plugin),
        temps.path(),
        out_path,
    )?;
    trace.span("Final link", Some(&cmd.program), backends_done);
    // A direct link under mold may name archive members extracted into
    // the temporaries, which no record can bring back.
    let recordable = line.linker != "mold" || through_plugin;
    if let Some((cache, key)) = record.as_ref().filter(|_| recordable) {
        if built.all_cached {
            // The same command with placeholders for the objects, for the
            // next relink with nothing changed.
            let mut n = 0;
            let placeholders: Vec<Vec<PathBuf>> = objects
                .iter()
                .map(|parts| {
                    parts
                        .iter()
                        .map(|_| {
                            n += 1;
                            LinkRecord::placeholder(n - 1)
                        })
                        .collect()
                })
                .collect();
            let recorded = LinkRecord {
                args: link_args(
                    &placeholders,
                    LinkRecord::placeholder_dir(),
                    plugin.as_deref().filter(|_| through_plugin),
                )?,
                keys: built.object_keys.clone(),
            };
            if let Err(e) = cache.put_record(key, &recorded) {
                eprintln!("dtlto: warning: no link record stored: {e:#}");
            }
        }
    }
    trace.span("Total", None, started);
    if let Some(path) = &line.time_trace {
        trace.write(Path::new(path))?;
    }
    if line.save_temps {
        save_temps(
            temps.path(),
            &output,
            &plans,
            Some(&render(&cmd.program, &args)),
            built.cache_report.as_deref(),
        )?;
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
    // The process ends when the link returns: freeing the plans and the
    // inputs piece by piece would only delay it.
    std::mem::forget(plans);
    std::mem::forget(inputs);
    Ok(())
}

/// Where lld puts what it keeps of a module's LTO output (`--lto-emit-asm`
/// assembly, `--save-temps=prelink` objects): beside the module's bitcode,
/// named after the link's output and the module, `<dir>/<output
/// name>.lto.<stem>.<ext>`, where an archive member `d/a.a(x.o at 8)` is
/// `a.a(x.o at 8)` whole and a file `d/x.o` is `x`.
pub fn lto_output_path(module: &str, output: &Path, ext: &str) -> PathBuf {
    let path = Path::new(module);
    let base = if module.ends_with(')') {
        path.file_name()
    } else {
        path.file_stem()
    }
    .map_or_else(|| module.to_string(), |b| b.to_string_lossy().into_owned());
    let output_name = output
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let joined = path
        .parent()
        .unwrap_or(Path::new(""))
        .join(format!("{output_name}.lto.{base}.{ext}"));
    without_dots(&joined)
}

/// `path` with `.` components dropped and `..` applied where it can be,
/// as LLVM's `remove_dots(path, true)`.
fn without_dots(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir) => {}
                _ => out.push(c),
            },
            _ => out.push(c),
        }
    }
    out.iter().collect()
}

/// What shapes a link's objects besides the linker command and its
/// files: the backends' options and the import knobs.
fn record_options(line: &LinkLine, options: &BackendOptions) -> Vec<String> {
    let mut all = cache::key_options(options);
    all.push(format!("{:?}", line.import));
    all.push(format!("{:?}", line.passes));
    all.push(format!("{:?}", line.split_config()));
    all
}

/// The relink of a link record: every recorded object from the cache, then
/// the recorded final link. False when an object is no longer cached.
fn relink_recorded(
    line: &LinkLine,
    out_path: &Path,
    cmd: &driver::LinkerCommand,
    recorded: &LinkRecord,
    cache: &Cache,
    trace: &Trace,
) -> Result<bool> {
    let begin = Instant::now();
    let Some(hits) = recorded
        .keys
        .iter()
        .map(|k| cache.get(k))
        .collect::<Option<Vec<_>>>()
    else {
        return Ok(false);
    };
    let temps = crate::output::temp_dir_beside(out_path)?;
    for (i, hit) in hits.iter().enumerate() {
        hit.place(&temps.path().join(format!("{i}.o")))?;
    }
    let args = recorded.args_in(temps.path());
    if line.verbose {
        eprintln!(
            "dtlto: link record: no input changed; {} objects from the cache",
            hits.len()
        );
    }
    final_link(line, &cmd.program, &args, temps.path(), out_path, false)?;
    trace.span("Final link", Some(&cmd.program), begin);
    if let Some(path) = &line.time_trace {
        trace.write(Path::new(path))?;
    }
    Ok(true)
}

/// The final link through `plugin` when there is one, else, or if that
/// link fails, with the objects given to the linker directly. `args_for`
/// gives the linker arguments for either route. Returns the arguments of
/// the link that succeeded and whether it went through the plugin.
fn final_link_by_route(
    line: &LinkLine,
    program: &str,
    plugin: Option<&Path>,
    args_for: impl Fn(Option<&Path>) -> Result<Vec<String>>,
    temps: &Path,
    out_path: &Path,
) -> Result<(Vec<String>, bool)> {
    if let Some(plugin) = plugin {
        let args = args_for(Some(plugin))?;
        match final_link(line, program, &args, temps, out_path, true) {
            Ok(()) => return Ok((args, true)),
            // The linker resolved the link differently from dtlto (or the
            // link fails anyway): the objects go to the linker directly,
            // which reports a real failure itself.
            Err(error) if line.verbose => eprintln!(
                "dtlto: the link through the plugin failed ({error:#}); linking the objects directly"
            ),
            Err(_) => {}
        }
    }
    let args = args_for(None)?;
    final_link(line, program, &args, temps, out_path, false)?;
    Ok((args, false))
}

/// Runs the final link into `temps/output` and moves it into place.
///
/// When the driver names LLVM 22's ld.lld, the lld linked into dtlto runs
/// it in this process (same program, same arguments, same bytes), unless
/// `--final-link-process`: a process of its own would load libLLVM again.
/// `quiet`: the linker's messages are kept for the error, and passed on
/// only if it succeeds (a link that may be retried another way).
fn final_link(
    line: &LinkLine,
    program: &str,
    args: &[String],
    temps: &Path,
    out_path: &Path,
    quiet: bool,
) -> Result<()> {
    let in_process = !line.final_link_process && dtlto_llvm::lld::is_linked_in(program);
    if line.verbose {
        let how = if in_process { " (in-process)" } else { "" };
        eprintln!("dtlto: {}{how}", render(program, args));
    }
    if in_process {
        let code = dtlto_llvm::lld::link(args);
        if code != 0 {
            bail!(
                "the final link failed (lld exit status {code}): {}",
                render(program, args)
            );
        }
    } else if quiet {
        let out = Command::new(program)
            .args(args)
            .output()
            .with_context(|| format!("cannot run the linker {program}"))?;
        let messages = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            bail!("{}: {}", out.status, messages.trim_end());
        }
        eprint!("{messages}");
    } else {
        let status = Command::new(program)
            .args(args)
            .status()
            .with_context(|| format!("cannot run the linker {program}"))?;
        if !status.success() {
            bail!(
                "the final link failed ({}): {}",
                status,
                render(program, args)
            );
        }
    }
    std::fs::rename(temps.join("output"), out_path)
        .with_context(|| format!("cannot move the linked output to {}", out_path.display()))
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
///
/// `lazy_archives`: the linker reads every member of an archive, needed or
/// not (mold), and refuses bitcode members it has no plugin for. Such an
/// archive is given as its native members between `--start-lib` and
/// `--end-lib` (the same lazy semantics), its bitcode members' objects
/// being placed before it like for any linker.
fn final_link_args(
    args: &[String],
    view: &driver::LinkerView,
    inputs: &[InputFile],
    origins: &[Origin],
    objects: &[Vec<PathBuf>],
    temps: &Path,
    lazy_archives: bool,
) -> Result<Vec<String>> {
    let shown =
        |m: usize| -> Vec<String> { objects[m].iter().map(|o| o.display().to_string()).collect() };
    let object_of = |origin: Origin| origins.iter().position(|&o| o == origin).map(shown);
    let mut replace: Vec<Option<Vec<String>>> = vec![None; args.len()];
    let files_of_arg = |arg: usize| view.files.iter().filter(|f| f.arg == arg).count();
    let mut before: Vec<Vec<String>> = vec![Vec::new(); args.len()];
    for (i, (file, input)) in view.files.iter().zip(inputs).enumerate() {
        match input {
            InputFile::Bitcode(_) => {
                let object = object_of(Origin::Input(i))
                    .with_context(|| format!("no object was built for {}", file.path.display()))?;
                replace[file.arg] = Some(object);
            }
            InputFile::Archive {
                members: archive_members,
                ..
            } => {
                let mut members: Vec<(usize, Vec<String>)> = origins
                    .iter()
                    .enumerate()
                    .filter_map(|(m, o)| match o {
                        Origin::Member { input, member } if *input == i => {
                            Some((*member, shown(m)))
                        }
                        _ => None,
                    })
                    .collect();
                members.sort();
                before[file.arg].extend(members.into_iter().flat_map(|(_, o)| o));
                let has_bitcode = archive_members
                    .iter()
                    .any(|m| matches!(m.content, MemberContent::Bitcode(_)));
                if lazy_archives && has_bitcode && files_of_arg(file.arg) == 1 {
                    let mut lib = vec!["--start-lib".to_string()];
                    lib.extend(native_members(&file.path, temps, i)?);
                    lib.push("--end-lib".into());
                    replace[file.arg] = Some(lib);
                }
            }
            _ => {}
        }
    }
    Ok(rewrite(args, temps, before, replace))
}

/// `args` writing the output into `temps` (it is moved into place after
/// the link), with `before[i]` inserted before argument `i` and argument
/// `i` replaced by `replace[i]` where given.
fn rewrite(
    args: &[String],
    temps: &Path,
    mut before: Vec<Vec<String>>,
    mut replace: Vec<Option<Vec<String>>>,
) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len());
    let mut i = 0;
    while i < args.len() {
        out.append(&mut before[i]);
        if args[i] == "-o" && i + 1 < args.len() {
            out.push("-o".into());
            out.push(temps.join("output").display().to_string());
            i += 2;
            continue;
        }
        match replace[i].take() {
            Some(mut with) => out.append(&mut with),
            None => out.push(args[i].clone()),
        }
        i += 1;
    }
    out
}

/// The linker plugin beside this dtlto, when the final link goes through
/// it: under GNU ld and gold, whose output depends on how they meet a
/// link's symbols. Given bitcode, they see its symbol table first (through
/// the plugin) and lay out the dynamic symbol and string tables in that
/// order; given objects, in theirs. Linking the bitcode through the plugin,
/// which hands over the objects built here, gives the binary a link with
/// the plugin alone gives. Thin archive members (the linker names them by
/// their own files) are linked directly.
fn plugin_route(line: &LinkLine, inputs: &[InputFile], origins: &[Origin]) -> Option<PathBuf> {
    if !matches!(line.linker.as_str(), "bfd" | "gold" | "mold") {
        return None;
    }
    let thin_member = origins.iter().any(|o| match *o {
        Origin::Member { input, member } => match &inputs[input] {
            InputFile::Archive { members, .. } => members[member].offset == 0,
            _ => true,
        },
        Origin::Input(_) => false,
    });
    if thin_member {
        return None;
    }
    let plugin = std::env::current_exe()
        .ok()?
        .with_file_name("libdtlto_plugin.so");
    plugin.is_file().then_some(plugin)
}

/// The linker arguments for a final link through the plugin: the user's,
/// bitcode and all, after the plugin and the objects built for each
/// module (`prebuilt-module=`, then its `prebuilt-object=`s).
fn plugin_link_args(
    args: &[String],
    view: &driver::LinkerView,
    inputs: &[InputFile],
    origins: &[Origin],
    objects: &[Vec<PathBuf>],
    temps: &Path,
    plugin: &Path,
) -> Result<Vec<String>> {
    let mut out = vec!["-plugin".to_string(), plugin.display().to_string()];
    for (origin, built) in origins.iter().zip(objects) {
        let key = match *origin {
            Origin::Input(i) => prebuilt_key(&view.files[i].path, 0),
            Origin::Member { input, member } => match &inputs[input] {
                InputFile::Archive { members, .. } => {
                    prebuilt_key(&view.files[input].path, members[member].offset)
                }
                _ => bail!(
                    "module of {} is not an archive member",
                    view.files[input].path.display()
                ),
            },
        };
        out.push(format!("-plugin-opt=prebuilt-module={key}"));
        for object in built {
            out.push(format!("-plugin-opt=prebuilt-object={}", object.display()));
        }
    }
    out.extend(rewrite(
        args,
        temps,
        vec![Vec::new(); args.len()],
        vec![None; args.len()],
    ));
    Ok(out)
}

/// The native (ELF) members of an archive as files, in member order: a
/// thin archive's are files already, a regular one's are written to
/// `temps`.
fn native_members(archive: &Path, temps: &Path, input: usize) -> Result<Vec<String>> {
    use dtlto_core::input::{file_kind, FileKind};
    let data =
        std::fs::read(archive).with_context(|| format!("cannot read {}", archive.display()))?;
    let parsed = object::read::archive::ArchiveFile::parse(&*data)
        .with_context(|| format!("{}: not an archive", archive.display()))?;
    let dir = crate::output::parent_dir(archive);
    let mut files = Vec::new();
    for (k, member) in parsed.members().enumerate() {
        let member = member.with_context(|| format!("{}: bad member", archive.display()))?;
        let name = String::from_utf8_lossy(member.name()).into_owned();
        if member.is_thin() {
            let path = dir.join(&name);
            let head =
                std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            if file_kind(&head) == FileKind::ElfRelocatable {
                files.push(path.display().to_string());
            }
            continue;
        }
        let bytes = member
            .data(&*data)
            .with_context(|| format!("{}: bad member {name}", archive.display()))?;
        if file_kind(bytes) != FileKind::ElfRelocatable {
            continue;
        }
        let base = crate::backends::file_stem(&name);
        let path = temps.join(format!("lib{input}.{k}.{base}"));
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        files.push(path.display().to_string());
    }
    Ok(files)
}

fn render(program: &str, args: &[String]) -> String {
    std::iter::once(program)
        .chain(args.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `--save-temps`: objects, plans, the final link command (when dtlto
/// runs it) and the cache report (when a cache was used), kept in
/// `<output>.dtlto/`.
pub fn save_temps(
    temps: &Path,
    output: &str,
    plans: &[dtlto_core::plan::BackendPlan],
    link_command: Option<&str>,
    cache_report: Option<&str>,
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
    if let Some(command) = link_command {
        std::fs::write(keep.join("link.cmd"), format!("{command}\n"))?;
    }
    if let Some(report) = cache_report {
        std::fs::write(keep.join("cache.txt"), report)?;
    }
    Ok(())
}
