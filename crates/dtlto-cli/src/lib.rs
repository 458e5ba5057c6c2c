//! The pipeline behind the `dtlto` binary, as a library so that the linker
//! plugin (`crates/dtlto-plugin`) runs the same backends, cache and
//! delegation code as `dtlto link`. The binary (`main.rs`) is argument
//! parsing and dispatch only.

pub mod backend_cmd;
pub mod backends;
pub mod cache;
pub mod delegate;
pub mod distribute_cmd;
pub mod driver;
pub mod link_cmd;
pub mod link_line;
pub mod link_record;
pub mod linker_lto;
pub mod lto_outputs;
pub mod native;
pub mod output;
pub mod process;
pub mod slurm;
pub mod summary_cmd;
pub mod thin_link_cmd;
pub mod trace;
pub mod worker;
