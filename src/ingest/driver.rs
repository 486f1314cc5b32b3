//! The input driver of `ls-parse` (and so of `logsentry`): opens every input, runs each
//! through its parser (a text log line by line, a Windows event log a decoded chunk at a
//! time), and writes the events merged by event time across inputs, or, when following, as
//! each input grows. Output is flushed before any read that may block, so a live reader sees
//! each event at once.

use super::follow::{ReadPosition, SharedNews};
use super::{open_input, peek, split_cr, to_text, FollowedFile, InputSpec, Inputs, LineError, LineReader, OpenError};
use crate::diagnostics::Diagnostics;
use crate::output::NdjsonWriter;
use crate::parse::evtx::stream::{is_evtx, EvtxItem, EvtxOptions, EvtxStream, MappedChunk};
use crate::parse::evtx::EVTX_MAGIC;
use crate::parse::{Clock, ClockConfig, Emit, Format, LineCtx, LineParser, Parsed};
use crate::schema::EventWriter;
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// What to read and how.
#[derive(Debug)]
pub struct IngestConfig {
    /// The format to parse.
    pub format: Format,
    /// The inputs, directories expanded.
    pub inputs: Inputs,
    /// Once to the end, or following.
    pub reading: Reading,
    /// Zone and year for incomplete timestamps.
    pub clock: ClockConfig,
    /// Keep raw lines in `event.original`.
    pub keep_original: bool,
    /// Longest accepted line.
    pub max_line_bytes: usize,
    /// EVTX decoding threads, and as many mapping threads (0: one per CPU).
    pub threads: usize,
}

/// How the inputs are read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Reading {
    /// Every input to its end, the events merged by time across inputs.
    Merge,
    /// Every input as it grows (`tail -F`), until stopped or all are finished.
    Follow {
        /// Start at the current end of each file.
        from_end: bool,
        /// Time between checks for new data.
        poll_interval: Duration,
        /// Keep reading a path whose link now leads to another file.
        follow_retargeted: bool,
    },
}

/// Where followed files were read to, kept by the caller across runs (`ls-parse --state`).
pub trait FollowState {
    /// Where a run before read the followed `path` to, if one did.
    fn saved(&self, path: &std::path::Path) -> Option<ReadPosition>;

    /// The place of every followed file now: the events of every line before it are written
    /// and flushed.
    fn save(&mut self, places: Vec<(std::path::PathBuf, ReadPosition)>);
}

/// How often a followed run hands its places to the [`FollowState`], besides at the end.
const PLACES_SAVE_EVERY: Duration = Duration::from_secs(1);

/// What ends a run early. Failing to read an input only ends that input, and is reported
/// through the diagnostics.
#[derive(Debug, thiserror::Error)]
pub enum DriveError {
    /// Writing the events failed (a broken pipe among others: the caller decides).
    #[error("writing output: {0}")]
    Output(io::Error),
    /// Writing the rejects file failed.
    #[error("writing rejects file: {0}")]
    Rejects(io::Error),
}

/// Reads every input of `config` and writes its events to `out`, counting and reporting
/// through `diagnostics`. Following ends when `stop` is set (a signal) or every input has
/// finished (stdin closed); a merge ends at the end of its inputs.
pub fn drive<W: Write>(
    config: &IngestConfig,
    stop: &AtomicBool,
    out: &mut NdjsonWriter<W>,
    diagnostics: &mut Diagnostics,
    state: Option<&mut dyn FollowState>,
) -> Result<(), DriveError> {
    match config.reading {
        Reading::Merge => merge(config, out, diagnostics),
        Reading::Follow { poll_interval, .. } => follow(config, poll_interval, stop, out, diagnostics, state),
    }?;
    out.flush().map_err(DriveError::Output)
}

/// How a source hands out its events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Turn {
    /// One of several merged inputs: a line's events wait in `pending` while the merge picks
    /// the input whose next event is earliest.
    Merged,
    /// The only input of a merge: no one to take turns with, so it writes straight to the
    /// output and reads on to its end.
    Alone,
    /// A followed input: straight to the output, handing back after each line so that every
    /// followed input gets its turn.
    Followed,
}

impl Turn {
    /// Events go straight to the output rather than to `pending`.
    fn direct(self) -> bool {
        self != Turn::Merged
    }

    /// The source reads on to its end instead of handing back after each line's events.
    fn reads_to_end(self) -> bool {
        self == Turn::Alone
    }
}

