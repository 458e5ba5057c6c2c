//! The thin link on synthetic link units of 1k, 10k and 100k modules
//! (criterion reports time per iteration; divide by the module count for
//! time per module, which should stay about flat), and reading plus thin
//! link of a real program's bitcode when `DTLTO_BENCH_OBJECTS` names a
//! directory of ThinLTO objects (ci/bench sets it to the largest corpus
//! program).

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use dtlto_bench::synthetic::link_unit;
use dtlto_core::input;
use dtlto_core::resolution::{resolve, ResolveOptions};
use dtlto_core::thinlink::{thin_link, ThinLinkConfig};

fn config() -> ThinLinkConfig {
    ThinLinkConfig {
        opt_level: 2,
        ..ThinLinkConfig::default()
    }
}

fn synthetic(c: &mut Criterion) {
    let mut group = c.benchmark_group("thin_link_synthetic");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    for modules in [1_000usize, 10_000, 100_000] {
        group.throughput(Throughput::Elements(modules as u64));
        group.bench_with_input(BenchmarkId::from_parameter(modules), &modules, |b, &n| {
            b.iter_batched(
                || link_unit(n, 8),
                // The result is returned, so criterion drops it after
                // the timed part: `dtlto` never frees it (the process
                // ends), and freeing a 100k-module index is not the
                // thin link's cost.
                |unit| thin_link(unit, &config()),
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

fn real_program(c: &mut Criterion) {
    let Ok(dir) = std::env::var("DTLTO_BENCH_OBJECTS") else {
        return;
    };
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("DTLTO_BENCH_OBJECTS must be a directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "o"))
        .collect();
    paths.sort();
    let mut group = c.benchmark_group("read_and_thin_link");
    group.sample_size(10);
    group.bench_function(format!("{} modules", paths.len()), |b| {
        b.iter(|| {
            let inputs: Vec<_> = paths
                .iter()
                .map(|p| input::load(p).expect("readable input"))
                .collect();
            let options = ResolveOptions {
                allow_undefined: true,
                ..ResolveOptions::default()
            };
            let resolution = resolve(&inputs, &options).expect("resolvable");
            thin_link(resolution, &config()).map(|l| l.plans.len())
        })
    });
    group.finish();
}

criterion_group!(benches, synthetic, real_program);
criterion_main!(benches);
