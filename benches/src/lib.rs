//! Pieces of dtlto's benchmarks: synthetic summary indexes for the criterion
//! benches, and the comparison harness against lld (`ci/bench`):
//! programs, measurements and the report.

pub mod measure;
pub mod program;
pub mod report;
pub mod stages;
pub mod synthetic;
