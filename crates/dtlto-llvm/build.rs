//! Builds the C++ shim (shim/dtlto_shim.cpp) against Debian's LLVM 22.

use std::process::Command;

fn llvm_config(arg: &str) -> String {
    let prefix = std::env::var("LLVM_SYS_221_PREFIX").unwrap_or_else(|_| "/usr/lib/llvm-22".into());
    let exe = format!("{prefix}/bin/llvm-config");
    let out = Command::new(&exe)
        .arg(arg)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {exe}: {e}; install llvm-22-dev (ci/setup)"));
    assert!(out.status.success(), "{exe} {arg} failed");
    String::from_utf8(out.stdout)
        .expect("llvm-config prints UTF-8")
        .trim()
        .to_string()
}

fn main() {
    println!("cargo:rerun-if-changed=shim/dtlto_shim.cpp");
    println!("cargo:rerun-if-changed=shim/dtlto_lld.cpp");
    println!("cargo:rerun-if-env-changed=LLVM_SYS_221_PREFIX");
    let mut build = cc::Build::new();
    build
        .cpp(true)
        .file("shim/dtlto_shim.cpp")
        .file("shim/dtlto_lld.cpp");
    for flag in llvm_config("--cxxflags").split_whitespace() {
        // LLVM's own warning and optimization choices are not ours.
        if flag.starts_with("-W") || flag.starts_with("-O") || flag == "-fno-exceptions" {
            continue;
        }
        build.flag(flag);
    }
    build
        .flag("-fno-exceptions")
        .flag_if_supported("-Wno-unused-parameter");
    build.compile("dtlto_shim");
    // lld's ELF driver, linked in (Debian's liblld-22-dev): the final link
    // runs inside dtlto. Its own LLVM dependencies are libLLVM's.
    println!("cargo:rustc-link-search=native={}", llvm_config("--libdir"));
    println!("cargo:rustc-link-lib=static=lldELF");
    println!("cargo:rustc-link-lib=static=lldCommon");
    // lld compresses debug sections itself (zlib, zstd); llvm-22-dev
    // depends on both libraries' development packages.
    println!("cargo:rustc-link-lib=dylib=z");
    println!("cargo:rustc-link-lib=dylib=zstd");
    // The ld.lld this lld is: the final link runs in-process only when the
    // driver names this very program.
    println!(
        "cargo:rustc-env=DTLTO_LLD_PATH={}/ld.lld",
        llvm_config("--bindir")
    );
}
