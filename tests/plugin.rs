//! The linker plugin (`libdtlto_plugin.so`) behind GNU ld, gold and mold:
//! programs link and run, objects and code equal `dtlto link`'s for the
//! same linker, delegation works through it, the linker's resolution of a
//! mixed link is what the backends get, and bad input stops the link with
//! the culprit named and nothing left behind.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

const LINKERS: [&str; 3] = ["bfd", "gold", "mold"];

/// The plugin built beside the dtlto binary (ci/test builds the whole
/// workspace first: `cargo test` alone does not build a cdylib).
fn plugin() -> PathBuf {
    let path = Path::new(dtlto_path()).with_file_name("libdtlto_plugin.so");
    assert!(
        path.is_file(),
        "{} is missing: run `cargo build --release -p dtlto-plugin` (ci/test does)",
        path.display()
    );
    path
}

/// `clang-22 -fuse-ld=LINKER -Wl,-plugin,libdtlto_plugin.so` with each of
/// `opts` as a `-plugin-opt=`; the caller checks the outcome.
fn plugin_link(
    work: &Path,
    linker: &str,
    inputs: &[String],
    opts: &[&str],
    output: &Path,
) -> Output {
    let mut cmd = Command::new(CLANG);
    cmd.current_dir(work)
        .arg(format!("-fuse-ld={linker}"))
        .arg(format!("-Wl,-plugin,{}", plugin().display()))
        .arg("-Wl,-plugin-opt=jobs=2");
    for opt in opts {
        cmd.arg(format!("-Wl,-plugin-opt={opt}"));
    }
    cmd.args(inputs).arg("-o").arg(output);
    cmd.output().expect("clang-22 runs")
}

fn linked(out: Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Two binaries are the same bytes. (`dtlto link` under GNU ld, gold and
/// mold links through the plugin for this: each linker lays out its
/// symbol tables in the order it meets symbols, and bitcode shows them
/// in another order than the objects built from it.)
fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn same_binary(a: &Path, b: &Path) -> bool {
    std::fs::read(a).unwrap() == std::fs::read(b).unwrap()
}

/// The objects a `save-temps` link kept in `<output>.dtlto/`, by name.
fn kept_objects(output: &Path) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(format!("{}.dtlto", output.display()));
    let mut objects: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".o.o"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(p).unwrap())
        })
        .collect();
    objects.sort();
    objects
}

fn hello(work: &Path) -> Vec<String> {
    Program::load(repo_root().join("examples/hello-thin")).compile(work, &[])
}

/// The example's objects by absolute path, for links run in directories
/// of their own.
fn hello_by_absolute_path(work: &Path) -> Vec<String> {
    hello(work)
        .iter()
        .map(|o| work.join(o).display().to_string())
        .collect()
}

fn expected_hello() -> String {
    std::fs::read_to_string(repo_root().join("examples/hello-thin/expected.txt")).unwrap()
}

#[test]
fn each_linker_links_the_example_as_dtlto_link_does() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let objects = hello(w);
    for ld in LINKERS {
        // Threads, so that save-temps keeps the objects in one place
        // whatever the linker (under mold the default is worker
        // processes, whose output must be the same bytes).
        let with_plugin = w.join(format!("plugin-{ld}"));
        linked(
            plugin_link(
                w,
                ld,
                &objects,
                &["save-temps", "backends=threads"],
                &with_plugin,
            ),
            ld,
        );
        assert_eq!(run_program(&with_plugin, false), expected_hello(), "{ld}");
        let by_default = w.join(format!("default-{ld}"));
        linked(plugin_link(w, ld, &objects, &[], &by_default), ld);
        assert!(
            std::fs::read(&by_default).unwrap() == std::fs::read(&with_plugin).unwrap(),
            "{ld}: the default backend placement changed the binary"
        );
        let by_dtlto = dtlto_link(
            w,
            &objects,
            &[&format!("-fuse-ld={ld}"), "--save-temps"],
            &format!("dtlto-{ld}"),
        );
        let ours = kept_objects(&with_plugin);
        assert_eq!(ours.len(), 3, "{ld}: one object per module");
        assert!(
            ours == kept_objects(&by_dtlto),
            "{ld}: objects differ from dtlto link's"
        );
        assert!(
            same_binary(&with_plugin, &by_dtlto),
            "{ld}: the binary differs from dtlto link's"
        );
        assert_eq!(leftover_temporaries(w), Vec::<String>::new(), "{ld}");
    }
}

