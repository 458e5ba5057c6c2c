//! The backend cache (`--cache-dir`): objects stored under their backend's
//! key (dtlto-core's `cache_key`), so that a relink reruns only the
//! backends whose inputs changed.
//!
//! Entries are written to a temporary file and renamed into place, so two
//! links sharing a directory never see half an entry; two links storing
//! the same key store the same bytes. Each entry carries a digest of its
//! object: a truncated or damaged entry is a miss (and is removed), never
//! an object in a link. Pruning follows LLVM's `--thinlto-cache-policy`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::{bail, Context, Result};
use dtlto_core::bitcode::{positions_by_path, BitcodeModule};
use dtlto_core::cache_key::{backend_key, module_digest, ContentDigest};
use dtlto_core::plan::BackendPlan;
use rayon::prelude::*;

use crate::driver::LinkerCommand;
use crate::link_record::LinkRecord;

/// An entry is the object itself followed by a trailer: CRC-32 of the
/// object (u32), its length (u64), magic. Linkers read ELF objects through
/// their headers and ignore what follows, so a hit is linked straight from
/// a hard link to the entry, without a copy.
const MAGIC: &[u8; 8] = b"DTLTOCE2";
const TRAILER: usize = 4 + 8 + 4 + 8;
const PREFIX: &str = "dtlto-";
const TIMESTAMP: &str = "dtlto-cache.timestamp";

pub struct Cache {
    dir: PathBuf,
}

/// A sound entry found for a key.
pub struct Hit(PathBuf);

impl Hit {
    /// Puts the cached object at `dest`: a hard link to the entry (which
    /// stays valid if a concurrent prune removes the entry), else a copy.
    pub fn place(&self, dest: &Path) -> Result<()> {
        if std::fs::hard_link(&self.0, dest).is_ok() {
            return Ok(());
        }
        std::fs::copy(&self.0, dest)
            .map(|_| ())
            .with_context(|| format!("cannot copy {} to {}", self.0.display(), dest.display()))
    }
}

