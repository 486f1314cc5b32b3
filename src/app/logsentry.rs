//! The `logsentry` runner: the five stages in one process. `ls-parse auto` writes its events
//! into a sink that hands each one, as it is written, through detection, enrichment and
//! correlation to the report: the same library calls, in the same order, as the pipe
//! `ls-parse auto | ls-detect | ls-enrich | ls-correlate | ls-report`, so the results are the
//! same (a test compares them). Each stage's flags are checked by that stage's own parser.

use super::detect::DetectRun;
use super::parse::{run_into, ParseConfig};
use super::report::{ReportOutput, ReportSink, Written};
use super::{Exit, StartError};
use crate::cli::correlate::CorrelateArgs;
use crate::cli::detect::DetectArgs;
use crate::cli::logsentry::{ColorArg, LogsentryArgs};
use crate::cli::parse::ParseArgs;
use crate::correlate::{self, Correlator};
use crate::detect::{self, Engine};
use crate::enrich::attack::AttackTable;
use crate::enrich::geoip::GeoIp;
use crate::enrich::{self, Enricher};
use crate::ingest::InputSpec;
use crate::output::NdjsonWriter;
use crate::report::{Destination, RecordKind};
use clap::Parser;
use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

const PROGRAM: &str = "logsentry";
/// Blocks of events queued between parsing and the later stages (64 KiB each).
const BLOCKS_IN_FLIGHT: usize = 16;

/// A validated `logsentry` command line.
pub struct LogsentryRun {
    parse: ParseConfig,
    detect: DetectRun,
    correlate: correlate::CorrelateConfig,
    geoip: Option<GeoIp>,
    output: ReportOutput,
    open: bool,
    color: bool,
    quiet: bool,
}

impl LogsentryRun {
    /// Checks the flags, each stage's by its own parser.
    pub fn from_args(args: LogsentryArgs) -> Result<Self, StartError> {
        let stage_error = |error: clap::Error| {
            StartError::Usage(error.render().to_string().lines().next().unwrap_or_default().to_owned())
        };
        let mut parse_argv: Vec<OsString> = vec![
            "ls-parse".into(),
            "auto".into(),
            "-q".into(),
            "--tz".into(),
            args.tz.clone().into(),
        ];
        parse_argv.push("--".into());
        parse_argv.extend(args.files.iter().map(|path| path.clone().into_os_string()));
        let parse = ParseConfig::from_args(ParseArgs::try_parse_from(parse_argv).map_err(stage_error)?)?;
        let mut detect_argv: Vec<OsString> = vec!["ls-detect".into(), "-q".into(), "--tz".into(), args.tz.into()];
        if let Some(config) = &args.config {
            detect_argv.push("--config".into());
            detect_argv.push(config.clone().into_os_string());
        }
        let detect = DetectRun::from_args(DetectArgs::try_parse_from(detect_argv).map_err(stage_error)?)?;
        let correlate = super::correlate::CorrelateRun::from_args(
            CorrelateArgs::try_parse_from(["ls-correlate", "-q"]).map_err(stage_error)?,
        )?
        .config;
        let geoip = GeoIp::from_flags(args.geoip.as_deref(), args.geoip_asn.as_deref())
            .map_err(|error| StartError::Data(error.to_string()))?;
        let output = ReportOutput::from_args(args.output, Destination::Directory(PathBuf::from(".")))?;
        let color = match args.color {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => {
                io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
            }
        };
        Ok(LogsentryRun {
            parse,
            detect,
            correlate,
            geoip,
            output,
            open: args.open,
            color,
            quiet: args.quiet,
        })
    }
}

/// `logsentry`'s main.
pub fn main() -> std::process::ExitCode {
    super::stage_main(PROGRAM, LogsentryRun::from_args, analyse)
}

/// What each stage counted.
#[derive(Default)]
struct StageCounts {
    events: u64,
    alerts: u64,
    enriched: u64,
    incident_records: u64,
    malformed: u64,
}

/// The stages after parsing, fed one event at a time.
struct Stages {
    engine: Engine,
    enricher: Enricher,
    correlator: Correlator,
    report: ReportSink,
    detected: Vec<u8>,
    enriched: Vec<u8>,
    correlated: Vec<u8>,
    counts: StageCounts,
    progress: Arc<Progress>,
    failure: Option<io::Error>,
}