#[test]
fn zlib_links_through_each_linker_in_process_and_delegated() {
    let program = CorpusProgram::build("zlib");
    let work = program.work.path();
    let out = work.join("out");
    std::fs::create_dir(&out).unwrap();
    let inputs: Vec<String> = program
        .objects
        .iter()
        .chain(&program.libs)
        .cloned()
        .collect();
    let distributor = format!("distributor={}", dtlto_path());
    for ld in LINKERS {
        let in_process = out.join(format!("minigzip-{ld}"));
        linked(plugin_link(work, ld, &inputs, &[], &in_process), ld);
        program.check(&in_process);
        let delegated = out.join(format!("minigzip-{ld}-delegated"));
        linked(
            plugin_link(
                work,
                ld,
                &inputs,
                &[&distributor, "distributor-arg=distribute"],
                &delegated,
            ),
            ld,
        );
        program.check(&delegated);
        assert!(
            same_binary(&in_process, &delegated),
            "{ld}: the delegated link differs from the in-process one"
        );
        let ld_flag = format!("-fuse-ld={ld}");
        let by_dtlto = dtlto_link(work, &inputs, &[&ld_flag], &format!("out/dtlto-{ld}"));
        assert!(
            same_binary(&in_process, &by_dtlto),
            "{ld}: the binary differs from dtlto link's"
        );
        assert_eq!(delegation_leftovers(&out), Vec::<String>::new(), "{ld}");
    }
}

/// Bitcode, native objects and an archive holding both: each definition
/// that wins is the one the linker picked, and the backends keep what
/// native code needs.
#[test]
fn a_mixed_link_resolves_as_the_linker_decides() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let sources = [
        // Bitcode: the program.
        (
            "main.c",
            true,
            "#include <stdio.h>\n\
             int lib_fn(void); int native_fn(void); int overridden(void);\n\
             __attribute__((weak)) int weak_fn(void) { return 1; }\n\
             int from_native(int x) { return x * 3; }\n\
             int main(void) {\n\
               printf(\"%d %d %d %d\\n\", lib_fn(), native_fn(), weak_fn(), overridden());\n\
               return 0;\n\
             }\n",
        ),
        // Native: a strong weak_fn beats the bitcode's weak one; it calls
        // back into bitcode that nothing else in bitcode calls.
        (
            "native.c",
            false,
            "int from_native(int);\n\
             int weak_fn(void) { return 2; }\n\
             int native_fn(void) { return from_native(10); }\n\
             int overridden(void) { return 40; }\n",
        ),
        // Archive members: bitcode lib_fn calling a native member's helper;
        // a bitcode member defining `overridden` too, never pulled in.
        (
            "lib.c",
            true,
            "int helper(void);\nint lib_fn(void) { return helper() + 100; }\n",
        ),
        ("helper.c", false, "int helper(void) { return 7; }\n"),
        (
            "unused.c",
            true,
            "int overridden(void) { return -1; }\nint unused_fn(void) { return -2; }\n",
        ),
    ];
    for (name, bitcode, text) in sources {
        std::fs::write(w.join(name), text).unwrap();
        let mut cmd = Command::new(CLANG);
        cmd.current_dir(w).args(["-O2", "-c", name, "-o"]);
        cmd.arg(name.replace(".c", ".o"));
        if bitcode {
            cmd.arg("-flto=thin");
        }
        run(&mut cmd);
    }
    run(Command::new("llvm-ar-22")
        .current_dir(w)
        .args(["rcs", "libmix.a", "lib.o", "helper.o", "unused.o"]));
    let inputs: Vec<String> = ["main.o", "native.o", "libmix.a"]
        .map(String::from)
        .to_vec();
    for ld in LINKERS {
        let binary = w.join(format!("mixed-{ld}"));
        let out = plugin_link(w, ld, &inputs, &["v"], &binary);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        linked(out, ld);
        // mold re-executes itself, loading the plugin again, for a plugin
        // at interface level 0 that claimed an archive member it then left
        // out (unused.o); at level 1 get_symbols_v3 leaves it out instead.
        if ld == "mold" {
            assert_eq!(
                stderr.matches("dtlto: plugin interface level").count(),
                1,
                "{stderr}"
            );
            assert!(stderr.contains("level 1 with mold"), "{stderr}");
        }
        assert_eq!(run_program(&binary, false), "107 30 2 40\n", "{ld}");
        let by_dtlto = dtlto_link(w, &inputs, &[&format!("-fuse-ld={ld}")], &format!("d-{ld}"));
        assert_eq!(run_program(&by_dtlto, false), "107 30 2 40\n", "{ld}");
        assert!(
            same_binary(&binary, &by_dtlto),
            "{ld}: the binary differs from dtlto link's"
        );
    }
}

