//! dtlto-llvm: the per-module half of ThinLTO on LLVM 22 — import, apply a
//! backend plan, optimize, emit an object.
//!
//! This is the only crate that calls LLVM, through `llvm-sys` (the C API)
//! and a C++ shim (`shim/dtlto_shim.cpp`) for the steps the C API lacks:
//! materializing one function, moving chosen globals with IRMover,
//! converting a global to a declaration, dso_local, lld's target options
//! (constructors in .init_array, sections per function, address-significance
//! tables), and validating a CPU name. Every owned LLVM object is a newtype with
//! `Drop`; every `unsafe` block says why it holds.

mod backend;
mod context;
mod file_buffer;
mod heap;
pub mod lld;
mod llvm_options;
mod module;
mod passes;
mod remarks;
mod shim;
mod split;
mod target;

pub use backend::{
    empty_regular_lto_object, start_backend, Backend, BackendError, BackendOptions, ImportedModule,
    OptLevel,
};
pub use file_buffer::FileBuffer;
pub use heap::return_free_heap_pages;
pub use llvm_options::apply_llvm_options;
pub use remarks::{write_regular_lto_remarks, RemarkOptions};
pub use split::SplitModule;
pub use target::RelocModel;

/// Bumped whenever a change here can change the objects built from the
/// same inputs and options; part of every backend cache key.
pub const BACKEND_REVISION: u32 = 3;

/// The LLVM version dtlto runs on (major, minor, patch).
pub fn llvm_version() -> (u32, u32, u32) {
    let (mut major, mut minor, mut patch) = (0, 0, 0);
    // SAFETY: writes three integers.
    unsafe { llvm_sys::core::LLVMGetVersion(&mut major, &mut minor, &mut patch) };
    (major, minor, patch)
}
