//! The comparison report: `report.json` holds every sample; the Markdown
//! table and the SVG chart are computed from it and nothing else.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use crate::measure::{median, Sample};

/// Link modes, measured interleaved in every repetition.
pub const LLD: &str = "lld";
pub const DTLTO: &str = "dtlto";
pub const LLD_THIN: &str = "lld-thin-link";
pub const DTLTO_THIN: &str = "dtlto-thin-link";
/// ld.lld-22's DTLTO, its clang backends run by `dtlto distribute`.
pub const LLD_DTLTO: &str = "lld-dtlto";
/// `dtlto link --distributor=dtlto --distributor-arg=distribute`.
pub const DTLTO_DELEGATED: &str = "dtlto-delegated";
/// `dtlto link --no-split` (`--split`).
pub const DTLTO_NO_SPLIT: &str = "dtlto-no-split";
/// `dtlto link` with `dtlto distribute --engine=slurm` (`--slurm`).
pub const DTLTO_SLURM: &str = "dtlto-slurm";
/// Relinks with a backend cache (`--relink`): per linker, a cold link into
/// an empty cache, a relink with no change, a relink after one file changed.
pub const RELINK_STEPS: [&str; 3] = ["cold", "no-change", "one-file"];
pub fn relink_mode(linker: &str, step: &str) -> String {
    format!("{linker}-cache-{step}")
}

/// The plugin comparison (`--plugin`): per linker, these kinds of link.
pub const PLUGIN_LINKERS: [&str; 3] = ["bfd", "gold", "mold"];
/// `clang-22 -flto=thin -fuse-ld=LINKER`: LLVM's own LLVMgold.so.
pub const PLUGIN_LLVMGOLD: &str = "llvmgold";
/// `-Wl,-plugin,libdtlto_plugin.so`.
pub const PLUGIN_DTLTO: &str = "dtlto-plugin";
/// The same with `-plugin-opt=distributor=dtlto` (`dtlto distribute`).
pub const PLUGIN_DTLTO_DIST: &str = "dtlto-plugin-dist";
/// `dtlto link -fuse-ld=LINKER`.
pub const PLUGIN_DTLTO_LINK: &str = "dtlto-link";
pub const PLUGIN_KINDS: [&str; 4] = [
    PLUGIN_LLVMGOLD,
    PLUGIN_DTLTO,
    PLUGIN_DTLTO_DIST,
    PLUGIN_DTLTO_LINK,
];
pub fn plugin_mode(linker: &str, kind: &str) -> String {
    format!("{linker}-{kind}")
}

