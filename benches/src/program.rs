//! Programs to benchmark: a corpus program (`../shared/corpus/NAME`, sources
//! fetched with the corpus's `get`) or any directory with a `build.json` in
//! the corpus's format whose sources sit beside it. Compiled to ThinLTO
//! bitcode once, cached by the content of the manifest, the compiler's
//! version and the sources.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use md5::{Digest, Md5};

pub struct Program {
    pub name: String,
    pub dir: PathBuf,
    pub src: PathBuf,
    pub manifest: serde_json::Value,
    /// Compiled objects (absolute paths), in link order.
    pub objects: Vec<PathBuf>,
    pub libs: Vec<String>,
    pub output: String,
}

fn strings(manifest: &serde_json::Value, key: &str) -> Vec<String> {
    manifest[key]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn tool_output(cmd: &mut Command) -> Result<String> {
    let out = cmd
        .output()
        .with_context(|| format!("cannot run {cmd:?}"))?;
    if !out.status.success() {
        bail!("{cmd:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

impl Program {
    /// `spec`: a corpus program name or a directory with a build.json.
    pub fn prepare(spec: &str, corpus: &Path, cache: &Path) -> Result<Program> {
        let dir = if Path::new(spec).join("build.json").is_file() {
            PathBuf::from(spec)
        } else {
            corpus.join(spec)
        };
        let text = std::fs::read_to_string(dir.join("build.json"))
            .with_context(|| format!("{}: no build.json (not a corpus program?)", dir.display()))?;
        let manifest: serde_json::Value =
            serde_json::from_str(&text).with_context(|| format!("{}/build.json", dir.display()))?;
        let name = manifest["name"].as_str().unwrap_or(spec).to_string();
        let src = if manifest.get("debian").is_some() {
            PathBuf::from(tool_output(Command::new(corpus.join("get")).arg(&dir))?)
        } else {
            dir.clone()
        };
        let sources = strings(&manifest, "sources");
        let mut key = Md5::new();
        key.update(text.as_bytes());
        key.update(tool_output(Command::new("clang-22").arg("--version"))?.as_bytes());
        for s in &sources {
            key.update(
                std::fs::read(src.join(s)).with_context(|| format!("{}/{s}", src.display()))?,
            );
        }
        let digest: String = key.finalize().iter().map(|b| format!("{b:02x}")).collect();
        let out_dir = cache.join(format!("{name}-{}", &digest[..16]));
        let objects: Vec<PathBuf> = sources
            .iter()
            .map(|s| out_dir.join(format!("{}.o", s.replace('/', "_"))))
            .collect();
        if !out_dir.join("done").is_file() {
            std::fs::create_dir_all(&out_dir)?;
            compile_all(&manifest, &src, &sources, &objects)?;
            std::fs::write(out_dir.join("done"), b"")?;
        }
        let mut libs = strings(&manifest, "ldflags");
        if manifest["lang"] == "c++" {
            libs.push("-lstdc++".into());
        }
        let output = manifest["output"].as_str().unwrap_or("a.out").to_string();
        Ok(Program {
            name,
            dir,
            src,
            manifest,
            objects,
            libs,
            output,
        })
    }

    /// Source `i` compiled again with one more (unused) function in it, into
    /// `object`: a one-file change for relink measurements.
    pub fn compile_changed(&self, i: usize, object: &Path) -> Result<()> {
        let sources = strings(&self.manifest, "sources");
        let source = sources.get(i).context("no such source")?;
        let header = object.with_extension("change.h");
        std::fs::write(
            &header,
            "int dtlto_bench_one_file_change(int x) { return x + 1; }\n",
        )?;
        let cxx = !source.ends_with(".c");
        tool_output(
            Command::new(if cxx { "clang++-22" } else { "clang-22" })
                .current_dir(&self.src)
                .args(["-flto=thin", "-O2", "-c"])
                .args(strings(&self.manifest, "cflags"))
                .args(strings(
                    &self.manifest,
                    if cxx { "cxxflags" } else { "cflags_c" },
                ))
                .arg("-include")
                .arg(&header)
                .arg(source)
                .arg("-o")
                .arg(object),
        )?;
        Ok(())
    }

    /// Instructions `binary` executes during the program's check, counted
    /// by callgrind (exact and repeatable, unlike wall time; the check's
    /// own shell, cat, cmp ... are not counted). Each run of the binary is
    /// started through a wrapper script in `work` that runs it under
    /// valgrind; the per-process totals are summed.
    pub fn check_instructions(&self, binary: &Path, work: &Path) -> Result<u64> {
        let dir = work.join("callgrind");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        // The wrapper keeps the binary's name: git dispatches on it.
        let name = binary.file_name().context("binary without a name")?;
        let wrapper = dir.join(name);
        std::fs::write(
            &wrapper,
            format!(
                "#!/bin/sh\nexec valgrind -q --tool=callgrind --callgrind-out-file={}/out.%p {} \"$@\"\n",
                dir.display(),
                binary.display()
            ),
        )?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755))?;
        let out = self
            .check_command(&wrapper)
            .stdout(std::process::Stdio::null())
            .output()
            .context("cannot run the check under valgrind")?;
        if !out.status.success() {
            bail!(
                "the check failed under valgrind:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let mut total = 0u64;
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if !path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("out."))
            {
                continue;
            }
            let text = std::fs::read_to_string(&path)?;
            let line = text
                .lines()
                .find_map(|l| {
                    l.strip_prefix("totals:")
                        .or_else(|| l.strip_prefix("summary:"))
                })
                .with_context(|| format!("{}: no totals", path.display()))?;
            total += line
                .split_whitespace()
                .next()
                .and_then(|n| n.parse::<u64>().ok())
                .with_context(|| format!("{}: bad totals", path.display()))?;
        }
        if total == 0 {
            bail!("the check never ran the binary");
        }
        Ok(total)
    }

    /// The program's own check on `binary` (cwd: the program's directory).
    pub fn check_command(&self, binary: &Path) -> Command {
        let mut cmd = Command::new("bash");
        cmd.arg("-c")
            .arg(self.manifest["check"].as_str().unwrap_or("false"))
            .current_dir(&self.dir)
            .env("BIN", binary)
            .env("SRC", &self.src);
        cmd
    }
}

fn compile_all(
    manifest: &serde_json::Value,
    src: &Path,
    sources: &[String],
    objects: &[PathBuf],
) -> Result<()> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| -> Result<()> {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(source) = sources.get(i) else {
                            return Ok(());
                        };
                        let cxx = !source.ends_with(".c");
                        tool_output(
                            Command::new(if cxx { "clang++-22" } else { "clang-22" })
                                .current_dir(src)
                                .args(["-flto=thin", "-O2", "-c"])
                                .args(strings(manifest, "cflags"))
                                .args(strings(manifest, if cxx { "cxxflags" } else { "cflags_c" }))
                                .arg(source)
                                .arg("-o")
                                .arg(&objects[i]),
                        )?;
                    }
                })
            })
            .collect();
        handles.into_iter().try_for_each(|h| {
            h.join()
                .unwrap_or_else(|_| bail!("compiler thread panicked"))
        })
    })
}
