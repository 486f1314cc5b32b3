//! The plumbing of `logsentry`'s one-process pipeline. ls-parse runs on a thread of its own
//! and writes its events into a sink that hands them, in blocks of whole lines, to the later
//! stages on the calling thread: each event goes through detection, enrichment and
//! correlation to the report, the same library calls in the same order as the pipe
//! `ls-parse auto | ls-detect | ls-enrich | ls-correlate | ls-report`, so the results are the
//! same (a test compares them). Parsing and detecting overlap, as they do in a pipe.

use super::correlate::StateMemory;
use super::parse::{run_into, ParseConfig};
use super::report::ReportSink;
use super::Exit;
use crate::correlate::{self, Correlator};
use crate::detect::{self, DetectConfig, Engine};
use crate::diagnostics::Counts;
use crate::enrich::{self, Enricher};
use crate::output::NdjsonWriter;
use crate::report::{ReadRecord, RecordKind};
use crate::state::AlertLog;
use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

const PROGRAM: &str = "logsentry";
/// Blocks of events queued between parsing and the later stages (64 KiB each).
const BLOCKS_IN_FLIGHT: usize = 16;

/// What a pipeline run gives back.
pub(super) struct Ran {
    /// The later stages, their counts and the report.
    pub(super) stages: Stages,
    /// ls-parse's exit status.
    pub(super) parse_exit: Exit,
    /// What ls-parse counted.
    pub(super) parsed: Counts,
}

/// Why the pipeline could not run to its end.
#[derive(Debug, thiserror::Error)]
pub(super) enum PipelineError {
    /// The parsing thread could not be started.
    #[error("cannot start a thread: {0}")]
    NoThread(io::Error),
    /// The parsing thread panicked.
    #[error("parsing stopped unexpectedly")]
    ParserPanicked,
}

/// Parses `parse`'s inputs and feeds every event through `stages`; with `progress`, a
/// progress line shows on a terminal once the run takes more than a moment.
pub(super) fn run(parse: ParseConfig, stages: Stages, progress: bool) -> Result<Ran, PipelineError> {
    let shown = stages.progress.clone();
    let progress_thread = if progress { show_progress(shown.clone()) } else { None };
    let (block_sender, blocks) = mpsc::sync_channel(BLOCKS_IN_FLIGHT);
    let (spare_sender, spare) = mpsc::sync_channel(BLOCKS_IN_FLIGHT);
    let parser = std::thread::Builder::new()
        .name("ls-parse".into())
        .spawn(move || {
            let mut out = NdjsonWriter::new(BlockSender {
                blocks: block_sender,
                spare,
                partial: Vec::new(),
            });
            let parsed = run_into(&parse, &mut out);
            out.into_inner().finish();
            parsed
        })
        .map_err(PipelineError::NoThread)?;
    let stages = run_stages(stages, blocks, spare_sender);
    let joined = parser.join();
    shown.done.store(true, Ordering::Relaxed);
    if let Some(thread) = progress_thread {
        let _ = thread.join();
    }
    let (parse_exit, parsed) = joined.map_err(|_| PipelineError::ParserPanicked)?;
    Ok(Ran {
        stages,
        parse_exit,
        parsed,
    })
}

/// What each stage counted.
#[derive(Default)]
pub(super) struct StageCounts {
    pub(super) events: u64,
    pub(super) alerts: u64,
    pub(super) enriched: u64,
    pub(super) incident_records: u64,
    pub(super) malformed: u64,
    /// Keys ls-detect's rules forgot at `--max-tracked-keys`.
    pub(super) evicted: u64,
    /// Events a run before had counted (with `--state`), skipped.
    pub(super) already_seen: u64,
}

/// What `--state` adds to the stages: the writer of detection's alerts and windows, and the
/// settings the windows are saved with. The correlator's memory holds the rest.
pub(super) struct StageState {
    /// Let go when it fails.
    alert_log: Option<AlertLog>,
    detect: DetectConfig,
    /// Alerts stored, once the writer has finished.
    pub(super) stored_alerts: u64,
    /// The state file failed mid-run (and was let go).
    pub(super) failed: bool,
}

impl StageState {
    /// The state the stages keep with `alert_log`, for windows counted with `detect`.
    pub(super) fn new(alert_log: AlertLog, detect: DetectConfig) -> Self {
        StageState {
            alert_log: Some(alert_log),
            detect,
            stored_alerts: 0,
            failed: false,
        }
    }

