//! The `ls-report` runner: flags → where and how to write, the read loop over NDJSON inputs
//! into the report's tallies, then the report itself. [`ReportSink`] is shared with
//! `logsentry`, which feeds it from its own pipeline.

use super::records::{each_record_of, records_exit, Skipped, Stage, StageInput};
use super::{Exit, StartError};
use crate::attack::AttackTable;
use crate::cli::report::{FormatArg, ReportArgs, ReportOutputArgs};
use crate::ingest::InputSpec;
use crate::output::{is_broken_pipe, NdjsonWriter};
use crate::report::{
    csv, Collector, Destination, Format, Malformed, ReadRecord, Renderer, TemplateError, TrendCounts, TREND_DAYS,
};
use crate::schema::Declined;
use crate::state::{StateError, Store};
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

const PROGRAM: &str = "ls-report";

/// How and where a report is written, checked before any input is read.
pub struct ReportOutput {
    /// Where.
    pub destination: Destination,
    /// Which format.
    pub format: Format,
    /// The template, for HTML and Markdown.
    pub renderer: Option<Renderer>,
    /// The title.
    pub title: String,
}

impl ReportOutput {
    /// Checks the flags: the format (from `--format` or the file's extension), the template
    /// (it must parse), and that nothing would be overwritten. `fallback` is where a report
    /// goes when neither `-o` nor `--out-dir` is given.
    pub fn from_args(args: ReportOutputArgs, fallback: Destination) -> Result<Self, StartError> {
        let destination = match (args.output, args.out_dir) {
            (Some(file), _) if file.as_os_str() == "-" => Destination::Stdout,
            (Some(file), _) => Destination::File(file),
            (None, Some(dir)) => Destination::Directory(dir),
            (None, None) => fallback,
        };
        let format = match args.format {
            Some(FormatArg::Html) => Format::Html,
            Some(FormatArg::Md) => Format::Markdown,
            Some(FormatArg::Csv) => Format::Csv,
            Some(FormatArg::Json) => Format::Json,
            None => match &destination {
                // A name that says no format is a mistake to point out, not a reason to guess:
                // `-o report.txt` once got HTML without a word.
                Destination::File(path) => Format::from_path(path).ok_or_else(|| {
                    StartError::Usage(format!(
                        "-o {}: the name does not say which format to write; end it in .html, .md, .csv or \
                         .json, or give --format",
                        crate::text::printable(&path.display().to_string())
                    ))
                })?,
                _ => Format::Html,
            },
        };
        let renderer = match (format, &args.template) {
            (Format::Csv | Format::Json, Some(_)) => {
                return Err(StartError::Usage(
                    "--template applies to html and md reports only".to_owned(),
                ));
            }
            (Format::Csv | Format::Json, None) => None,
            (_, Some(path)) => Some(Renderer::from_file(path).map_err(|error| match error {
                TemplateError::Unreadable { .. } => StartError::data("--template", error),
                _ => StartError::usage("--template", error),
            })?),
            (_, None) => Some(Renderer::builtin(format).map_err(|error| StartError::data("built-in template", error))?),
        };
        destination
            .check()
            .map_err(|error| StartError::Usage(error.to_string()))?;
        Ok(ReportOutput {
            destination,
            format,
            renderer,
            title: args.title,
        })
    }
}

/// A report being made: records go in one at a time, the report comes out at the end. A
/// CSV report is written as alerts arrive, so it lists every one however many there are.
pub struct ReportSink {
    output: ReportOutput,
    collector: Collector,
    csv: Option<CsvOut>,
}

