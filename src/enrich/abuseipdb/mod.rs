//! AbuseIPDB reputation for `ls-enrich --abuseipdb`: each public address asked about once
//! (the on-disk cache first), a small pool of threads asking concurrently, the daily quota
//! counted and kept, and every failure turned into a note for the record and one warning
//! for the run. Nothing here can stop the stream: a record whose lookup failed says why.

pub mod address;
pub mod cache;
pub mod client;

pub use address::is_public;
pub use client::{ClientError, LookupError, Reputation};

use cache::Cache;
use client::Client;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

/// Answers remembered in memory at most before the oldest are forgotten (the disk cache
/// still has them).
const MAX_REMEMBERED: usize = 100_000;

/// How `--abuseipdb` runs.
#[derive(Debug, Clone)]
pub struct AbuseConfig {
    /// The check endpoint.
    pub url: String,
    /// The API key (none: only the cache can answer).
    pub key: Option<String>,
    /// The cache file (none: this run only).
    pub cache_path: Option<PathBuf>,
    /// How long an answer stays fresh.
    pub ttl_seconds: i64,
    /// Requests per UTC day at most.
    pub daily_quota: u32,
    /// Per-request timeout.
    pub timeout: Duration,
    /// The longest Retry-After waited out.
    pub max_wait: Duration,
    /// Concurrent requests.
    pub workers: usize,
    /// No network: the cache only.
    pub offline: bool,
}

/// What is known of an address.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// Its reputation.
    Found(Reputation),
    /// Why there is none (for the record's note).
    Note(String),
}

/// What the lookups counted.
#[derive(Debug, Default, Clone, Copy)]
pub struct LookupCounts {
    /// Requests sent.
    pub requests: u64,
    /// Answers from the cache.
    pub cached: u64,
    /// Requests that failed.
    pub failed: u64,
    /// Addresses not asked about (quota, offline, key refused, rate limited).
    pub not_asked: u64,
}

/// An answer from a lookup thread: the address, the result, and whether a request was sent
/// (none is once the service has refused us: see [`Halt`]).
type Reply = (IpAddr, Result<Reputation, LookupError>, bool);

/// Set by the lookup thread that learns no later request can succeed (a refused key, a
/// long rate limit), so the others stop sending at once rather than when the main thread
/// hears of it.
type Halt = Arc<Mutex<Option<LookupError>>>;

/// The lookups of one run.
pub struct Lookups {
    program: &'static str,
    cache: Cache,
    answers: HashMap<IpAddr, Answer>,
    in_flight: HashSet<IpAddr>,
    jobs: Option<mpsc::Sender<IpAddr>>,
    replies: mpsc::Receiver<Reply>,
    workers: Vec<std::thread::JoinHandle<()>>,
    daily_quota: u32,
    offline: bool,
    /// Set once no later request can succeed (key refused, long rate limit).
    stopped: Option<String>,
    warned: BTreeSet<&'static str>,
    counts: LookupCounts,
}

impl Lookups {
    /// Opens the cache and starts the pool.
    pub fn start(program: &'static str, config: &AbuseConfig) -> Result<Self, ClientError> {
        let (cache, warning) = Cache::open(config.cache_path.clone(), config.ttl_seconds);
        let (reply_sender, replies) = mpsc::channel();
        let mut lookups = Lookups {
            program,
            cache,
            answers: HashMap::new(),
            in_flight: HashSet::new(),
            jobs: None,
            replies,
            workers: Vec::new(),
            daily_quota: config.daily_quota,
            offline: config.offline,
            stopped: None,
            warned: BTreeSet::new(),
            counts: LookupCounts::default(),
        };
        if let Some(warning) = warning {
            lookups.warn("cache", &warning);
        }
        if config.offline {
            return Ok(lookups);
        }
        let key = config.key.as_deref().unwrap_or_default();
        let client = Client::new(&config.url, key, config.timeout, config.max_wait)?;
        let (job_sender, jobs) = mpsc::channel::<IpAddr>();
        let jobs = Arc::new(Mutex::new(jobs));
        let halt: Halt = Arc::new(Mutex::new(None));
        for index in 0..config.workers.max(1) {
            let (client, jobs, replies, halt) = (client.clone(), jobs.clone(), reply_sender.clone(), halt.clone());
            let worker = std::thread::Builder::new()
                .name(format!("abuseipdb-{index}"))
                .spawn(move || loop {
                    // A poisoned lock means another worker panicked: stop too.
                    let job = match jobs.lock() {
                        Ok(jobs) => jobs.recv(),
                        Err(_) => return,
                    };
                    let Ok(address) = job else { return };
                    let halted = match halt.lock() {
                        Ok(halted) => halted.clone(),
                        Err(_) => return,
                    };
                    let reply = match halted {
                        Some(error) => (address, Err(error), false),
                        None => {
                            let result = client.check(address);
                            if let Err(error @ (LookupError::KeyRefused(_) | LookupError::RateLimited { .. })) = &result
                            {
                                if let Ok(mut halted) = halt.lock() {
                                    halted.get_or_insert(error.clone());
                                }
                            }
                            (address, result, true)
                        }
                    };
                    if replies.send(reply).is_err() {
                        return;
                    }
                })
                .map_err(ClientError::NoThread)?;
            lookups.workers.push(worker);
        }
        lookups.jobs = Some(job_sender);
        Ok(lookups)
    }

