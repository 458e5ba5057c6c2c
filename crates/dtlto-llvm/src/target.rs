//! Targets (x86-64 and AArch64), target machines and object emission.

use std::ffi::{CStr, CString};
use std::sync::Once;

use llvm_sys::core::{
    LLVMDisposeMemoryBuffer, LLVMDisposeMessage, LLVMGetBufferSize, LLVMGetBufferStart,
};
use llvm_sys::target::*;
use llvm_sys::target_machine::*;

use crate::module::Module;
use crate::shim;

static INIT: Once = Once::new();

/// Registers the targets dtlto generates code for.
pub(crate) fn initialize() {
    INIT.call_once(|| {
        // SAFETY: LLVM's target registration functions are called once, before
        // any target lookup, as LLVM requires.
        unsafe {
            LLVMInitializeX86TargetInfo();
            LLVMInitializeX86Target();
            LLVMInitializeX86TargetMC();
            LLVMInitializeX86AsmPrinter();
            LLVMInitializeX86AsmParser();
            LLVMInitializeAArch64TargetInfo();
            LLVMInitializeAArch64Target();
            LLVMInitializeAArch64TargetMC();
            LLVMInitializeAArch64AsmPrinter();
            LLVMInitializeAArch64AsmParser();
        }
    });
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelocModel {
    /// Position-dependent executables (`-no-pie`, `-static`).
    Static,
    /// PIE executables and shared libraries.
    Pic,
}

pub(crate) struct TargetMachine {
    raw: LLVMTargetMachineRef,
}

pub(crate) struct MachineSpec<'a> {
    pub triple: &'a str,
    pub cpu: &'a str,
    pub features: &'a str,
    pub codegen_level: u8,
    pub reloc: RelocModel,
    pub function_sections: bool,
    pub data_sections: bool,
    /// Assembly output with the printer's comments (lld's `--lto-emit-asm`).
    pub asm_verbose: bool,
    /// An address-significance table in each object (`.llvm_addrsig`).
    pub addrsig: bool,
    /// Relaxable GOT relocations on x86-64 (`MCTargetOptions::X86RelaxRelocations`);
    /// false forces plain `GOTPCREL`, as LLVMgold does.
    pub relax_relocations: bool,
}

impl TargetMachine {
    pub fn new(spec: &MachineSpec<'_>) -> Result<TargetMachine, String> {
        initialize();
        let triple = CString::new(spec.triple).map_err(|_| "triple contains NUL".to_string())?;
        let cpu = CString::new(spec.cpu).map_err(|_| "CPU contains NUL".to_string())?;
        let features =
            CString::new(spec.features).map_err(|_| "features contain NUL".to_string())?;
        let mut target = std::ptr::null_mut();
        let mut err = std::ptr::null_mut();
        // SAFETY: all strings are NUL-terminated and outlive the calls; the
        // target comes from LLVM's registry; the machine made is owned by
        // the TargetMachine returned (disposed on drop).
        unsafe {
            if LLVMGetTargetFromTriple(triple.as_ptr(), &mut target, &mut err) != 0 {
                let msg = CStr::from_ptr(err).to_string_lossy().into_owned();
                LLVMDisposeMessage(err);
                return Err(msg);
            }
            let raw = shim::dtlto_create_target_machine(
                target,
                triple.as_ptr(),
                cpu.as_ptr(),
                features.as_ptr(),
                i32::from(spec.codegen_level.min(3)),
                matches!(spec.reloc, RelocModel::Pic) as i32,
                spec.function_sections as i32,
                spec.data_sections as i32,
                spec.asm_verbose as i32,
                spec.addrsig as i32,
                spec.relax_relocations as i32,
            );
            if raw.is_null() {
                return Err(format!(
                    "cannot create a target machine for {}",
                    spec.triple
                ));
            }
            let tm = TargetMachine { raw };
            if !spec.cpu.is_empty() && shim::dtlto_cpu_is_valid(raw, cpu.as_ptr()) == 0 {
                return Err(format!(
                    "`{}` is not a processor of {}",
                    spec.cpu, spec.triple
                ));
            }
            Ok(tm)
        }
    }

    pub fn raw(&self) -> LLVMTargetMachineRef {
        self.raw
    }

    /// Emits an ELF object for the module.
    pub fn emit_object(&self, module: &Module<'_>) -> Result<Vec<u8>, String> {
        self.emit(module, LLVMCodeGenFileType::LLVMObjectFile)
    }

    /// Code generation to assembly text.
    pub fn emit_assembly(&self, module: &Module<'_>) -> Result<Vec<u8>, String> {
        self.emit(module, LLVMCodeGenFileType::LLVMAssemblyFile)
    }

    fn emit(&self, module: &Module<'_>, file_type: LLVMCodeGenFileType) -> Result<Vec<u8>, String> {
        let mut err = std::ptr::null_mut();
        let mut buf = std::ptr::null_mut();
        // SAFETY: machine and module are live; the buffer and message are
        // owned by us afterwards and freed here.
        unsafe {
            if LLVMTargetMachineEmitToMemoryBuffer(
                self.raw,
                module.raw(),
                file_type,
                &mut err,
                &mut buf,
            ) != 0
            {
                let msg = CStr::from_ptr(err).to_string_lossy().into_owned();
                LLVMDisposeMessage(err);
                return Err(msg);
            }
            let bytes = std::slice::from_raw_parts(
                LLVMGetBufferStart(buf) as *const u8,
                LLVMGetBufferSize(buf),
            )
            .to_vec();
            LLVMDisposeMemoryBuffer(buf);
            Ok(bytes)
        }
    }
}

impl Drop for TargetMachine {
    fn drop(&mut self) {
        // SAFETY: the machine is owned.
        unsafe { LLVMDisposeTargetMachine(self.raw) }
    }
}
