//! The optimization pipeline through the new pass manager.

use std::ffi::{CStr, CString};

use llvm_sys::error::{LLVMDisposeErrorMessage, LLVMGetErrorMessage};
use llvm_sys::transforms::pass_builder::{
    LLVMCreatePassBuilderOptions, LLVMDisposePassBuilderOptions, LLVMRunPasses,
};

use crate::module::Module;
use crate::target::TargetMachine;

/// Runs a textual pipeline such as `thinlto<O2>` on the module.
pub(crate) fn run(module: &Module<'_>, tm: &TargetMachine, pipeline: &str) -> Result<(), String> {
    let p = CString::new(pipeline).map_err(|_| "pipeline contains NUL".to_string())?;
    // SAFETY: module and machine are live; options are created and disposed
    // here; an error, if any, is converted and disposed.
    unsafe {
        let options = LLVMCreatePassBuilderOptions();
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
