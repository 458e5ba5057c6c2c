//! Declarations of the C++ shim (shim/dtlto_shim.cpp). Only the safe
//! wrappers in this crate call them.

use std::ffi::c_char;

use llvm_sys::prelude::{LLVMModuleRef, LLVMValueRef};
use llvm_sys::target_machine::LLVMTargetMachineRef;

extern "C" {
    pub fn dtlto_materialize(global: LLVMValueRef, error: *mut *mut c_char) -> i32;
    pub fn dtlto_materialize_metadata(module: LLVMModuleRef, error: *mut *mut c_char) -> i32;
    pub fn dtlto_ir_mover_new(dest: LLVMModuleRef) -> *mut std::ffi::c_void;
    pub fn dtlto_ir_mover_dispose(mover: *mut std::ffi::c_void);
    pub fn dtlto_import(
        mover: *mut std::ffi::c_void,
        source: LLVMModuleRef,
        names: *const *const c_char,
        count: usize,
        error: *mut *mut c_char,
    ) -> i32;
    pub fn dtlto_replace_alias_with_aliasee(
        alias: LLVMValueRef,
        error: *mut *mut c_char,
    ) -> LLVMValueRef;
    pub fn dtlto_convert_to_declaration(global: LLVMValueRef) -> i32;
    pub fn dtlto_set_dso_local(global: LLVMValueRef, dso_local: i32);
    pub fn dtlto_pie_level(module: LLVMModuleRef) -> i32;
    pub fn dtlto_split_graph(module: LLVMModuleRef, words: *mut usize) -> *mut u32;
    pub fn dtlto_free(p: *mut std::ffi::c_void);
    pub fn dtlto_split_prepare(
        module: LLVMModuleRef,
        across: *const u8,
        count: usize,
        suffix: *const c_char,
    );
    pub fn dtlto_split_keep_part(
        module: LLVMModuleRef,
        owner: *const u32,
        count: usize,
        part: u32,
        error: *mut *mut c_char,
    ) -> i32;
    pub fn dtlto_run_thinlto_phase(
        module: LLVMModuleRef,
        tm: LLVMTargetMachineRef,
        level: i32,
        phase: i32,
        vectorize: i32,
        debug: i32,
        error: *mut *mut c_char,
    ) -> i32;
    pub fn dtlto_parse_llvm_options(
        argv: *const *const c_char,
        argc: i32,
        error: *mut *mut c_char,
    ) -> i32;
    pub fn dtlto_cpu_is_valid(tm: LLVMTargetMachineRef, cpu: *const c_char) -> i32;
    pub fn dtlto_remarks_begin(
        context: llvm_sys::prelude::LLVMContextRef,
        file: *const c_char,
        passes: *const c_char,
        format: *const c_char,
        with_hotness: i32,
        threshold: u64,
        threshold_auto: i32,
        task: i32,
        error: *mut *mut c_char,
    ) -> *mut std::ffi::c_void;
    pub fn dtlto_remarks_end(
        handle: *mut std::ffi::c_void,
        keep: i32,
        error: *mut *mut c_char,
    ) -> i32;
    pub fn dtlto_create_target_machine(
        target: llvm_sys::target_machine::LLVMTargetRef,
        triple: *const c_char,
        cpu: *const c_char,
        features: *const c_char,
        opt_level: i32,
        pic: i32,
        function_sections: i32,
        data_sections: i32,
        asm_verbose: i32,
        addrsig: i32,
        relax_relocations: i32,
    ) -> LLVMTargetMachineRef;
}

extern "C" {
    /// lld's ELF driver (`lld::lldMain` with the GNU flavor): `argv[0]` is
    /// the program name, the rest its arguments. Returns the exit code.
    pub fn dtlto_lld_elf_link(argv: *const *const c_char, argc: i32) -> i32;
}
