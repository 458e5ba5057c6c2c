//! `libdtlto_plugin.so`: dtlto's ThinLTO — in-process or through a DTLTO
//! distributor — behind any linker that speaks the GNU linker plugin
//! interface (GNU ld, gold, mold): `clang-22 -fuse-ld=bfd
//! -Wl,-plugin,libdtlto_plugin.so ...`.
//!
//! The linker calls `onload` with its transfer vector, then the claim-file
//! hook for every input (archive members included): bitcode is claimed and
//! its symbols reported from the irsymtab. Once symbol resolution is done
//! the all-symbols-read hook asks the linker how each reported symbol was
//! resolved, runs the thin link and the backends (`session.rs`), and adds
//! the native objects to the link. The cleanup hook removes them.
//!
//! This file is the FFI layer: the only `unsafe` of the crate, each block
//! with its reason. `session.rs` and `options.rs` are safe Rust.

mod api;
pub mod options;
pub mod session;

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::fs::File;
use std::mem::ManuallyDrop;
use std::os::unix::fs::FileExt;
use std::os::unix::io::FromRawFd;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, OnceLock};

use anyhow::{bail, Context, Result};
use dtlto_core::bitcode::is_bitcode;

use options::Options;
use session::{Outcome, OutputKind, Session};

/// The linker's services, from the transfer vector.
#[derive(Clone, Copy)]
struct Linker {
    message: Option<api::Message>,
    add_symbols: Option<api::AddSymbols>,
    get_symbols: Option<api::GetSymbols>,
    add_input_file: Option<api::AddInputFile>,
}

static LINKER: OnceLock<Linker> = OnceLock::new();
static STATE: Mutex<Option<State>> = Mutex::new(None);

struct State {
    session: Session,
    /// The `ld_plugin_symbol` array given to `add_symbols` for each claimed
    /// file: linkers keep the pointer (GNU ld reads the array again when
    /// resolving), so it lives, unmoved, until the process ends.
    arrays: Vec<SymbolArray>,
}

struct SymbolArray(Box<[api::Symbol]>);

// SAFETY: the raw pointers in the array point into strings owned by the
// session, which lives as long as the array; the array is only touched
// under STATE's lock.
unsafe impl Send for SymbolArray {}

fn state() -> MutexGuard<'static, Option<State>> {
    // A panic while the lock was held has been reported already; the state
    // is still the best there is.
    STATE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Reports through the linker (so the message is prefixed and counted as
/// the linker's own), or on stderr before the linker gave its `message`.
fn report(level: c_int, text: &str) {
    let text = format!("dtlto: {text}");
    match LINKER.get().and_then(|l| l.message) {
        Some(message) => {
            let c = CString::new(text.replace('\0', " ")).unwrap_or_default();
            // SAFETY: `message` is the linker's printf-like function; the
            // format is a constant "%s" and its argument a NUL-terminated
            // string alive for the call.
            unsafe { message(level, c"%s".as_ptr(), c.as_ptr()) };
        }
        None => eprintln!("{text}"),
    }
}

/// Runs a hook body, turning errors and panics into a reported error.
fn guarded(hook: &str, body: impl FnOnce() -> Result<api::Status>) -> api::Status {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)) {
        Ok(Ok(status)) => status,
        Ok(Err(e)) => {
            report(api::LDPL_ERROR, &format!("{e:#}"));
            api::LDPS_ERR
        }
        Err(_) => {
            report(
                api::LDPL_ERROR,
                &format!("internal error in the {hook} hook"),
            );
            api::LDPS_ERR
        }
    }
}