/// A CSV report being written: its file (none for stdout) and the writer.
struct CsvOut {
    path: Option<PathBuf>,
    writer: BufWriter<Box<dyn Write>>,
}

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The template failed on this report's data.
    #[error("rendering the report: {0}")]
    Render(#[from] TemplateError),
    /// The report's data could not be written as JSON.
    #[error("encoding the report: {0}")]
    Encode(#[from] serde_json::Error),
    /// The whole report could not be written to its file; nothing was left in its place.
    #[error("writing the report file: {0}; no report file was left, so a rerun may use the same name")]
    WriteWhole(io::Error),
    /// Writing the report failed.
    #[error("writing {place}: {source}")]
    Write {
        /// The file, or standard output.
        place: String,
        /// The OS error.
        source: io::Error,
    },
}

impl ReportError {
    fn write(path: Option<&std::path::Path>, source: io::Error) -> Self {
        let place = path.map_or_else(|| "the report".to_owned(), |path| path.display().to_string());
        ReportError::Write { place, source }
    }
}

/// What became of the report.
#[derive(Debug)]
pub enum Written {
    /// To this file.
    File(PathBuf),
    /// To standard output.
    Stdout,
    /// Standard output's reader went away: nothing more to do.
    ReaderGone,
}

impl ReportSink {
    /// A sink for `output` (a CSV file is created now).
    pub fn new(output: ReportOutput, table: AttackTable) -> io::Result<Self> {
        let csv = if output.format == Format::Csv {
            let (path, writer): (Option<PathBuf>, Box<dyn Write>) = match output
                .destination
                .create(output.format.extension(), chrono::Local::now())?
            {
                Some((path, file)) => (Some(path), Box::new(file)),
                None => (None, Box::new(io::stdout())),
            };
            let mut writer = BufWriter::with_capacity(64 * 1024, writer);
            writer.write_all(csv::HEADER.as_bytes())?;
            Some(CsvOut { path, writer })
        } else {
            None
        };
        Ok(ReportSink {
            output,
            collector: Collector::new(table),
            csv,
        })
    }

    /// Reads one record.
    pub fn add(&mut self, line: &str) -> Result<Result<ReadRecord, Malformed>, io::Error> {
        let Some(CsvOut { writer, .. }) = &mut self.csv else {
            return Ok(self.collector.add(line));
        };
        let mut written = Ok(());
        let kind = self.collector.add_seeing_alerts(line, &mut |row| {
            if written.is_ok() {
                written = csv::write_row(writer, row);
            }
        });
        written.map(|()| kind)
    }

    /// Writes out the CSV rows buffered so far: the input is about to be waited for, and a
    /// reader of a live report sees each row when its alert arrives.
    pub fn flush_rows(&mut self) -> io::Result<()> {
        match &mut self.csv {
            Some(CsvOut { writer, .. }) => writer.flush(),
            None => Ok(()),
        }
    }

    /// The tallies, for summaries and provenance notes.
    pub fn collector_mut(&mut self) -> &mut Collector {
        &mut self.collector
    }

    /// Writes the report.
    pub fn finish(self) -> Result<Written, ReportError> {
        let ReportSink { output, collector, csv } = self;
        if let Some(CsvOut { path, mut writer }) = csv {
            return match writer.flush() {
                Ok(()) => Ok(path.map_or(Written::Stdout, Written::File)),
                Err(error) if is_broken_pipe(&error) => Ok(Written::ReaderGone),
                Err(error) => Err(ReportError::write(path.as_deref(), error)),
            };
        }
        let now = chrono::Local::now();
        let generated_at = now
            .with_timezone(&chrono::Utc)
            .format("%Y-%m-%d %H:%M:%S UTC")
            .to_string();
        let data = collector.finish(&output.title, generated_at);
        let mut text = match &output.renderer {
            Some(renderer) => renderer.render(&data)?,
            None => serde_json::to_string_pretty(&data)?,
        };
        if !text.ends_with('\n') {
            text.push('\n');
        }
        match output
            .destination
            .write_whole(output.format.extension(), now, text.as_bytes())
        {
            Ok(Some(path)) => Ok(Written::File(path)),
            Ok(None) => {
                let mut stdout = io::stdout().lock();
                match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
                    Ok(()) => Ok(Written::Stdout),
                    Err(error) if is_broken_pipe(&error) => Ok(Written::ReaderGone),
                    Err(error) => Err(ReportError::write(None, error)),
                }
            }
            Err(error) => Err(ReportError::WriteWhole(error)),
        }
    }
}

/// The read loop's view of a report: records in, CSV rows out before each wait for input.
struct ReportStage<'s> {
    sink: &'s mut ReportSink,
    /// The first write that failed: the rest of the input is read but not written.
    failure: Option<io::Error>,
    /// Whether the last record had fields read as absent because of their type.
    declined: Declined,
}

