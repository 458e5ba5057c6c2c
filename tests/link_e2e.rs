//! `dtlto link` end to end: programs linked by dtlto run and print what the
//! same program linked by lld's in-process ThinLTO prints; code is imported
//! and inlined across modules; output is deterministic; AArch64 works.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

fn link_and_compare(dir: &str, opt: &str) {
    let program = Program::load(repo_root().join(dir));
    let work = tempfile::tempdir().unwrap();
    let objects = program.compile(work.path(), &[]);
    let libs = program.link_libs();
    let libs: Vec<&str> = libs.iter().map(String::as_str).collect();
    let mut extra = vec![opt];
    extra.extend(&libs);
    let ours = dtlto_link(work.path(), &objects, &extra, "prog-dtlto");
    let theirs = lld_link(work.path(), &objects, &libs, "prog-lld");
    let expected = run_program(&theirs, false);
    assert!(!expected.is_empty());
    if dir.contains("cxx") {
        assert!(expected.contains("constructors ran: 2"), "{expected}");
    }
    assert_eq!(run_program(&ours, false), expected, "{dir} at {opt}");
    assert!(leftover_temporaries(work.path()).is_empty());
}

#[test]
fn example_runs_like_lld_at_o2_and_o0() {
    link_and_compare("examples/hello-thin", "-O2");
    link_and_compare("examples/hello-thin", "-O0");
}

#[test]
fn cxx_templates_vtables_exceptions_and_constructors_run_like_lld() {
    link_and_compare("tests/programs/cxx-features", "-O2");
    link_and_compare("tests/programs/cxx-features", "-O0");
}

#[test]
fn every_optimization_level_runs_like_lld() {
    for opt in ["-O1", "-Os", "-Oz"] {
        link_and_compare("tests/programs/cxx-features", opt);
    }
}

#[test]
fn each_level_gives_lld_s_machine_code_however_it_is_spelled() {
    // lld pairs --lto-O0 and -O1 with code generation level 2 (its
    // --lto-CGO default), not 0 and 1: -O0 code is lld's only so.
    let program = Program::load(repo_root().join("examples/hello-thin"));
    let work = tempfile::tempdir().unwrap();
    let objects = program.compile(work.path(), &[]);
    for level in ["0", "1", "2", "3"] {
        let opt = format!("-O{level}");
        let wl = format!("-Wl,--lto-O{level}");
        let lld = text_of(&lld_link(
            work.path(),
            &objects,
            &[&opt],
            &format!("lld{level}"),
        ));
        for (spelling, name) in [(&opt, "opt"), (&wl, "wl")] {
            let out = dtlto_link(
                work.path(),
                &objects,
                &[spelling],
                &format!("{name}{level}"),
            );
            assert!(text_of(&out) == lld, "{spelling}: .text is not lld's");
        }
    }
    // LLVM's import options given to LTO through the linker, or through
    // clang's -mllvm, steer dtlto's import as they steer lld's.
    let lld = text_of(&lld_link(
        work.path(),
        &objects,
        &["-Wl,-mllvm,-import-instr-limit=0"],
        "lld-noimport",
    ));
    assert!(
        lld != text_of(&work.path().join("lld2")),
        "the option changes lld's code"
    );
    for (i, spelling) in [
        &["-Wl,-mllvm,-import-instr-limit=0"][..],
        &["-Xlinker", "-mllvm", "-Xlinker", "-import-instr-limit=0"],
        &["-mllvm", "-import-instr-limit=0"],
        &["-Wl,--plugin-opt=-import-instr-limit=0"],
    ]
    .into_iter()
    .enumerate()
    {
        let out = dtlto_link(work.path(), &objects, spelling, &format!("noimport{i}"));
        assert!(text_of(&out) == lld, "{spelling:?}: .text is not lld's");
    }
}

#[test]
fn llvm_options_reach_the_backends_in_process_and_delegated_as_in_lld() {
    // -inline-threshold=0 changes hello's code under lld: dtlto's is lld's,
    // in-process, delegated, and from a cache that also holds the objects
    // of the same link without the option.
    let program = Program::load(repo_root().join("examples/hello-thin"));
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let objects = program.compile(w, &[]);
    let option = ["-Wl,-mllvm,-inline-threshold=0"];
    let lld = text_of(&lld_link(w, &objects, &option, "lld"));
    assert!(lld != text_of(&lld_link(w, &objects, &[], "lld-default")));
    let in_process = dtlto_link(w, &objects, &option, "in-process");
    assert!(
        text_of(&in_process) == lld,
        "in-process: .text is not lld's"
    );
    let dtlto = dtlto_path();
    let delegated = dtlto_link(
        w,
        &objects,
        &[
            "-mllvm",
            "-inline-threshold=0",
            &format!("--distributor={dtlto}"),
            "--distributor-arg=distribute",
        ],
        "delegated",
    );
    assert!(
        std::fs::read(&delegated).unwrap() == std::fs::read(&in_process).unwrap(),
        "delegated differs from in-process"
    );
    let cache = format!("--cache-dir={}", w.join("cache").display());
    dtlto_link(w, &objects, &[&cache], "cached-default");
    let cached = dtlto_link(w, &objects, &[&cache, option[0]], "cached");
    assert!(
        text_of(&cached) == lld,
        "the cache served objects built without the option"
    );
}

