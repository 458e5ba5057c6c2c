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
    println!("cargo:rerun-if-env-changed=LLVM_SYS_221_PREFIX");
    let mut build = cc::Build::new();
    build.cpp(true).file("shim/dtlto_shim.cpp");
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
}
