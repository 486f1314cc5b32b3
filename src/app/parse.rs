//! `ls-parse`: opens the inputs, drives each through its parser, merges them by event time
//! (or, with `--follow`, interleaves them as they grow), and reports what it did.

use super::{Exit, StartError};
use crate::cli::parse::{FormatArg, MysqlKindArg, ParseArgs};
use crate::diagnostics::{Counts, Diagnostics};
use crate::ingest::evtx::{is_evtx, EvtxItem, EvtxOptions, EvtxStream, MappedChunk};
use crate::ingest::{
    expand_inputs, open_input, peek, split_cr, to_text, FollowedFile, InputSpec, Inputs, LineReader, OpenError,
};
use crate::output::{is_broken_pipe, NdjsonWriter};
use crate::parse::evtx::EVTX_MAGIC;
use crate::parse::{Clock, ClockConfig, Format, LineCtx, LineParser, MysqlKind, Parsed};
use crate::schema::EventWriter;
use crate::time::Zone;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PROGRAM: &str = "ls-parse";

/// A validated `ls-parse` run.
#[derive(Debug)]
pub struct ParseConfig {
    /// The format to parse.
    pub format: Format,
    /// The inputs, directories expanded.
    pub inputs: Inputs,
    /// Follow the inputs as they grow.
    pub follow: bool,
    /// With follow: start at the end.
    pub from_end: bool,
    /// With follow: time between checks.
    pub poll_interval: Duration,
    /// Zone and year for incomplete timestamps.
    pub clock: ClockConfig,
    /// Keep raw lines in `event.original`.
    pub keep_original: bool,
    /// Where to keep rejected lines.
    pub rejects: Option<PathBuf>,
    /// No summary.
    pub quiet: bool,
    /// Longest accepted line.
    pub max_line_bytes: usize,
    /// EVTX decoding threads, and as many mapping threads (0: one per CPU).
    pub threads: usize,
}

impl ParseConfig {
    /// Validates parsed arguments; the error is a usage message.
    pub fn from_args(args: ParseArgs) -> Result<Self, StartError> {
        let usage = |message: &str| Err(StartError::Usage(message.to_owned()));
        let zone: Zone = args
            .tz
            .parse()
            .map_err(|error: crate::time::ZoneError| StartError::Usage(error.to_string()))?;
        if !(args.sleep_interval.is_finite() && args.sleep_interval > 0.0 && args.sleep_interval <= 3600.0) {
            return usage("--sleep-interval must be between 0 and 3600 seconds");
        }
        let inputs = expand_inputs(&args.files, args.follow);
        if args.follow && inputs.count() > 1 && inputs.specs.contains(&InputSpec::Stdin) {
            return usage("--follow cannot read standard input together with files");
        }
        let kind = args.kind.map(|kind| match kind {
            MysqlKindArg::Error => MysqlKind::Error,
            MysqlKindArg::General => MysqlKind::General,
            MysqlKindArg::Slow => MysqlKind::Slow,
        });
        if kind.is_some() && args.format != FormatArg::Mysql {
            return usage("--kind applies to the mysql format only");
        }
        Ok(ParseConfig {
            format: match args.format {
                FormatArg::Ssh => Format::Ssh,
                FormatArg::Apache => Format::WebAccess,
                FormatArg::Evtx => Format::Evtx,
                FormatArg::Mysql => Format::Mysql(kind),
                FormatArg::Auto => Format::Auto,
            },
            threads: args.threads,
            inputs,
            follow: args.follow,
            from_end: args.from_end,
            poll_interval: Duration::from_secs_f64(args.sleep_interval),
            clock: ClockConfig { zone, year: args.year },
            keep_original: args.raw,
            rejects: args.rejects,
            quiet: args.quiet,
            max_line_bytes: usize::try_from(args.max_line_bytes).unwrap_or(usize::MAX),
        })
    }
}