/// What one call to [`Source::advance`] produced.
enum Step {
    /// `pending` holds the events of one line.
    Ready,
    /// Nothing new for now (a followed file).
    Idle,
    /// The input is finished (or failed and was reported).
    Done,
}

/// One input on its way through its parser.
struct Source {
    display: String,
    /// The path followed, for its place to be saved.
    followed: Option<std::path::PathBuf>,
    feed: Feed,
    /// Events of the current line, when inputs are merged; a direct source writes straight
    /// into the output buffer instead.
    pending: Vec<u8>,
    pending_key: Option<(i64, u32)>,
    turn: Turn,
    caught_up: bool,
}

/// Where an input's events come from.
enum Feed {
    /// A text log, line by line.
    Lines(Box<LineFeed>),
    /// A Windows event log, a decoded chunk at a time.
    Evtx(Box<EvtxFeed>),
}

/// A Windows event log being decoded, and the chunk being handed out.
struct EvtxFeed {
    stream: EvtxStream,
    chunk: MappedChunk,
    /// The next event of `chunk` to hand out.
    next: usize,
}

impl EvtxFeed {
    fn new(stream: EvtxStream) -> Self {
        EvtxFeed {
            stream,
            chunk: MappedChunk::default(),
            next: 0,
        }
    }
}

/// A text input and its parser.
struct LineFeed {
    path_text: Option<String>,
    reader: LineReader,
    parser: Box<dyn LineParser>,
    finished_at_eof: bool,
    line_no: u64,
    scratch: String,
    writer: EventWriter,
    /// Since when a followed input has had nothing new while its parser held a record.
    quiet_since: Option<Instant>,
    /// A followed file's warnings and cut-off lines.
    news: Option<SharedNews>,
    /// Bytes read and lines counted up to the end of the last line whose events are all
    /// written (none is held by a multi-line parser): where a later run goes on.
    settled: (u64, u64),
}

/// How long a followed input must be quiet before a multi-line record its parser holds is
/// taken as complete (the writer may still be adding lines to it just before).
const RECORD_QUIET: Duration = Duration::from_millis(500);

/// Where the output of one call to `advance` goes.
struct Target<'t, W: Write> {
    pending: &'t mut Vec<u8>,
    pending_key: &'t mut Option<(i64, u32)>,
    turn: Turn,
    out: &'t mut NdjsonWriter<W>,
}

impl Source {
    fn open(spec: &InputSpec, config: &IngestConfig, state: Option<&dyn FollowState>) -> Result<Self, OpenError> {
        let unreadable = |source| OpenError::Unreadable {
            path: spec.display(),
            source,
        };
        let evtx_options = || EvtxOptions {
            threads: config.threads,
            path: spec.path().map(|path| path.to_string_lossy().into_owned()),
            keep_original: config.keep_original,
        };
        let feed = match (spec, config.reading) {
            // A file in place: a Windows event log is decoded where it lies; a text log is
            // followed if asked (a gzip file never grows, so it is read once).
            (InputSpec::File(path), _) if !is_gzip_name(path) && file_is_evtx(path) => {
                check_format(config.format, true).map_err(unreadable)?;
                Feed::Evtx(Box::new(EvtxFeed::new(
                    EvtxStream::open_file(path, evtx_options()).map_err(unreadable)?,
                )))
            }
            (
                InputSpec::File(path),
                Reading::Follow {
                    from_end,
                    follow_retargeted,
                    ..
                },
            ) if !is_gzip_name(path) => {
                check_format(config.format, false).map_err(unreadable)?;
                let saved = state.and_then(|state| state.saved(path));
                let followed = match &saved {
                    Some(at) => FollowedFile::resume(path.clone(), follow_retargeted, at),
                    None => FollowedFile::open(path.clone(), from_end, follow_retargeted),
                }
                .map_err(unreadable)?;
                let news = followed.news();
                let mut feed = LineFeed::new(spec, Box::new(followed), false, config);
                feed.news = Some(news);
                if let Some(at) = saved {
                    feed.line_no = at.line;
                }
                Feed::Lines(Box::new(feed))
            }
            _ => {
                let (head, read) = peek(open_input(spec)?, EVTX_MAGIC).map_err(unreadable)?;
                let evtx = is_evtx(&head);
                check_format(config.format, evtx).map_err(unreadable)?;
                if evtx {
                    Feed::Evtx(Box::new(EvtxFeed::new(
                        EvtxStream::open_stream(read, evtx_options()).map_err(unreadable)?,
                    )))
                } else {
                    Feed::Lines(Box::new(LineFeed::new(spec, read, true, config)))
                }
            }
        };
        let followed = matches!(feed, Feed::Lines(ref lines) if lines.news.is_some())
            .then(|| spec.path().map(std::path::Path::to_path_buf))
            .flatten();
        Ok(Source {
            display: spec.display(),
            followed,
            feed,
            pending: Vec::with_capacity(64 * 1024),
            pending_key: None,
            turn: Turn::Merged,
            caught_up: false,
        })
    }