impl Cache {
    pub fn open(dir: &Path) -> Result<Cache> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the cache directory {}", dir.display()))?;
        Ok(Cache {
            dir: dir.to_path_buf(),
        })
    }

    fn entry(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{PREFIX}{key}.o"))
    }

    /// The entry stored under `key`, if it is sound. A damaged entry is
    /// removed so that the rebuilt object replaces it.
    pub fn get(&self, key: &str) -> Option<Hit> {
        let path = self.entry(key);
        let bytes = std::fs::read(&path).ok()?;
        if object_of(&bytes).is_none() {
            let _ = std::fs::remove_file(&path);
            return None;
        }
        // Pruning is least-recently-used by modification time.
        if let Ok(file) = std::fs::File::options().write(true).open(&path) {
            let _ = file.set_modified(SystemTime::now());
        }
        Some(Hit(path))
    }

    /// Every part's entry of a split module's key, or `None` unless all
    /// are there and sound.
    pub fn get_parts(&self, key: &str, parts: u32) -> Option<Vec<Hit>> {
        object_keys(key, parts)
            .iter()
            .map(|k| self.get(k))
            .collect()
    }

    pub fn put(&self, key: &str, object: &[u8]) -> Result<()> {
        let mut tmp = tempfile::Builder::new()
            .prefix(".dtlto-")
            .tempfile_in(&self.dir)
            .with_context(|| format!("cannot write to the cache {}", self.dir.display()))?;
        tmp.write_all(object)?;
        tmp.write_all(&crc32fast::hash(object).to_le_bytes())?;
        tmp.write_all(&(object.len() as u64).to_le_bytes())?;
        tmp.write_all(&[0; 4])?;
        tmp.write_all(MAGIC)?;
        tmp.persist(self.entry(key))
            .with_context(|| format!("cannot store a cache entry in {}", self.dir.display()))?;
        Ok(())
    }

    /// A JSON record (link record, driver answer) stored under `key`; a
    /// damaged one is removed and is a miss. A hit counts as a use for
    /// pruning.
    fn get_json<T: serde::de::DeserializeOwned>(&self, key: &str, kind: &str) -> Option<T> {
        let path = self.dir.join(format!("{PREFIX}{key}.{kind}"));
        let text = std::fs::read(&path).ok()?;
        match serde_json::from_slice(&text) {
            Ok(record) => {
                if let Ok(file) = std::fs::File::options().write(true).open(&path) {
                    let _ = file.set_modified(SystemTime::now());
                }
                Some(record)
            }
            Err(_) => {
                let _ = std::fs::remove_file(&path);
                None
            }
        }
    }

    fn put_json<T: serde::Serialize>(&self, key: &str, kind: &str, record: &T) -> Result<()> {
        let mut tmp = tempfile::Builder::new()
            .prefix(".dtlto-")
            .tempfile_in(&self.dir)
            .with_context(|| format!("cannot write to the cache {}", self.dir.display()))?;
        tmp.write_all(&serde_json::to_vec(record)?)?;
        tmp.persist(self.dir.join(format!("{PREFIX}{key}.{kind}")))
            .with_context(|| format!("cannot store a {kind} record in {}", self.dir.display()))?;
        Ok(())
    }

    /// The link record stored under `key` (see `link_record`).
    pub fn get_record(&self, key: &str) -> Option<LinkRecord> {
        self.get_json(key, "link")
    }

    pub fn put_record(&self, key: &str, record: &LinkRecord) -> Result<()> {
        self.put_json(key, "link", record)
    }

    /// The driver's answer stored under `key` (see `link_record::driver_key`).
    pub fn get_driver_answer(&self, key: &str) -> Option<LinkerCommand> {
        self.get_json(key, "driver")
    }

    pub fn put_driver_answer(&self, key: &str, cmd: &LinkerCommand) -> Result<()> {
        self.put_json(key, "driver", cmd)
    }

    /// Prunes by `policy`, at most once per its interval.
    pub fn prune(&self, policy: &CachePolicy) -> Result<()> {
        let stamp = self.dir.join(TIMESTAMP);
        let now = SystemTime::now();
        if let Some(interval) = policy.interval {
            let last = std::fs::metadata(&stamp).and_then(|m| m.modified()).ok();
            if last.is_some_and(|t| now.duration_since(t).unwrap_or_default() < interval) {
                return Ok(());
            }
        }
        std::fs::write(&stamp, b"")?;
        let mut entries: Vec<(SystemTime, u64, PathBuf)> = Vec::new();
        for entry in std::fs::read_dir(&self.dir)? {
            let entry = entry?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if !name.starts_with(PREFIX) || name == TIMESTAMP {
                continue;
            }
            let meta = entry.metadata()?;
            let modified = meta.modified()?;
            if policy
                .expiration
                .is_some_and(|e| now.duration_since(modified).unwrap_or_default() > e)
            {
                let _ = std::fs::remove_file(entry.path());
                continue;
            }
            entries.push((modified, meta.len(), entry.path()));
        }
        // Oldest first: those go when the cache is over a size limit.
        entries.sort();
        let mut total: u64 = entries.iter().map(|e| e.1).sum();
        let mut limit = u64::MAX;
        if policy.max_bytes > 0 {
            limit = policy.max_bytes;
        }
        if policy.max_percent_of_free > 0 {
            let stat = nix::sys::statvfs::statvfs(&self.dir)?;
            let free = stat.blocks_available() as u64 * stat.fragment_size() as u64;
            limit = limit.min((free + total) / 100 * policy.max_percent_of_free as u64);
        }
        let mut count = entries.len() as u64;
        for (_, size, path) in &entries {
            let over_files = policy.max_files > 0 && count > policy.max_files;
            if total <= limit && !over_files {
                break;
            }
            let _ = std::fs::remove_file(path);
            total -= size;
            count -= 1;
        }
        Ok(())
    }
}

/// The object of an entry, if the entry is whole and sound.
fn object_of(bytes: &[u8]) -> Option<&[u8]> {
    let body = bytes.len().checked_sub(TRAILER)?;
    let (object, trailer) = bytes.split_at(body);
    if &trailer[16..] != MAGIC {
        return None;
    }
    let crc = u32::from_le_bytes(trailer[..4].try_into().ok()?);
    let len = u64::from_le_bytes(trailer[4..12].try_into().ok()?);
    (len == object.len() as u64 && crc32fast::hash(object) == crc).then_some(object)
}