impl Stage for ReportStage<'_> {
    type Unusable = Skipped<Malformed>;

    fn record(&mut self, line: &str, _out: &mut Vec<u8>) -> Result<(), Self::Unusable> {
        if self.failure.is_some() {
            return Ok(());
        }
        match self.sink.add(line) {
            Ok(Ok(read)) => {
                self.declined = read.declined;
                Ok(())
            }
            Ok(Err(malformed)) => Err(Skipped(malformed)),
            Err(error) => {
                self.failure = Some(error);
                Ok(())
            }
        }
    }

    fn take_declined(&mut self) -> Declined {
        std::mem::take(&mut self.declined)
    }

    fn before_read(&mut self, _out: &mut Vec<u8>) {
        if self.failure.is_none() {
            if let Err(error) = self.sink.flush_rows() {
                self.failure = Some(error);
            }
        }
    }
}

/// A validated `ls-report` command line.
pub struct ReportRun {
    /// The report.
    pub output: ReportOutput,
    /// Inputs, rejects file, `-q`.
    pub input: StageInput,
    /// The state file the Trends come from, if any.
    pub state: Option<PathBuf>,
}

impl ReportRun {
    /// Checks the flags.
    pub fn from_args(args: ReportArgs) -> Result<Self, StartError> {
        Ok(ReportRun {
            output: ReportOutput::from_args(args.output, Destination::Stdout)?,
            input: StageInput::from_args(args.input),
            state: args.state,
        })
    }
}

/// The Trends the state file's alerts show, for the report.
pub fn stored_trends(store: &Store) -> Result<Option<TrendCounts>, StateError> {
    Ok(store.trends(TREND_DAYS)?.map(|stored| TrendCounts {
        last_day: stored.last_day,
        per_day: stored.per_day,
        new_attackers: stored.new_attackers,
        returning_attackers: stored.returning_attackers,
        techniques: stored.techniques,
    }))
}

/// `ls-report`'s main.
pub fn main() -> std::process::ExitCode {
    super::stage_main(PROGRAM, ReportRun::from_args, report)
}

/// Reads the inputs and writes the report.
pub fn report(run: ReportRun) -> Exit {
    // Opened first: a wrong name is said before the input is read.
    let store = match run.state.as_deref().map(Store::open_existing).transpose() {
        Ok(store) => store,
        Err(error) => return super::history::state_failed(PROGRAM, &error),
    };
    let mut diagnostics = match run.input.diagnostics(PROGRAM) {
        Ok(diagnostics) => diagnostics,
        Err(exit) => return exit,
    };
    let mut sink = match ReportSink::new(run.output, AttackTable::embedded()) {
        Ok(sink) => sink,
        Err(error) => {
            diagnostics.error(&format!("creating the report: {error}"));
            return Exit::DataError;
        }
    };
    let inputs = &run.input.inputs;
    sink.collector_mut().provenance_mut().inputs = inputs.specs.iter().map(InputSpec::display).collect();
    // Nothing is written per record: the loop's writer stays empty.
    let mut unused = NdjsonWriter::new(io::sink());
    let mut stage = ReportStage {
        sink: &mut sink,
        failure: None,
        declined: Declined::default(),
    };
    if let Err(exit) = each_record_of(inputs, &mut unused, &mut diagnostics, &mut stage) {
        return exit;
    }
    if let Some(error) = stage.failure {
        if is_broken_pipe(&error) {
            return Exit::Success;
        }
        diagnostics.error(&format!("writing the report: {error}"));
        return Exit::DataError;
    }
    if let Some(store) = &store {
        match stored_trends(store) {
            Ok(Some(trends)) => sink.collector_mut().set_trends(trends),
            Ok(None) => {}
            Err(error) => return super::history::state_failed(PROGRAM, &error),
        }
    }
    let counts = sink.collector_mut().provenance().clone();
    let written = match sink.finish() {
        Ok(written) => written,
        Err(error) => {
            diagnostics.error(&error.to_string());
            return Exit::DataError;
        }
    };
    let place = match &written {
        Written::File(path) => format!("report written to {}", path.display()),
        Written::Stdout | Written::ReaderGone => "report written to standard output".to_owned(),
    };
    let read = &diagnostics.counts;
    diagnostics.summary_line(&format!(
        "{} records ({} events, {} alerts, {} incident records, {} other), {} malformed{}{}; {place}",
        read.lines,
        counts.events,
        counts.alerts,
        counts.incident_records,
        counts.other,
        read.malformed,
        read.mistyped_note(),
        read.unreadable_note()
    ));
    records_exit(&diagnostics)
}