    /// Reads until some events are ready (`Ready`), the data runs out for now (`Idle`) or
    /// for good (`Done`). Events go to `pending`, or for a direct turn straight to the
    /// output. Read errors end this input with a report; output errors propagate.
    fn advance<W: Write>(
        &mut self,
        config: &IngestConfig,
        diagnostics: &mut Diagnostics,
        out: &mut NdjsonWriter<W>,
    ) -> Result<Step, DriveError> {
        self.pending.clear();
        self.pending_key = None;
        let target = Target {
            pending: &mut self.pending,
            pending_key: &mut self.pending_key,
            turn: self.turn,
            out,
        };
        match &mut self.feed {
            Feed::Lines(lines) => lines.advance(&self.display, config, diagnostics, target),
            Feed::Evtx(feed) => advance_evtx(feed, &self.display, diagnostics, target),
        }
    }

    /// Where a later run goes on reading this followed file.
    fn place(&self) -> Option<(std::path::PathBuf, ReadPosition)> {
        let Feed::Lines(lines) = &self.feed else {
            return None;
        };
        let news = lines.news.as_ref()?.lock().ok()?;
        let (consumed, line) = lines.settled;
        Some((self.followed.clone()?, news.position_at(consumed, line)?))
    }

    /// The input has caught up with a live file.
    fn advance_clock_to_now(&mut self) {
        if let Feed::Lines(lines) = &mut self.feed {
            lines.parser.advance_clock_to_now();
        }
    }
}

/// A format named on the command line must match what the input is.
fn check_format(format: Format, evtx: bool) -> Result<(), io::Error> {
    let message = match (format, evtx) {
        (Format::Evtx, false) => "not a Windows event log (.evtx): it does not start with `ElfFile`",
        (Format::Lines(..), true) => "a Windows event log (.evtx): read it with `ls-parse evtx` or `ls-parse auto`",
        _ => return Ok(()),
    };
    Err(io::Error::new(io::ErrorKind::InvalidData, message))
}

/// Whether a file starts with the EVTX header. A file that cannot be read is not one, and
/// opening it again reports why.
fn file_is_evtx(path: &std::path::Path) -> bool {
    let mut head = [0u8; 8];
    std::fs::File::open(path)
        .and_then(|mut file| file.read_exact(&mut head))
        .is_ok_and(|()| is_evtx(&head))
}

/// Hands out a decoded chunk's events: all at once to a lone input, one at a time to a
/// merge, which must compare every event's time.
fn advance_evtx<W: Write>(
    feed: &mut EvtxFeed,
    display: &str,
    diagnostics: &mut Diagnostics,
    target: Target<'_, W>,
) -> Result<Step, DriveError> {
    loop {
        let ends = &feed.chunk.ends;
        if feed.next < ends.len() {
            let start = feed.next.checked_sub(1).map_or(0, |previous| ends[previous].0);
            let stop = if target.turn.reads_to_end() {
                ends.len()
            } else {
                feed.next + 1
            };
            let first_time = ends[feed.next].1;
            let end = ends[stop - 1].0;
            let events = feed.chunk.ndjson.get(start..end).unwrap_or_default();
            let count = (stop - feed.next) as u64;
            feed.next = stop;
            diagnostics.counts.records += count;
            diagnostics.counts.events += count;
            if target.turn.direct() {
                target.out.write_records(events).map_err(DriveError::Output)?;
            } else {
                target.pending.extend_from_slice(events);
                target.pending_key.get_or_insert(first_time.sort_key());
            }
            if !target.turn.reads_to_end() {
                return Ok(Step::Ready);
            }
            continue;
        }
        match feed.stream.next_item() {
            None => return Ok(Step::Done),
            Some(EvtxItem::Damaged(what)) => diagnostics.damaged(display, &what),
            Some(EvtxItem::Cut(what)) => diagnostics.input_failed(&format!("{display}: {what}")),
            Some(EvtxItem::Chunk(chunk)) => {
                let done = std::mem::replace(&mut feed.chunk, chunk);
                feed.stream.recycle(done);
                feed.next = 0;
            }
        }
    }
}