#[test]
fn a_cache_dir_serves_the_next_link() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let objects = hello(w);
    let cache = format!("cache-dir={}", w.join("cache").display());
    let binary = w.join("hello");
    for expected in ["0 hits, 3 misses", "3 hits, 0 misses"] {
        let opts = [cache.as_str(), "v", "-print-import-failures"];
        let out = plugin_link(w, "bfd", &objects, &opts, &binary);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{stderr}");
        assert!(stderr.contains(expected), "wanted `{expected}`:\n{stderr}");
        // LLVMgold's spelling of LLVM's option, printed as LLVM prints it.
        assert!(
            stderr.contains("(scale_factor): Reason = NoInline, Threshold = 70, Size = 3"),
            "{stderr}"
        );
        assert_eq!(run_program(&binary, false), expected_hello());
    }
}

#[test]
fn index_only_writes_what_dtlto_thin_link_writes_and_stops() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let objects = hello(w);
    std::fs::create_dir(w.join("thin")).unwrap();
    run(dtlto()
        .current_dir(w)
        .args(["thin-link", "--prefix-replace=;thin/"])
        .args(&objects));
    std::fs::create_dir(w.join("plugin")).unwrap();
    for ld in LINKERS {
        let binary = w.join(format!("never-{ld}"));
        let out = plugin_link(
            w,
            ld,
            &objects,
            &[
                "thinlto-index-only=linked.txt",
                "thinlto-emit-imports-files",
                "thinlto-prefix-replace=;plugin/",
            ],
            &binary,
        );
        linked(out, ld);
        assert!(!binary.exists(), "{ld}: index-only left an output");
        let mut linked_list: Vec<String> = std::fs::read_to_string(w.join("linked.txt"))
            .unwrap()
            .lines()
            .map(String::from)
            .collect();
        linked_list.sort();
        // Each module under the prefix replacement, as LLVM lists them.
        let mut sorted: Vec<String> = objects.iter().map(|o| format!("plugin/{o}")).collect();
        sorted.sort();
        assert_eq!(linked_list, sorted, "{ld}");
        for object in &objects {
            for ext in ["imports", "plan"] {
                let ours = std::fs::read(w.join(format!("plugin/{object}.{ext}"))).unwrap();
                let theirs = std::fs::read(w.join(format!("thin/{object}.{ext}"))).unwrap();
                assert!(
                    ours == theirs,
                    "{ld}: {object}.{ext} differs from dtlto thin-link's"
                );
            }
        }
    }
}

/// Runs a plugin link that must fail; returns its stderr after checking
/// that no output and no temporaries were left.
fn refused(work: &Path, ld: &str, inputs: &[String], opts: &[&str]) -> String {
    let binary = work.join("refused");
    let out = plugin_link(work, ld, inputs, opts, &binary);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "{ld}: the link succeeded:\n{stderr}");
    assert!(!binary.exists(), "{ld}: a failed link left its output");
    assert_eq!(delegation_leftovers(work), Vec::<String>::new(), "{ld}");
    stderr
}

#[test]
fn bad_input_stops_the_link_naming_the_culprit() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let mut objects = hello(w);
    for ld in LINKERS {
        let err = refused(w, ld, &objects, &["frobnicate"]);
        assert!(
            err.contains("unknown option -plugin-opt=frobnicate"),
            "{ld}: {err}"
        );
    }
    // Truncated bitcode.
    let data = std::fs::read(w.join(&objects[1])).unwrap();
    std::fs::write(w.join("cut.o"), &data[..data.len() / 2]).unwrap();
    // Full-LTO bitcode: no ThinLTO summary to link.
    std::fs::write(w.join("full.c"), "int full(void) { return 1; }\n").unwrap();
    run(Command::new(CLANG)
        .current_dir(w)
        .args(["-flto", "-c", "full.c", "-o", "full.o"]));
    for (file, needle) in [
        ("cut.o", "cut.o: "),
        ("full.o", "full.o: has a regular (full) LTO summary"),
    ] {
        let mut inputs = objects.clone();
        inputs.push(file.to_string());
        for ld in LINKERS {
            let err = refused(w, ld, &inputs, &[]);
            assert!(err.contains(needle), "{ld}, {file}: {err}");
        }
    }
    // A distributor that fails.
    objects.sort();
    for ld in LINKERS {
        let err = refused(w, ld, &objects, &["distributor=false"]);
        assert!(err.contains("false"), "{ld}: {err}");
    }
}

