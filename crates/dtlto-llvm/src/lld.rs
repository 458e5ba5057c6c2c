//! lld 22's ELF linker inside dtlto, for the final link.
//!
//! Started as a process, `ld.lld` loads and relocates libLLVM again before
//! it reads an argument (about 12 ms here), on every link and relink; lld's
//! own in-process ThinLTO never pays that. The same lld, linked in from
//! Debian's liblld-22-dev, runs the same arguments in dtlto's process.

use std::ffi::{c_char, CString};
use std::path::Path;

use crate::shim;

/// The `ld.lld` this crate's lld is (LLVM 22's, as the driver names it).
pub const LLD_PATH: &str = env!("DTLTO_LLD_PATH");

/// Whether `program` is the very ld.lld linked in here (after following
/// symbolic links: `/usr/bin/ld.lld-22` is it).
pub fn is_linked_in(program: &str) -> bool {
    match (
        std::fs::canonicalize(program),
        std::fs::canonicalize(Path::new(LLD_PATH)),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Runs `ld.lld ARGS` in this process; its messages go to this process's
/// stdout and stderr. Returns lld's exit code; an argument with a NUL byte
/// cannot be passed and is code 1 with a message.
pub fn link(args: &[String]) -> i32 {
    let mut owned = Vec::with_capacity(args.len() + 1);
    owned.push(CString::new("ld.lld").expect("no NUL in a literal"));
    for a in args {
        match CString::new(a.as_str()) {
            Ok(c) => owned.push(c),
            Err(_) => {
                eprintln!("dtlto: a linker argument contains a NUL byte: {a:?}");
                return 1;
            }
        }
    }
    let argv: Vec<*const c_char> = owned.iter().map(|c| c.as_ptr()).collect();
    // SAFETY: argv points to argc NUL-terminated strings that `owned`
    // keeps alive for the call; lld copies what it keeps.
    unsafe { shim::dtlto_lld_elf_link(argv.as_ptr(), argv.len() as i32) }
}