/// Says a followed file's warnings; whether the line just read is a cut-off fragment.
fn say_news(news: &SharedNews, diagnostics: &Diagnostics) -> bool {
    let Ok(mut news) = news.lock() else {
        return false;
    };
    for note in news.notes.drain(..) {
        diagnostics.warn(&note);
    }
    std::mem::take(&mut news.fragment)
}

impl LineFeed {
    fn new(spec: &InputSpec, read: Box<dyn Read + Send>, finished_at_eof: bool, config: &IngestConfig) -> Self {
        let clock = Clock::new(&config.clock, modified_time(spec));
        LineFeed {
            path_text: spec.path().map(|path| path.to_string_lossy().into_owned()),
            reader: LineReader::new(read, config.max_line_bytes),
            // Only a line format reaches here: `check_format` sent EVTX elsewhere.
            parser: config
                .format
                .line_parser(clock.clone())
                .unwrap_or_else(|| Box::new(crate::parse::AutoParser::new(clock))),
            finished_at_eof,
            line_no: 0,
            scratch: String::new(),
            writer: EventWriter::default(),
            quiet_since: None,
            news: None,
            settled: (0, 0),
        }
    }

    fn advance<W: Write>(
        &mut self,
        display: &str,
        config: &IngestConfig,
        diagnostics: &mut Diagnostics,
        target: Target<'_, W>,
    ) -> Result<Step, DriveError> {
        let LineFeed {
            path_text,
            reader,
            parser,
            finished_at_eof,
            line_no,
            scratch,
            writer,
            quiet_since,
            news,
            settled,
        } = self;
        let Target {
            pending,
            pending_key,
            turn,
            out,
        } = target;
        loop {
            // Every line before this one is handled (a rejected one too).
            if !parser.holds_record() {
                *settled = (reader.consumed(), *line_no);
            }
            let next = reader.next_line(*finished_at_eof, &mut || out.flush());
            let fragment = news.as_ref().is_some_and(|news| say_news(news, diagnostics)) && matches!(next, Ok(Some(_)));
            let line = match next {
                Ok(Some(line)) => {
                    *quiet_since = None;
                    line
                }
                Ok(None) => {
                    let step = if *finished_at_eof { Step::Done } else { Step::Idle };
                    if !parser.holds_record() {
                        *settled = (reader.consumed(), *line_no);
                        return Ok(step);
                    }
                    // The last record of a multi-line format ends with the input, or with a
                    // pause in a followed file.
                    let quiet = quiet_since.get_or_insert_with(Instant::now).elapsed() >= RECORD_QUIET;
                    if !*finished_at_eof && !quiet {
                        return Ok(step);
                    }
                    let ctx = LineCtx {
                        path: path_text.as_deref(),
                        line_no: *line_no,
                        keep_original: config.keep_original,
                        invalid_utf8: false,
                    };
                    let sink = EventSink {
                        turn,
                        pending: &mut *pending,
                        pending_key: &mut *pending_key,
                        writer: &mut *writer,
                    };
                    sink.run(out, diagnostics, |emit| parser.flush(&ctx, emit))?;
                    *settled = (reader.consumed(), *line_no);
                    // A merge writes these events before asking again.
                    return Ok(if pending_key.is_some() && !turn.reads_to_end() {
                        Step::Ready
                    } else {
                        step
                    });
                }
                Err(LineError::BeforeRead(error)) => return Err(DriveError::Output(error)),
                Err(LineError::Read(error)) => {
                    diagnostics.input_failed(&format!("reading {display}: {error}"));
                    return Ok(Step::Done);
                }
            };
            if fragment {
                *line_no += 1;
                diagnostics.counts.lines += 1;
                diagnostics
                    .reject(
                        display,
                        *line_no,
                        "partial line cut off by rotation or truncation",
                        line.bytes,
                    )
                    .map_err(DriveError::Rejects)?;
                continue;
            }
            if line.truncated {
                *line_no += 1;
                diagnostics.counts.lines += 1;
                let reason = format!("line longer than {} bytes", config.max_line_bytes);
                diagnostics
                    .reject(display, *line_no, &reason, line.bytes)
                    .map_err(DriveError::Rejects)?;
                continue;
            }
            for segment in split_cr(line.bytes) {
                *line_no += 1;
                diagnostics.counts.lines += 1;
                if segment.iter().all(u8::is_ascii_whitespace) {
                    // Blank lines separate nothing in these formats; they are not errors.
                    diagnostics.counts.skipped += 1;
                    continue;
                }
                let (text, invalid_utf8) = to_text(segment, scratch);
                let ctx = LineCtx {
                    path: path_text.as_deref(),
                    line_no: *line_no,
                    keep_original: config.keep_original,
                    invalid_utf8,
                };
                let sink = EventSink {
                    turn,
                    pending: &mut *pending,
                    pending_key: &mut *pending_key,
                    writer: &mut *writer,
                };
                let outcome = sink.run(out, diagnostics, |emit| parser.parse(text, &ctx, emit))?;
                match outcome {
                    Ok(Parsed::Events) => {}
                    Ok(Parsed::Skipped) => diagnostics.counts.skipped += 1,
                    Err(reject) => diagnostics
                        .reject(display, *line_no, reject.reason, segment)
                        .map_err(DriveError::Rejects)?,
                }
            }
            if !parser.holds_record() {
                *settled = (reader.consumed(), *line_no);
            }
            if pending_key.is_some() && !turn.reads_to_end() {
                return Ok(Step::Ready);
            }
        }
    }
}