/// `prebuilt-module=` (how `dtlto link` hands its objects to the linker)
/// must name exactly the modules the linker takes: a module taken without
/// objects, or objects for a module not taken, stop the link.
#[test]
fn prebuilt_objects_must_fit_the_modules_the_linker_takes() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let objects = hello(w);
    let key = |object: &str| {
        let path = std::fs::canonicalize(w.join(object)).unwrap();
        format!("prebuilt-module={}@0", path.display())
    };
    let prebuilt = |objects: &[String]| -> Vec<String> {
        objects
            .iter()
            .flat_map(|o| [key(o), format!("prebuilt-object={o}")])
            .collect()
    };
    // Objects for two of the three modules.
    let two = prebuilt(&objects[..2]);
    // Objects for all three, and for a module the link does not have.
    let mut four = prebuilt(&objects);
    four.push(key(&objects[2]).replace("@0", "@64"));
    four.push("prebuilt-object=none.o".into());
    for ld in LINKERS {
        let err = refused(w, ld, &objects, &strs(&two));
        let taken = format!(
            "the linker took {}, for which dtlto link built no object",
            objects[2]
        );
        assert!(err.contains(&taken), "{ld}: {err}");
        let err = refused(w, ld, &objects, &strs(&four));
        assert!(
            err.contains("which the linker did not take") && err.contains("@64"),
            "{ld}: {err}"
        );
        let err = refused(w, ld, &objects, &["prebuilt-object=first.o"]);
        assert!(
            err.contains("comes before any prebuilt-module="),
            "{ld}: {err}"
        );
    }
}

/// Cross links: the x86-64 plugin inside the AArch64 GNU ld and gold
/// builds AArch64 objects (the modules' triple decides), and the program
/// runs under qemu like its x86-64 build. C++ (templates, vtables,
/// exceptions) through the plugin too.
#[test]
fn aarch64_and_cxx_programs_link_through_the_plugin() {
    for dir in ["examples/hello-thin", "tests/programs/cxx-features"] {
        let program = Program::load(repo_root().join(dir));
        let work = tempfile::tempdir().unwrap();
        let w = work.path();
        let native = program.compile(w, &[]);
        let mut inputs = native.clone();
        inputs.extend(program.link_libs());
        let x86 = w.join("prog-x86");
        linked(plugin_link(w, "bfd", &inputs, &[], &x86), dir);
        let expected = run_program(&x86, false);
        let arm = program.compile(w, &["--target=aarch64-linux-gnu"]);
        let mut inputs: Vec<String> = vec!["--target=aarch64-linux-gnu".into()];
        inputs.extend(arm);
        inputs.extend(program.link_libs());
        for ld in ["bfd", "gold"] {
            let binary = w.join(format!("prog-a64-{ld}"));
            linked(plugin_link(w, ld, &inputs, &[], &binary), ld);
            assert_eq!(run_program(&binary, true), expected, "{dir} with {ld}");
        }
    }
}

/// A shared library built through the plugin (LDPO_DYN: PIC code, its
/// default-visibility functions exported) and a program using it.
#[test]
fn a_shared_library_links_through_the_plugin() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    std::fs::write(
        w.join("lib.c"),
        "static int twice(int x) { return 2 * x; }\n\
         int api(int x) { return twice(x) + 1; }\n",
    )
    .unwrap();
    std::fs::write(
        w.join("use.c"),
        "#include <stdio.h>\nint api(int);\nint main(void) { printf(\"%d\\n\", api(20)); return 0; }\n",
    )
    .unwrap();
    run(Command::new(CLANG).current_dir(w).args([
        "-flto=thin",
        "-fPIC",
        "-O2",
        "-c",
        "lib.c",
        "-o",
        "lib.o",
    ]));
    run(Command::new(CLANG)
        .current_dir(w)
        .args(["-O2", "-c", "use.c", "-o", "use.o"]));
    for ld in LINKERS {
        let lib = w.join(format!("libapi-{ld}.so"));
        linked(
            plugin_link(w, ld, &["-shared".into(), "lib.o".into()], &[], &lib),
            ld,
        );
        let exports = run(Command::new("nm").args(["-D", "--defined-only"]).arg(&lib));
        assert!(
            String::from_utf8_lossy(&exports.stdout).contains(" T api"),
            "{ld}: api is not exported"
        );
        let program = w.join(format!("use-{ld}"));
        run(Command::new(CLANG)
            .current_dir(w)
            .arg("use.o")
            .arg(&lib)
            .arg(format!("-Wl,-rpath,{}", w.display()))
            .arg("-o")
            .arg(&program));
        assert_eq!(run_program(&program, false), "41\n", "{ld}");
    }
}