impl Stages {
    fn event(&mut self, line: &[u8]) {
        let Ok(line) = std::str::from_utf8(line) else {
            self.counts.malformed += 1;
            return;
        };
        // The report counts events per source, which ls-report in a pipe never sees.
        self.report
            .collector_mut()
            .add_event(event_module(line).unwrap_or("unknown"));
        self.detected.clear();
        match self.engine.process(line, &mut self.detected) {
            Ok(detect::Outcome::Event { alerts }) => {
                self.counts.events += 1;
                self.counts.alerts += alerts as u64;
            }
            Ok(detect::Outcome::PassedThrough) => {}
            Err(_) => self.counts.malformed += 1,
        }
        self.progress.events.fetch_add(1, Ordering::Relaxed);
        let detected = std::mem::take(&mut self.detected);
        for alert in lines(&detected) {
            self.enrich_and_correlate(alert);
        }
        self.detected = detected;
    }

    fn enrich_and_correlate(&mut self, line: &str) {
        self.enriched.clear();
        if let enrich::Outcome::Enriched { .. } = self.enricher.process(line, &mut self.enriched) {
            self.counts.enriched += 1;
        }
        let enriched = std::mem::take(&mut self.enriched);
        for record in lines(&enriched) {
            self.correlated.clear();
            match self.correlator.process(record, &mut self.correlated) {
                Ok(correlate::Outcome::Alert { incidents, .. }) => self.counts.incident_records += incidents as u64,
                Ok(correlate::Outcome::Other) => {}
                Err(_) => self.counts.malformed += 1,
            }
            self.report_all();
        }
        self.enriched = enriched;
    }

    fn finish(&mut self) {
        self.correlated.clear();
        self.counts.incident_records += self.correlator.finish(&mut self.correlated) as u64;
        self.report_all();
    }

    fn report_all(&mut self) {
        let correlated = std::mem::take(&mut self.correlated);
        for record in lines(&correlated) {
            match self.report.add(record) {
                Ok(Ok(RecordKind::Alert)) => {
                    self.progress.alerts.fetch_add(1, Ordering::Relaxed);
                }
                Ok(_) => {}
                Err(error) => {
                    self.failure.get_or_insert(error);
                }
            }
        }
        self.correlated = correlated;
    }
}

fn lines(buffer: &[u8]) -> impl Iterator<Item = &str> {
    buffer
        .split(|byte| *byte == b'\n')
        .filter(|line| !line.is_empty())
        .filter_map(|line| std::str::from_utf8(line).ok())
}

/// The module of one of ls-parse's events without parsing it: its first `"module":"` key is
/// `event.module` (the serialiser writes `event` before any other object, and inside a JSON
/// string a quote is always escaped, so the pattern cannot match within a value).
fn event_module(line: &str) -> Option<&str> {
    const KEY: &[u8] = b"\"module\":\"";
    let start = memchr::memmem::find(line.as_bytes(), KEY)? + KEY.len();
    let length = memchr::memchr(b'"', &line.as_bytes()[start..])?;
    line.get(start..start + length).filter(|module| !module.contains('\\'))
}

/// ls-parse's output, handed in blocks of whole lines to the thread running the later
/// stages (parsing and detecting overlap, as they do in a pipe); blocks are reused.
struct BlockSender {
    blocks: mpsc::SyncSender<Vec<u8>>,
    spare: mpsc::Receiver<Vec<u8>>,
    partial: Vec<u8>,
}

impl Write for BlockSender {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let Some(last_newline) = memchr::memrchr(b'\n', bytes) else {
            self.partial.extend_from_slice(bytes);
            return Ok(bytes.len());
        };
        let mut block = self.spare.try_recv().unwrap_or_default();
        block.clear();
        block.append(&mut self.partial);
        block.extend_from_slice(&bytes[..=last_newline]);
        self.partial.extend_from_slice(&bytes[last_newline + 1..]);
        self.blocks
            .send(block)
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the later stages stopped"))?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl BlockSender {
    /// Sends what is left of an unterminated last line.
    fn finish(mut self) {
        if !self.partial.is_empty() {
            let mut block = std::mem::take(&mut self.partial);
            block.push(b'\n');
            let _ = self.blocks.send(block);
        }
    }
}