    fn finish_alert_log(&mut self) {
        if let Some(log) = self.alert_log.take() {
            let (stored, failed) = super::detect::finish_alert_log(PROGRAM, log);
            self.stored_alerts = stored;
            self.failed |= failed;
        }
    }

    /// When either writer failed (and said so), the other lets go too, unsaid: the run goes
    /// on without the state file, and says so once.
    fn one_failure(&mut self, memory: &mut StateMemory) {
        if self.failed && !memory.failed {
            memory.let_go();
        } else if memory.failed {
            if let Some(log) = self.alert_log.take() {
                self.stored_alerts = log.finish().stored;
                self.failed = true;
            }
        }
    }
}

/// The stages after parsing, fed one event at a time.
pub(super) struct Stages {
    engine: Engine,
    enricher: Enricher,
    pub(super) correlator: Correlator<StateMemory>,
    pub(super) report: ReportSink,
    /// With `--state`.
    pub(super) state: Option<StageState>,
    detected: Vec<u8>,
    enriched: Vec<u8>,
    correlated: Vec<u8>,
    pub(super) counts: StageCounts,
    progress: Arc<Progress>,
    pub(super) failure: Option<io::Error>,
}

impl Stages {
    /// The later stages, in pipe order.
    pub(super) fn new(
        engine: Engine,
        enricher: Enricher,
        correlator: Correlator<StateMemory>,
        report: ReportSink,
        state: Option<StageState>,
    ) -> Self {
        Stages {
            engine,
            enricher,
            correlator,
            report,
            state,
            detected: Vec::new(),
            enriched: Vec::new(),
            correlated: Vec::new(),
            counts: StageCounts::default(),
            progress: Arc::default(),
            failure: None,
        }
    }

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
            Ok(detect::Outcome::AlreadySeen) => self.counts.already_seen += 1,
            Ok(detect::Outcome::PassedThrough) => {}
            Err(_) => self.counts.malformed += 1,
        }
        self.progress.events.fetch_add(1, Ordering::Relaxed);
        let detected = std::mem::take(&mut self.detected);
        let alert_log = self.state.as_mut().and_then(|state| state.alert_log.as_mut());
        if let Some(log) = alert_log {
            if !detected.is_empty() {
                log.add(
                    std::str::from_utf8(&detected)
                        .unwrap_or_default()
                        .trim_end_matches('\n'),
                );
            }
        }
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
                Ok(correlate::Outcome::Other | correlate::Outcome::Untimed) => {}
                Err(_) => self.counts.malformed += 1,
            }
            self.report_all();
        }
        self.enriched = enriched;
    }

    /// A block of events has gone through: what it stored is handed to the state's writers.
    fn after_block(&mut self) {
        let Some(state) = self.state.as_mut() else {
            return;
        };
        // Whichever writer fails first says so; the other is let go before it can fail too.
        let memory = self.correlator.memory_mut();
        state.one_failure(memory);
        if state.alert_log.as_mut().is_some_and(|log| !log.flushed()) {
            state.finish_alert_log();
            state.one_failure(memory);
        }
        memory.commit();
        state.one_failure(memory);
    }

    /// The end of input. With `--state`, the windows and the open groups are saved first, as
    /// they stand before the end closes them: a later run over more of the logs goes on
    /// with them. That later run skips the events this one counted, so a run stopped before
    /// its report was written saves none of them.
    fn finish(&mut self) {
        self.counts.evicted = self.engine.evicted();
        if let Some(state) = self.state.as_mut() {
            state.one_failure(self.correlator.memory_mut());
            if let Some(log) = state.alert_log.as_mut() {
                if !super::detect::save_windows(PROGRAM, &self.engine, &state.detect, log) {
                    state.finish_alert_log();
                }
            }
            state.one_failure(self.correlator.memory_mut());
            super::correlate::save_groups(&mut self.correlator);
        }
        self.correlated.clear();
        self.counts.incident_records += self.correlator.finish(&mut self.correlated) as u64;
        let memory = self.correlator.memory_mut();
        memory.commit();
        if let Some(state) = self.state.as_mut() {
            state.one_failure(memory);
            state.finish_alert_log();
        }
        self.report_all();
    }

    fn report_all(&mut self) {
        let correlated = std::mem::take(&mut self.correlated);
        for record in lines(&correlated) {
            match self.report.add(record) {
                Ok(Ok(ReadRecord {
                    kind: RecordKind::Alert,
                    ..
                })) => {
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
        stages.after_block();
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