/// `-r` (LDPO_REL): one relocatable object out, without per-function
/// sections (LLVMgold's choice for output that is linked again), which
/// a later link turns into a working program. GNU ld and gold only:
/// mold 1.10 tells plugins it links an executable when it links `-r`
/// (LDPO_EXEC, every symbol IR-only), so LLVMgold and this plugin alike
/// drop the whole module there.
#[test]
fn relocatable_output_links_again() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    std::fs::write(w.join("lib.c"), "int lib_fn(void) { return 5; }\n").unwrap();
    std::fs::write(
        w.join("main.c"),
        "#include <stdio.h>\nint lib_fn(void);\nint main(void) { printf(\"%d\\n\", lib_fn()); return 0; }\n",
    )
    .unwrap();
    for f in ["lib", "main"] {
        run(Command::new(CLANG).current_dir(w).args([
            "-flto=thin",
            "-O2",
            "-c",
            &format!("{f}.c"),
            "-o",
            &format!("{f}.o"),
        ]));
    }
    for ld in ["bfd", "gold"] {
        let partial = w.join(format!("partial-{ld}.o"));
        linked(
            plugin_link(w, ld, &["-r".into(), "lib.o".into()], &[], &partial),
            ld,
        );
        let sections = run(Command::new("readelf").arg("-SW").arg(&partial));
        let sections = String::from_utf8_lossy(&sections.stdout).into_owned();
        assert!(!sections.contains(".text.lib_fn"), "{ld}: {sections}");
        let program = w.join(format!("prog-{ld}"));
        linked(
            plugin_link(
                w,
                ld,
                &["main.o".into(), partial.display().to_string()],
                &[],
                &program,
            ),
            ld,
        );
        assert_eq!(run_program(&program, false), "5\n", "{ld}");
    }
}

/// `clang-22 -flto=thin -fuse-ld=gold` (LLVMgold) with `extra`, for
/// reference.
fn llvmgold_link(work: &Path, objects: &[String], extra: &[&str], output: &str) -> PathBuf {
    run(Command::new(CLANG)
        .current_dir(work)
        .args(["-flto=thin", "-fuse-ld=gold"])
        .args(extra)
        .args(objects)
        .arg("-o")
        .arg(output));
    work.join(output)
}

/// The same link by LLVMgold under gold (`llvmgold`, with `gold_flags`)
/// and by the plugin under `ld` (`plugin`, with `plugin_opts`); both must
/// link. Returns the two programs.
fn beside_llvmgold(
    w: &Path,
    objects: &[String],
    gold_flags: &[&str],
    ld: &str,
    plugin_opts: &[&str],
) -> (PathBuf, PathBuf) {
    let gold = llvmgold_link(w, objects, gold_flags, "llvmgold");
    let with_plugin = w.join("plugin");
    linked(plugin_link(w, ld, objects, plugin_opts, &with_plugin), ld);
    (gold, with_plugin)
}

#[test]
fn at_o0_the_code_is_llvmgold_s_under_the_plugin_and_dtlto_link() {
    // LLVMgold generates -O0 code at code generation level 0 (lld at 2):
    // the plugin, and `dtlto link` under a GNU linker, do as LLVMgold.
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let objects = hello(w);
    let (gold, with_plugin) = beside_llvmgold(w, &objects, &["-O0"], "gold", &["O0"]);
    assert!(
        text_of(&with_plugin) == text_of(&gold),
        "not LLVMgold's -O0 code"
    );
    let by_dtlto = dtlto_link(w, &objects, &["-fuse-ld=gold", "-O0"], "dtlto");
    assert!(
        same_binary(&by_dtlto, &with_plugin),
        "dtlto link -O0 differs"
    );
    let lld = dtlto_link(w, &objects, &["-O0"], "dtlto-lld");
    assert!(
        text_of(&lld) != text_of(&gold),
        "lld's -O0 code is not LLVMgold's"
    );
}