/// The `ls-parse` binary.
pub fn main() -> ExitCode {
    super::stage_main(PROGRAM, ParseConfig::from_args, |config| run(&config))
}

/// Runs `ls-parse` with a validated config, writing to stdout.
pub fn run(config: &ParseConfig) -> Exit {
    run_into(config, &mut NdjsonWriter::stdout()).0
}

/// Runs `ls-parse` with a validated config, writing events to `out`; gives back the exit
/// status and what was counted.
pub fn run_into<W: Write>(config: &ParseConfig, out: &mut NdjsonWriter<W>) -> (Exit, Counts) {
    let (exit, diagnostics) = run_with_diagnostics(config, out);
    (
        exit,
        diagnostics.map(|diagnostics| diagnostics.counts).unwrap_or_default(),
    )
}

fn run_with_diagnostics<W: Write>(config: &ParseConfig, out: &mut NdjsonWriter<W>) -> (Exit, Option<Diagnostics>) {
    let mut diagnostics = match Diagnostics::new(PROGRAM, config.rejects.as_deref(), config.quiet) {
        Ok(diagnostics) => diagnostics,
        Err(error) => {
            let path = config
                .rejects
                .as_deref()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            let exit = StartError::data(format_args!("cannot create rejects file {path}"), error).report(PROGRAM);
            return (exit, None);
        }
    };
    let result = if config.follow {
        follow(config, &stop_on_signals(), out, &mut diagnostics)
    } else {
        merge(config, out, &mut diagnostics)
    }
    .and_then(|()| out.flush().map_err(RunError::Output));
    let finish = diagnostics.finish();
    match result {
        Err(RunError::Output(error)) if is_broken_pipe(&error) => return (Exit::Success, Some(diagnostics)),
        Err(RunError::Output(error)) => {
            diagnostics.error(&format!("writing output: {error}"));
            return (Exit::DataError, Some(diagnostics));
        }
        Err(RunError::Rejects(error)) => {
            diagnostics.error(&format!("writing rejects file: {error}"));
            return (Exit::DataError, Some(diagnostics));
        }
        Ok(()) => {}
    }
    if let Err(error) = finish {
        diagnostics.error(&format!("writing rejects file: {error}"));
        return (Exit::DataError, Some(diagnostics));
    }
    diagnostics.summary(config.inputs.count());
    let exit = if diagnostics.counts.failed_inputs > 0 {
        Exit::DataError
    } else {
        Exit::Success
    };
    (exit, Some(diagnostics))
}

/// Failing to write output ends the run; failing to read an input only ends that input.
enum RunError {
    Output(io::Error),
    Rejects(io::Error),
}

/// Before a read that may block, whatever is buffered goes out: a live reader sees it now.
struct FlushBeforeRead<'o, W: Write> {
    out: &'o mut NdjsonWriter<W>,
    failure: Option<io::Error>,
}

impl<W: Write> FlushBeforeRead<'_, W> {
    fn hook(&mut self) -> io::Result<()> {
        self.out.flush().map_err(|error| {
            let kind = error.kind();
            self.failure = Some(error);
            io::Error::new(kind, "output failed")
        })
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
    feed: Feed,
    /// Events of the current line, when inputs are merged; a lone input writes straight
    /// into the output buffer instead.
    pending: Vec<u8>,
    pending_key: Option<(i64, u32)>,
    direct: bool,
    /// The only input of a merge: it reads on to its end instead of returning after each
    /// line's events for the merge to choose the next input.
    exclusive: bool,
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
}

/// How long a followed input must be quiet before a multi-line record its parser holds is
/// taken as complete (the writer may still be adding lines to it just before).
const RECORD_QUIET: Duration = Duration::from_millis(500);

/// Where the output of one call to `advance` goes.
struct Target<'t, 'o, W: Write> {
    pending: &'t mut Vec<u8>,
    pending_key: &'t mut Option<(i64, u32)>,
    direct: bool,
    exclusive: bool,
    flusher: &'t mut FlushBeforeRead<'o, W>,
}

