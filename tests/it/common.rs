//! Running `ls-parse`, and the event schema as a strict wire format: an unknown or mistyped
//! field fails deserialisation, so schema drift fails a test.

#![allow(dead_code)]

use serde::Deserialize;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

pub const LS_PARSE: &str = env!("CARGO_BIN_EXE_ls-parse");
pub const LS_DETECT: &str = env!("CARGO_BIN_EXE_ls-detect");
pub const LS_CORRELATE: &str = env!("CARGO_BIN_EXE_ls-correlate");
pub const LS_ENRICH: &str = env!("CARGO_BIN_EXE_ls-enrich");
pub const LS_REPORT: &str = env!("CARGO_BIN_EXE_ls-report");
pub const LOGSENTRY: &str = env!("CARGO_BIN_EXE_logsentry");
pub const LS_HISTORY: &str = env!("CARGO_BIN_EXE_ls-history");

pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn sample(name: &str) -> std::path::PathBuf {
    repo_root().join("sample_logs").join(name)
}

/// The entries of a directory, sorted.
pub fn sorted_entries(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    entries
}

/// Appends text to a file, as a logging daemon would.
pub fn append(path: &Path, text: &str) {
    std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .unwrap_or_else(|e| panic!("append to {}: {e}", path.display()));
}

/// Runs ls-parse with arguments and stdin; UTC so timestamps are stable.
pub fn ls_parse(args: &[&str], stdin: &[u8]) -> Output {
    run_with_stdin(LS_PARSE, args, stdin)
}

/// Runs ls-detect with arguments and stdin.
pub fn ls_detect(args: &[&str], stdin: &[u8]) -> Output {
    run_with_stdin(LS_DETECT, args, stdin)
}

/// Runs ls-correlate with arguments and stdin.
pub fn ls_correlate(args: &[&str], stdin: &[u8]) -> Output {
    run_with_stdin(LS_CORRELATE, args, stdin)
}

/// Runs ls-enrich with arguments and stdin.
pub fn ls_enrich(args: &[&str], stdin: &[u8]) -> Output {
    run_with_stdin(LS_ENRICH, args, stdin)
}

/// Runs ls-report with arguments and stdin.
pub fn ls_report(args: &[&str], stdin: &[u8]) -> Output {
    run_with_stdin(LS_REPORT, args, stdin)
}

/// Runs logsentry with arguments and stdin.
pub fn logsentry(args: &[&str], stdin: &[u8]) -> Output {
    run_with_stdin(LOGSENTRY, args, stdin)
}

/// The alerts ls-detect finds in all of sample_logs/ (work hours read in UTC).
pub fn sample_alerts() -> Vec<u8> {
    let events = ls_parse(&["auto", sample("").to_str().expect("path")], b"");
    assert!(events.status.success(), "{}", stderr(&events));
    let alerts = ls_detect(&["-q", "--tz", "UTC"], &events.stdout);
    assert!(alerts.status.success(), "{}", stderr(&alerts));
    alerts.stdout
}

/// A stage running with its stdin held open, its stdout lines arriving on `lines` as it
/// writes them: what a live pipeline (`tail -F | ...`) sees.
pub struct Live {
    pub child: std::process::Child,
    pub stdin: std::process::ChildStdin,
    pub lines: std::sync::mpsc::Receiver<String>,
}

pub fn live(program: &str) -> Live {
    live_with(program, &[])
}

/// [`live`] with arguments.
pub fn live_with(program: &str, args: &[&str]) -> Live {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|error| panic!("spawn {program}: {error}"));
    let stdin = child.stdin.take().expect("stdin");
    let stdout = child.stdout.take().expect("stdout");
    let (sender, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                return;
            }
        }
    });
    Live { child, stdin, lines }
}

/// Runs `command`, reads the first bytes of its output and goes away: it must end with
/// status 0 and say nothing (a broken pipe is the quiet end `| head` expects).
pub fn assert_quiet_when_the_reader_leaves(mut command: Command) {
    use std::io::Read;
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0u8; 100];
    stdout.read_exact(&mut first).expect("first bytes");
    drop(stdout);
    let output = child.wait_with_output().expect("wait");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stderr(&output), "", "no message after the reader went away");
}

pub fn run_with_stdin(program: &str, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(program)
        .args(args)
        .env("TZ", "UTC")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("spawn {program}: {error}"));
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let output = child.wait_with_output().expect("wait");
    writer.join().expect("stdin writer");
    output
}

