//! An owned LLVMContext that collects error diagnostics instead of letting
//! LLVM print them and exit.

use std::cell::RefCell;
use std::ffi::{c_void, CStr};

use llvm_sys::core::{
    LLVMContextCreate, LLVMContextDispose, LLVMContextSetDiagnosticHandler,
    LLVMContextSetDiscardValueNames, LLVMDisposeMessage, LLVMGetDiagInfoDescription,
    LLVMGetDiagInfoSeverity,
};
use llvm_sys::prelude::{LLVMContextRef, LLVMDiagnosticInfoRef};
use llvm_sys::LLVMDiagnosticSeverity;

pub(crate) struct Context {
    raw: LLVMContextRef,
    errors: Box<RefCell<Vec<String>>>,
}

extern "C" fn on_diagnostic(info: LLVMDiagnosticInfoRef, sink: *mut c_void) {
    // SAFETY: `info` is valid for the duration of the callback; `sink` is the
    // boxed RefCell registered in `Context::new`, alive as long as the context.
    unsafe {
        if LLVMGetDiagInfoSeverity(info) != LLVMDiagnosticSeverity::LLVMDSError {
            return;
        }
        let text = LLVMGetDiagInfoDescription(info);
        let message = CStr::from_ptr(text).to_string_lossy().into_owned();
        LLVMDisposeMessage(text);
        if let Some(errors) = (sink as *const RefCell<Vec<String>>).as_ref() {
            errors.borrow_mut().push(message);
        }
    }
}

impl Context {
    pub fn new() -> Context {
        let errors = Box::new(RefCell::new(Vec::new()));
        // SAFETY: creating a context has no preconditions; the handler's
        // sink points into `errors`, which lives in the returned value and
        // is dropped after the context is disposed.
        let raw = unsafe {
            let raw = LLVMContextCreate();
            // As LLVM's LTO contexts in release builds (-lto-discard-value-
            // names): names of locals are neither read from bitcode nor
            // made by passes (inlined blocks' `callee.exit`, ...). They
            // never reach the object, and uniquing them costs time.
            LLVMContextSetDiscardValueNames(raw, 1);
            LLVMContextSetDiagnosticHandler(
                raw,
                Some(on_diagnostic),
                &*errors as *const RefCell<Vec<String>> as *mut c_void,
            );
            raw
        };
        Context { raw, errors }
    }

    pub fn raw(&self) -> LLVMContextRef {
        self.raw
    }

    /// Error diagnostics reported since the last call.
    pub fn take_errors(&self) -> Vec<String> {
        std::mem::take(&mut *self.errors.borrow_mut())
    }
}

impl Drop for Context {
    fn drop(&mut self) {
        // SAFETY: the context is owned and every module created in it was
        // dropped before (modules borrow the context).
        unsafe { LLVMContextDispose(self.raw) }
    }
}