/// LLVM's cache pruning policy (`--thinlto-cache-policy`), with LLVM's
/// defaults: prune every 20 minutes, entries unused for a week, the cache
/// kept under 75% of the free space and a million files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachePolicy {
    /// `prune_interval`: `None` never prunes; zero prunes at every link.
    pub interval: Option<Duration>,
    /// `prune_after`: entries unused for this long go.
    pub expiration: Option<Duration>,
    /// `cache_size=N%` of the free space (plus the cache); 0: no limit.
    pub max_percent_of_free: u32,
    /// `cache_size_bytes`; 0: no limit.
    pub max_bytes: u64,
    /// `cache_size_files`; 0: no limit.
    pub max_files: u64,
}

impl Default for CachePolicy {
    fn default() -> Self {
        CachePolicy {
            interval: Some(Duration::from_secs(20 * 60)),
            expiration: Some(Duration::from_secs(7 * 24 * 3600)),
            max_percent_of_free: 75,
            max_bytes: 0,
            max_files: 1_000_000,
        }
    }
}

impl CachePolicy {
    /// `key=value` pairs separated by `:`, e.g.
    /// `prune_interval=1h:prune_after=2d:cache_size_bytes=1g`.
    pub fn parse(text: &str) -> Result<CachePolicy> {
        let mut policy = CachePolicy::default();
        for item in text.split(':').filter(|s| !s.is_empty()) {
            let Some((key, value)) = item.split_once('=') else {
                bail!("cache policy: `{item}` is not key=value");
            };
            match key {
                "prune_interval" => policy.interval = Some(duration(value)?),
                "prune_after" => {
                    let d = duration(value)?;
                    policy.expiration = (!d.is_zero()).then_some(d);
                }
                "cache_size" => {
                    let Some(n) = value.strip_suffix('%').and_then(|n| n.parse::<u32>().ok())
                    else {
                        bail!("cache policy: cache_size takes a percentage, got `{value}`");
                    };
                    if n > 100 {
                        bail!("cache policy: cache_size {n}% is over 100%");
                    }
                    policy.max_percent_of_free = n;
                }
                "cache_size_bytes" => policy.max_bytes = bytes(value)?,
                "cache_size_files" => {
                    policy.max_files = value.parse().with_context(|| {
                        format!("cache policy: cache_size_files takes a number, got `{value}`")
                    })?
                }
                _ => bail!(
                    "cache policy: unknown key `{key}` (prune_interval, prune_after, cache_size, cache_size_bytes, cache_size_files)"
                ),
            }
        }
        Ok(policy)
    }
}

/// `30s`, `20m`, `1h`, `7d`, as LLVM's policy parser spells durations.
fn duration(value: &str) -> Result<Duration> {
    let (n, unit) = value.split_at(value.len().saturating_sub(1));
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => bail!("cache policy: `{value}` is not a duration (30s, 20m, 1h, 7d)"),
    };
    let n: u64 = n
        .parse()
        .with_context(|| format!("cache policy: `{value}` is not a duration"))?;
    Ok(Duration::from_secs(n * seconds))
}

/// `1000`, `64k`, `100m`, `2g`.
fn bytes(value: &str) -> Result<u64> {
    let lower = value.to_ascii_lowercase();
    let (n, scale) = match lower.chars().last() {
        Some('k') => (&lower[..lower.len() - 1], 1 << 10),
        Some('m') => (&lower[..lower.len() - 1], 1 << 20),
        Some('g') => (&lower[..lower.len() - 1], 1 << 30),
        _ => (lower.as_str(), 1),
    };
    let n: u64 = n
        .parse()
        .with_context(|| format!("cache policy: `{value}` is not a size (1000, 64k, 100m, 2g)"))?;
    Ok(n * scale)
}

/// The cache keys of a module's objects: its backend key for part 0 (and
/// an unsplit module), `<key>-part<p>` for the other parts.
pub fn object_keys(key: &str, parts: u32) -> Vec<String> {
    (0..parts.max(1))
        .map(|p| match p {
            0 => key.to_string(),
            p => format!("{key}-part{p}"),
        })
        .collect()
}

/// What built the objects: part of every key.
pub fn toolchain() -> String {
    let (major, minor, patch) = dtlto_llvm::llvm_version();
    format!(
        "dtlto {} backend r{} LLVM {major}.{minor}.{patch}",
        env!("CARGO_PKG_VERSION"),
        dtlto_llvm::BACKEND_REVISION
    )
}

