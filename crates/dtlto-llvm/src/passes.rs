//! The optimization pipeline through the new pass manager.

use std::ffi::{CStr, CString};

use llvm_sys::error::{LLVMDisposeErrorMessage, LLVMGetErrorMessage};
use llvm_sys::transforms::pass_builder::{
    LLVMCreatePassBuilderOptions, LLVMDisposePassBuilderOptions,
    LLVMPassBuilderOptionsSetAAPipeline, LLVMPassBuilderOptionsSetDebugLogging,
    LLVMPassBuilderOptionsSetLoopVectorization, LLVMPassBuilderOptionsSetSLPVectorization,
    LLVMRunPasses,
};

use crate::module::Module;
use crate::target::TargetMachine;

/// Runs a textual pipeline such as `thinlto<O2>` on the module.
///
/// `vectorize`: loop and SLP vectorization, set explicitly as lld's LTO
/// sets them (`PTO.LoopVectorization = PTO.SLPVectorization = OptLevel >
/// 1`) rather than left to the C API's defaults (with which -O2 objects
/// came out the same, but -O1 loop-vectorized).
///
/// `aa_pipeline`: alias analyses in place of the default stack, registered
/// before the standard analyses as LLVM's LTO does with `AAPipeline`.
///
/// `debug`: the pass manager prints each pass and analysis it runs on
/// stderr, as LLVM's LTO with `DebugPassManager` (lld's
/// `--lto-debug-pass-manager`).
pub(crate) fn run(
    module: &Module<'_>,
    tm: &TargetMachine,
    pipeline: &str,
    vectorize: bool,
    aa_pipeline: Option<&str>,
    debug: bool,
) -> Result<(), String> {
    let p = CString::new(pipeline).map_err(|_| "pipeline contains NUL".to_string())?;
    let aa = aa_pipeline
        .map(CString::new)
        .transpose()
        .map_err(|_| "alias-analysis pipeline contains NUL".to_string())?;
    // SAFETY: module and machine are live; options are created and disposed
    // here (they copy the AA pipeline text); an error, if any, is converted
    // and disposed.
    unsafe {
        let options = LLVMCreatePassBuilderOptions();
        LLVMPassBuilderOptionsSetLoopVectorization(options, vectorize.into());
        LLVMPassBuilderOptionsSetSLPVectorization(options, vectorize.into());
        LLVMPassBuilderOptionsSetDebugLogging(options, debug.into());
        if let Some(aa) = &aa {
            LLVMPassBuilderOptionsSetAAPipeline(options, aa.as_ptr());
        }
        let err = LLVMRunPasses(module.raw(), p.as_ptr(), tm.raw(), options);
        LLVMDisposePassBuilderOptions(options);
        if !err.is_null() {
            let msg = LLVMGetErrorMessage(err);
            let text = CStr::from_ptr(msg).to_string_lossy().into_owned();
            LLVMDisposeErrorMessage(msg);
            return Err(text);
        }
    }
    Ok(())
}

/// The half of the ThinLTO pipeline a split module runs whole, and the
/// half each part runs (see `dtlto_run_thinlto_phase`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    Simplify,
    Optimize,
}

/// Runs one phase of `thinlto<level>`; `level` is `1`, `2`, `3`, `s` or `z`.
pub(crate) fn run_phase(
    module: &Module<'_>,
    tm: &TargetMachine,
    level: u8,
    phase: Phase,
    vectorize: bool,
    debug: bool,
) -> Result<(), String> {
    let mut err = std::ptr::null_mut();
    let phase = match phase {
        Phase::Simplify => 1,
        Phase::Optimize => 2,
    };
    // SAFETY: module and machine are live; an error message is malloc'ed
    // by the shim and freed here.
    unsafe {
        let status = crate::shim::dtlto_run_thinlto_phase(
            module.raw(),
            tm.raw(),
            level as i32,
            phase,
            vectorize as i32,
            debug as i32,
            &mut err,
        );
        if status != 0 {
            let text = CStr::from_ptr(err).to_string_lossy().into_owned();
            llvm_sys::core::LLVMDisposeMessage(err);
            return Err(text);
        }
    }
    Ok(())
}