/// Runs the later stages over the blocks until ls-parse is done.
fn run_stages(mut stages: Stages, blocks: mpsc::Receiver<Vec<u8>>, spare: mpsc::SyncSender<Vec<u8>>) -> Stages {
    for block in blocks {
        for line in block.split(|byte| *byte == b'\n').filter(|line| !line.is_empty()) {
            stages.event(line);
        }
        let _ = spare.try_send(block);
    }
    stages.finish();
    stages
}

/// Counters the progress line reads.
#[derive(Default)]
struct Progress {
    events: AtomicU64,
    alerts: AtomicU64,
    done: AtomicBool,
}

/// Shows progress on stderr (a terminal only) once a run has taken more than a moment.
fn show_progress(progress: Arc<Progress>) -> Option<std::thread::JoinHandle<()>> {
    if !io::stderr().is_terminal() {
        return None;
    }
    std::thread::Builder::new()
        .name("progress".into())
        .spawn(move || {
            let started = std::time::Instant::now();
            let mut shown = false;
            while !progress.done.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(250));
                if started.elapsed() < Duration::from_secs(1) || progress.done.load(Ordering::Relaxed) {
                    continue;
                }
                shown = true;
                let _ = write!(
                    io::stderr().lock(),
                    "\r\x1b[K{PROGRAM}: {} events read, {} alerts so far ({} s)",
                    progress.events.load(Ordering::Relaxed),
                    progress.alerts.load(Ordering::Relaxed),
                    started.elapsed().as_secs()
                );
            }
            if shown {
                let _ = write!(io::stderr().lock(), "\r\x1b[K");
            }
        })
        .ok()
}

/// Runs the pipeline and writes the report.
pub fn analyse(run: LogsentryRun) -> Exit {
    let LogsentryRun {
        parse,
        detect,
        correlate,
        geoip,
        output,
        open,
        color,
        quiet,
    } = run;
    let mut report = match ReportSink::new(output, AttackTable::embedded()) {
        Ok(report) => report,
        Err(error) => {
            let _ = writeln!(io::stderr().lock(), "{PROGRAM}: creating the report: {error}");
            return Exit::DataError;
        }
    };
    report.collector_mut().provenance_mut().inputs = parse.ingest.inputs.specs.iter().map(InputSpec::display).collect();
    let progress = Arc::new(Progress::default());
    let progress_thread = if quiet { None } else { show_progress(progress.clone()) };
    let stages = Stages {
        engine: super::detect::engine(&detect),
        enricher: Enricher::new(AttackTable::embedded()).with_geoip(geoip),
        correlator: Correlator::new(correlate),
        report,
        detected: Vec::new(),
        enriched: Vec::new(),
        correlated: Vec::new(),
        counts: StageCounts::default(),
        progress: progress.clone(),
        failure: None,
    };
    let (block_sender, blocks) = mpsc::sync_channel(BLOCKS_IN_FLIGHT);
    let (spare_sender, spare) = mpsc::sync_channel(BLOCKS_IN_FLIGHT);
    let input_count = parse.ingest.inputs.count();
    let parser = std::thread::Builder::new().name("ls-parse".into()).spawn(move || {
        let mut out = NdjsonWriter::new(BlockSender {
            blocks: block_sender,
            spare,
            partial: Vec::new(),
        });
        let parsed = run_into(&parse, &mut out);
        out.into_inner().finish();
        parsed
    });
    let parser = match parser {
        Ok(parser) => parser,
        Err(error) => {
            let _ = writeln!(io::stderr().lock(), "{PROGRAM}: cannot start a thread: {error}");
            return Exit::DataError;
        }
    };
    let mut stages = run_stages(stages, blocks, spare_sender);
    let Ok((parse_exit, parsed)) = parser.join() else {
        let _ = writeln!(io::stderr().lock(), "{PROGRAM}: parsing stopped unexpectedly");
        return Exit::DataError;
    };
    progress.done.store(true, Ordering::Relaxed);
    if let Some(thread) = progress_thread {
        let _ = thread.join();
    }
    let counts = &stages.counts;
    let notes = vec![
        format!("ls-parse: {}", parsed.summary(input_count)),
        format!("ls-detect: {} events, {} alerts", counts.events, counts.alerts),
        format!("ls-enrich: {} records enriched with ATT&CK (offline)", counts.enriched),
        format!("ls-correlate: {} incident records", counts.incident_records),
    ];
    let collector = stages.report.collector_mut();
    collector.provenance_mut().notes = notes;
    let headline = collector.headline();
    let malformed = counts.malformed;
    if let Some(error) = stages.failure.take() {
        let _ = writeln!(io::stderr().lock(), "{PROGRAM}: writing the report: {error}");
        return Exit::DataError;
    }
    let written = match stages.report.finish() {
        Ok(written) => written,
        Err(error) => {
            let _ = writeln!(io::stderr().lock(), "{PROGRAM}: {error}");
            return Exit::DataError;
        }
    };
    if !quiet {
        let place = match &written {
            Written::File(path) => Some(path.display().to_string()),
            Written::Stdout | Written::ReaderGone => None,
        };
        print_summary(&headline, parsed.events, place.as_deref(), color);
    }
    if open {
        if let Written::File(path) = &written {
            open_report(path);
        }
    }
    if malformed > 0 {
        let _ = writeln!(
            io::stderr().lock(),
            "{PROGRAM}: {malformed} records could not be used between stages"
        );
    }
    if parse_exit != Exit::Success {
        parse_exit
    } else if malformed > 0 {
        Exit::DataError
    } else {
        Exit::Success
    }
}