#[test]
fn lto_options_dtlto_cannot_honour_are_refused_by_name() {
    let program = Program::load(repo_root().join("examples/hello-thin"));
    let work = tempfile::tempdir().unwrap();
    let objects = program.compile(work.path(), &[]);
    for (option, message) in [
        (
            "-Wl,-mllvm,-no-such-llvm-option",
            "Unknown command line argument '-no-such-llvm-option'",
        ),
        ("-Wl,--lto-sample-profile=prof", "--lto-sample-profile"),
        ("-Wl,--thinlto-index-only", "dtlto thin-link"),
        ("-Wl,--lto-O4", "0, 1, 2 or 3"),
    ] {
        let out = dtlto()
            .current_dir(work.path())
            .arg("link")
            .args(&objects)
            .args([option, "-o", "refused"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{option}: {stderr}");
        assert!(stderr.contains(message), "{option}: {stderr}");
        assert!(!work.path().join("refused").exists(), "{option}");
    }
    assert!(leftover_temporaries(work.path()).is_empty());
}

#[test]
fn cpu_and_features_reach_the_backends() {
    let program = Program::load(repo_root().join("examples/hello-thin"));
    let work = tempfile::tempdir().unwrap();
    let objects = program.compile(work.path(), &[]);
    let expected = run_program(&lld_link(work.path(), &objects, &[], "ref"), false);
    let out = dtlto_link(
        work.path(),
        &objects,
        &["-mcpu=x86-64-v2", "-mattr=+popcnt"],
        "tuned",
    );
    assert_eq!(run_program(&out, false), expected);
    let err = dtlto()
        .current_dir(work.path())
        .args(["link", "-mcpu=no-such-cpu"])
        .args(&objects)
        .args(["-o", "bad"])
        .output()
        .unwrap();
    assert_eq!(err.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&err.stderr).contains("no-such-cpu"));
    assert!(!work.path().join("bad").exists());
}

#[test]
fn linkage_corner_cases_run_like_lld() {
    link_and_compare("tests/programs/c-linkage", "-O2");
    link_and_compare("tests/programs/c-linkage", "-O3");
}

#[test]
fn small_functions_are_inlined_across_modules_and_statics_promoted() {
    let program = Program::load(repo_root().join("examples/hello-thin"));
    let work = tempfile::tempdir().unwrap();
    let objects = program.compile(work.path(), &[]);
    dtlto_link(work.path(), &objects, &["--save-temps"], "hello");
    let main_obj = work.path().join("hello.dtlto/1.main.o.o");
    let out = run(Command::new("llvm-objdump-22").args(["-dr"]).arg(&main_obj));
    let text = String::from_utf8_lossy(&out.stdout);
    let relocs: Vec<&str> = text.lines().filter(|l| l.contains("R_X86_64")).collect();
    for inlined in ["square", "scaled", "table_checksum", "bump_counter"] {
        assert!(
            !relocs
                .iter()
                .any(|l| l.ends_with(&format!(" {inlined}-0x4"))),
            "{inlined} is still called from main:\n{text}"
        );
    }
    // scaled() calls a noinline static of shapes.c: after importing
    // scaled() main calls it by its promoted name.
    assert!(
        relocs.iter().any(|l| l.contains("scale_factor.llvm.")),
        "{text}"
    );
}

#[test]
fn output_is_identical_across_job_counts_and_runs() {
    let program = Program::load(repo_root().join("tests/programs/cxx-features"));
    let work = tempfile::tempdir().unwrap();
    let objects = program.compile(work.path(), &[]);
    let libs = program.link_libs();
    let mut a = vec!["-j", "1"];
    a.extend(libs.iter().map(String::as_str));
    let mut b = vec!["-j", "2"];
    b.extend(libs.iter().map(String::as_str));
    let one = std::fs::read(dtlto_link(work.path(), &objects, &a, "j1")).unwrap();
    let two = std::fs::read(dtlto_link(work.path(), &objects, &b, "j2")).unwrap();
    let again = std::fs::read(dtlto_link(work.path(), &objects, &b, "j2-again")).unwrap();
    assert!(one == two, "-j 1 and -j 2 differ");
    assert!(two == again, "two runs differ");
}

/// The final link runs LLVM 22's lld inside dtlto; as a process of its own
/// it makes the same bytes, and an error of the in-process lld is a failed
/// link with lld's message and no output.
#[test]
fn in_process_lld_links_what_the_ld_lld_process_links() {
    let program = Program::load(repo_root().join("tests/programs/cxx-features"));
    let work = tempfile::tempdir().unwrap();
    let objects = program.compile(work.path(), &[]);
    let libs = program.link_libs();
    let mut process = vec!["--final-link-process"];
    process.extend(libs.iter().map(String::as_str));
    let libs: Vec<&str> = libs.iter().map(String::as_str).collect();
    let out = run(dtlto()
        .current_dir(work.path())
        .args(["link", "-v"])
        .args(&objects)
        .args(&libs)
        .args(["-o", "in-process"]));
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains("/ld.lld ") && log.contains("(in-process)"),
        "{log}"
    );
    let inside = std::fs::read(work.path().join("in-process")).unwrap();
    let outside = std::fs::read(dtlto_link(work.path(), &objects, &process, "process")).unwrap();
    assert!(
        inside == outside,
        "in-process lld and the ld.lld process differ"
    );

    // An error inside lld (an unknown option passed through -Wl).
    let out = dtlto()
        .current_dir(work.path())
        .arg("link")
        .args(&objects)
        .args(&libs)
        .args(["-Wl,--no-such-lld-option", "-o", "bad"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("unknown argument '--no-such-lld-option'"),
        "{err}"
    );
    assert!(err.contains("the final link failed"), "{err}");
    assert!(!work.path().join("bad").exists());
    assert!(leftover_temporaries(work.path()).is_empty());
}

#[test]
fn aarch64_program_runs_under_qemu() {
    for dir in ["examples/hello-thin", "tests/programs/cxx-features"] {
        let program = Program::load(repo_root().join(dir));
        let work = tempfile::tempdir().unwrap();
        let objects = program.compile(work.path(), &["--target=aarch64-linux-gnu"]);
        let libs = program.link_libs();
        let mut extra = vec!["--target=aarch64-linux-gnu"];
        extra.extend(libs.iter().map(String::as_str));
        let ours = dtlto_link(work.path(), &objects, &extra, "prog-a64");
        let native_objects = program.compile(work.path(), &[]);
        let reference = lld_link(work.path(), &native_objects, &extra[1..], "prog-x86");
        assert_eq!(
            run_program(&ours, true),
            run_program(&reference, false),
            "{dir}"
        );
    }
}

#[test]
fn debug_builds_keep_line_tables_for_imported_code() {
    let program = Program::load(repo_root().join("examples/hello-thin"));
    let work = tempfile::tempdir().unwrap();
    let objects = program.compile(work.path(), &["-g"]);
    let out = dtlto_link(work.path(), &objects, &["--save-temps"], "hello-g");
    assert!(run_program(&out, false).contains("checksum of table: 114"));
    let lines = run(Command::new("llvm-dwarfdump-22")
        .arg("--debug-line")
        .arg(work.path().join("hello-g.dtlto/1.main.o.o")));
    let text = String::from_utf8_lossy(&lines.stdout);
    // Code imported from shapes.c into main.o keeps its own file and lines.
    assert!(
        text.contains("shapes.c"),
        "no line table entries for imported code:\n{text}"
    );
}

#[test]
fn debug_info_objects_are_lld_s_byte_for_byte_on_both_targets() {
    // The target's constructor adds its own options (debug entry values
    // on both targets; on AArch64 also CFI fixups, default outlining,
    // GlobalISel at -O0): the location lists and code are lld's only if
    // dtlto's machines are made as LLVM's LTO makes them.
    let program = Program::load(repo_root().join("examples/hello-thin"));
    for target in ["x86_64-linux-gnu", "aarch64-linux-gnu"] {
        let work = tempfile::tempdir().unwrap();
        let w = work.path();
        let flag = format!("--target={target}");
        let objects = program.compile(w, &["-g", &flag]);
        lld_link(w, &objects, &[&flag, "-Wl,--lto-obj-path=lld-lto.o"], "lld");
        dtlto_link(
            w,
            &objects,
            &[&flag, "-Wl,--lto-obj-path=dtlto-lto.o"],
            "dtlto",
        );
        let theirs = files_named(w, "lld-lto.o");
        assert_eq!(theirs.len(), 1 + objects.len(), "{target}");
        for (task, bytes) in &theirs {
            assert!(
                files_named(w, "dtlto-lto.o")[task] == *bytes,
                "{target}: task {task:?} is not lld's object"
            );
        }
    }
}

#[test]
fn static_archives_with_bitcode_members_link() {
    let program = Program::load(repo_root().join("examples/hello-thin"));
    let work = tempfile::tempdir().unwrap();
    program.compile(work.path(), &[]);
    run(Command::new("llvm-ar-22").current_dir(work.path()).args([
        "rcs",
        "libshapes.a",
        "shapes.o",
        "collatz.o",
    ]));
    run(Command::new("llvm-ar-22").current_dir(work.path()).args([
        "rcsT",
        "libthin.a",
        "shapes.o",
        "collatz.o",
    ]));
    let main = vec!["main.o".to_string()];
    let reference = lld_link(
        work.path(),
        &["main.o".into(), "shapes.o".into(), "collatz.o".into()],
        &[],
        "ref",
    );
    let expected = run_program(&reference, false);
    for lib in [&["libshapes.a"][..], &["-L.", "-lshapes"], &["libthin.a"]] {
        let out = dtlto_link(work.path(), &main, lib, "from-archive");
        assert_eq!(run_program(&out, false), expected, "{lib:?}");
    }
}

#[test]
fn native_references_keep_bitcode_definitions_alive() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    std::fs::write(
        w.join("lib.c"),
        "int used_only_natively(int x) { return x * 7; }\n",
    )
    .unwrap();
    std::fs::write(
        w.join("native.c"),
        "#include <stdio.h>\nint used_only_natively(int);\nint main(void) { printf(\"%d\\n\", used_only_natively(6)); return 0; }\n",
    )
    .unwrap();
    run(Command::new(CLANG)
        .current_dir(w)
        .args(["-flto=thin", "-O2", "-c", "lib.c"]));
    run(Command::new(CLANG)
        .current_dir(w)
        .args(["-O2", "-c", "native.c"]));
    let out = dtlto_link(w, &["native.o".into(), "lib.o".into()], &[], "mixed");
    assert_eq!(run_program(&out, false), "42\n");
}

