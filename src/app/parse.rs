//! The `ls-parse` runner: flags → [`ParseConfig`], the input driver ([`crate::ingest::drive`])
//! over them, the summary and the exit code.

use super::{Exit, StartError};
use crate::cli::parse::ParseArgs;
use crate::diagnostics::{Counts, Diagnostics};
use crate::ingest::{
    drive, expand_inputs, DriveError, Expand, FollowState, IngestConfig, InputSpec, ReadPosition, Reading, HEAD_BYTES,
};
use crate::output::{is_broken_pipe, NdjsonWriter};
use crate::parse::{ClockConfig, Format};
use crate::state::{InputPlace, StateError, Store};
use crate::text::printable;
use crate::time::Zone;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

const PROGRAM: &str = "ls-parse";

/// A validated `ls-parse` run.
#[derive(Debug)]
pub struct ParseConfig {
    /// What to read and how.
    pub ingest: IngestConfig,
    /// Where to keep rejected lines.
    pub rejects: Option<PathBuf>,
    /// No summary.
    pub quiet: bool,
    /// Where followed files' places are kept across runs.
    pub state: Option<PathBuf>,
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
        let inputs = expand_inputs(
            &args.input.files,
            Expand {
                allow_missing: args.follow,
                follow_dir_links: args.input.follow_symlinks,
            },
        );
        if args.follow && inputs.count() > 1 && inputs.specs.contains(&InputSpec::Stdin) {
            return usage("--follow cannot read standard input together with files");
        }
        let Some(mut format) = Format::named(&args.format) else {
            return usage(&format!("unknown format `{}`", args.format));
        };
        if let Some(kind) = &args.kind {
            match &mut format {
                Format::Lines(lines, chosen) => match lines.kinds.iter().find(|(name, _)| name == kind) {
                    Some((name, _)) => *chosen = Some(name),
                    None => return usage(&format!("--kind {kind} is not a kind of {} log", lines.name)),
                },
                _ => return usage(&format!("--kind applies to a line format, not {}", args.format)),
            }
        }
        let reading = if args.follow {
            Reading::Follow {
                from_end: args.from_end,
                poll_interval: Duration::from_secs_f64(args.sleep_interval),
                follow_retargeted: args.input.follow_symlinks,
            }
        } else {
            Reading::Merge
        };
        Ok(ParseConfig {
            ingest: IngestConfig {
                format,
                inputs,
                reading,
                clock: ClockConfig { zone, year: args.year },
                keep_original: args.raw,
                max_line_bytes: usize::try_from(args.max_line_bytes).unwrap_or(usize::MAX),
                threads: args.threads,
            },
            rejects: args.input.rejects,
            quiet: args.input.quiet,
            state: args.state,
        })
    }
}

/// The followed files' places in the state file: read once at the start, saved as the run
/// goes. A save that fails is said once, and the run goes on without the file.
struct StoredPlaces {
    store: Option<Store>,
    saved: Vec<InputPlace>,
    /// What was saved last: a quiet file is not saved again every second.
    last_saved: Vec<InputPlace>,
    failed: bool,
}

impl StoredPlaces {
    fn open(path: &Path) -> Result<Self, StateError> {
        let store = Store::open(path)?;
        let saved = store.input_places()?;
        Ok(StoredPlaces {
            store: Some(store),
            saved,
            last_saved: Vec::new(),
            failed: false,
        })
    }
}

/// The key a followed path is kept under: absolute, so a run from another folder finds it.
fn place_key(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_owned())
        .to_string_lossy()
        .into_owned()
}

impl FollowState for StoredPlaces {
    fn saved(&self, path: &Path) -> Option<ReadPosition> {
        let key = place_key(path);
        let place = self.saved.iter().find(|place| place.path == key)?;
        Some(ReadPosition {
            file: PathBuf::from(&place.file),
            identity: (place.device, place.inode),
            head_bytes: place.head_bytes.min(HEAD_BYTES),
            head_hash: place.head_hash,
            offset: place.offset,
            line: place.line,
        })
    }

    fn save(&mut self, places: Vec<(PathBuf, ReadPosition)>) {
        let Some(store) = self.store.as_mut() else {
            return;
        };
        let rows: Vec<InputPlace> = places
            .into_iter()
            .map(|(path, at)| InputPlace {
                path: place_key(&path),
                file: place_key(&at.file),
                device: at.identity.0,
                inode: at.identity.1,
                head_bytes: at.head_bytes,
                head_hash: at.head_hash,
                offset: at.offset,
                line: at.line,
            })
            .collect();
        if rows == self.last_saved {
            return;
        }
        if let Err(error) = store.save_input_places(&rows) {
            let _ = writeln!(
                std::io::stderr().lock(),
                "{PROGRAM}: error: state: {}: going on without it (the next run starts where the last save left)",
                printable(&error.to_string())
            );
            self.store = None;
            self.failed = true;
            return;
        }
        self.last_saved = rows;
    }
}

/// The `ls-parse` binary.
pub fn main() -> ExitCode {
    super::stage_main(PROGRAM, ParseConfig::from_args, |config| run(&config))
}

/// Runs `ls-parse` with a validated config, writing to stdout.
pub fn run(config: &ParseConfig) -> Exit {
    super::hint_if_reading_a_terminal(
        &config.ingest.inputs,
        &Diagnostics::messages(PROGRAM, config.quiet),
        "log lines",
    );
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
    let stop = match config.ingest.reading {
        Reading::Follow { .. } => super::stop_on_signals(),
        Reading::Merge => Arc::new(AtomicBool::new(false)),
    };
    let mut places = match config.state.as_deref().map(StoredPlaces::open).transpose() {
        Ok(places) => places,
        Err(error) => return (super::history::state_failed(PROGRAM, &error), Some(diagnostics)),
    };
    let result = drive(
        &config.ingest,
        &stop,
        out,
        &mut diagnostics,
        places.as_mut().map(|places| places as &mut dyn FollowState),
    );
    let state_failed = places.is_some_and(|places| places.failed);
    let finish = diagnostics.finish();
    match result {
        Err(DriveError::Output(error)) if is_broken_pipe(&error) => return (Exit::Success, Some(diagnostics)),
        Err(error) => {
            diagnostics.error(&error.to_string());
            return (Exit::DataError, Some(diagnostics));
        }
        Ok(()) => {}
    }
    if let Err(error) = finish {
        diagnostics.error(&format!("writing rejects file: {error}"));
        return (Exit::DataError, Some(diagnostics));
    }
    diagnostics.summary(config.ingest.inputs.count());
    let counts = diagnostics.counts;
    if counts.lines > 0 && counts.rejected == counts.lines {
        // A wrong turn, not a quiet log: say which way to go.
        diagnostics.warn(&match &config.ingest.format {
            crate::parse::Format::Lines(format, _) => format!(
                "no line was read as `{}`: `ls-parse auto` reads every format LogSentry knows",
                format.name
            ),
            _ => "no line was in a format LogSentry reads (see ls-parse --help)".to_owned(),
        });
    }
    let exit = if diagnostics.counts.failed_inputs > 0 || state_failed {
        Exit::DataError
    } else {
        Exit::Success
    };
    (exit, Some(diagnostics))
}