#[test]
fn llvm_options_reach_the_plugin_s_backends_as_llvmgold_s() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let objects = hello(w);
    let (gold, with_plugin) = beside_llvmgold(
        w,
        &objects,
        &["-Wl,-plugin-opt=-inline-threshold=0"],
        "gold",
        &["-inline-threshold=0"],
    );
    assert!(
        text_of(&with_plugin) == text_of(&gold),
        "not LLVMgold's code"
    );
    let default = w.join("default");
    linked(plugin_link(w, "gold", &objects, &[], &default), "gold");
    assert!(
        text_of(&default) != text_of(&gold),
        "the option changed nothing"
    );
    let out = plugin_link(
        w,
        "gold",
        &objects,
        &["-no-such-llvm-option"],
        &w.join("bad"),
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Unknown command line argument '-no-such-llvm-option'"),
        "{stderr}"
    );
}

#[test]
fn pass_and_alias_pipelines_reach_the_plugin_s_backends() {
    // LLVMgold has no pipeline options; the plugin takes lld's. Under
    // each, its code is `dtlto link`'s with the same linker and option,
    // and not the default's.
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let objects = write_alias_program(w);
    let default = w.join("default");
    linked(plugin_link(w, "gold", &objects, &[], &default), "gold");
    for (n, (plugin_opt, link_opt)) in [
        ("lto-aa-pipeline=basic-aa", "-Wl,--lto-aa-pipeline=basic-aa"),
        (
            "lto-newpm-passes=globaldce",
            "-Wl,--lto-newpm-passes=globaldce",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let with_plugin = w.join(format!("plugin-{n}"));
        linked(
            plugin_link(w, "gold", &objects, &[plugin_opt], &with_plugin),
            "gold",
        );
        assert_eq!(run_program(&with_plugin, false), "3\n");
        let via_link = dtlto_link(
            w,
            &objects,
            &["-fuse-ld=gold", link_opt],
            &format!("link-{n}"),
        );
        assert!(
            text_of(&with_plugin) == text_of(&via_link),
            "{plugin_opt}: not dtlto link's code"
        );
        assert!(
            text_of(&with_plugin) != text_of(&default),
            "{plugin_opt} changed nothing"
        );
    }
}

#[test]
fn optimization_remarks_are_llvmgold_s_file_for_file() {
    // LLVMgold's opt-remarks-filename= writes <file>.thin.<task>.<format>
    // per module and an empty <file>; the plugin writes the same bytes,
    // on the linker's threads and in worker processes.
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let objects = write_alias_program(w);
    std::fs::create_dir(w.join("gold")).unwrap();
    llvmgold_link(
        w,
        &objects,
        &[
            "-Wl,-plugin-opt=opt-remarks-filename=gold/r.yaml",
            "-Wl,-plugin-opt=opt-remarks-format=yaml",
        ],
        "gold/prog",
    );
    let gold = files_in(&w.join("gold"), "prog");
    assert_eq!(gold.len(), 4, "{:?}", gold.keys());
    for place in ["threads", "processes"] {
        std::fs::create_dir(w.join(place)).unwrap();
        let opts = [
            format!("opt-remarks-filename={place}/r.yaml"),
            "opt-remarks-format=yaml".to_string(),
            format!("backends={place}"),
        ];
        let opts: Vec<&str> = opts.iter().map(String::as_str).collect();
        linked(
            plugin_link(w, "gold", &objects, &opts, &w.join(place).join("prog")),
            "gold",
        );
        assert!(
            files_in(&w.join(place), "prog") == gold,
            "{place}: not LLVMgold's remarks"
        );
    }
}

#[test]
fn obj_path_keeps_each_module_s_object_as_llvmgold_names_it() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let objects = hello(w);
    let (_, with_plugin) = beside_llvmgold(
        w,
        &objects,
        &["-Wl,-plugin-opt=obj-path=gold-lto.o"],
        "gold",
        &["obj-path=plugin-lto.o"],
    );
    assert_eq!(run_program(&with_plugin, false), expected_hello());
    let names = |prefix: &str| -> Vec<String> { files_named(w, prefix).into_keys().collect() };
    assert_eq!(names("plugin-lto.o"), names("gold-lto.o"));
    assert_eq!(names("plugin-lto.o"), ["", "1", "2", "3"]);
    // PATH, the object of the empty regular LTO part, and each module's
    // object are LLVMgold's, byte for byte.
    for name in names("gold-lto.o") {
        let read = |prefix: &str| std::fs::read(w.join(format!("{prefix}-lto.o{name}"))).unwrap();
        assert!(
            read("plugin") == read("gold"),
            "PATH{name} is not LLVMgold's"
        );
    }
    // They are the objects `dtlto link` builds for the same linker.
    dtlto_link(
        w,
        &objects,
        &["-fuse-ld=gold", "-Wl,--lto-obj-path=dtlto-lto.o"],
        "dtlto",
    );
    for task in 1..=3 {
        let read = |prefix: &str| std::fs::read(w.join(format!("{prefix}-lto.o{task}"))).unwrap();
        assert!(read("plugin") == read("dtlto"), "task {task}");
    }
    assert_eq!(leftover_temporaries(w), Vec::<String>::new());
}