#[test]
fn shared_library_exports_and_finalizes_symbols_as_lld() {
    // A shared library exports its default and protected definitions; a
    // definition another file declares hidden is hidden (linkers merge
    // visibility over all files) and neither exported nor preemptible.
    // util's hidden call to lib_helper is inlined away, so only the
    // bitcode tells that lib_helper is hidden: lld's symbol table keeps
    // it, dtlto's final link of objects must learn it from the plan.
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    std::fs::write(
        w.join("lib.c"),
        "static int twice(int x) { return 2 * x; }\n\
         int lib_entry(int x) { return twice(x) + 1; }\n\
         __attribute__((visibility(\"protected\"))) int lib_protected(int x) { return x + 100; }\n\
         int lib_helper(int x) { return x * 3; }\n",
    )
    .unwrap();
    std::fs::write(
        w.join("util.c"),
        "int lib_entry(int);\n\
         __attribute__((visibility(\"hidden\"))) int lib_helper(int);\n\
         __attribute__((noinline)) int lib_twice_entry(int x) {\n\
         \x20 return lib_entry(lib_entry(x)) + lib_helper(x) - 3 * x;\n}\n",
    )
    .unwrap();
    std::fs::write(
        w.join("main.c"),
        "#include <stdio.h>\nint lib_twice_entry(int);\nint lib_protected(int);\n\
         int main(void) { printf(\"%d %d\\n\", lib_twice_entry(5), lib_protected(1)); return 0; }\n",
    )
    .unwrap();
    let objects = vec!["lib.o".to_string(), "util.o".to_string()];
    for f in ["lib.c", "util.c"] {
        run(Command::new(CLANG)
            .current_dir(w)
            .args(["-flto=thin", "-O2", "-fPIC", "-c", f]));
    }
    let ours = dtlto_link(w, &objects, &["-shared"], "libdemo.so");
    let lld = lld_link(w, &objects, &["-shared"], "liblld.so");
    let exports = |lib: &std::path::Path| {
        let out = run(Command::new("llvm-nm-22")
            .args(["-D", "--defined-only", "--format=just-symbols"])
            .arg(lib));
        String::from_utf8(out.stdout).unwrap()
    };
    let exported = exports(&ours);
    assert!(exported.contains("lib_protected\n"), "{exported}");
    assert!(!exported.contains("lib_helper"), "{exported}");
    assert_eq!(exported, exports(&lld));
    run(Command::new(CLANG)
        .current_dir(w)
        .args(["main.c", "-L.", "-ldemo", "-o", "main"]));
    let out = run(Command::new(w.join("main")).env("LD_LIBRARY_PATH", w));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "23 101\n");
    // The code as lld's: the hidden and protected definitions are final
    // (direct calls), the default ones preemptible.
    dtlto_link(w, &objects, &["-shared", "-Wl,--lto-emit-asm"], "asm-dtlto");
    lld_link(w, &objects, &["-shared", "-Wl,--lto-emit-asm"], "asm-lld");
    for stem in ["lib", "util"] {
        let asm =
            |out: &str| std::fs::read_to_string(w.join(format!("{out}.lto.{stem}.s"))).unwrap();
        assert_eq!(asm("asm-dtlto"), asm("asm-lld"), "{stem}");
    }
}

