//! dtlto-core: the whole-program half of ThinLTO, in pure Rust.
//!
//! It reads ThinLTO bitcode summaries (never IR), resolves symbols the way
//! a linker does, and makes LLVM 22's thin-link decisions: liveness,
//! imports, exports, promotion and internalization, written down as one
//! [`plan::BackendPlan`] per module. It never links LLVM and never starts a
//! process.
#![forbid(unsafe_code)]

pub mod attributes;
pub mod bitcode;
pub mod cache_key;
pub mod dead;
pub mod dense_map;
pub mod guid;
pub mod import;
pub mod index;
pub mod input;
pub mod jobs;
pub mod plan;
pub mod promote;
pub mod resolution;
pub mod split;
pub mod summary;
pub mod thinlink;