/// The plugin's entry point, called once by the linker right after
/// loading it.
///
/// # Safety
/// `tv` must be the linker's transfer vector, ended by `LDPT_NULL`.
#[no_mangle]
pub unsafe extern "C" fn onload(tv: *const api::TransferVector) -> api::Status {
    let mut linker = Linker {
        message: None,
        add_symbols: None,
        get_symbols: None,
        add_input_file: None,
    };
    let mut opts = Vec::new();
    let mut output = String::from("a.out");
    let mut kind = None;
    let mut register_claim = None;
    let mut register_all_read = None;
    let mut register_cleanup = None;
    let mut add_symbols_v2 = None;
    let mut get_api_version = None;
    let mut has_get_symbols_v3 = false;
    let mut entry = tv;
    loop {
        // SAFETY: the caller promises a vector ended by LDPT_NULL; `entry`
        // never goes past that entry.
        let tv = unsafe { &*entry };
        // SAFETY (each union read below): the tag says which member the
        // linker wrote.
        unsafe {
            match tv.tag {
                api::LDPT_NULL => break,
                api::LDPT_OPTION => opts.push(c_text(tv.value.string)),
                api::LDPT_OUTPUT_NAME => output = c_text(tv.value.string),
                api::LDPT_LINKER_OUTPUT => kind = Some(tv.value.val),
                api::LDPT_MESSAGE => linker.message = Some(tv.value.message),
                api::LDPT_ADD_SYMBOLS => linker.add_symbols = Some(tv.value.add_symbols),
                // The newest get_symbols wins: V3 reports LDPS_NO_SYMS for
                // members the link did not take.
                api::LDPT_GET_SYMBOLS_V3 => {
                    linker.get_symbols = Some(tv.value.get_symbols);
                    has_get_symbols_v3 = true;
                }
                api::LDPT_ADD_SYMBOLS_V2 => add_symbols_v2 = Some(tv.value.add_symbols),
                api::LDPT_GET_API_VERSION => get_api_version = Some(tv.value.get_api_version),
                api::LDPT_GET_SYMBOLS_V2 | api::LDPT_GET_SYMBOLS
                    if linker.get_symbols.is_none() =>
                {
                    linker.get_symbols = Some(tv.value.get_symbols);
                }
                api::LDPT_ADD_INPUT_FILE => linker.add_input_file = Some(tv.value.add_input_file),
                api::LDPT_REGISTER_CLAIM_FILE_HOOK => {
                    register_claim = Some(tv.value.register_claim_file)
                }
                api::LDPT_REGISTER_ALL_SYMBOLS_READ_HOOK => {
                    register_all_read = Some(tv.value.register_all_symbols_read)
                }
                api::LDPT_REGISTER_CLEANUP_HOOK => {
                    register_cleanup = Some(tv.value.register_cleanup)
                }
                _ => {}
            }
        }
        // SAFETY: not yet at LDPT_NULL, so the next entry exists.
        entry = unsafe { entry.add(1) };
    }
    // GNU get_symbols v1 (tag 9) lacks LDPR_PREVAILING_DEF_IRONLY_EXP but
    // has the same signature; all three are taken the same way.
    //
    // API level 1, where the linker offers it: the claim-file hook is
    // thread-safe (it reads with pread and locks the session) and the
    // plugin then reports symbols with add_symbols_v2 (the same array:
    // type and section kind left unknown, as LLVMgold leaves them) and
    // reads them with get_symbols_v3. mold re-executes itself, reading
    // every input twice, for a plugin that declares no level (LLVMgold
    // excepted, recognized by its file name).
    let mut interface = String::from("plugin interface level 0");
    if let (Some(negotiate), Some(add_v2), true) =
        (get_api_version, add_symbols_v2, has_get_symbols_v3)
    {
        let mut linker_id = std::ptr::null();
        let mut linker_version = std::ptr::null();
        let version = concat!(env!("CARGO_PKG_VERSION"), "\0");
        // SAFETY: the linker's negotiation function, given two
        // NUL-terminated strings that live for the whole process and two
        // out-parameters it may set to its own strings.
        let level = unsafe {
            negotiate(
                c"dtlto".as_ptr(),
                version.as_ptr().cast(),
                api::LAPI_V0,
                api::LAPI_V1,
                &mut linker_id,
                &mut linker_version,
            )
        };
        if level == api::LAPI_V1 {
            linker.add_symbols = Some(add_v2);
        }
        // SAFETY: null or a NUL-terminated string owned by the linker.
        // (Its version string is not read: mold 1.10 hands out a pointer
        // into a string it has already freed.)
        let id = unsafe { c_text(linker_id) };
        interface = format!("plugin interface level {level} with {id}");
    }
    let _ = LINKER.set(linker);

    let setup = || -> Result<Session> {
        let kind = match kind {
            Some(api::LDPO_REL) => OutputKind::Relocatable,
            Some(api::LDPO_EXEC) => OutputKind::Executable,
            Some(api::LDPO_DYN) => OutputKind::Shared,
            Some(api::LDPO_PIE) => OutputKind::Pie,
            Some(other) => bail!("unknown linker output type {other}"),
            None => bail!("the linker did not say what it links (LDPT_LINKER_OUTPUT)"),
        };
        let mut options = Options::default();
        for opt in &opts {
            options.add(opt)?;
        }
        options.finish()?;
        if options.verbose {
            eprintln!("dtlto: {interface}");
        }
        // LLVM checks its options here, before the linker reads any input.
        dtlto_llvm::apply_llvm_options(&options.llvm_options)
            .map_err(|e| anyhow::anyhow!("-plugin-opt={}: {e}", options.llvm_options.join(",")))?;
        if options.help {
            println!("{}", options::HELP);
            std::process::exit(0);
        }
        if linker.add_symbols.is_none()
            || linker.get_symbols.is_none()
            || linker.add_input_file.is_none()
            || register_claim.is_none()
            || register_all_read.is_none()
        {
            bail!(
                "the linker lacks part of the plugin interface (claim-file and \
                 all-symbols-read hooks, add_symbols, get_symbols, add_input_file)"
            );
        }
        let dtlto = installed_dtlto().map(|p| p.display().to_string());
        let linker = std::env::current_exe().unwrap_or_default();
        options.place_backends(&linker.to_string_lossy(), dtlto.as_deref())?;
        let dist = &mut options.distribution;
        if !dist.distributor.is_empty() && dist.remote_compiler.is_none() {
            dist.remote_compiler = Some(dtlto.unwrap_or_else(|| "dtlto".into()));
        }
        Ok(Session::new(options, output, kind))
    };
    let session = match setup() {
        Ok(s) => s,
        Err(e) => {
            report(api::LDPL_ERROR, &format!("{e:#}"));
            return api::LDPS_ERR;
        }
    };
    *state() = Some(State {
        session,
        arrays: Vec::new(),
    });
    // SAFETY: each register function is the linker's, called with a hook
    // of the signature it expects.
    unsafe {
        let registered = [
            register_claim.map(|r| r(claim_file_hook)),
            register_all_read.map(|r| r(all_symbols_read_hook)),
            register_cleanup.map(|r| r(cleanup_hook)),
        ];
        if registered.iter().flatten().any(|&s| s != api::LDPS_OK) {
            report(api::LDPL_ERROR, "the linker refused a hook");
            return api::LDPS_ERR;
        }
    }
    api::LDPS_OK
}

