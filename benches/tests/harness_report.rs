//! The comparison harness on the bundled example: it produces the three
//! report files, and every figure of the table is recomputed here from the
//! raw samples in report.json.

use std::path::{Path, PathBuf};
use std::process::Command;

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn samples(program: &serde_json::Value, mode: &str, field: &str) -> Vec<f64> {
    program["samples"][mode]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s[field].as_f64().unwrap())
        .collect()
}

/// The median of `num[i] / den[i]` over the repetitions.
fn paired(program: &serde_json::Value, num: &str, den: &str) -> f64 {
    let (n, d) = (
        samples(program, num, "wall_s"),
        samples(program, den, "wall_s"),
    );
    assert_eq!(n.len(), d.len(), "{num} and {den} ran as often");
    median(&mut n.iter().zip(&d).map(|(n, d)| n / d).collect::<Vec<_>>())
}

#[test]
fn harness_reports_on_the_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let harness = PathBuf::from(env!("CARGO_BIN_EXE_dtlto-harness"));
    // The dtlto binary is built beside the harness in a workspace build.
    let dtlto = harness.with_file_name("dtlto");
    assert!(
        dtlto.is_file(),
        "build the workspace first: {}",
        dtlto.display()
    );
    let out = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let status = Command::new(&harness)
        .current_dir(&root)
        .arg("examples/hello-thin")
        .args([
            "--reps",
            "2",
            "--jobs",
            "2",
            "--relink",
            "--backends",
            "--instructions",
            "--plugin",
        ])
        .arg("--out")
        .arg(out.path())
        .arg("--cache")
        .arg(cache.path())
        .arg("--dtlto")
        .arg(&dtlto)
        .status()
        .unwrap();
    assert!(status.success());

    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("report.json")).unwrap())
            .unwrap();
    let md = std::fs::read_to_string(out.path().join("report.md")).unwrap();
    let svg = std::fs::read_to_string(out.path().join("report.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("hello-thin"));

    let p = &report["programs"][0];
    assert_eq!(p["name"], "hello-thin");
    assert_eq!(p["modules"], 3);
    assert_eq!(p["imports_agree"], 3);
    assert_eq!(p["check_passed"]["lld"], true);
    assert_eq!(p["check_passed"]["dtlto"], true);
    assert_eq!(p["check_passed"]["lld-dtlto"], true);
    assert_eq!(p["check_passed"]["dtlto-delegated"], true);
    for mode in [
        "lld",
        "dtlto",
        "lld-thin-link",
        "dtlto-thin-link",
        "lld-dtlto",
        "dtlto-delegated",
    ] {
        assert_eq!(samples(p, mode, "wall_s").len(), 2, "{mode}");
    }
    let link =
        median(&mut samples(p, "dtlto", "wall_s")) / median(&mut samples(p, "lld", "wall_s"));
    let mem = median(&mut samples(p, "dtlto", "peak_mem_mb"))
        / median(&mut samples(p, "lld", "peak_mem_mb"));
    let thin = median(&mut samples(p, "dtlto-thin-link", "wall_s"))
        / median(&mut samples(p, "lld-thin-link", "wall_s"));
    let size = p["sizes"]["dtlto"].as_f64().unwrap() / p["sizes"]["lld"].as_f64().unwrap();
    let row = md
        .lines()
        .find(|l| l.starts_with("| hello-thin |"))
        .expect("a row for the example");
    let link_paired = paired(p, "dtlto", "lld");
    assert!(
        row.contains(&format!("| **{link:.2}** | **{link_paired:.2}** |")),
        "link ratios {link:.2}, paired {link_paired:.2} not in {row}"
    );
    for figure in [
        format!("**{mem:.2}**"),
        format!("**{thin:.2}**"),
        format!("**{size:.3}**"),
    ] {
        assert!(row.contains(&figure), "{figure} not in {row}");
    }
    assert!(row.ends_with("| 3/3 | pass |"), "{row}");

    // The thin link alone: time and memory, each tool's median.
    let thin_mem = median(&mut samples(p, "dtlto-thin-link", "peak_mem_mb"))
        / median(&mut samples(p, "lld-thin-link", "peak_mem_mb"));
    let thin_row = md
        .lines()
        .filter(|l| l.starts_with("| hello-thin | 3 |"))
        .nth(1)
        .expect("a thin-link row for the example");
    assert!(
        thin_row.ends_with(&format!(
            "| **{thin:.2}** | {} | {} | **{thin_mem:.2}** |",
            format_args!(
                "{:.0}",
                median(&mut samples(p, "lld-thin-link", "peak_mem_mb"))
            ),
            format_args!(
                "{:.0}",
                median(&mut samples(p, "dtlto-thin-link", "peak_mem_mb"))
            )
        )),
        "{thin_row}"
    );

    // The instruction counts of both binaries during the check.
    let count = |b: &str| p["check_instructions"][b].as_u64().unwrap();
    assert!(count("lld") > 10_000, "the check ran the binary");
    let row = md
        .lines()
        .find(|l| l.starts_with(&format!("| hello-thin | {} |", count("lld"))))
        .expect("an instruction row for the example");
    assert!(
        row.contains(&format!(
            "| {} | {} | **{:.4}** |",
            count("lld"),
            count("dtlto"),
            count("dtlto") as f64 / count("lld") as f64
        )),
        "{row}"
    );

    // The stage table, from the traced runs.
    let stage = |tool: &str, what: &str| p["stages"][tool][what].as_f64().unwrap();
    assert!(stage("lld", "backends_s") > 0.0 && stage("dtlto", "thin_link_s") > 0.0);
    let row = md
        .lines()
        .filter(|l| l.starts_with("| hello-thin |"))
        .nth(3)
        .expect("a stage row for the example");
    for figure in [
        format!(
            "**{:.2}**",
            stage("dtlto", "thin_link_s") / stage("lld", "thin_link_s")
        ),
        format!(
            "**{:.2}**",
            stage("dtlto", "backends_s") / stage("lld", "backends_s")
        ),
    ] {
        assert!(row.contains(&figure), "{figure} not in {row}");
    }

    // The distributed table: lld's DTLTO and dtlto's delegated mode, each
    // against its own in-process link.
    let wall = |mode: &str| median(&mut samples(p, mode, "wall_s"));
    let lld_dtlto = wall("lld-dtlto") / wall("lld");
    let delegated = wall("dtlto-delegated") / wall("dtlto");
    let row = md
        .lines()
        .filter(|l| l.starts_with("| hello-thin |"))
        .nth(4)
        .expect("a distributed row for the example");
    for figure in [format!("**{lld_dtlto:.2}**"), format!("**{delegated:.2}**")] {
        assert!(row.contains(&figure), "{figure} not in {row}");
    }
    assert!(row.ends_with("| yes |"), "{row}");

    // The relink table: each ratio from the cache samples.
    let changed = format!("| hello-thin | {} |", p["relink_changed"].as_str().unwrap());
    let row = md
        .lines()
        .find(|l| l.starts_with(&changed))
        .expect("a relink row for the example");
    for step in ["cold", "no-change", "one-file"] {
        let ratio = wall(&format!("dtlto-cache-{step}")) / wall(&format!("lld-cache-{step}"));
        assert!(row.contains(&format!("**{ratio:.2}**")), "{step}: {row}");
    }

    // The backend jobs: one per module, each tool's sum and peak.
    let jobs = p["backend_jobs"].as_array().unwrap();
    assert_eq!(jobs.len(), 3);
    let total = |tool: &str| -> f64 {
        jobs.iter()
            .map(|j| j[tool]["wall_s"].as_f64().unwrap())
            .sum()
    };
    let peak = |tool: &str| -> f64 {
        jobs.iter()
            .map(|j| j[tool]["peak_mem_mb"].as_f64().unwrap())
            .fold(0.0, f64::max)
    };
    assert!(peak("clang") > 10.0 && peak("dtlto") > 10.0, "RSS in MB");

    // The plugin table: a row per linker, ratio against LLVMgold.so.
    for linker in ["bfd", "gold", "mold"] {
        for kind in [
            "llvmgold",
            "dtlto-plugin",
            "dtlto-plugin-dist",
            "dtlto-link",
        ] {
            assert_eq!(samples(p, &format!("{linker}-{kind}"), "wall_s").len(), 2);
        }
        let check = &p["plugin"][linker];
        assert_eq!(check["checks_passed"], true, "{linker}");
        assert_eq!(check["delegated_identical"], true, "{linker}");
        assert_eq!(check["objects_as_dtlto_link"], true, "{linker}");
        let ratio = wall(&format!("{linker}-dtlto-plugin")) / wall(&format!("{linker}-llvmgold"));
        let row = md
            .lines()
            .find(|l| l.starts_with(&format!("| hello-thin | {linker} |")))
            .expect("a plugin row per linker");
        let ratio_paired = paired(
            p,
            &format!("{linker}-dtlto-plugin"),
            &format!("{linker}-llvmgold"),
        );
        assert!(
            row.contains(&format!("| **{ratio:.2}** | **{ratio_paired:.2}** |")),
            "{row}"
        );
        assert!(row.contains("| pass | yes | yes |"), "{row}");
    }
    let row = md
        .lines()
        .filter(|l| l.starts_with("| hello-thin |"))
        .nth(5)
        .expect("a backend-jobs row for the example");
    for figure in [
        format!("**{:.2}**", total("dtlto") / total("clang")),
        format!("**{:.2}**", peak("dtlto") / peak("clang")),
    ] {
        assert!(row.contains(&figure), "{figure} not in {row}");
    }
}