/// The ELF relocation types of the references to `symbol` in `object`.
fn relocations_to(object: &[u8], symbol: &str) -> Vec<u32> {
    use object::{Object, ObjectSection, ObjectSymbol, RelocationFlags, RelocationTarget};
    let file = object::File::parse(object).unwrap();
    let mut types = Vec::new();
    for section in file.sections() {
        for (_, relocation) in section.relocations() {
            let RelocationTarget::Symbol(index) = relocation.target() else {
                continue;
            };
            let named = file
                .symbol_by_index(index)
                .is_ok_and(|s| s.name() == Ok(symbol));
            if let (true, RelocationFlags::Elf { r_type }) = (named, relocation.flags()) {
                types.push(r_type);
            }
        }
    }
    types
}

#[test]
fn got_loads_carry_llvmgold_s_relocations_and_under_lld_lld_s() {
    // LLVMgold turns x86-64's relaxable GOT relocations off (plain
    // GOTPCREL, for gold releases that predate GOTPCRELX); lld keeps
    // LLVM's default. `stdout` lives in libc, so a PIE loads its address
    // from the GOT.
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let sources = [
        (
            "got.c",
            "#include <stdio.h>\nextern int answer;\n\
             int main(void) { fprintf(stdout, \"%d\\n\", answer); return 0; }\n",
        ),
        ("answer.c", "int answer = 42;\n"),
    ];
    let objects = compile_thin(w, &sources);
    let (gold, with_plugin) = beside_llvmgold(
        w,
        &objects,
        &["-Wl,-plugin-opt=obj-path=gold-lto.o"],
        "bfd",
        &["obj-path=plugin-lto.o"],
    );
    // Delegated backends get LLVMgold's options too.
    let delegated = w.join("delegated");
    let distributor = format!("distributor={}", dtlto_path());
    linked(
        plugin_link(
            w,
            "bfd",
            &objects,
            &[
                &distributor,
                "distributor-arg=distribute",
                "obj-path=delegated-lto.o",
            ],
            &delegated,
        ),
        "bfd delegated",
    );
    let lld = lld_link(w, &objects, &["-Wl,--lto-obj-path=lld-lto.o"], "lld");
    let ours = dtlto_link(
        w,
        &objects,
        &["-fuse-ld=lld", "-Wl,--lto-obj-path=dtlto-lto.o"],
        "dtlto",
    );
    for program in [&gold, &with_plugin, &delegated, &lld, &ours] {
        assert_eq!(run_program(program, false), "42\n");
    }
    // Task 1 is got.c's module.
    let main_object = |who: &str| std::fs::read(w.join(format!("{who}-lto.o1"))).unwrap();
    const GOTPCREL: u32 = 9;
    const REX_GOTPCRELX: u32 = 42;
    assert_eq!(relocations_to(&main_object("gold"), "stdout"), [GOTPCREL]);
    assert_eq!(
        relocations_to(&main_object("lld"), "stdout"),
        [REX_GOTPCRELX]
    );
    assert!(
        main_object("plugin") == main_object("gold"),
        "the plugin's object is not LLVMgold's"
    );
    assert!(
        main_object("delegated") == main_object("gold"),
        "the delegated backend's object is not LLVMgold's"
    );
    assert!(
        main_object("dtlto") == main_object("lld"),
        "dtlto link's object is not lld's"
    );
}

