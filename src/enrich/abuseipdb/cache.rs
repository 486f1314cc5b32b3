//! The on-disk AbuseIPDB cache: answers younger than the TTL are used instead of asking
//! again, across runs, and the day's request count is kept beside them so the daily quota
//! holds across runs too. Written whole to a temporary file and renamed, so a crash never
//! leaves half a cache. A file there that is not a cache (damaged, or the wrong path given)
//! is never written over: the run keeps its answers in memory, with a warning, never fatal.

use super::client::Reputation;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

/// Answers kept at most (the oldest go first).
const MAX_ENTRIES: usize = 200_000;

#[derive(Debug, Default, Serialize, Deserialize)]
struct CacheFile {
    /// The UTC day `requests` counts.
    day: String,
    /// Requests sent to AbuseIPDB on `day`.
    requests: u32,
    /// Answers by address.
    entries: BTreeMap<String, Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    /// When it was fetched (seconds since the epoch).
    fetched_at: i64,
    reputation: Reputation,
}

/// The cache, in memory while a run lasts.
#[derive(Debug)]
pub struct Cache {
    path: Option<PathBuf>,
    file: CacheFile,
    ttl_seconds: i64,
    dirty: bool,
}

impl Cache {
    /// Reads the cache at `path` (none: this run only). A problem reading it is returned as
    /// a warning and the run starts with an empty cache, kept in memory only when the file
    /// there could not be read: what is there is the user's, not ours to replace.
    pub fn open(mut path: Option<PathBuf>, ttl_seconds: i64) -> (Self, Option<String>) {
        let mut warning = None;
        let file = match &path {
            None => CacheFile::default(),
            Some(at) => match std::fs::read(at) {
                Ok(bytes) => match serde_json::from_slice(&bytes) {
                    Ok(file) => file,
                    Err(error) => {
                        warning = Some(format!(
                            "{} is not an AbuseIPDB cache ({error}); it is left as it is and this run's \
                             answers are kept in memory only (remove it, or name another --abuseipdb-cache)",
                            at.display()
                        ));
                        path = None;
                        CacheFile::default()
                    }
                },
                Err(error) if error.kind() == io::ErrorKind::NotFound => CacheFile::default(),
                Err(error) => {
                    warning = Some(format!(
                        "cannot read the AbuseIPDB cache {}: {error}; this run's answers are kept in memory only",
                        at.display()
                    ));
                    path = None;
                    CacheFile::default()
                }
            },
        };
        (
            Cache {
                path,
                file,
                ttl_seconds,
                dirty: false,
            },
            warning,
        )
    }

    /// A fresh answer for `address`.
    pub fn get(&self, address: &str, now: i64) -> Option<&Reputation> {
        self.file
            .entries
            .get(address)
            .filter(|entry| now - entry.fetched_at < self.ttl_seconds)
            .map(|entry| &entry.reputation)
    }

    /// Keeps an answer.
    pub fn put(&mut self, address: &str, reputation: Reputation, now: i64) {
        self.file.entries.insert(
            address.to_owned(),
            Entry {
                fetched_at: now,
                reputation,
            },
        );
        self.dirty = true;
    }

    /// Requests sent on `day` (a new day starts from zero).
    pub fn requests_on(&mut self, day: &str) -> u32 {
        if self.file.day != day {
            self.file.day = day.to_owned();
            self.file.requests = 0;
        }
        self.file.requests
    }

    /// Counts a request sent on `day`.
    pub fn count_request(&mut self, day: &str) {
        self.requests_on(day);
        self.file.requests += 1;
        self.dirty = true;
    }

    /// Where it is kept, if anywhere.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Writes the cache if anything changed: expired answers dropped, at most
    /// [`MAX_ENTRIES`] kept.
    pub fn save(&mut self, now: i64) -> io::Result<()> {
        let Some(path) = &self.path else { return Ok(()) };
        if !self.dirty {
            return Ok(());
        }
        let ttl = self.ttl_seconds;
        self.file.entries.retain(|_, entry| now - entry.fetched_at < ttl);
        if self.file.entries.len() > MAX_ENTRIES {
            let mut ages: Vec<i64> = self.file.entries.values().map(|entry| entry.fetched_at).collect();
            ages.sort_unstable();
            let cutoff = ages[ages.len() - MAX_ENTRIES];
            self.file.entries.retain(|_, entry| entry.fetched_at >= cutoff);
        }
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let temporary = path.with_extension(format!("tmp.{}", std::process::id()));
        let text = serde_json::to_vec(&self.file).map_err(io::Error::other)?;
        std::fs::write(&temporary, text)?;
        std::fs::rename(&temporary, path)?;
        self.dirty = false;
        Ok(())
    }
}

/// Where the cache lives unless `--abuseipdb-cache` says: `$XDG_CACHE_HOME/logsentry/`, else
/// `~/.cache/logsentry/`.
pub fn default_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|home| !home.is_empty())
                .map(|home| PathBuf::from(home).join(".cache"))
        })?;
    Some(base.join("logsentry").join("abuseipdb.json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reputation(score: u32) -> Reputation {
        Reputation {
            abuse_confidence_score: score,
            total_reports: 1,
            last_reported_at: None,
            country_code: Some("NL".to_owned()),
            isp: None,
            usage_type: None,
            domain: None,
        }
    }

    #[test]
    fn answers_and_the_days_count_survive_a_run_until_they_expire() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub").join("abuseipdb.json");
        let (mut cache, warning) = Cache::open(Some(path.clone()), 100);
        assert!(warning.is_none());
        cache.put("8.8.8.8", reputation(90), 1_000);
        cache.count_request("2026-11-21");
        cache.save(1_000).expect("save");
        let (mut again, _) = Cache::open(Some(path.clone()), 100);
        assert_eq!(again.get("8.8.8.8", 1_050), Some(&reputation(90)));
        assert_eq!(again.get("8.8.8.8", 1_100), None, "expired after the TTL");
        assert_eq!(again.requests_on("2026-11-21"), 1);
        assert_eq!(again.requests_on("2026-11-22"), 0, "a new day, a new quota");
        std::fs::write(&path, "{not json").expect("damage");
        let (mut damaged, warning) = Cache::open(Some(path.clone()), 100);
        assert!(warning.is_some_and(|w| w.contains("is not an AbuseIPDB cache")));
        assert_eq!(damaged.get("8.8.8.8", 1_000), None);
        damaged.put("8.8.4.4", reputation(10), 1_000);
        damaged.save(1_000).expect("save");
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "{not json",
            "a file that is not a cache is never replaced"
        );
        assert_eq!(damaged.get("8.8.4.4", 1_000), Some(&reputation(10)), "kept in memory");
    }
}