#[test]
fn final_link_works_with_bfd_gold_and_mold() {
    let program = Program::load(repo_root().join("examples/hello-thin"));
    let work = tempfile::tempdir().unwrap();
    let objects = program.compile(work.path(), &[]);
    let expected = run_program(&lld_link(work.path(), &objects, &[], "ref"), false);
    for linker in ["bfd", "gold", "mold"] {
        let flag = format!("-fuse-ld={linker}");
        let out = dtlto_link(work.path(), &objects, &[&flag], &format!("hello-{linker}"));
        assert_eq!(run_program(&out, false), expected, "{linker}");
    }
}

#[test]
fn time_trace_has_a_span_per_stage_and_backend() {
    let program = Program::load(repo_root().join("examples/hello-thin"));
    let work = tempfile::tempdir().unwrap();
    let objects = program.compile(work.path(), &[]);
    dtlto_link(
        work.path(),
        &objects,
        &["--time-trace", "trace.json"],
        "hello",
    );
    let trace: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(work.path().join("trace.json")).unwrap())
            .unwrap();
    let events = trace["traceEvents"].as_array().unwrap();
    let names: Vec<&str> = events.iter().map(|e| e["name"].as_str().unwrap()).collect();
    for stage in [
        "Read inputs",
        "Resolve",
        "Thin link",
        "Backends",
        "Final link",
        "Total",
    ] {
        assert!(names.contains(&stage), "no {stage} span in {names:?}");
    }
    let backends: Vec<&str> = events
        .iter()
        .filter(|e| e["name"] == "Backend")
        .map(|e| e["args"]["detail"].as_str().unwrap())
        .collect();
    assert_eq!(backends.len(), objects.len(), "{backends:?}");
    assert!(events.iter().all(|e| e["ph"] == "X" && e["dur"].is_u64()));
}

