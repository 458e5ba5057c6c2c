//! The thin link's stages on synthetic link units of growing size, time
//! per module for each: where the thin link stops scaling linearly.
//!   cargo run --release -p dtlto-bench --example thin_link_stages [MODULES...]

use std::time::Instant;

use dtlto_bench::synthetic::link_unit;
use dtlto_core::thinlink::{thin_link, ThinLinkConfig};

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("a module count"))
        .collect();
    let sizes = if sizes.is_empty() {
        vec![1_000, 10_000, 100_000]
    } else {
        sizes
    };
    let config = ThinLinkConfig {
        opt_level: 2,
        ..ThinLinkConfig::default()
    };
    for n in sizes {
        let unit = link_unit(n, 8);
        let t = Instant::now();
        let link = thin_link(unit, &config).expect("the synthetic unit links");
        let total = t.elapsed();
        let per = |d: std::time::Duration| d.as_secs_f64() * 1e6 / n as f64;
        print!("{n:>7} modules: {:>6.1} us/module |", per(total));
        for (stage, d) in &link.times.stages {
            print!(" {stage} {:.1}", per(*d));
        }
        println!();
        std::mem::forget(link);
    }
}