/// What the plugin comparison checked for one linker.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PluginCheck {
    /// Every binary of the four kinds passed the program's check.
    pub checks_passed: bool,
    /// The plugin's objects are byte-identical to `dtlto link`'s.
    #[serde(default)]
    pub objects_as_dtlto_link: bool,
    /// The plugin's delegated binary is byte-identical to its in-process one.
    pub delegated_identical: bool,
    /// The plugin's binary is byte-identical to `dtlto link`'s with the
    /// same linker (false in reports from before it was compared whole).
    #[serde(default)]
    pub binary_as_dtlto_link: bool,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Report {
    pub date: String,
    pub machine: String,
    pub jobs: usize,
    pub reps: usize,
    pub programs: Vec<ProgramResult>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ProgramResult {
    pub name: String,
    pub modules: usize,
    /// Per mode: one sample per repetition.
    pub samples: BTreeMap<String, Vec<Sample>>,
    /// Per binary (`lld`, `dtlto`): size in bytes.
    pub sizes: BTreeMap<String, u64>,
    /// Per binary: wall time of the program's check workload, per repetition.
    pub run_time_s: BTreeMap<String, Vec<f64>>,
    /// Per binary: instructions it executed during the check (callgrind,
    /// `--instructions`).
    #[serde(default)]
    pub check_instructions: BTreeMap<String, u64>,
    /// Per binary: did the program's check pass?
    pub check_passed: BTreeMap<String, bool>,
    /// Modules whose `.imports` equal lld's.
    pub imports_agree: usize,
    /// Is the delegated binary byte-identical to the in-process one?
    #[serde(default)]
    pub delegated_identical: Option<bool>,
    /// `--split`: the binary equals the `--no-split` one (true wherever no
    /// module is big enough to split).
    #[serde(default)]
    pub no_split_identical: Option<bool>,
    /// Is the Slurm-distributed binary byte-identical to the in-process one?
    #[serde(default)]
    pub slurm_identical: Option<bool>,
    /// Thin-link and backend time as lld and dtlto report them, from one
    /// extra run of each with `--time-trace`.
    #[serde(default)]
    pub stages: BTreeMap<String, crate::stages::Stages>,
    /// `--backends`: every module's backend run alone, by clang from lld's
    /// shard and by `dtlto backend` from dtlto's plan.
    #[serde(default)]
    pub backend_jobs: Vec<BackendJob>,
    /// The source changed for the one-file relinks (`--relink`).
    #[serde(default)]
    pub relink_changed: Option<String>,
    /// `--plugin`: per linker.
    #[serde(default)]
    pub plugin: BTreeMap<String, PluginCheck>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BackendJob {
    pub module: String,
    /// `clang-22 -c -fthinlto-index=<lld's shard>`; memory is peak RSS.
    pub clang: Sample,
    /// `dtlto backend --plan <dtlto's plan>`; memory is peak RSS.
    pub dtlto: Sample,
}

/// The figures of one table row, all medians or ratios of medians.
pub struct Row {
    pub name: String,
    pub modules: usize,
    pub link: (f64, f64),
    /// dtlto / lld link time, median of the per-repetition ratios.
    pub link_paired: f64,
    pub mem: (f64, f64),
    pub thin: (f64, f64),
    pub thin_mem: (f64, f64),
    pub size: (u64, u64),
    pub run: (f64, f64),
    pub imports_agree: usize,
    pub checks: bool,
    /// lld in-process, lld DTLTO, dtlto in-process, dtlto delegated.
    pub distributed: [f64; 4],
}

impl ProgramResult {
    pub fn med(&self, mode: &str, f: impl Fn(&Sample) -> f64) -> f64 {
        median(
            &self
                .samples
                .get(mode)
                .map(|v| v.iter().map(&f).collect::<Vec<_>>())
                .unwrap_or_default(),
        )
    }

    /// The median, over repetitions, of `num`'s wall time over `den`'s in
    /// the same repetition. Modes run interleaved, so a repetition's two
    /// samples were taken a minute apart at most; on a VM whose speed
    /// wanders by a fifth over minutes, the ratio within a repetition
    /// cancels that drift where a ratio of medians (samples taken up to
    /// an hour apart) keeps it.
    pub fn paired_ratio(&self, num: &str, den: &str) -> f64 {
        let (Some(n), Some(d)) = (self.samples.get(num), self.samples.get(den)) else {
            return f64::NAN;
        };
        let ratios: Vec<f64> = n.iter().zip(d).map(|(n, d)| n.wall_s / d.wall_s).collect();
        median(&ratios)
    }

    pub fn row(&self) -> Row {
        let run = |b: &str| median(self.run_time_s.get(b).map(Vec::as_slice).unwrap_or(&[]));
        Row {
            name: self.name.clone(),
            modules: self.modules,
            link: (self.med(LLD, |s| s.wall_s), self.med(DTLTO, |s| s.wall_s)),
            link_paired: self.paired_ratio(DTLTO, LLD),
            mem: (
                self.med(LLD, |s| s.peak_mem_mb),
                self.med(DTLTO, |s| s.peak_mem_mb),
            ),
            thin: (
                self.med(LLD_THIN, |s| s.wall_s),
                self.med(DTLTO_THIN, |s| s.wall_s),
            ),
            thin_mem: (
                self.med(LLD_THIN, |s| s.peak_mem_mb),
                self.med(DTLTO_THIN, |s| s.peak_mem_mb),
            ),
            size: (
                self.sizes.get(LLD).copied().unwrap_or(0),
                self.sizes.get(DTLTO).copied().unwrap_or(0),
            ),
            run: (run(LLD), run(DTLTO)),
            imports_agree: self.imports_agree,
            checks: self.check_passed.values().all(|&p| p) && !self.check_passed.is_empty(),
            distributed: [LLD, LLD_DTLTO, DTLTO, DTLTO_DELEGATED]
                .map(|m| self.med(m, |s| s.wall_s)),
        }
    }
}

fn ratio(pair: (f64, f64)) -> f64 {
    pair.1 / pair.0
}

pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "dtlto vs ld.lld-22 in-process ThinLTO, {} ({}), {} jobs, median of {} runs; ratios are dtlto / lld (paired: the median of each repetition's own ratio, the two links having run side by side); memory is the peak PSS summed over the process tree.\n",
        report.date, report.machine, report.jobs, report.reps
    );
    out.push_str("| program | modules | link lld s | link dtlto s | link ratio | link ratio, paired | memory lld MB | memory dtlto MB | memory ratio | thin link lld s | thin link dtlto s | thin link ratio | size ratio | run time ratio | imports = lld | checks |\n");
    out.push_str(
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n",
    );
    // Programs measured with --no-compare have no row here.
    for p in report
        .programs
        .iter()
        .filter(|p| p.samples.contains_key(LLD))
    {
        let r = p.row();
        let _ = writeln!(
            out,
            "| {} | {} | {:.2} | {:.2} | **{:.2}** | **{:.2}** | {:.0} | {:.0} | **{:.2}** | {:.3} | {:.3} | **{:.2}** | **{:.3}** | **{:.3}** | {}/{} | {} |",
            r.name,
            r.modules,
            r.link.0,
            r.link.1,
            ratio(r.link),
            r.link_paired,
            r.mem.0,
            r.mem.1,
            ratio(r.mem),
            r.thin.0,
            r.thin.1,
            ratio(r.thin),
            r.size.1 as f64 / r.size.0 as f64,
            ratio(r.run),
            r.imports_agree,
            r.modules,
            if r.checks { "pass" } else { "FAIL" }
        );
    }
    out.push_str("\nThe thin link alone: `ld.lld-22 --thinlto-index-only --thinlto-emit-imports-files` (through clang-22) vs `dtlto thin-link`, same inputs and link line, each run writing its index files into a new, empty directory (nothing removed meanwhile: ext4 without a journal makes every file created dearer after many are removed); wall time (each sample the median of three runs in a row) and peak PSS of the process tree, medians.\n\n");
    out.push_str(
        "| program | modules | lld s | dtlto s | time ratio | lld MB | dtlto MB | memory ratio |\n",
    );
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for p in report
        .programs
        .iter()
        .filter(|p| p.samples.contains_key(LLD_THIN))
    {
        let r = p.row();
        let _ = writeln!(
            out,
            "| {} | {} | {:.3} | {:.3} | **{:.2}** | {:.0} | {:.0} | **{:.2}** |",
            r.name,
            r.modules,
            r.thin.0,
            r.thin.1,
            ratio(r.thin),
            r.thin_mem.0,
            r.thin_mem.1,
            ratio(r.thin_mem),
        );
    }
    let counted: Vec<&ProgramResult> = report
        .programs
        .iter()
        .filter(|p| {
            p.check_instructions.contains_key(LLD) && p.check_instructions.contains_key(DTLTO)
        })
        .collect();
    if !counted.is_empty() {
        out.push_str("\nRun time of the binaries as instructions executed during each program's check (callgrind: exact and repeatable, where the check's wall time is too short and noisy to resolve 2 %; only the program's own processes are counted).\n\n");
        out.push_str("| program | lld binary instructions | dtlto binary instructions | ratio |\n");
        out.push_str("|---|---:|---:|---:|\n");
        for p in counted {
            let (l, d) = (p.check_instructions[LLD], p.check_instructions[DTLTO]);
            let _ = writeln!(
                out,
                "| {} | {l} | {d} | **{:.4}** |",
                p.name,
                d as f64 / l as f64
            );
        }
    }
    let staged: Vec<&ProgramResult> = report
        .programs
        .iter()
        .filter(|p| p.stages.contains_key(LLD) && p.stages.contains_key(DTLTO))
        .collect();
    if !staged.is_empty() {
        out.push_str("\nWhere the link time goes, as each tool reports it (one extra run of each with `--time-trace`; lld: from `Run ThinLTO` to its first `Thin backend`, then to the end of its last; dtlto: its `Thin link` and `Backends` spans).\n\n");
        out.push_str("| program | thin link lld s | thin link dtlto s | thin link ratio | backends lld s | backends dtlto s | backends ratio |\n");
        out.push_str("|---|---:|---:|---:|---:|---:|---:|\n");
        for p in staged {
            let (l, d) = (p.stages[LLD], p.stages[DTLTO]);
            let _ = writeln!(
                out,
                "| {} | {:.3} | {:.3} | **{:.2}** | {:.2} | {:.2} | **{:.2}** |",
                p.name,
                l.thin_link_s,
                d.thin_link_s,
                d.thin_link_s / l.thin_link_s,
                l.backends_s,
                d.backends_s,
                d.backends_s / l.backends_s
            );
        }
    }
    let delegated: Vec<&ProgramResult> = report
        .programs
        .iter()
        .filter(|p| p.samples.contains_key(DTLTO_DELEGATED))
        .collect();
    if !delegated.is_empty() {
        out.push_str("\nDistributed backends on this machine (`dtlto distribute` as the distributor, same job count): wall time of the whole link, median.\n\n");
        out.push_str("| program | lld in-process s | lld DTLTO s | dtlto in-process s | dtlto delegated s | lld DTLTO / lld in-process | dtlto delegated / in-process | delegated binary = in-process |\n");
        out.push_str("|---|---:|---:|---:|---:|---:|---:|---|\n");
        for p in delegated {
            let [lld, lld_dtlto, dtlto, dtlto_delegated] = p.row().distributed;
            let _ = writeln!(
                out,
                "| {} | {lld:.2} | {lld_dtlto:.2} | {dtlto:.2} | {dtlto_delegated:.2} | **{:.2}** | **{:.2}** | {} |",
                p.name,
                lld_dtlto / lld,
                dtlto_delegated / dtlto,
                match p.delegated_identical {
                    Some(true) => "yes",
                    Some(false) => "NO",
                    None => "-",
                }
            );
        }
    }
    let split: Vec<&ProgramResult> = report
        .programs
        .iter()
        .filter(|p| p.samples.contains_key(DTLTO_NO_SPLIT))
        .collect();
    if !split.is_empty() {
        out.push_str("\nSplitting big modules' backends (default threshold): `dtlto link` against `dtlto link --no-split` and lld, same job count; link wall time and the binaries' run time on the program's workload, medians.\n\n");
        out.push_str("| program | lld s | dtlto --no-split s | dtlto s | dtlto / --no-split | dtlto / lld | run time dtlto / lld | run time --no-split / lld | binary = --no-split | checks |\n");
        out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
        for p in split {
            let wall = |mode: &str| p.med(mode, |s| s.wall_s);
            let run = |mode: &str| median(p.run_time_s.get(mode).map(Vec::as_slice).unwrap_or(&[]));
            let (lld, whole, dtlto) = (wall(LLD), wall(DTLTO_NO_SPLIT), wall(DTLTO));
            let _ = writeln!(
                out,
                "| {} | {lld:.2} | {whole:.2} | {dtlto:.2} | **{:.2}** | **{:.2}** | **{:.3}** | {:.3} | {} | {} |",
                p.name,
                dtlto / whole,
                dtlto / lld,
                run(DTLTO) / run(LLD),
                run(DTLTO_NO_SPLIT) / run(LLD),
                match p.no_split_identical {
                    Some(true) => "yes (nothing split)",
                    Some(false) => "no (split)",
                    None => "-",
                },
                if [LLD, DTLTO, DTLTO_NO_SPLIT]
                    .iter()
                    .all(|m| p.check_passed.get(*m).copied().unwrap_or(false))
                {
                    "pass"
                } else {
                    "FAIL"
                }
            );
        }
    }
    let slurm: Vec<&ProgramResult> = report
        .programs
        .iter()
        .filter(|p| p.samples.contains_key(DTLTO_SLURM))
        .collect();
    if !slurm.is_empty() {
        out.push_str("\nSlurm: `dtlto distribute --engine=slurm` (one allocation, a job step per backend) on the one-node cluster of `ci/slurm-up`, same job count; wall time of the whole link, median.\n\n");
        out.push_str("| program | dtlto in-process s | dtlto local distributor s | dtlto Slurm s | Slurm / in-process | Slurm / local distributor | Slurm binary = in-process |\n");
        out.push_str("|---|---:|---:|---:|---:|---:|---|\n");
        for p in slurm {
            let wall = |mode: &str| p.med(mode, |s| s.wall_s);
            let (local, delegated, on_slurm) =
                (wall(DTLTO), wall(DTLTO_DELEGATED), wall(DTLTO_SLURM));
            let _ = writeln!(
                out,
                "| {} | {local:.2} | {delegated:.2} | {on_slurm:.2} | **{:.2}** | **{:.2}** | {} |",
                p.name,
                on_slurm / local,
                on_slurm / delegated,
                match p.slurm_identical {
                    Some(true) => "yes",
                    Some(false) => "NO",
                    None => "-",
                }
            );
        }
    }
    let with_jobs: Vec<&ProgramResult> = report
        .programs
        .iter()
        .filter(|p| !p.backend_jobs.is_empty())
        .collect();
    if !with_jobs.is_empty() {
        out.push_str("\nBackends job by job, one at a time: `clang-22 -c -fthinlto-index=` on lld's shard vs `dtlto backend` on dtlto's plan, same module, same options; time summed over the jobs, memory the peak RSS of the largest job; ratios are dtlto / clang.\n\n");
        out.push_str("| program | jobs | clang s | dtlto s | time ratio | clang MB | dtlto MB | memory ratio |\n");
        out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for p in with_jobs {
            let total = |f: fn(&BackendJob) -> f64| p.backend_jobs.iter().map(f).sum::<f64>();
            let peak = |f: fn(&BackendJob) -> f64| p.backend_jobs.iter().map(f).fold(0.0, f64::max);
            let (ct, dt) = (total(|j| j.clang.wall_s), total(|j| j.dtlto.wall_s));
            let (cm, dm) = (peak(|j| j.clang.peak_mem_mb), peak(|j| j.dtlto.peak_mem_mb));
            let _ = writeln!(
                out,
                "| {} | {} | {ct:.2} | {dt:.2} | **{:.2}** | {cm:.0} | {dm:.0} | **{:.2}** |",
                p.name,
                p.backend_jobs.len(),
                dt / ct,
                dm / cm
            );
        }
    }
    let plugged: Vec<&ProgramResult> = report
        .programs
        .iter()
        .filter(|p| !p.plugin.is_empty())
        .collect();
    if !plugged.is_empty() {
        out.push_str("\nThrough the linker plugin interface, per linker: LLVM's `LLVMgold.so` (`clang-22 -flto=thin -flto-jobs=N`), `libdtlto_plugin.so` in-process and with `distributor=dtlto` (`dtlto distribute`), and `dtlto link -fuse-ld=LINKER`; wall time of the whole link, median; ratio is dtlto plugin / LLVMgold, as a ratio of medians and paired (the median of each repetition's own ratio; the kinds of link run side by side in every repetition). Objects: the plugin's native objects are byte-identical to `dtlto link`'s. Binary: the plugin's binary is byte-identical to `dtlto link`'s (which links through the plugin under these linkers).\n\n");
        out.push_str("| program | linker | LLVMgold s | dtlto plugin s | plugin ratio | plugin ratio, paired | plugin distributed s | dtlto link s | checks | distributed = in-process | objects = dtlto link | binary = dtlto link |\n");
        out.push_str("|---|---|---:|---:|---:|---:|---:|---:|---|---|---|---|\n");
        for p in plugged {
            for (linker, check) in &p.plugin {
                let t = |kind: &str| p.med(&plugin_mode(linker, kind), |s| s.wall_s);
                let yes = |b: bool| if b { "yes" } else { "NO" };
                let _ = writeln!(
                    out,
                    "| {} | {linker} | {:.2} | {:.2} | **{:.2}** | **{:.2}** | {:.2} | {:.2} | {} | {} | {} | {} |",
                    p.name,
                    t(PLUGIN_LLVMGOLD),
                    t(PLUGIN_DTLTO),
                    t(PLUGIN_DTLTO) / t(PLUGIN_LLVMGOLD),
                    p.paired_ratio(
                        &plugin_mode(linker, PLUGIN_DTLTO),
                        &plugin_mode(linker, PLUGIN_LLVMGOLD)
                    ),
                    t(PLUGIN_DTLTO_DIST),
                    t(PLUGIN_DTLTO_LINK),
                    if check.checks_passed { "pass" } else { "FAIL" },
                    yes(check.delegated_identical),
                    yes(check.objects_as_dtlto_link),
                    yes(check.binary_as_dtlto_link),
                );
            }
        }
    }
    let relinked: Vec<&ProgramResult> = report
        .programs
        .iter()
        .filter(|p| p.relink_changed.is_some())
        .collect();
    if !relinked.is_empty() {
        out.push_str("\nIncremental relinks with a backend cache (`ld.lld-22 --thinlto-cache-dir`, `dtlto link --cache-dir`): cold link into an empty cache, relink with no change, relink after one source file changed (one function added); wall time, median; ratios are dtlto / lld.\n\n");
        out.push_str("| program | changed file | lld cold s | lld no-change s | lld one-file s | dtlto cold s | dtlto no-change s | dtlto one-file s | cold ratio | no-change ratio | one-file ratio |\n");
        out.push_str("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for p in relinked {
            let t = |linker: &str, step: &str| p.med(&relink_mode(linker, step), |s| s.wall_s);
            let _ = writeln!(
                out,
                "| {} | {} | {:.2} | {:.3} | {:.2} | {:.2} | {:.3} | {:.2} | **{:.2}** | **{:.2}** | **{:.2}** |",
                p.name,
                p.relink_changed.as_deref().unwrap_or_default(),
                t(LLD, "cold"),
                t(LLD, "no-change"),
                t(LLD, "one-file"),
                t(DTLTO, "cold"),
                t(DTLTO, "no-change"),
                t(DTLTO, "one-file"),
                t(DTLTO, "cold") / t(LLD, "cold"),
                t(DTLTO, "no-change") / t(LLD, "no-change"),
                t(DTLTO, "one-file") / t(LLD, "one-file"),
            );
        }
    }
    out
}