/// Where a text input's events go: straight to the output, or to `pending` for a merge.
struct EventSink<'s> {
    turn: Turn,
    pending: &'s mut Vec<u8>,
    pending_key: &'s mut Option<(i64, u32)>,
    writer: &'s mut EventWriter,
}

impl EventSink<'_> {
    /// Runs `produce` (a parse, a flush) with an emitter that serialises and counts each event.
    fn run<W: Write, R>(
        self,
        out: &mut NdjsonWriter<W>,
        diagnostics: &mut Diagnostics,
        produce: impl FnOnce(&mut Emit<'_>) -> R,
    ) -> Result<R, DriveError> {
        let EventSink {
            turn,
            pending,
            pending_key,
            writer,
        } = self;
        let direct = turn.direct();
        let mut emitted = 0u64;
        let buffer: &mut Vec<u8> = if direct { out.buffer() } else { pending };
        let result = produce(&mut |event| {
            if pending_key.is_none() {
                *pending_key = Some(event.timestamp.sort_key());
            }
            writer.write(event, buffer);
            emitted += 1;
        });
        diagnostics.counts.events += emitted;
        if direct && emitted > 0 {
            out.written().map_err(DriveError::Output)?;
        }
        Ok(result)
    }
}

fn is_gzip_name(path: &std::path::Path) -> bool {
    path.extension().is_some_and(|ext| ext == "gz")
}

/// The reference for year inference: the file's modification time, or now.
fn modified_time(spec: &InputSpec) -> chrono::DateTime<chrono::Utc> {
    spec.path()
        .and_then(|path| std::fs::metadata(path).ok()?.modified().ok())
        .map_or_else(chrono::Utc::now, chrono::DateTime::<chrono::Utc>::from)
}

/// Every input opened, each that could not be reported (the run goes on without it).
fn open_all(
    config: &IngestConfig,
    turn: Turn,
    diagnostics: &mut Diagnostics,
    state: Option<&dyn FollowState>,
) -> Vec<Source> {
    config.inputs.report_listing(diagnostics);
    let mut sources = Vec::with_capacity(config.inputs.specs.len());
    for spec in &config.inputs.specs {
        match Source::open(spec, config, state) {
            Ok(mut source) => {
                source.turn = turn;
                sources.push(source);
            }
            Err(error) => diagnostics.input_failed(&error.to_string()),
        }
    }
    sources
}