fn print_summary(headline: &crate::report::collect::Headline, events: u64, place: Option<&str>, color: bool) {
    let paint = |code: &str, text: &str| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    };
    let severity_code = |name: &str| match name {
        "CRITICAL" => "1;31",
        "HIGH" => "31",
        "MEDIUM" => "33",
        _ => "36",
    };
    let mut text = String::new();
    text.push_str(&format!(
        "{}: {events} events, {} alerts, {} incidents\n",
        paint("1", "LogSentry"),
        headline.alerts,
        headline.incidents.len()
    ));
    let by_severity: Vec<String> = headline
        .by_severity
        .iter()
        .map(|(name, count)| paint(severity_code(name), &format!("{count} {name}")))
        .collect();
    text.push_str(&format!("  alerts: {}\n", by_severity.join(", ")));
    for (severity, key, message) in headline.incidents.iter().take(5) {
        let mut message = message.clone();
        if message.chars().count() > 110 {
            message = message.chars().take(109).collect::<String>() + "…";
        }
        text.push_str(&format!(
            "  {} {key}: {message}\n",
            paint(severity_code(severity), &format!("{severity:<8}"))
        ));
    }
    if headline.incidents.len() > 5 {
        text.push_str(&format!("  … and {} more incidents\n", headline.incidents.len() - 5));
    }
    if let Some(place) = place {
        text.push_str(&format!("{} {place}\n", paint("1", "Report:")));
    }
    let mut stdout = io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush());
}

fn open_report(path: &std::path::Path) {
    let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
    let launched = std::process::Command::new(opener)
        .arg(path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(error) = launched {
        let _ = writeln!(
            io::stderr().lock(),
            "{PROGRAM}: could not open the report with {opener}: {error}; it is at {}",
            path.display()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_module_is_found_without_parsing() {
        let line =
            r#"{"@timestamp":"t","message":"user \"module\":\"x\" said","event":{"kind":"event","module":"ssh"}}"#;
        assert_eq!(event_module(line), Some("ssh"));
        assert_eq!(event_module(r#"{"event":{"kind":"event"}}"#), None);
    }

    #[test]
    fn blocks_carry_whole_lines() {
        let (blocks, received) = mpsc::sync_channel(8);
        let (_spare_sender, spare) = mpsc::sync_channel(8);
        let mut sender = BlockSender {
            blocks,
            spare,
            partial: Vec::new(),
        };
        sender.write_all(b"one\ntw").expect("write");
        sender.write_all(b"o\nthr").expect("write");
        sender.write_all(b"ee").expect("write");
        sender.finish();
        let all: Vec<Vec<u8>> = received.iter().collect();
        assert_eq!(all, vec![b"one\n".to_vec(), b"two\n".to_vec(), b"three\n".to_vec()]);
    }
}