/// One bar of a program's group: its legend, how it is computed, its colour.
type Metric = (&'static str, fn(&Row) -> f64, RGBColor);

pub fn svg(report: &Report, path: &Path) -> Result<()> {
    let metrics: [Metric; 6] = [
        ("link time", |r| ratio(r.link), RGBColor(31, 119, 180)),
        ("peak memory", |r| ratio(r.mem), RGBColor(255, 127, 14)),
        ("thin link time", |r| ratio(r.thin), RGBColor(44, 160, 44)),
        (
            "binary size",
            |r| r.size.1 as f64 / r.size.0 as f64,
            RGBColor(214, 39, 40),
        ),
        ("run time", |r| ratio(r.run), RGBColor(148, 103, 189)),
        (
            "delegated link time",
            |r| r.distributed[3] / r.distributed[0],
            RGBColor(140, 86, 75),
        ),
    ];
    let rows: Vec<Row> = report
        .programs
        .iter()
        .filter(|p| p.samples.contains_key(LLD))
        .map(ProgramResult::row)
        .collect();
    let slot = metrics.len() + 1;
    let top = rows
        .iter()
        .flat_map(|r| metrics.iter().map(move |(_, f, _)| f(r)))
        .filter(|v| v.is_finite())
        .fold(1.5f64, f64::max)
        * 1.45;
    // Room on the right for the legend.
    let width = (160 + (rows.len() * slot + 6) * 22).max(640) as u32;
    let root = SVGBackend::new(path, (width, 420)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "dtlto / ld.lld-22 ThinLTO (lower is better)",
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0f64..(rows.len() * slot + 6) as f64, 0f64..top)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_desc("ratio")
        .draw()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    // Program names above their group of bars.
    chart
        .draw_series(rows.iter().enumerate().map(|(i, r)| {
            Text::new(
                r.name.clone(),
                ((i * slot) as f64 + 0.5, top * 0.95),
                ("sans-serif", 14),
            )
        }))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    for (m, (label, f, color)) in metrics.iter().enumerate() {
        let bars: Vec<_> = rows
            .iter()
            .enumerate()
            .filter(|(_, r)| f(r).is_finite())
            .map(|(i, r)| {
                let x = (i * slot + m) as f64 + 0.5;
                Rectangle::new([(x, 0.0), (x + 0.9, f(r))], color.filled())
            })
            .collect();
        chart
            .draw_series(bars)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .label(*label)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled()));
    }
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 1.0), ((rows.len() * slot) as f64, 1.0)],
            BLACK.stroke_width(1),
        )))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    root.present().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

/// Writes report.json, report.md and report.svg into `dir`.
pub fn write(report: &Report, dir: &Path) -> Result<String> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    std::fs::write(
        dir.join("report.json"),
        serde_json::to_string_pretty(report)? + "\n",
    )?;
    let md = markdown(report);
    std::fs::write(dir.join("report.md"), &md)?;
    svg(report, &dir.join("report.svg"))?;
    Ok(md)
}