#[test]
fn static_and_non_pie_executables_link_and_run() {
    let program = Program::load(repo_root().join("examples/hello-thin"));
    let work = tempfile::tempdir().unwrap();
    let objects = program.compile(work.path(), &[]);
    let expected = run_program(&lld_link(work.path(), &objects, &[], "ref"), false);
    for (flag, name) in [("-static", "hello-static"), ("-no-pie", "hello-nopie")] {
        let out = dtlto_link(work.path(), &objects, &[flag], name);
        assert_eq!(run_program(&out, false), expected, "{flag}");
        let headers = run(Command::new("llvm-readelf-22").args(["-h", "-l"]).arg(&out));
        let text = String::from_utf8_lossy(&headers.stdout);
        // Position-dependent executables are ET_EXEC; -static has no interpreter.
        assert!(text.contains("EXEC (Executable file)"), "{flag}:\n{text}");
        if flag == "-static" {
            assert!(!text.contains("INTERP"), "{flag}:\n{text}");
        }
    }
}

#[test]
fn custom_pass_and_alias_pipelines_give_lld_s_code() {
    // lld's --lto-newpm-passes replaces thinlto<O2> after import and
    // --lto-aa-pipeline the alias analyses. Each changes this program's
    // code under lld; dtlto's .text is lld's under each, however the
    // option is spelled, in-process and delegated.
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let objects = write_alias_program(w);
    let default = text_of(&lld_link(w, &objects, &[], "lld-default"));
    let delegate = [
        format!("--distributor={}", dtlto_path()),
        "--distributor-arg=distribute".to_string(),
    ];
    for (n, option) in [
        vec!["-Wl,--lto-aa-pipeline=basic-aa"],
        vec!["-Wl,--lto-newpm-passes=globaldce"],
        vec![
            "-Xlinker",
            "--lto-newpm-passes=function(sroa,instcombine),globaldce",
        ],
    ]
    .into_iter()
    .enumerate()
    {
        let lld = lld_link(w, &objects, &option, &format!("lld-{n}"));
        assert_eq!(run_program(&lld, false), "3\n");
        let lld = text_of(&lld);
        assert!(lld != default, "{option:?} does not change lld's code");
        let in_process = dtlto_link(w, &objects, &option, &format!("in-process-{n}"));
        assert_eq!(run_program(&in_process, false), "3\n");
        assert!(
            text_of(&in_process) == lld,
            "{option:?}: .text is not lld's"
        );
        let mut delegated_args: Vec<&str> = option.clone();
        delegated_args.extend(delegate.iter().map(String::as_str));
        let delegated = dtlto_link(w, &objects, &delegated_args, &format!("delegated-{n}"));
        assert!(
            std::fs::read(&delegated).unwrap() == std::fs::read(&in_process).unwrap(),
            "{option:?}: delegated differs from in-process"
        );
    }
    // A pipeline LLVM cannot parse stops the link with LLVM's words.
    let out = dtlto()
        .current_dir(w)
        .arg("link")
        .args(&objects)
        .args(["-Wl,--lto-newpm-passes=no-such-pass", "-o", "refused"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("unknown pass name 'no-such-pass'"),
        "{stderr}"
    );
    assert!(!w.join("refused").exists());
    assert!(leftover_temporaries(w).is_empty());
}

#[test]
fn optimization_remarks_are_lld_s_file_for_file() {
    // lld writes each ThinLTO backend's remarks to
    // <file>.thin.<task>.<format>, and an empty <file> for its regular LTO
    // part; dtlto writes the same files, byte for byte, given lld's option
    // or clang's -fsave-optimization-record, in-process and delegated.
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let objects = write_alias_program(w);
    let delegate = [
        format!("--distributor={}", dtlto_path()),
        "--distributor-arg=distribute".to_string(),
    ];
    for (n, options) in [
        vec!["-Wl,--opt-remarks-filename,{dir}/r.yaml"],
        vec![
            "-fsave-optimization-record=yaml",
            "-foptimization-record-passes=inline|gvn",
        ],
        vec!["-Xlinker", "--opt-remarks-filename", "-Xlinker", "{dir}/r"],
    ]
    .into_iter()
    .enumerate()
    {
        let run_in = |who: &str, extra: &[String]| {
            let dir = format!("{who}-{n}");
            std::fs::create_dir(w.join(&dir)).unwrap();
            let mut args: Vec<String> = options.iter().map(|o| o.replace("{dir}", &dir)).collect();
            args.extend(extra.iter().cloned());
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let program = format!("{dir}/prog");
            match who {
                "lld" => lld_link(w, &objects, &args, &program),
                _ => dtlto_link(w, &objects, &args, &program),
            };
            files_in(&w.join(&dir), "prog")
        };
        let lld = run_in("lld", &[]);
        assert!(
            lld.len() == 4 && lld.values().any(|bytes| !bytes.is_empty()),
            "{options:?}: lld wrote {:?}",
            lld.keys()
        );
        let in_process = run_in("dtlto", &[]);
        assert_eq!(
            in_process.keys().collect::<Vec<_>>(),
            lld.keys().collect::<Vec<_>>(),
            "{options:?}"
        );
        for (name, bytes) in &lld {
            assert!(in_process[name] == *bytes, "{options:?}: {name} differs");
        }
        let delegated = run_in("delegated", &delegate);
        assert!(delegated == in_process, "{options:?}: delegated differs");
    }
    assert!(leftover_temporaries(w).is_empty());
}

#[test]
fn lto_emit_asm_writes_lld_s_assembly_where_lld_does() {
    // lld's --lto-emit-asm writes each module's assembly beside its
    // bitcode as <output name>.lto.<module stem>.s and links nothing;
    // dtlto writes the same text under the same names.
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let objects = write_alias_program(w);
    for (who, out) in [("lld", "lld-out"), ("dtlto", "dtlto-out")] {
        let mut cmd = match who {
            "lld" => {
                let mut c = Command::new(CLANG);
                c.args(["-flto=thin", "-fuse-ld=lld"]);
                c
            }
            _ => {
                let mut c = dtlto();
                c.arg("link");
                c
            }
        };
        run(cmd
            .current_dir(w)
            .args(&objects)
            .args(["-Wl,--lto-emit-asm", "-o", out]));
        assert!(!w.join(out).exists(), "{who} linked a program");
    }
    for object in &objects {
        let stem = object.trim_end_matches(".o");
        let lld = std::fs::read_to_string(w.join(format!("lld-out.lto.{stem}.s"))).unwrap();
        assert!(lld.contains(".file"), "{lld}");
        let ours = std::fs::read_to_string(w.join(format!("dtlto-out.lto.{stem}.s"))).unwrap();
        // `callq store_both`, not `@PLT`: the declaration is dso_local, as
        // every copy of its definition in the index is.
        assert_eq!(ours, lld, "{object}");
    }
    // The plans ask for what the compiler left: main's declaration of
    // store_both (defined in the linkage unit), not main itself (clang
    // marked the definition in a position-independent executable).
    run(dtlto()
        .current_dir(w)
        .arg("thin-link")
        .args(&objects)
        .args(["-o", "plans"]));
    let text = std::fs::read_to_string(w.join("main.c.o.plan")).unwrap();
    let plan: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        plan["dso_local"],
        serde_json::json!(["store_both"]),
        "{text}"
    );
    let refused = dtlto()
        .current_dir(w)
        .arg("link")
        .args(&objects)
        .args(["--lto-emit-asm", "--distributor=dtlto", "-o", "x"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("cannot be delegated"));
    // With --lto-obj-path, LLVM emits the (empty) regular LTO part too:
    // lld writes its assembly as <output>.lto.s and PATH, and each
    // module's as PATH<task>; dtlto the same files with the same text.
    lld_link(
        w,
        &objects,
        &["-Wl,--lto-emit-asm,--lto-obj-path=lld-path"],
        "lld-kept",
    );
    dtlto_link(
        w,
        &objects,
        &["-Wl,--lto-emit-asm,--lto-obj-path=dtlto-path"],
        "dtlto-kept",
    );
    let regular = |who: &str| std::fs::read(w.join(format!("{who}-kept.lto.s"))).unwrap();
    assert!(String::from_utf8_lossy(&regular("lld")).contains("ld-temp.o"));
    assert!(regular("dtlto") == regular("lld"));
    let lld_kept = files_named(w, "lld-path");
    assert_eq!(lld_kept.keys().collect::<Vec<_>>(), ["", "1", "2", "3"]);
    assert!(files_named(w, "dtlto-path") == lld_kept);
}

/// The symbols an object defines, sorted (`llvm-nm-22 --defined-only`).
fn defined_symbols(object: &Path) -> Vec<String> {
    let out = run(Command::new("llvm-nm-22")
        .args(["--defined-only", "--format=just-symbols"])
        .arg(object));
    let mut symbols: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    symbols.sort();
    symbols
}

#[test]
fn lto_obj_path_keeps_each_task_s_object_as_lld_names_it() {
    // lld's --lto-obj-path=PATH writes PATH (its regular LTO object, of
    // an empty module when every module is ThinLTO) and PATH<task> for
    // each module.
    let program = Program::load(repo_root().join("examples/hello-thin"));
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let objects = program.compile(w, &[]);
    let lld = lld_link(w, &objects, &["-Wl,--lto-obj-path=lld-lto.o"], "prog-lld");
    let ours = dtlto_link(
        w,
        &objects,
        &["-Wl,--lto-obj-path=dtlto-lto.o"],
        "prog-dtlto",
    );
    let expected = run_program(&lld, false);
    assert_eq!(run_program(&ours, false), expected);
    let theirs = files_named(w, "lld-lto.o");
    let kept = files_named(w, "dtlto-lto.o");
    let names: Vec<&String> = kept.keys().collect();
    assert_eq!(names, theirs.keys().collect::<Vec<_>>());
    assert_eq!(names, ["", "1", "2", "3"]);
    assert!(!theirs[""].is_empty());
    assert!(
        kept[""] == theirs[""],
        "the regular LTO object differs from lld's"
    );
    for task in ["1", "2", "3"] {
        assert_eq!(
            defined_symbols(&w.join(format!("dtlto-lto.o{task}"))),
            defined_symbols(&w.join(format!("lld-lto.o{task}"))),
            "task {task}"
        );
    }
    // The kept objects are the program: linked by hand, it runs.
    run(Command::new(CLANG)
        .current_dir(w)
        .args([
            "-fuse-ld=lld",
            "dtlto-lto.o1",
            "dtlto-lto.o2",
            "dtlto-lto.o3",
        ])
        .args(["-o", "by-hand"]));
    assert_eq!(run_program(&w.join("by-hand"), false), expected);
    // A split module would be more than one object: none is split.
    let refused = dtlto()
        .current_dir(w)
        .arg("link")
        .args(&objects)
        .args(["--lto-obj-path=x", "--split-threshold=10", "-o", "x"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--lto-obj-path"));
    // An index-only link writes PATH alone, as lld does for the build's
    // final link.
    run(Command::new(CLANG)
        .current_dir(w)
        .args(["-flto=thin", "-fuse-ld=lld", "-Wl,--thinlto-index-only"])
        .args(["-Wl,--lto-obj-path=lld-index-lto.o"])
        .args(&objects));
    run(dtlto()
        .current_dir(w)
        .args(["thin-link", "-Wl,--thinlto-index-only"])
        .args(["-Wl,--lto-obj-path=dtlto-index-lto.o"])
        .args(&objects));
    let lld_index = files_named(w, "lld-index-lto.o");
    let dtlto_index = files_named(w, "dtlto-index-lto.o");
    assert_eq!(dtlto_index.keys().collect::<Vec<_>>(), [""]);
    assert_eq!(lld_index.keys().collect::<Vec<_>>(), [""]);
    assert!(dtlto_index[""] == theirs[""] && lld_index[""] == theirs[""]);
    assert!(leftover_temporaries(w).is_empty());
}

#[test]
fn index_and_imports_files_are_written_as_lld_writes_them_in_a_full_link() {
    // lld's in-process backend with --thinlto-emit-index-files writes each
    // module's index beside it (lld: .thinlto.bc, dtlto: .plan), and with
    // --thinlto-emit-imports-files its import list, and links on.
    let program = Program::load(repo_root().join("examples/hello-thin"));
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let flags = "-Wl,--thinlto-emit-index-files,--thinlto-emit-imports-files";
    let mut outputs = Vec::new();
    for who in ["lld", "dtlto"] {
        let dir = w.join(who);
        std::fs::create_dir(&dir).unwrap();
        let objects = program.compile(&dir, &[]);
        let binary = match who {
            "lld" => lld_link(&dir, &objects, &[flags], "prog"),
            _ => dtlto_link(&dir, &objects, &[flags], "prog"),
        };
        outputs.push(run_program(&binary, false));
        for object in &objects {
            let index = if who == "lld" { "thinlto.bc" } else { "plan" };
            assert!(
                dir.join(format!("{object}.{index}")).is_file(),
                "{who}: {object}"
            );
        }
    }
    assert_eq!(outputs[0], outputs[1]);
    let imports = |who: &str| {
        files_named(&w.join(who), "")
            .into_iter()
            .filter(|(n, _)| n.ends_with(".imports"))
            .collect::<Vec<_>>()
    };
    assert_eq!(imports("dtlto").len(), 3);
    assert!(
        imports("dtlto") == imports("lld"),
        "import lists differ from lld's"
    );
    // --thinlto-emit-imports-files alone writes nothing in a link that goes
    // on, in lld as in dtlto, and the link does go on.
    let alone = w.join("alone");
    std::fs::create_dir(&alone).unwrap();
    let objects = program.compile(&alone, &[]);
    let lld = lld_link(
        &alone,
        &objects,
        &["-Wl,--thinlto-emit-imports-files"],
        "prog-lld",
    );
    let ours = dtlto_link(
        &alone,
        &objects,
        &["-Wl,--thinlto-emit-imports-files"],
        "prog-dtlto",
    );
    assert_eq!(run_program(&ours, false), run_program(&lld, false));
    let written: Vec<String> = files_in(&alone, "")
        .into_keys()
        .filter(|n| n.ends_with(".imports") || n.ends_with(".plan") || n.ends_with(".thinlto.bc"))
        .collect();
    assert!(written.is_empty(), "{written:?}");
}

#[test]
fn lto_debug_pass_manager_shows_the_passes_lld_s_backends_run() {
    // Each `Running pass: P on F (N instructions)` line names a pass, the
    // function or module it ran on and that function's size: as a
    // multiset, dtlto's must be lld's, but for the passes lld's LTO runs
    // that dtlto's pipeline leaves out: the verifier it adds around the
    // pipeline (dtlto verifies outside the pass manager) and those that
    // read the combined index (devirtualization and CFI resolutions,
    // memprof), which `thinlto<O2>` without an index does not run.
    const ONLY_LLD: [&str; 5] = [
        "VerifierPass",
        "WholeProgramDevirtPass",
        "LowerTypeTestsPass",
        "MemProfRemoveInfo",
        "MemProfContextDisambiguation",
    ];
    let program = Program::load(repo_root().join("examples/hello-thin"));
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let objects = program.compile(w, &[]);
    let passes = |stderr: Vec<u8>| sorted_lines(&stderr, "Running pass: ");
    let lld = passes(
        run(Command::new(CLANG)
            .current_dir(w)
            .args(["-flto=thin", "-fuse-ld=lld"])
            .args(["-Wl,--lto-debug-pass-manager", "-Wl,--thinlto-jobs=1"])
            .args(&objects)
            .args(["-o", "prog-lld"]))
        .stderr,
    );
    let ours = passes(
        run(dtlto()
            .current_dir(w)
            .args(["link", "-j1", "-Wl,--lto-debug-pass-manager"])
            .args(&objects)
            .args(["-o", "prog-dtlto"]))
        .stderr,
    );
    assert!(ours.len() > 500, "{} lines", ours.len());
    let mut lld_left = lld.clone();
    for line in &ours {
        let at = lld_left.iter().position(|l| l == line);
        let at = at.unwrap_or_else(|| panic!("lld's backends did not run: {line}"));
        lld_left.remove(at);
    }
    for line in &lld_left {
        let pass = line["Running pass: ".len()..].split(' ').next().unwrap();
        assert!(
            ONLY_LLD.contains(&pass),
            "dtlto's backends did not run: {line}"
        );
    }
    assert_eq!(
        run_program(&w.join("prog-dtlto"), false),
        run_program(&w.join("prog-lld"), false)
    );
    // A cached object prints nothing (LLVM's cache key does not hold the
    // option, nor dtlto's): the second link is served whole.
    let cached = |n: &str| {
        passes(
            run(dtlto()
                .current_dir(w)
                .args([
                    "link",
                    "-j1",
                    "--cache-dir=cache",
                    "--lto-debug-pass-manager",
                ])
                .args(&objects)
                .args(["-o", n]))
            .stderr,
        )
    };
    assert!(cached("first").len() == ours.len());
    assert!(cached("second").is_empty());
}