/// The code-generation options in every key: the jobs' options, less the
/// verifier, which never changes an object (one entry serves both).
pub fn key_options(options: &dtlto_llvm::BackendOptions) -> Vec<String> {
    // Neither the verifier, remarks nor the pass manager's debug output
    // change an object (LLVM's cache key holds none of them): a cached
    // object serves a link that asks for them, and that module writes no
    // remarks and prints no passes, as in lld.
    crate::delegate::backend_args(&dtlto_llvm::BackendOptions {
        verify: false,
        remarks: None,
        debug_pass_manager: false,
        ..options.clone()
    })
}

/// The key of every module's backend, in module order.
pub fn backend_keys(
    modules: &[std::sync::Arc<BitcodeModule>],
    plans: &[BackendPlan],
    options: &[String],
) -> Vec<String> {
    let toolchain = toolchain();
    let digests: Vec<ContentDigest> = modules
        .par_iter()
        .map(|m| module_digest(&m.hash, &m.bitcode))
        .collect();
    let position = positions_by_path(modules);
    let digest_of = |path: &str| position.get(path).map_or([0; 16], |&i| digests[i]);
    plans
        .par_iter()
        .enumerate()
        .map(|(i, plan)| {
            let imports: Vec<ContentDigest> =
                plan.imports.iter().map(|s| digest_of(&s.module)).collect();
            backend_key(&toolchain, options, plan, &digests[i], &imports)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_parse_with_llvm_names() {
        let p = CachePolicy::parse(
            "prune_interval=0s:prune_after=2d:cache_size=50%:cache_size_bytes=64k:cache_size_files=3",
        )
        .unwrap();
        assert_eq!(p.interval, Some(Duration::ZERO));
        assert_eq!(p.expiration, Some(Duration::from_secs(2 * 86400)));
        assert_eq!(p.max_percent_of_free, 50);
        assert_eq!(p.max_bytes, 64 * 1024);
        assert_eq!(p.max_files, 3);
        assert_eq!(CachePolicy::parse("").unwrap(), CachePolicy::default());
        for bad in [
            "size=1",
            "cache_size=101%",
            "prune_after=3w",
            "cache_size_bytes=x",
        ] {
            assert!(CachePolicy::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn damaged_entries_are_misses_and_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        cache.put("k1", b"object bytes").unwrap();
        let hit = cache.get("k1").expect("a sound entry");
        let placed = dir.path().join("placed.o");
        hit.place(&placed).unwrap();
        let placed = std::fs::read(&placed).unwrap();
        assert_eq!(object_of(&placed), Some(&b"object bytes"[..]));
        let path = cache.entry("k1");
        let full = std::fs::read(&path).unwrap();
        for damaged in [
            full[..full.len() - 1].to_vec(),
            full[..10].to_vec(),
            Vec::new(),
            {
                let mut d = full.clone();
                let last = d.len() - 1;
                d[last] ^= 1;
                d
            },
        ] {
            std::fs::write(&path, &damaged).unwrap();
            assert!(cache.get("k1").is_none());
            assert!(!path.exists(), "a damaged entry stays");
        }
    }

    #[test]
    fn pruning_keeps_the_newest_within_the_limits() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        for k in ["a", "b", "c", "d"] {
            cache.put(k, &[0u8; 100]).unwrap();
            let old = SystemTime::now()
                - Duration::from_secs(match k {
                    "a" => 400,
                    "b" => 300,
                    "c" => 200,
                    _ => 100,
                });
            std::fs::File::options()
                .write(true)
                .open(cache.entry(k))
                .unwrap()
                .set_modified(old)
                .unwrap();
        }
        let policy =
            CachePolicy::parse("prune_interval=0s:prune_after=350s:cache_size_files=2").unwrap();
        cache.prune(&policy).unwrap();
        let left: Vec<bool> = ["a", "b", "c", "d"]
            .iter()
            .map(|k| cache.entry(k).exists())
            .collect();
        assert_eq!(left, [false, false, true, true]);
        // Within the interval nothing is pruned.
        let policy = CachePolicy::parse("prune_interval=1h:cache_size_files=1").unwrap();
        cache.prune(&policy).unwrap();
        assert!(cache.entry("c").exists());
    }
}