pub fn events(output: &Output) -> Vec<Event> {
    String::from_utf8(output.stdout.clone())
        .expect("stdout is UTF-8")
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The summary numbers: (lines, events, skipped, rejected).
pub fn summary(output: &Output) -> (u64, u64, u64, u64) {
    let text = stderr(output);
    let line = text
        .lines()
        .rev()
        .find(|l| l.contains(" lines, "))
        .unwrap_or_else(|| panic!("no summary in {text}"));
    let numbers: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect();
    (numbers[0], numbers[1], numbers[2], numbers[3])
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    #[serde(rename = "@timestamp")]
    pub timestamp: String,
    pub message: Option<String>,
    pub event: EventInfo,
    #[serde(default)]
    pub source: Source,
    #[serde(default)]
    pub user: User,
    #[serde(default)]
    pub group: Named,
    #[serde(default)]
    pub host: Host,
    #[serde(default)]
    pub process: Process,
    #[serde(default)]
    pub url: Url,
    #[serde(default)]
    pub http: Http,
    #[serde(default)]
    pub user_agent: UserAgent,
    #[serde(default)]
    pub log: Log,
    /// Windows records: checked field by field in the evtx tests.
    pub winlog: Option<serde_json::Value>,
    #[serde(default)]
    pub mysql: Mysql,
    pub logsentry: Meta,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mysql {
    pub thread_id: Option<u64>,
    pub command: Option<String>,
    pub database: Option<String>,
    pub subsystem: Option<String>,
    pub query: Option<String>,
    pub slowlog: Option<SlowLog>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlowLog {
    pub query_time: Option<Seconds>,
    pub lock_time: Option<Seconds>,
    pub rows_sent: Option<u64>,
    pub rows_examined: Option<u64>,
    pub rows_affected: Option<u64>,
    pub bytes_sent: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seconds {
    pub sec: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventInfo {
    pub kind: String,
    pub module: String,
    pub dataset: String,
    #[serde(default)]
    pub category: Vec<String>,
    #[serde(rename = "type", default)]
    pub types: Vec<String>,
    pub action: String,
    pub outcome: String,
    pub reason: Option<String>,
    pub original: Option<String>,
    pub code: Option<String>,
    pub provider: Option<String>,
    pub duration: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub ip: Option<String>,
    pub domain: Option<String>,
    pub address: Option<String>,
    pub port: Option<u16>,
}

impl Source {
    /// Whatever names the remote.
    pub fn any(&self) -> Option<&str> {
        self.ip
            .as_deref()
            .or(self.domain.as_deref())
            .or(self.address.as_deref())
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub name: Option<String>,
    pub domain: Option<String>,
    pub id: Option<String>,
    #[serde(default)]
    pub effective: Named,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Named {
    pub name: Option<String>,
    pub domain: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Host {
    pub hostname: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Process {
    pub name: Option<String>,
    pub pid: Option<u32>,
    pub command_line: Option<String>,
    pub working_directory: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Url {
    pub original: Option<String>,
    pub path: Option<String>,
    pub query: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Http {
    #[serde(default)]
    pub request: HttpRequest,
    #[serde(default)]
    pub response: HttpResponse,
    pub version: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpRequest {
    pub method: Option<String>,
    pub referrer: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpResponse {
    pub status_code: Option<u16>,
    #[serde(default)]
    pub body: Body,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Body {
    pub bytes: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserAgent {
    pub original: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Log {
    #[serde(default)]
    pub file: LogFile,
    pub level: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogFile {
    pub path: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    pub line: u64,
    pub event_type: Option<String>,
    #[serde(default)]
    pub time: TimeMeta,
    #[serde(default)]
    pub ssh: SshMeta,
    pub repeated: Option<u32>,
    #[serde(default)]
    pub repeated_capped: bool,
    #[serde(default)]
    pub invalid_utf8: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeMeta {
    #[serde(default)]
    pub year_inferred: bool,
    #[serde(default)]
    pub zone_assumed: bool,
    #[serde(default)]
    pub missing: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SshMeta {
    pub method: Option<String>,
}

/// The corpus directory. Tests that read it are `#[ignore]`d unless LOGSENTRY_CORPUS was set
/// when they were built (build.rs sets `cfg(logsentry_corpus)`), so cargo lists them as
/// ignored, with the way to run them, instead of passing them unrun.
pub fn corpus() -> std::path::PathBuf {
    let dir = std::env::var_os("LOGSENTRY_CORPUS")
        .map(std::path::PathBuf::from)
        .expect(
        "LOGSENTRY_CORPUS must name the shared corpus to run this test (LOGSENTRY_CORPUS=../shared/corpus cargo test)",
    );
    let dir = if dir.is_relative() { repo_root().join(dir) } else { dir };
    assert!(
        dir.is_dir(),
        "LOGSENTRY_CORPUS={} is set but is not a directory",
        dir.display()
    );
    dir
}

/// The non-blank lines of a corpus list file, without its `#` comments.
pub fn lines_of(path: &std::path::Path) -> Vec<String> {
    String::from_utf8_lossy(&std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .lines()
        .map(str::to_owned)
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .collect()
}

/// The alert record, strictly: a field we did not expect fails the test (schema drift).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alert {
    #[serde(rename = "@timestamp")]
    pub timestamp: String,
    pub message: String,
    pub event: AlertEvent,
    pub rule: Rule,
    pub threat: Threat,
    pub source: Option<Ip>,
    pub user: Option<Name>,
    pub host: Option<Hostname>,
    pub logsentry: AlertMeta,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Name {
    pub name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertEvent {
    pub kind: String,
    pub module: Option<String>,
    pub severity: u8,
    pub risk_score: u8,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub name: String,
    pub description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threat {
    pub framework: String,
    pub technique: TechniqueRef,
    pub tactic: Name,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TechniqueRef {
    pub id: String,
    pub name: String,
    pub reference: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hostname {
    pub hostname: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ip {
    pub ip: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertMeta {
    pub severity: String,
    pub count: u64,
    pub first_seen: String,
    pub last_seen: String,
    #[serde(default)]
    pub usernames: Vec<String>,
    #[serde(default)]
    pub usernames_omitted: u64,
    #[serde(default)]
    pub sources: Vec<String>,
    pub modules: Vec<String>,
    pub evidence: Vec<EvidenceRef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceRef {
    pub path: Option<String>,
    pub line: Option<u64>,
}

pub fn alerts(output: &std::process::Output) -> Vec<Alert> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|error| panic!("{error}: {line}")))
        .collect()
}