impl Source {
    fn open(spec: &InputSpec, config: &ParseConfig) -> Result<Self, OpenError> {
        let unreadable = |source| OpenError::Unreadable {
            path: spec.display(),
            source,
        };
        let evtx_options = || EvtxOptions {
            threads: config.threads,
            path: spec.path().map(|path| path.to_string_lossy().into_owned()),
            keep_original: config.keep_original,
        };
        let feed = match spec {
            // A file in place: a Windows event log is decoded where it lies; a text log is
            // followed if asked (a gzip file never grows, so it is read once).
            InputSpec::File(path) if !is_gzip_name(path) && file_is_evtx(path) => {
                check_format(config.format, true).map_err(unreadable)?;
                Feed::Evtx(Box::new(EvtxFeed::new(
                    EvtxStream::open_file(path, evtx_options()).map_err(unreadable)?,
                )))
            }
            InputSpec::File(path) if config.follow && !is_gzip_name(path) => {
                check_format(config.format, false).map_err(unreadable)?;
                let followed =
                    FollowedFile::open(path.clone(), config.from_end).map_err(|source| OpenError::Unreadable {
                        path: path.display().to_string(),
                        source,
                    })?;
                Feed::Lines(Box::new(LineFeed::new(spec, Box::new(followed), false, config)))
            }
            _ => {
                let (head, read) = peek(open_input(spec)?, EVTX_MAGIC.len()).map_err(unreadable)?;
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
        Ok(Source {
            display: spec.display(),
            feed,
            pending: Vec::with_capacity(64 * 1024),
            pending_key: None,
            direct: false,
            exclusive: false,
            caught_up: false,
        })
    }

    /// Reads until some events are ready (`Ready`), the data runs out for now (`Idle`) or
    /// for good (`Done`). Events go to `pending`, or with `direct` straight to the output.
    /// Read errors end this input with a report; output errors propagate.
    fn advance<W: Write>(
        &mut self,
        config: &ParseConfig,
        diagnostics: &mut Diagnostics,
        flusher: &mut FlushBeforeRead<'_, W>,
    ) -> Result<Step, RunError> {
        self.pending.clear();
        self.pending_key = None;
        let target = Target {
            pending: &mut self.pending,
            pending_key: &mut self.pending_key,
            direct: self.direct,
            exclusive: self.exclusive,
            flusher,
        };
        match &mut self.feed {
            Feed::Lines(lines) => lines.advance(&self.display, config, diagnostics, target),
            Feed::Evtx(feed) => advance_evtx(feed, &self.display, diagnostics, target),
        }
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
        (Format::Ssh | Format::WebAccess | Format::Mysql(_), true) => {
            "a Windows event log (.evtx): read it with `ls-parse evtx` or `ls-parse auto`"
        }
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
    target: Target<'_, '_, W>,
) -> Result<Step, RunError> {
    loop {
        let ends = &feed.chunk.ends;
        if feed.next < ends.len() {
            let start = feed.next.checked_sub(1).map_or(0, |previous| ends[previous].0);
            let (stop, first_time) = if target.exclusive {
                (ends.len(), ends[feed.next].1)
            } else {
                (feed.next + 1, ends[feed.next].1)
            };
            let end = ends[stop - 1].0;
            let events = feed.chunk.ndjson.get(start..end).unwrap_or_default();
            let count = (stop - feed.next) as u64;
            feed.next = stop;
            diagnostics.counts.records += count;
            diagnostics.counts.events += count;
            if target.direct {
                target.flusher.out.write_records(events).map_err(RunError::Output)?;
            } else {
                target.pending.extend_from_slice(events);
                target.pending_key.get_or_insert(first_time.sort_key());
            }
            if !target.exclusive {
                return Ok(Step::Ready);
            }
            continue;
        }
        match feed.stream.next_item() {
            None => return Ok(Step::Done),
            Some(EvtxItem::Damaged(what)) => diagnostics.damaged(display, &what),
            Some(EvtxItem::Chunk(chunk)) => {
                let done = std::mem::replace(&mut feed.chunk, chunk);
                feed.stream.recycle(done);
                feed.next = 0;
            }
        }
    }
}

impl LineFeed {
    fn new(spec: &InputSpec, read: Box<dyn Read + Send>, finished_at_eof: bool, config: &ParseConfig) -> Self {
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
        }
    }

    fn advance<W: Write>(
        &mut self,
        display: &str,
        config: &ParseConfig,
        diagnostics: &mut Diagnostics,
        target: Target<'_, '_, W>,
    ) -> Result<Step, RunError> {
        let LineFeed {
            path_text,
            reader,
            parser,
            finished_at_eof,
            line_no,
            scratch,
            writer,
            quiet_since,
        } = self;
        let Target {
            pending,
            pending_key,
            direct,
            exclusive,
            flusher,
        } = target;
        loop {
            let line = match reader.next_line(*finished_at_eof, &mut || flusher.hook()) {
                Ok(Some(line)) => {
                    *quiet_since = None;
                    line
                }
                Ok(None) => {
                    let step = if *finished_at_eof { Step::Done } else { Step::Idle };
                    if !parser.holds_record() {
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
                        direct,
                        pending: &mut *pending,
                        pending_key: &mut *pending_key,
                        writer: &mut *writer,
                    };
                    sink.run(flusher, diagnostics, |emit| parser.flush(&ctx, emit))?;
                    // A merge writes these events before asking again.
                    return Ok(if pending_key.is_some() && !exclusive {
                        Step::Ready
                    } else {
                        step
                    });
                }
                Err(error) => {
                    if let Some(output_error) = flusher.failure.take() {
                        return Err(RunError::Output(output_error));
                    }
                    diagnostics.input_failed(&format!("reading {display}: {error}"));
                    return Ok(Step::Done);
                }
            };
            if line.truncated {
                *line_no += 1;
                diagnostics.counts.lines += 1;
                let reason = format!("line longer than {} bytes", config.max_line_bytes);
                diagnostics
                    .reject(display, *line_no, &reason, line.bytes)
                    .map_err(RunError::Rejects)?;
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
                    direct,
                    pending: &mut *pending,
                    pending_key: &mut *pending_key,
                    writer: &mut *writer,
                };
                let outcome = sink.run(flusher, diagnostics, |emit| parser.parse(text, &ctx, emit))?;
                match outcome {
                    Ok(Parsed::Events) => {}
                    Ok(Parsed::Skipped) => diagnostics.counts.skipped += 1,
                    Err(reject) => diagnostics
                        .reject(display, *line_no, reject.reason, segment)
                        .map_err(RunError::Rejects)?,
                }
            }
            // An exclusive source has no one to take turns with: it reads on to its end.
            if pending_key.is_some() && !exclusive {
                return Ok(Step::Ready);
            }
        }
    }
}

/// Where a text input's events go: straight to the output, or to `pending` for a merge.
struct EventSink<'s> {
    direct: bool,
    pending: &'s mut Vec<u8>,
    pending_key: &'s mut Option<(i64, u32)>,
    writer: &'s mut EventWriter,
}