#[test]
fn emit_imports_files_in_a_link_that_goes_on_is_ignored_as_llvmgold_ignores_it() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let objects = hello(w);
    let (gold, with_plugin) = beside_llvmgold(
        w,
        &objects,
        &["-Wl,-plugin-opt=thinlto-emit-imports-files"],
        "bfd",
        &["thinlto-emit-imports-files"],
    );
    assert_eq!(run_program(&gold, false), expected_hello());
    assert_eq!(run_program(&with_plugin, false), expected_hello());
    let written: Vec<String> = files_in(w, "")
        .into_keys()
        .filter(|name| name.ends_with(".imports") || name.ends_with(".plan"))
        .collect();
    assert_eq!(written, Vec::<String>::new());
}

#[test]
fn emit_asm_writes_llvmgold_s_assembly_and_stops_the_link() {
    // LLVMgold's emit-asm: each module's assembly as <output><task>, or
    // under obj-path's names with the regular LTO part's as PATH; no
    // program. (GNU ld creates the output before the plugin runs;
    // LLVMgold leaves it there empty, the plugin removes it.)
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let inputs = hello_by_absolute_path(w);
    for ld in LINKERS {
        let gold_dir = w.join(format!("{ld}-llvmgold"));
        let plugin_dir = w.join(format!("{ld}-plugin"));
        for (kept, opts) in [
            ("out", &["emit-asm"][..]),
            ("path", &["emit-asm", "obj-path=path"][..]),
        ] {
            let gold_out = gold_dir.join(kept);
            let plugin_out = plugin_dir.join(kept);
            std::fs::create_dir_all(&gold_out).unwrap();
            std::fs::create_dir_all(&plugin_out).unwrap();
            let mut gold = Command::new(CLANG);
            gold.current_dir(&gold_out)
                .args(["-flto=thin", &format!("-fuse-ld={ld}")]);
            for opt in opts {
                gold.arg(format!("-Wl,-plugin-opt={opt}"));
            }
            run(gold.args(&inputs).args(["-o", "out"]));
            linked(
                plugin_link(&plugin_out, ld, &inputs, opts, Path::new("out")),
                ld,
            );
            // GNU ld's empty output aside.
            let theirs = files_in(&gold_out, "out");
            if kept == "out" {
                assert_eq!(theirs.keys().collect::<Vec<_>>(), ["out1", "out2", "out3"]);
            } else {
                assert_eq!(
                    theirs.keys().collect::<Vec<_>>(),
                    ["path", "path1", "path2", "path3"]
                );
            }
            assert!(
                String::from_utf8_lossy(&theirs[&format!("{kept}1")]).contains(".file"),
                "{ld}: LLVMgold wrote no assembly"
            );
            let ours = files_in(&plugin_out, "");
            assert!(!ours.contains_key("out"), "{ld}: the plugin left an output");
            assert!(ours == theirs, "{ld} {opts:?}: not LLVMgold's assembly");
        }
    }
    let distributor = format!("distributor={}", dtlto_path());
    let refused = plugin_link(w, "bfd", &inputs, &["emit-asm", &distributor], &w.join("x"));
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("cannot be delegated"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}

#[test]
fn disable_output_ends_the_link_with_nothing_written_as_llvmgold() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let inputs = hello_by_absolute_path(w);
    for ld in LINKERS {
        let gold_dir = w.join(format!("{ld}-llvmgold"));
        let plugin_dir = w.join(format!("{ld}-plugin"));
        std::fs::create_dir(&gold_dir).unwrap();
        std::fs::create_dir(&plugin_dir).unwrap();
        run(Command::new(CLANG)
            .current_dir(&gold_dir)
            .args(["-flto=thin", &format!("-fuse-ld={ld}")])
            .arg("-Wl,-plugin-opt=disable-output")
            .args(&inputs)
            .args(["-o", "out"]));
        let out = plugin_link(
            &plugin_dir,
            ld,
            &inputs,
            &["disable-output", "v"],
            Path::new("out"),
        );
        linked(out.clone(), ld);
        // The thin link ran; no backend did.
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains("3 modules"), "{ld}: {said}");
        assert!(!said.contains("backends"), "{ld}: {said}");
        assert_eq!(files_in(&gold_dir, "").len(), 0, "{ld}: LLVMgold wrote");
        assert_eq!(
            files_in(&plugin_dir, "").into_keys().collect::<Vec<_>>(),
            Vec::<String>::new(),
            "{ld}"
        );
    }
}
