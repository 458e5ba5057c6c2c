//! The GNU linker plugin interface, as declared by binutils'
//! `plugin-api.h` (Debian: binutils-dev, `/usr/include/plugin-api.h`):
//! only what dtlto uses, with the header's names. The layout is the C
//! one on a little-endian LP64 target (x86-64, AArch64).

use std::ffi::{c_char, c_int, c_void};

pub type Status = c_int;
pub const LDPS_OK: Status = 0;
/// `get_symbols` on a claimed file the link did not take (an archive
/// member that was never pulled in).
pub const LDPS_NO_SYMS: Status = 1;
pub const LDPS_ERR: Status = 3;

/// `enum ld_plugin_output_file_type`.
pub const LDPO_REL: c_int = 0;
pub const LDPO_EXEC: c_int = 1;
pub const LDPO_DYN: c_int = 2;
pub const LDPO_PIE: c_int = 3;

/// `enum ld_plugin_symbol_kind`.
pub const LDPK_DEF: c_char = 0;
pub const LDPK_WEAKDEF: c_char = 1;
pub const LDPK_UNDEF: c_char = 2;
pub const LDPK_WEAKUNDEF: c_char = 3;
pub const LDPK_COMMON: c_char = 4;

/// `enum ld_plugin_symbol_visibility`.
pub const LDPV_DEFAULT: c_int = 0;
pub const LDPV_PROTECTED: c_int = 1;
pub const LDPV_HIDDEN: c_int = 3;

/// `enum ld_plugin_symbol_resolution`.
pub const LDPR_UNKNOWN: c_int = 0;
pub const LDPR_UNDEF: c_int = 1;
pub const LDPR_PREVAILING_DEF: c_int = 2;
pub const LDPR_PREVAILING_DEF_IRONLY: c_int = 3;
pub const LDPR_PREEMPTED_REG: c_int = 4;
pub const LDPR_PREEMPTED_IR: c_int = 5;
pub const LDPR_RESOLVED_IR: c_int = 6;
pub const LDPR_RESOLVED_EXEC: c_int = 7;
pub const LDPR_RESOLVED_DYN: c_int = 8;
pub const LDPR_PREVAILING_DEF_IRONLY_EXP: c_int = 9;

/// `enum ld_plugin_level`.
pub const LDPL_ERROR: c_int = 2;

/// `enum ld_plugin_tag`.
pub const LDPT_NULL: c_int = 0;
pub const LDPT_LINKER_OUTPUT: c_int = 3;
pub const LDPT_OPTION: c_int = 4;
pub const LDPT_REGISTER_CLAIM_FILE_HOOK: c_int = 5;
pub const LDPT_REGISTER_ALL_SYMBOLS_READ_HOOK: c_int = 6;
pub const LDPT_REGISTER_CLEANUP_HOOK: c_int = 7;
pub const LDPT_ADD_SYMBOLS: c_int = 8;
pub const LDPT_GET_SYMBOLS: c_int = 9;
pub const LDPT_ADD_INPUT_FILE: c_int = 10;
pub const LDPT_MESSAGE: c_int = 11;
pub const LDPT_OUTPUT_NAME: c_int = 15;
pub const LDPT_GET_SYMBOLS_V2: c_int = 25;
pub const LDPT_GET_SYMBOLS_V3: c_int = 28;
pub const LDPT_ADD_SYMBOLS_V2: c_int = 33;
pub const LDPT_GET_API_VERSION: c_int = 34;

/// `enum linker_api_version`. V1: the plugin's claim-file hook is
/// thread-safe and it uses `get_symbols_v3` and `add_symbols_v2` only.
pub const LAPI_V0: c_int = 0;
pub const LAPI_V1: c_int = 1;

/// `struct ld_plugin_input_file`.
#[repr(C)]
pub struct InputFile {
    pub name: *const c_char,
    pub fd: c_int,
    pub offset: libc::off_t,
    pub filesize: libc::off_t,
    pub handle: *mut c_void,
}

/// `struct ld_plugin_symbol` (little-endian field order of the packed
/// `def`/`symbol_type`/`section_kind` bytes).
#[repr(C)]
pub struct Symbol {
    pub name: *mut c_char,
    pub version: *mut c_char,
    pub def: c_char,
    pub symbol_type: c_char,
    pub section_kind: c_char,
    pub unused: c_char,
    pub visibility: c_int,
    pub size: u64,
    pub comdat_key: *mut c_char,
    pub resolution: c_int,
}

pub type ClaimFileHandler = unsafe extern "C" fn(*const InputFile, *mut c_int) -> Status;
pub type AllSymbolsReadHandler = unsafe extern "C" fn() -> Status;
pub type CleanupHandler = unsafe extern "C" fn() -> Status;
pub type RegisterClaimFile = unsafe extern "C" fn(ClaimFileHandler) -> Status;
pub type RegisterAllSymbolsRead = unsafe extern "C" fn(AllSymbolsReadHandler) -> Status;
pub type RegisterCleanup = unsafe extern "C" fn(CleanupHandler) -> Status;
pub type AddSymbols = unsafe extern "C" fn(*mut c_void, c_int, *const Symbol) -> Status;
pub type GetSymbols = unsafe extern "C" fn(*const c_void, c_int, *mut Symbol) -> Status;
pub type AddInputFile = unsafe extern "C" fn(*const c_char) -> Status;
pub type GetApiVersion = unsafe extern "C" fn(
    *const c_char,
    *const c_char,
    c_int,
    c_int,
    *mut *const c_char,
    *mut *const c_char,
) -> c_int;
pub type Message = unsafe extern "C" fn(c_int, *const c_char, ...) -> Status;

/// `struct ld_plugin_tv`: a tag and a value whose meaning the tag gives.
#[repr(C)]
pub struct TransferVector {
    pub tag: c_int,
    pub value: TvValue,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub union TvValue {
    pub val: c_int,
    pub string: *const c_char,
    pub register_claim_file: RegisterClaimFile,
    pub register_all_symbols_read: RegisterAllSymbolsRead,
    pub register_cleanup: RegisterCleanup,
    pub add_symbols: AddSymbols,
    pub get_symbols: GetSymbols,
    pub add_input_file: AddInputFile,
    pub message: Message,
    pub get_api_version: GetApiVersion,
}