/// Reads every input to its end, writing events in time order across inputs: always the
/// input whose next event is earliest (each input is in time order, as logs are).
fn merge<W: Write>(
    config: &IngestConfig,
    out: &mut NdjsonWriter<W>,
    diagnostics: &mut Diagnostics,
) -> Result<(), DriveError> {
    let mut sources = open_all(config, Turn::Merged, diagnostics, None);
    if let [only] = sources.as_mut_slice() {
        only.turn = Turn::Alone;
    }
    let mut ready = Vec::with_capacity(sources.len());
    for (index, source) in sources.iter_mut().enumerate() {
        if let Step::Ready = source.advance(config, diagnostics, out)? {
            ready.push(index);
        }
    }
    while let Some(position) = earliest(&sources, &ready) {
        let index = ready[position];
        let source = &mut sources[index];
        if !source.turn.direct() {
            out.write_records(&source.pending).map_err(DriveError::Output)?;
        }
        match source.advance(config, diagnostics, out)? {
            Step::Ready => {}
            Step::Idle | Step::Done => {
                ready.swap_remove(position);
            }
        }
    }
    Ok(())
}

/// The position in `ready` of the source whose pending events are earliest; ties go to the
/// input named first, so equal timestamps keep the command line's order.
fn earliest(sources: &[Source], ready: &[usize]) -> Option<usize> {
    ready
        .iter()
        .enumerate()
        .min_by_key(|(_, &index)| (sources[index].pending_key, index))
        .map(|(position, _)| position)
}

/// Hands every followed file's place to `state` (the output before it is flushed).
fn save_places(sources: &[Source], state: &mut dyn FollowState) {
    let places: Vec<_> = sources.iter().filter_map(Source::place).collect();
    if !places.is_empty() {
        state.save(places);
    }
}

/// Watches the folders of the followed files (the file itself may not exist yet, or be
/// replaced), sending a wake-up for every change there; `None` where the system offers no
/// watching, which leaves polling.
fn watch_folders(inputs: &Inputs, wake: std::sync::mpsc::SyncSender<()>) -> Option<notify::RecommendedWatcher> {
    use notify::Watcher as _;
    let mut watcher = notify::recommended_watcher(move |_event: notify::Result<notify::Event>| {
        let _ = wake.try_send(());
    })
    .ok()?;
    for spec in &inputs.specs {
        let Some(path) = spec.path() else { continue };
        let folder = match path.parent() {
            Some(folder) if !folder.as_os_str().is_empty() => folder,
            _ => std::path::Path::new("."),
        };
        // A folder that does not exist yet is polled for, as before.
        let _ = watcher.watch(folder, notify::RecursiveMode::NonRecursive);
    }
    Some(watcher)
}

/// Reads every input as it grows, until all are finished (stdin closed) or `stop` is set.
fn follow<W: Write>(
    config: &IngestConfig,
    poll_interval: Duration,
    stop: &AtomicBool,
    out: &mut NdjsonWriter<W>,
    diagnostics: &mut Diagnostics,
    mut state: Option<&mut dyn FollowState>,
) -> Result<(), DriveError> {
    let mut sources = open_all(config, Turn::Followed, diagnostics, state.as_deref());
    let mut done = vec![false; sources.len()];
    let mut places_saved = Instant::now();
    // One pending wake-up says all there is to say: a busy folder cannot queue up memory.
    let (wake, changes) = std::sync::mpsc::sync_channel(1);
    let _watcher = watch_folders(&config.inputs, wake);
    while done.iter().any(|finished| !finished) && !stop.load(Ordering::Relaxed) {
        let mut progressed = false;
        for (index, source) in sources.iter_mut().enumerate() {
            while !done[index] {
                match source.advance(config, diagnostics, out)? {
                    Step::Ready => progressed = true,
                    Step::Idle => {
                        if !source.caught_up {
                            source.caught_up = true;
                            source.advance_clock_to_now();
                        }
                        break;
                    }
                    Step::Done => done[index] = true,
                }
            }
        }
        if let Some(state) = state
            .as_deref_mut()
            .filter(|_| places_saved.elapsed() >= PLACES_SAVE_EVERY)
        {
            out.flush().map_err(DriveError::Output)?;
            save_places(&sources, state);
            places_saved = Instant::now();
        }
        if !progressed {
            out.flush().map_err(DriveError::Output)?;
            if done.iter().any(|finished| !finished) {
                // A change in a followed folder wakes at once; the interval is the longest
                // wait, and all there is where the folders cannot be watched.
                if changes.recv_timeout(poll_interval).is_ok() {
                    while changes.try_recv().is_ok() {}
                }
                for source in sources.iter_mut().filter(|source| source.caught_up) {
                    source.advance_clock_to_now();
                }
            }
        }
    }
    out.flush().map_err(DriveError::Output)?;
    if let Some(state) = state {
        save_places(&sources, state);
    }
    Ok(())
}