/// A C string from the linker, as Rust text.
///
/// # Safety
/// `p` is null or a NUL-terminated string.
unsafe fn c_text(p: *const c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: non-null and NUL-terminated by the caller's promise.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

/// The `dtlto` installed beside this plugin (cargo builds both into the
/// same directory): what delegated jobs run unless told otherwise.
fn installed_dtlto() -> Option<PathBuf> {
    let mut info = std::mem::MaybeUninit::<libc::Dl_info>::zeroed();
    // SAFETY: dladdr only reads the address (a function of this library)
    // and fills `info`; dli_fname, when set, is a NUL-terminated path
    // owned by the dynamic loader.
    let library = unsafe {
        if libc::dladdr(onload as *const c_void, info.as_mut_ptr()) != 0 {
            let info = info.assume_init();
            (!info.dli_fname.is_null()).then(|| PathBuf::from(c_text(info.dli_fname)))
        } else {
            None
        }
    };
    library
        .and_then(|lib| lib.canonicalize().ok())
        .and_then(|lib| lib.parent().map(|d| d.join("dtlto")))
        .filter(|exe| exe.is_file())
}

unsafe extern "C" fn claim_file_hook(
    file: *const api::InputFile,
    claimed: *mut c_int,
) -> api::Status {
    guarded("claim-file", || {
        // SAFETY: the linker passes a valid input file description and a
        // valid out-parameter for the duration of the call.
        let (file, claimed) = unsafe { (&*file, &mut *claimed) };
        *claimed = 0;
        // SAFETY: `name` is the linker's NUL-terminated file name.
        let name = unsafe { c_text(file.name) };
        let offset = u64::try_from(file.offset).context("negative file offset")?;
        let size = usize::try_from(file.filesize).context("negative file size")?;
        // SAFETY: the descriptor is the linker's and stays open during the
        // call; ManuallyDrop keeps this File from closing it.
        let fd = ManuallyDrop::new(unsafe { File::from_raw_fd(file.fd) });
        let mut magic = [0u8; 4];
        if size < magic.len()
            || fd.read_exact_at(&mut magic, offset).is_err()
            || !is_bitcode(&magic)
        {
            return Ok(api::LDPS_OK);
        }
        let mut data = vec![0u8; size];
        fd.read_exact_at(&mut data, offset)
            .with_context(|| format!("cannot read {name}"))?;
        // From here on the file is ours: bitcode the plugin cannot read is
        // an error, not something to hand back to the linker.
        *claimed = 1;
        let mut guard = state();
        let st = guard
            .as_mut()
            .context("claim-file hook called before onload")?;
        st.session
            .claim(&name, offset, data, file.handle as usize)?;
        let c = st.session.claimed.last().expect("just claimed");
        let array: Box<[api::Symbol]> = c
            .symbols
            .iter()
            .map(|s| api::Symbol {
                name: s.name.as_ptr().cast_mut(),
                version: std::ptr::null_mut(),
                def: s.kind,
                symbol_type: 0,
                section_kind: 0,
                unused: 0,
                visibility: s.visibility,
                size: 0,
                comdat_key: s
                    .comdat_key
                    .as_ref()
                    .map_or(std::ptr::null_mut(), |k| k.as_ptr().cast_mut()),
                resolution: api::LDPR_UNKNOWN,
            })
            .collect();
        if !array.is_empty() {
            let add_symbols = LINKER
                .get()
                .and_then(|l| l.add_symbols)
                .expect("checked in onload");
            let n = c_int::try_from(array.len()).context("too many symbols")?;
            // SAFETY: the handle is the one the linker gave for this file;
            // the array and the strings it points to live until the process
            // ends (see State::arrays).
            if unsafe { add_symbols(file.handle, n, array.as_ptr()) } != api::LDPS_OK {
                bail!("the linker refused the symbols of {name}");
            }
        }
        st.arrays.push(SymbolArray(array));
        Ok(api::LDPS_OK)
    })
}

unsafe extern "C" fn all_symbols_read_hook() -> api::Status {
    guarded("all-symbols-read", || {
        let linker = *LINKER.get().expect("set in onload");
        let mut guard = state();
        let st = guard
            .as_mut()
            .context("all-symbols-read hook called before onload")?;
        let get_symbols = linker.get_symbols.expect("checked in onload");
        let mut resolutions = Vec::with_capacity(st.arrays.len());
        for (c, array) in st.session.claimed.iter().zip(st.arrays.iter_mut()) {
            let n = c_int::try_from(array.0.len()).context("too many symbols")?;
            // SAFETY: the handle is the linker's for this claimed file and
            // the array has exactly the `n` symbols reported for it.
            let status = unsafe { get_symbols(c.handle as *const c_void, n, array.0.as_mut_ptr()) };
            resolutions.push(match status {
                api::LDPS_OK => Some(array.0.iter().map(|s| s.resolution).collect()),
                // Claimed but not part of the link (an archive member that
                // was never pulled in).
                api::LDPS_NO_SYMS => None,
                // Nothing was reported for a file without global symbols;
                // its code (constructors) still belongs to the link.
                _ if array.0.is_empty() => Some(Vec::new()),
                other => bail!(
                    "the linker gave no resolutions for {} (status {other})",
                    c.id
                ),
            });
        }
        match st.session.run(resolutions)? {
            Outcome::Link(objects) => {
                let add = linker.add_input_file.expect("checked in onload");
                for object in objects {
                    let path = CString::new(object.display().to_string())
                        .context("an object path contains a NUL byte")?;
                    // SAFETY: a NUL-terminated path, copied by the linker.
                    if unsafe { add(path.as_ptr()) } != api::LDPS_OK {
                        bail!("the linker refused the object {}", object.display());
                    }
                }
                Ok(api::LDPS_OK)
            }
            Outcome::Stop => {
                // thinlto-index-only, emit-asm: as LLVMgold, end the link
                // here, with no output (GNU ld may have created it already;
                // LLVMgold leaves that empty file under emit-asm).
                st.session.cleanup();
                let _ = std::fs::remove_file(&st.session.output);
                std::process::exit(0);
            }
        }
    })
}

unsafe extern "C" fn cleanup_hook() -> api::Status {
    guarded("cleanup", || {
        if let Some(st) = state().as_mut() {
            st.session.cleanup();
        }
        Ok(api::LDPS_OK)
    })
}