impl EventSink<'_> {
    /// Runs `produce` (a parse, a flush) with an emitter that serialises and counts each event.
    fn run<W: Write, R>(
        self,
        flusher: &mut FlushBeforeRead<'_, W>,
        diagnostics: &mut Diagnostics,
        produce: impl FnOnce(&mut crate::parse::Emit<'_>) -> R,
    ) -> Result<R, RunError> {
        let EventSink {
            direct,
            pending,
            pending_key,
            writer,
        } = self;
        let mut emitted = 0u64;
        let out: &mut Vec<u8> = if direct { flusher.out.buffer() } else { pending };
        let result = produce(&mut |event| {
            if pending_key.is_none() {
                *pending_key = Some(event.timestamp.sort_key());
            }
            writer.write(event, out);
            emitted += 1;
        });
        diagnostics.counts.events += emitted;
        if direct && emitted > 0 {
            flusher.out.written().map_err(RunError::Output)?;
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

fn open_all(config: &ParseConfig, diagnostics: &mut Diagnostics) -> Vec<Source> {
    for error in &config.inputs.unreadable {
        diagnostics.input_failed(&error.to_string());
    }
    let mut sources = Vec::with_capacity(config.inputs.specs.len());
    for spec in &config.inputs.specs {
        match Source::open(spec, config) {
            Ok(source) => sources.push(source),
            Err(error) => diagnostics.input_failed(&error.to_string()),
        }
    }
    sources
}

/// Reads every input to its end, writing events in time order across inputs: always the
/// input whose next event is earliest (each input is in time order, as logs are).
fn merge<W: Write>(
    config: &ParseConfig,
    out: &mut NdjsonWriter<W>,
    diagnostics: &mut Diagnostics,
) -> Result<(), RunError> {
    let mut sources = open_all(config, diagnostics);
    if let [only] = sources.as_mut_slice() {
        only.direct = true;
        only.exclusive = true;
    }
    let mut ready = Vec::with_capacity(sources.len());
    for (index, source) in sources.iter_mut().enumerate() {
        let mut flusher = FlushBeforeRead { out, failure: None };
        if let Step::Ready = source.advance(config, diagnostics, &mut flusher)? {
            ready.push(index);
        }
    }
    while let Some(position) = earliest(&sources, &ready) {
        let index = ready[position];
        let source = &mut sources[index];
        if !source.direct {
            out.write_records(&source.pending).map_err(RunError::Output)?;
        }
        let mut flusher = FlushBeforeRead { out, failure: None };
        match source.advance(config, diagnostics, &mut flusher)? {
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

/// Reads every input as it grows, until all are finished (stdin closed) or forever.
/// Ctrl-C or SIGTERM ends following the way the end of input does: what was read is
/// written and the summary printed. A second signal ends the process at once, should
/// anything hang on the way out.
fn stop_on_signals() -> Arc<AtomicBool> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let stop = Arc::new(AtomicBool::new(false));
    for (signal, status) in [(SIGINT, 130), (SIGTERM, 143)] {
        // The shutdown goes first: it is armed only once the flag is set by a first signal.
        // Registering fails only for signals that may not be caught; if it did, the signal
        // would keep its default action, ending the process as before.
        let _ = signal_hook::flag::register_conditional_shutdown(signal, status, Arc::clone(&stop));
        let _ = signal_hook::flag::register(signal, Arc::clone(&stop));
    }
    stop
}

fn follow<W: Write>(
    config: &ParseConfig,
    stop: &AtomicBool,
    out: &mut NdjsonWriter<W>,
    diagnostics: &mut Diagnostics,
) -> Result<(), RunError> {
    let mut sources = open_all(config, diagnostics);
    for source in &mut sources {
        source.direct = true;
    }
    let mut done = vec![false; sources.len()];
    while done.iter().any(|finished| !finished) && !stop.load(Ordering::Relaxed) {
        let mut progressed = false;
        for (index, source) in sources.iter_mut().enumerate() {
            while !done[index] {
                let mut flusher = FlushBeforeRead { out, failure: None };
                match source.advance(config, diagnostics, &mut flusher)? {
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
        if !progressed {
            out.flush().map_err(RunError::Output)?;
            if done.iter().any(|finished| !finished) {
                std::thread::sleep(config.poll_interval);
                for source in sources.iter_mut().filter(|source| source.caught_up) {
                    source.advance_clock_to_now();
                }
            }
        }
    }
    Ok(())
}
