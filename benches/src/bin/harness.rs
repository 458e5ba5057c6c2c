//! `dtlto-harness` (run by `ci/bench`): dtlto against ld.lld-22's in-process
//! ThinLTO on the corpus, side by side in one run. Every repetition runs
//! every mode, in a rotating order, so machine noise hits all modes alike.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};
use clap::Parser;
use dtlto_bench::measure::{measure, measure_job, time, Sample};
use dtlto_bench::program::Program;
use dtlto_bench::report::{
    self, plugin_mode, relink_mode, BackendJob, PluginCheck, ProgramResult, Report, DTLTO,
    DTLTO_DELEGATED, DTLTO_NO_SPLIT, DTLTO_SLURM, DTLTO_THIN, LLD, LLD_DTLTO, LLD_THIN,
    PLUGIN_DTLTO, PLUGIN_DTLTO_DIST, PLUGIN_DTLTO_LINK, PLUGIN_KINDS, PLUGIN_LINKERS,
    PLUGIN_LLVMGOLD, RELINK_STEPS,
};
use dtlto_bench::stages;

#[derive(Parser)]
#[command(about = "Compare dtlto with ld.lld-22's ThinLTO on corpus programs")]
struct Args {
    /// Corpus program names or directories with a build.json (default: the whole corpus).
    programs: Vec<String>,
    /// Jobs for both linkers (default: all cores).
    #[arg(long)]
    jobs: Option<usize>,
    /// Repetitions; medians are reported.
    #[arg(long, default_value_t = 3)]
    reps: usize,
    /// Where report.{md,json,svg} go.
    #[arg(long, default_value = "target/bench-report")]
    out: PathBuf,
    /// The corpus directory.
    #[arg(long, default_value = "../shared/corpus")]
    corpus: PathBuf,
    /// Cache of compiled bitcode.
    #[arg(long, default_value = "target/bench-cache")]
    cache: PathBuf,
    /// The dtlto binary to measure.
    #[arg(long, default_value = "target/release/dtlto")]
    dtlto: PathBuf,
    /// Also measure incremental relinks with a backend cache: cold, no
    /// change, one file changed, for lld and dtlto.
    #[arg(long)]
    relink: bool,
    /// Also link with `dtlto distribute --engine=slurm` (the cluster named
    /// by SLURM_CONF, e.g. the one of ci/slurm-up).
    #[arg(long)]
    slurm: bool,
    /// Also run every module's backend alone: clang-22 from lld's shard vs
    /// dtlto backend from dtlto's plan (time and peak RSS per job).
    #[arg(long)]
    backends: bool,
    /// Also count the instructions each binary executes during the
    /// program's check, under callgrind (slow; exact).
    #[arg(long)]
    instructions: bool,
    /// Also link through the linker plugin with ld.bfd, ld.gold and mold:
    /// LLVMgold.so vs libdtlto_plugin.so (in-process and with dtlto's
    /// distributor) vs `dtlto link -fuse-ld=LINKER`.
    #[arg(long)]
    plugin: bool,
    /// The linkers `--plugin` links with (comma-separated, of bfd, gold
    /// and mold): one linker's rows without the others' hour.
    #[arg(
        long,
        value_delimiter = ',',
        value_parser = PLUGIN_LINKERS,
        default_values_t = PLUGIN_LINKERS.map(String::from)
    )]
    plugin_linkers: Vec<String>,
    /// The plugin to measure (default: beside the dtlto binary).
    #[arg(long)]
    plugin_path: Option<PathBuf>,
    /// Also link with `dtlto link --no-split`: what splitting big modules'
    /// backends gains (and that it costs nothing where it does not split),
    /// and the run time of that binary.
    #[arg(long)]
    split: bool,
    /// Skip the link comparison (with --relink, --plugin: only those).
    #[arg(long)]
    no_compare: bool,
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024 / 1024);
    format!("{cpu}, {cores} cores, {mem} GiB")
}