    /// The answer for `address` if known now; otherwise a lookup starts (or the reason none
    /// can is the answer).
    pub fn ask(&mut self, address: IpAddr) -> Option<&Answer> {
        if self.answers.contains_key(&address) || self.in_flight.contains(&address) {
            return self.answers.get(&address);
        }
        if self.answers.len() >= MAX_REMEMBERED && self.in_flight.is_empty() {
            self.answers.clear();
        }
        let now = chrono::Utc::now();
        if let Some(reputation) = self.cache.get(&address.to_string(), now.timestamp()) {
            self.counts.cached += 1;
            let answer = Answer::Found(reputation.clone());
            return Some(self.answers.entry(address).or_insert(answer));
        }
        let refusal = if self.offline {
            Some((
                "offline",
                "not in the AbuseIPDB cache, and --offline forbids a lookup".to_owned(),
            ))
        } else if let Some(why) = &self.stopped {
            Some(("stopped", why.clone()))
        } else if self.requests_today(now) + self.in_flight.len() as u64 >= u64::from(self.daily_quota) {
            Some((
                "quota",
                format!(
                    "not looked up: the daily AbuseIPDB quota of {} requests is used",
                    self.daily_quota
                ),
            ))
        } else {
            None
        };
        if let Some((kind, note)) = refusal {
            self.counts.not_asked += 1;
            if kind != "stopped" {
                self.warn(kind, &note);
            }
            return Some(self.answers.entry(address).or_insert(Answer::Note(note)));
        }
        let sent = self.jobs.as_ref().is_some_and(|jobs| jobs.send(address).is_ok());
        if !sent {
            let note = "AbuseIPDB lookup failed: the lookup threads stopped".to_owned();
            return Some(self.answers.entry(address).or_insert(Answer::Note(note)));
        }
        self.in_flight.insert(address);
        None
    }

    fn requests_today(&mut self, now: chrono::DateTime<chrono::Utc>) -> u64 {
        u64::from(self.cache.requests_on(&now.format("%Y-%m-%d").to_string()))
    }

    /// The answer for `address`, if it has come.
    pub fn answer(&self, address: IpAddr) -> Option<&Answer> {
        self.answers.get(&address)
    }

    /// Takes in answers that have come; with `wait`, waits for at least one if any lookup
    /// is under way. Returns whether one came.
    pub fn poll(&mut self, wait: bool) -> bool {
        let mut any = false;
        if wait && !self.in_flight.is_empty() {
            if let Ok(reply) = self.replies.recv() {
                self.take(reply);
                any = true;
            }
        }
        while let Ok(reply) = self.replies.try_recv() {
            self.take(reply);
            any = true;
        }
        any
    }

    /// Whether an address is still being looked up.
    pub fn is_pending(&self, address: IpAddr) -> bool {
        self.in_flight.contains(&address)
    }

    fn take(&mut self, (address, result, sent): Reply) {
        self.in_flight.remove(&address);
        if sent {
            self.cache
                .count_request(&chrono::Utc::now().format("%Y-%m-%d").to_string());
            self.counts.requests += 1;
        } else {
            self.counts.not_asked += 1;
        }
        let answer = match result {
            Ok(reputation) => {
                self.cache
                    .put(&address.to_string(), reputation.clone(), chrono::Utc::now().timestamp());
                Answer::Found(reputation)
            }
            Err(error) => {
                self.counts.failed += u64::from(sent);
                let note = if sent {
                    error.note()
                } else {
                    format!("not looked up: {}", error.note())
                };
                match &error {
                    LookupError::KeyRefused(_) => {
                        self.stopped = Some(format!("not looked up: {note}"));
                        self.warn(error.kind(), &format!("{note}: no more lookups this run"));
                    }
                    LookupError::RateLimited { .. } => {
                        self.stopped = Some(format!("not looked up: {note}"));
                        self.warn(error.kind(), &format!("{note}: no more lookups this run"));
                    }
                    _ => self.warn(
                        error.kind(),
                        &format!("{note} (for {address}; later failures of this kind are noted on their records only)"),
                    ),
                }
                Answer::Note(note)
            }
        };
        self.answers.insert(address, answer);
    }

    fn warn(&mut self, kind: &'static str, message: &str) {
        if self.warned.insert(kind) {
            let _ = writeln!(
                std::io::stderr().lock(),
                "{}: warning: {}",
                self.program,
                crate::text::printable(message)
            );
        }
    }

    /// What was counted.
    pub fn counts(&self) -> LookupCounts {
        self.counts
    }

    /// Stops the pool and writes the cache.
    pub fn finish(&mut self) {
        self.jobs = None;
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
        if let Err(error) = self.cache.save(chrono::Utc::now().timestamp()) {
            let path = self
                .cache
                .path()
                .map(|path| path.display().to_string())
                .unwrap_or_default();
            self.warn("cache", &format!("cannot write the AbuseIPDB cache {path}: {error}"));
        }
    }
}

impl Drop for Lookups {
    fn drop(&mut self) {
        self.jobs = None;
    }
}
