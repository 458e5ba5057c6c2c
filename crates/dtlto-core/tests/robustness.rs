//! The bitcode reader on damaged input: truncated and mutated variants of
//! real clang-22 ThinLTO objects must each give an error naming the file or
//! a successful read, and never a panic.

use std::path::Path;
use std::process::Command;

use dtlto_core::bitcode::{read_bitcode, read_symbols};

fn compile(src: &Path, out: &Path) -> Vec<u8> {
    let status = Command::new("clang-22")
        .args(["-flto=thin", "-O2", "-g", "-c"])
        .arg(src)
        .arg("-o")
        .arg(out)
        .status()
        .expect("clang-22 must be installed (ci/setup)");
    assert!(status.success());
    std::fs::read(out).unwrap()
}

/// xorshift64: a fixed, dependency-free sequence of mutations.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn check(name: &str, data: &[u8]) -> bool {
    // The symbols-only read (a linker plugin's claim) must not panic
    // either; it reads less, so it may accept what the full read refuses.
    match std::panic::catch_unwind(|| read_symbols(name, data)) {
        Ok(Err(e)) => assert!(e.to_string().starts_with(name), "{e}"),
        Ok(Ok(_)) => {}
        Err(_) => panic!("symbols-only reader panicked on {name}"),
    }
    match std::panic::catch_unwind(|| read_bitcode(name, data)) {
        Ok(Ok(_)) => true,
        Ok(Err(e)) => {
            assert!(
                e.to_string().starts_with(name),
                "error does not name the file: {e}"
            );
            false
        }
        Err(_) => panic!("reader panicked on {name}"),
    }
}

#[test]
fn damaged_bitcode_is_an_error_never_a_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let work = tempfile::tempdir().unwrap();
    let mut originals = Vec::new();
    for src in [
        "examples/hello-thin/main.c",
        "examples/hello-thin/shapes.c",
        "tests/programs/c-linkage/b.c",
    ] {
        let out = work.path().join("x.o");
        originals.push(compile(&root.join(src), &out));
    }
    for data in &originals {
        assert!(check("original.o", data), "the unmodified object must read");
    }

    let mut rng = Rng(0x9e3779b97f4a7c15);
    let mut variants = 0;
    let mut errors = 0;
    for (n, data) in originals.iter().enumerate() {
        // Every truncation point on a coarse grid, and the last 64 bytes exactly.
        let step = (data.len() / 1500).max(1);
        let cuts = (0..data.len())
            .step_by(step)
            .chain(data.len().saturating_sub(64)..data.len());
        for cut in cuts {
            variants += 1;
            errors += !check(&format!("cut{n}-{cut}.o"), &data[..cut]) as usize;
        }
        // Random byte flips, 1 to 8 per variant.
        for v in 0..2000 {
            let mut copy = data.clone();
            for _ in 0..=(rng.next() % 8) {
                let at = (rng.next() as usize) % copy.len();
                copy[at] ^= (rng.next() % 255 + 1) as u8;
            }
            variants += 1;
            errors += !check(&format!("flip{n}-{v}.o"), &copy) as usize;
        }
    }
    assert!(variants >= 10_000, "only {variants} variants");
    // Truncations alone guarantee many failures; make sure errors happened.
    assert!(
        errors > variants / 4,
        "{errors} errors of {variants} variants"
    );
}

#[test]
fn symbols_alone_are_those_of_the_full_read() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let work = tempfile::tempdir().unwrap();
    for src in [
        "examples/hello-thin/main.c",
        "tests/programs/cxx-features/main.cpp",
    ] {
        let data = compile(&root.join(src), &work.path().join("x.o"));
        let module = read_bitcode(src, &data).unwrap();
        let (symbols, comdats) = read_symbols(src, &data).unwrap();
        assert!(!symbols.is_empty(), "{src}");
        assert_eq!(symbols, module.symbols, "{src}");
        assert_eq!(comdats, module.symtab_comdats, "{src}");
    }
}

#[test]
fn bitcode_without_summary_is_refused_with_the_flag_to_use() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("full.o");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let status = Command::new("clang-22")
        .args(["-O2", "-c", "-emit-llvm"])
        .arg(root.join("examples/hello-thin/shapes.c"))
        .arg("-o")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let err = read_bitcode("full.o", &std::fs::read(&out).unwrap()).unwrap_err();
    assert!(
        err.to_string().contains("full.o") && err.to_string().contains("-flto=thin"),
        "{err}"
    );
}