fn today() -> String {
    Command::new("date")
        .args(["-u", "+%Y-%m-%d"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// Writes back every dirty page before a short timed command (a thin
/// link): the multi-second links before it leave their outputs in the
/// page cache, and the kernel throttles whichever process dirties pages
/// next, unevenly and by how much it writes. Both tools start from a
/// clean cache this way; their own writes are still theirs to pay for.
/// Runs in a row of each timed thin link; the sample is their median.
const THIN_LINK_RUNS: usize = 3;

fn settle_writeback() {
    let _ = Command::new("sync").status();
}

fn strs(v: &[PathBuf]) -> Vec<String> {
    v.iter().map(|p| p.display().to_string()).collect()
}

fn bench_program(
    p: &Program,
    args: &Args,
    jobs: usize,
    work: &Path,
    progress: &str,
) -> Result<ProgramResult> {
    let objects = strs(&p.objects);
    let obj_dir = format!(
        "{}/",
        p.objects[0]
            .parent()
            .context("object without directory")?
            .display()
    );
    for d in [
        "lld",
        "dtlto",
        "lld-idx",
        "dtlto-idx",
        "lld-dtlto",
        "dtlto-delegated",
        "dtlto-slurm",
        "dtlto-no-split",
    ] {
        std::fs::create_dir_all(work.join(d))?;
    }
    let no_split_out = work.join("dtlto-no-split").join(&p.output);
    let lld_out = work.join("lld").join(&p.output);
    let dtlto_out = work.join("dtlto").join(&p.output);
    let lld_dtlto_out = work.join("lld-dtlto").join(&p.output);
    let delegated_out = work.join("dtlto-delegated").join(&p.output);
    let slurm_out = work.join("dtlto-slurm").join(&p.output);
    let distributor_jobs = format!("-j{jobs}");
    // The thin link alone, writing its index files into `dir`.
    let thin_command = |mode: &str, dir: &Path| -> Command {
        if mode == LLD_THIN {
            let mut c = Command::new("clang-22");
            c.args([
                "-flto=thin",
                "-fuse-ld=lld",
                "-Wl,--thinlto-index-only,--thinlto-emit-imports-files",
                &format!("-Wl,--thinlto-prefix-replace={obj_dir};{}/", dir.display()),
            ])
            .args(&objects)
            .args(&p.libs)
            .arg("-o")
            .arg(dir.join("out"));
            c
        } else {
            let mut c = Command::new(&args.dtlto);
            c.arg("thin-link")
                .arg(format!("--prefix-replace={obj_dir};{}/", dir.display()))
                .args(&objects)
                .args(&p.libs)
                .arg("-o")
                .arg(dir.join("out"));
            c
        }
    };
    let command = |mode: &str| -> Command {
        match mode {
            LLD => {
                let mut c = Command::new("clang-22");
                c.args([
                    "-flto=thin",
                    "-fuse-ld=lld",
                    &format!("-Wl,--thinlto-jobs={jobs}"),
                ])
                .args(&objects)
                .args(&p.libs)
                .arg("-o")
                .arg(&lld_out);
                c
            }
            DTLTO => {
                let mut c = Command::new(&args.dtlto);
                c.args(["link", "-j", &jobs.to_string()])
                    .args(&objects)
                    .args(&p.libs)
                    .arg("-o")
                    .arg(&dtlto_out);
                c
            }
            LLD_DTLTO => {
                let mut c = Command::new("clang-22");
                c.args(["-flto=thin", "-fuse-ld=lld"])
                    .arg(format!("-fthinlto-distributor={}", args.dtlto.display()))
                    .arg("-Xthinlto-distributor=distribute")
                    .arg(format!("-Xthinlto-distributor={distributor_jobs}"))
                    .args(&objects)
                    .args(&p.libs)
                    .arg("-o")
                    .arg(&lld_dtlto_out);
                c
            }
            DTLTO_NO_SPLIT => {
                let mut c = Command::new(&args.dtlto);
                c.args(["link", "--no-split", "-j", &jobs.to_string()])
                    .args(&objects)
                    .args(&p.libs)
                    .arg("-o")
                    .arg(&no_split_out);
                c
            }
            DTLTO_DELEGATED => {
                let mut c = Command::new(&args.dtlto);
                c.arg("link")
                    .arg(format!("--distributor={}", args.dtlto.display()))
                    .arg("--distributor-arg=distribute")
                    .arg(format!("--distributor-arg={distributor_jobs}"))
                    .args(&objects)
                    .args(&p.libs)
                    .arg("-o")
                    .arg(&delegated_out);
                c
            }
            DTLTO_SLURM => {
                let mut c = Command::new(&args.dtlto);
                c.arg("link")
                    .arg(format!("--distributor={}", args.dtlto.display()))
                    .arg("--distributor-arg=distribute")
                    .arg("--distributor-arg=--engine=slurm")
                    .arg(format!("--distributor-arg={distributor_jobs}"))
                    .args(&objects)
                    .args(&p.libs)
                    .arg("-o")
                    .arg(&slurm_out);
                c
            }
            LLD_THIN => thin_command(LLD_THIN, &work.join("lld-idx")),
            _ => thin_command(DTLTO_THIN, &work.join("dtlto-idx")),
        }
    };
    let mut result = ProgramResult {
        name: p.name.clone(),
        modules: p.objects.len(),
        ..ProgramResult::default()
    };
    if args.relink {
        relinks(p, args, jobs, work, progress, &mut result)?;
    }
    if args.plugin {
        plugin_links(p, args, jobs, work, progress, &mut result)?;
    }
    if args.backends {
        eprint!("\r\x1b[K{progress} thin links for the backend jobs");
        measure(&mut command(LLD_THIN)).context("lld's index-only thin link")?;
        measure(&mut command(DTLTO_THIN)).context("dtlto thin-link")?;
        backend_jobs(p, args, work, progress, &mut result)?;
    }
    if args.no_compare {
        return Ok(result);
    }
    let mut modes = vec![LLD, DTLTO, LLD_THIN, DTLTO_THIN, LLD_DTLTO, DTLTO_DELEGATED];
    if args.slurm {
        modes.push(DTLTO_SLURM);
    }
    if args.split {
        modes.push(DTLTO_NO_SPLIT);
    }
    let mut samples: BTreeMap<String, Vec<Sample>> = BTreeMap::new();
    let mut index_runs = 0;
    let mut last_index_dir: BTreeMap<&str, PathBuf> = BTreeMap::new();
    for rep in 0..args.reps {
        for k in 0..modes.len() {
            let mode = modes[(k + rep) % modes.len()];
            eprint!("\r\x1b[K{progress} rep {}/{} {mode}", rep + 1, args.reps);
            let s = match mode {
                // A thin link is short: timed alone, its memory sampled in
                // a further run (see `measure::time`). A fraction of a
                // second is at the mercy of the file system still busy
                // with the links before it (one of three runs in a row
                // taking several times the others, for either tool), so
                // each sample is the median of three runs in a row.
                //
                // Each run writes into a new, empty directory, as a first
                // build would, and none is removed before the harness is
                // done: ext4 without a journal (as here) skips the inodes
                // freed in the last 30 s when it creates a file, reading
                // each one's on-disk record, so hundreds of files removed
                // just before make every file created after them dearer —
                // and the thin link that ran second paid for the other's
                // removed outputs as well as its own.
                LLD_THIN | DTLTO_THIN => {
                    let mut fresh_dir = || -> Result<PathBuf> {
                        index_runs += 1;
                        let dir = work.join(format!("{mode}-idx.{index_runs}"));
                        std::fs::create_dir_all(&dir)?;
                        Ok(dir)
                    };
                    let mut walls = Vec::with_capacity(THIN_LINK_RUNS);
                    for _ in 0..THIN_LINK_RUNS {
                        let dir = fresh_dir()?;
                        settle_writeback();
                        let timed = time(&mut thin_command(mode, &dir))
                            .with_context(|| format!("{}: {mode}", p.name))?;
                        walls.push(timed.wall_s);
                    }
                    walls.sort_by(f64::total_cmp);
                    let dir = fresh_dir()?;
                    let sampled = measure(&mut thin_command(mode, &dir))
                        .with_context(|| format!("{}: {mode}", p.name))?;
                    last_index_dir.insert(mode, dir);
                    Sample {
                        wall_s: walls[THIN_LINK_RUNS / 2],
                        peak_mem_mb: sampled.peak_mem_mb,
                    }
                }
                _ => measure(&mut command(mode)).with_context(|| format!("{}: {mode}", p.name))?,
            };
            samples.entry(mode.to_string()).or_default().push(s);
        }
    }
    result.samples.extend(samples);
    // One more run of each in-process link, traced, for the stage times
    // (not among the samples: tracing has a cost of its own).
    for mode in [LLD, DTLTO] {
        eprint!("\r\x1b[K{progress} traced {mode}");
        let trace = work.join(format!("{mode}.trace.json"));
        let mut c = command(mode);
        if mode == LLD {
            c.arg(format!("-Wl,--time-trace={}", trace.display()));
        } else {
            c.arg(format!("--time-trace={}", trace.display()));
        }
        measure(&mut c).with_context(|| format!("{}: traced {mode}", p.name))?;
        let value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&trace)?)?;
        let stages = if mode == LLD {
            stages::lld(&value)
        } else {
            stages::dtlto(&value)
        };
        if let Some(s) = stages {
            result.stages.insert(mode.to_string(), s);
        }
    }
    result.delegated_identical = Some(std::fs::read(&dtlto_out)? == std::fs::read(&delegated_out)?);
    if args.split {
        result.no_split_identical =
            Some(std::fs::read(&dtlto_out)? == std::fs::read(&no_split_out)?);
    }
    if args.slurm {
        result.slurm_identical = Some(std::fs::read(&dtlto_out)? == std::fs::read(&slurm_out)?);
    }
    let mut checked = vec![
        (LLD, &lld_out),
        (DTLTO, &dtlto_out),
        (LLD_DTLTO, &lld_dtlto_out),
        (DTLTO_DELEGATED, &delegated_out),
    ];
    let mut timed = vec![(LLD, &lld_out), (DTLTO, &dtlto_out)];
    if args.split {
        checked.push((DTLTO_NO_SPLIT, &no_split_out));
        timed.push((DTLTO_NO_SPLIT, &no_split_out));
    }
    for (which, bin) in checked {
        result
            .sizes
            .insert(which.into(), std::fs::metadata(bin)?.len());
        eprint!("\r\x1b[K{progress} checking the {which} binary");
        result
            .check_passed
            .insert(which.into(), measure(&mut p.check_command(bin)).is_ok());
    }
    if args.instructions {
        for (which, bin) in [(LLD, &lld_out), (DTLTO, &dtlto_out)] {
            eprint!("\r\x1b[K{progress} counting instructions of the {which} binary");
            let count = p
                .check_instructions(bin, work)
                .with_context(|| format!("{}: {which} binary under callgrind", p.name))?;
            result.check_instructions.insert(which.into(), count);
        }
    }
    for rep in 0..args.reps {
        for &(which, bin) in &timed {
            eprint!(
                "\r\x1b[K{progress} workload rep {}/{} {which}",
                rep + 1,
                args.reps
            );
            if let Ok(s) = measure(&mut p.check_command(bin)) {
                result
                    .run_time_s
                    .entry(which.into())
                    .or_default()
                    .push(s.wall_s);
            }
        }
    }
    result.imports_agree = p
        .objects
        .iter()
        .filter(|o| {
            let base = o
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let read = |mode: &str| {
                let dir = last_index_dir.get(mode)?;
                std::fs::read(dir.join(format!("{base}.imports"))).ok()
            };
            let (a, b) = (read(LLD_THIN), read(DTLTO_THIN));
            a.is_some() && a == b
        })
        .count();
    Ok(result)
}

/// Every module's backend alone, clang and dtlto in turn (alternating
/// which goes first), on the shards and plans the thin links wrote.
fn backend_jobs(
    p: &Program,
    args: &Args,
    work: &Path,
    progress: &str,
    result: &mut ProgramResult,
) -> Result<()> {
    let out = work.join("backend-jobs");
    std::fs::create_dir_all(&out)?;
    for (i, object) in p.objects.iter().enumerate() {
        let name = object
            .file_name()
            .context("object without a name")?
            .to_string_lossy()
            .into_owned();
        eprint!(
            "\r\x1b[K{progress} backend job {}/{} {name}",
            i + 1,
            p.objects.len()
        );
        let shard = work.join("lld-idx").join(format!("{name}.thinlto.bc"));
        let plan_path = work.join("dtlto-idx").join(format!("{name}.plan"));
        let plan: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(&plan_path)
                .with_context(|| format!("{}", plan_path.display()))?,
        )?;
        let triple = plan["triple"].as_str().unwrap_or_default().to_string();
        let imports: Vec<String> = plan["imports"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s["module"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        let object = object.display().to_string();
        // lld's codegen options for a PIE link, as its DTLTO jobs pass them.
        let clang_args: Vec<String> = [
            "-c",
            &format!("--target={triple}"),
            "-O2",
            "-faddrsig",
            "-ffunction-sections",
            "-fdata-sections",
            "-fpic",
            "-Wno-unused-command-line-argument",
            &object,
            &format!("-fthinlto-index={}", shard.display()),
            "-o",
            &out.join("clang.o").display().to_string(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut dtlto_args: Vec<String> = [
            "backend",
            // One core, as the clang job it is compared with.
            "-j1",
            "-O2",
            "--reloc",
            "pic",
            "--plan",
            &plan_path.display().to_string(),
            "-o",
            &out.join("dtlto.o").display().to_string(),
            &object,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        dtlto_args.extend(imports);
        let dtlto = args.dtlto.display().to_string();
        let run_clang = || measure_job("clang-22", &clang_args);
        let run_dtlto = || measure_job(&dtlto, &dtlto_args);
        let (clang, dtlto) = if i % 2 == 0 {
            let c = run_clang()?;
            (c, run_dtlto()?)
        } else {
            let d = run_dtlto()?;
            (run_clang()?, d)
        };
        result.backend_jobs.push(BackendJob {
            module: name,
            clang,
            dtlto,
        });
    }
    Ok(())
}

/// Cold link, no-change relink and one-file relink, for lld and dtlto,
/// each with its own backend cache. The changed object is swapped in for
/// the one-file relinks of both linkers and swapped back after.
fn relinks(
    p: &Program,
    args: &Args,
    jobs: usize,
    work: &Path,
    progress: &str,
    result: &mut ProgramResult,
) -> Result<()> {
    // A private copy of the objects, so the one-file change never touches
    // the compiled-bitcode cache.
    let dir = work.join("relink-objects");
    std::fs::create_dir_all(&dir)?;
    let mut copies = Vec::with_capacity(p.objects.len());
    for o in &p.objects {
        let copy = dir.join(o.file_name().context("object without a name")?);
        std::fs::copy(o, &copy)?;
        copies.push(copy);
    }
    let changed = copies.len() / 2;
    let original = work.join("original.o");
    let edited = work.join("edited.o");
    p.compile_changed(changed, &edited)?;
    std::fs::copy(&copies[changed], &original)?;
    let objects = strs(&copies);
    let link = |linker: &str| -> Command {
        let cache = work.join(format!("{linker}-cache"));
        let out = work.join(format!("{linker}-relink"));
        if linker == LLD {
            let mut c = Command::new("clang-22");
            c.args(["-flto=thin", "-fuse-ld=lld"])
                .arg(format!("-Wl,--thinlto-jobs={jobs}"))
                .arg(format!("-Wl,--thinlto-cache-dir={}", cache.display()))
                .args(&objects)
                .args(&p.libs)
                .arg("-o")
                .arg(out);
            c
        } else {
            let mut c = Command::new(&args.dtlto);
            c.args(["link", "-j", &jobs.to_string()])
                .arg(format!("--cache-dir={}", cache.display()))
                .args(&objects)
                .args(&p.libs)
                .arg("-o")
                .arg(out);
            c
        }
    };
    for rep in 0..args.reps {
        let linkers = if rep % 2 == 0 {
            [LLD, DTLTO]
        } else {
            [DTLTO, LLD]
        };
        for linker in linkers {
            let _ = std::fs::remove_dir_all(work.join(format!("{linker}-cache")));
        }
        for step in RELINK_STEPS {
            if step == "one-file" {
                std::fs::copy(&edited, &copies[changed])?;
            }
            for linker in linkers {
                eprint!(
                    "\r\x1b[K{progress} relink rep {}/{} {linker} {step}",
                    rep + 1,
                    args.reps
                );
                // Relinks report time only; a no-change relink is tens of
                // milliseconds, which sampling would distort.
                let s = time(&mut link(linker))
                    .with_context(|| format!("{}: {linker} {step} relink", p.name))?;
                result
                    .samples
                    .entry(relink_mode(linker, step))
                    .or_default()
                    .push(s);
            }
        }
        std::fs::copy(&original, &copies[changed])?;
    }
    result.relink_changed = copies
        .get(changed)
        .and_then(|o| o.file_name())
        .map(|n| n.to_string_lossy().into_owned());
    Ok(())
}

/// The plugin comparison (`--plugin`): per linker, LLVMgold.so's ThinLTO,
/// dtlto's plugin in-process and delegated, and `dtlto link` with the
/// same linker, interleaved in every repetition.
fn plugin_links(
    p: &Program,
    args: &Args,
    jobs: usize,
    work: &Path,
    progress: &str,
    result: &mut ProgramResult,
) -> Result<()> {
    let plugin = match &args.plugin_path {
        Some(path) => path.clone(),
        None => args.dtlto.with_file_name("libdtlto_plugin.so"),
    };
    anyhow::ensure!(
        plugin.is_file(),
        "no plugin at {} (cargo build --release -p dtlto-plugin)",
        plugin.display()
    );
    let objects = strs(&p.objects);
    let dir = work.join("plugin");
    std::fs::create_dir_all(&dir)?;
    let out = |linker: &str, kind: &str| dir.join(format!("{}.{linker}.{kind}", p.output));
    let command = |linker: &str, kind: &str| -> Command {
        let mut c;
        if kind == PLUGIN_DTLTO_LINK {
            c = Command::new(&args.dtlto);
            c.args(["link", "-j", &jobs.to_string()])
                .arg(format!("-fuse-ld={linker}"));
        } else {
            c = Command::new("clang-22");
            c.arg(format!("-fuse-ld={linker}"));
            if kind == PLUGIN_LLVMGOLD {
                c.args(["-flto=thin", &format!("-flto-jobs={jobs}")]);
            } else {
                c.arg(format!("-Wl,-plugin,{}", plugin.display()))
                    .arg(format!("-Wl,-plugin-opt=jobs={jobs}"));
            }
            if kind == PLUGIN_DTLTO_DIST {
                c.arg(format!(
                    "-Wl,-plugin-opt=distributor={}",
                    args.dtlto.display()
                ))
                .arg("-Wl,-plugin-opt=distributor-arg=distribute")
                .arg(format!("-Wl,-plugin-opt=distributor-arg=-j{jobs}"));
            }
        }
        c.args(&objects)
            .args(&p.libs)
            .arg("-o")
            .arg(out(linker, kind));
        c
    };
    for linker in args.plugin_linkers.iter().map(String::as_str) {
        for rep in 0..args.reps {
            for k in 0..PLUGIN_KINDS.len() {
                let kind = PLUGIN_KINDS[(k + rep) % PLUGIN_KINDS.len()];
                eprint!(
                    "\r\x1b[K{progress} plugin rep {}/{} {linker} {kind}",
                    rep + 1,
                    args.reps
                );
                let s = measure(&mut command(linker, kind))
                    .with_context(|| format!("{}: {linker} {kind}", p.name))?;
                result
                    .samples
                    .entry(plugin_mode(linker, kind))
                    .or_default()
                    .push(s);
            }
        }
        let mut checks = Vec::new();
        for kind in PLUGIN_KINDS {
            eprint!("\r\x1b[K{progress} checking the {linker} {kind} binary");
            checks.push(measure(&mut p.check_command(&out(linker, kind))).is_ok());
        }
        let bytes = |kind: &str| std::fs::read(out(linker, kind));
        // The objects themselves, from one more (untimed) link of each
        // with save-temps; threads, so the plugin keeps them in one place.
        eprint!("\r\x1b[K{progress} comparing {linker} objects with dtlto link's");
        let mut plugin_kept = command(linker, PLUGIN_DTLTO);
        plugin_kept.args([
            "-Wl,-plugin-opt=save-temps",
            "-Wl,-plugin-opt=backends=threads",
        ]);
        let mut link_kept = command(linker, PLUGIN_DTLTO_LINK);
        link_kept.arg("--save-temps");
        measure(&mut plugin_kept)?;
        measure(&mut link_kept)?;
        let objects_of = |kind: &str| -> Result<Vec<(std::ffi::OsString, Vec<u8>)>> {
            let kept = PathBuf::from(format!("{}.dtlto", out(linker, kind).display()));
            let mut objects = Vec::new();
            for entry in std::fs::read_dir(&kept)? {
                let path = entry?.path();
                if path.to_string_lossy().ends_with(".o.o") {
                    objects.push((
                        path.file_name().unwrap_or_default().into(),
                        std::fs::read(&path)?,
                    ));
                }
            }
            objects.sort();
            Ok(objects)
        };
        let plugin_objects = objects_of(PLUGIN_DTLTO)?;
        result.plugin.insert(
            linker.to_string(),
            PluginCheck {
                objects_as_dtlto_link: !plugin_objects.is_empty()
                    && plugin_objects == objects_of(PLUGIN_DTLTO_LINK)?,
                checks_passed: checks.iter().all(|&c| c),
                delegated_identical: bytes(PLUGIN_DTLTO)? == bytes(PLUGIN_DTLTO_DIST)?,
                binary_as_dtlto_link: bytes(PLUGIN_DTLTO)? == bytes(PLUGIN_DTLTO_LINK)?,
            },
        );
    }
    Ok(())
}

fn absolute(p: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(p).ok();
    p.canonicalize()
        .with_context(|| format!("{} does not exist", p.display()))
}

fn main() -> Result<()> {
    let mut args = Args::parse();
    args.cache = absolute(&args.cache)?;
    args.out = absolute(&args.out)?;
    args.corpus = args
        .corpus
        .canonicalize()
        .with_context(|| format!("no corpus at {}", args.corpus.display()))?;
    args.dtlto = args.dtlto.canonicalize().with_context(|| {
        format!(
            "no dtlto binary at {} (cargo build --release)",
            args.dtlto.display()
        )
    })?;
    args.programs = args
        .programs
        .iter()
        .map(|p| match Path::new(p).join("build.json").is_file() {
            true => Path::new(p)
                .canonicalize()
                .map(|c| c.display().to_string())
                .unwrap_or_else(|_| p.clone()),
            false => p.clone(),
        })
        .collect();
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let mut programs = args.programs.clone();
    if programs.is_empty() {
        let mut names: Vec<String> = std::fs::read_dir(&args.corpus)
            .with_context(|| format!("cannot read the corpus at {}", args.corpus.display()))?
            .flatten()
            .filter(|e| e.path().join("build.json").is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        programs = names;
    }
    let mut report = Report {
        date: today(),
        machine: machine(),
        jobs,
        reps: args.reps,
        programs: Vec::new(),
    };
    // Each program's work directory lives until the run ends, however it
    // ends: removed at once, the next program's thin links would create
    // their files among thousands of inodes just freed (see the thin links
    // in `bench_program`).
    std::fs::create_dir_all(&args.out)?;
    let mut work_dirs = Vec::new();
    for (i, spec) in programs.iter().enumerate() {
        let progress = format!("[{}/{}] {spec}:", i + 1, programs.len());
        eprint!("\r\x1b[K{progress} compiling");
        let program = Program::prepare(spec, &args.corpus, &args.cache)?;
        let work_dir = tempfile::Builder::new()
            .prefix(&format!("work-{}-", program.name))
            .tempdir_in(&args.out)?;
        let work = work_dir.path().canonicalize()?;
        work_dirs.push(work_dir);
        report
            .programs
            .push(bench_program(&program, &args, jobs, &work, &progress)?);
        report::write(&report, &args.out)?;
    }
    drop(work_dirs);
    eprintln!("\r\x1b[K");
    print!("{}", report::write(&report, &args.out)?);
    Ok(())
}
