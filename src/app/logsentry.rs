//! The `logsentry` runner: flags → each stage's config (checked by that stage's own parser),
//! the pipeline ([`super::pipeline`]), the report and the terminal summary.

use super::correlate::StateMemory;
use super::detect::DetectRun;
use super::parse::ParseConfig;
use super::pipeline::{self, Ran, StageState, Stages};
use super::report::{ReportOutput, ReportSink, Written};
use super::{Exit, StartError};
use crate::attack::AttackTable;
use crate::cli::correlate::CorrelateArgs;
use crate::cli::detect::DetectArgs;
use crate::cli::logsentry::{ColorArg, LogsentryArgs};
use crate::cli::parse::ParseArgs;
use crate::correlate::{self, Correlator};
use crate::diagnostics::Diagnostics;
use crate::enrich::geoip::GeoIp;
use crate::enrich::Enricher;
use crate::ingest::InputSpec;
use crate::report::Destination;
use crate::state::Store;
use crate::text::printable;
use clap::Parser;
use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

const PROGRAM: &str = "logsentry";

/// A validated `logsentry` command line.
pub struct LogsentryRun {
    parse: ParseConfig,
    detect: DetectRun,
    correlate: correlate::CorrelateConfig,
    geoip: Option<GeoIp>,
    output: ReportOutput,
    state: Option<PathBuf>,
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
        // One zone for both stages: the flag, else the config file's (which ls-detect reads
        // itself), else local.
        let file_zone = match (&args.tz, &args.config) {
            (None, Some(path)) => super::detect_config::ConfigFile::load(path)?.tz,
            _ => None,
        };
        let zone = args.tz.clone().or(file_zone).unwrap_or_else(|| "local".to_owned());
        let mut parse_argv: Vec<OsString> = vec![
            "ls-parse".into(),
            "auto".into(),
            "-q".into(),
            "--tz".into(),
            zone.clone().into(),
        ];
        if let Some(rejects) = &args.input.rejects {
            parse_argv.push("--rejects".into());
            parse_argv.push(rejects.clone().into_os_string());
        }
        if args.input.follow_symlinks {
            parse_argv.push("--follow-symlinks".into());
        }
        parse_argv.push("--".into());
        parse_argv.extend(args.input.files.iter().map(|path| path.clone().into_os_string()));
        let parse = ParseConfig::from_args(ParseArgs::try_parse_from(parse_argv).map_err(stage_error)?)?;
        let mut detect_argv: Vec<OsString> = vec!["ls-detect".into(), "-q".into(), "--tz".into(), zone.into()];
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
            state: args.state,
            open: args.open,
            color,
            quiet: args.input.quiet,
        })
    }
}

/// `logsentry`'s main.
pub fn main() -> std::process::ExitCode {
    super::stage_main(PROGRAM, LogsentryRun::from_args, analyse)
}

/// Runs the pipeline and writes the report.
pub fn analyse(run: LogsentryRun) -> Exit {
    let LogsentryRun {
        parse,
        detect,
        correlate,
        geoip,
        output,
        state,
        open,
        color,
        quiet,
    } = run;
    let diagnostics = Diagnostics::messages(PROGRAM, quiet);
    super::hint_if_reading_a_terminal(&parse.ingest.inputs, &diagnostics, "log lines");
    let mut report = match ReportSink::new(output, AttackTable::embedded()) {
        Ok(report) => report,
        Err(error) => {
            diagnostics.error(&format!("creating the report: {error}"));
            return Exit::DataError;
        }
    };
    report.collector_mut().provenance_mut().inputs = parse.ingest.inputs.specs.iter().map(InputSpec::display).collect();
    let max_tracked_keys = detect.config.max_tracked_keys();
    let mut engine = super::detect::engine(&detect);
    let mut correlator = Correlator::remembering(correlate.clone(), StateMemory::new(PROGRAM));
    // Opened before anything is read: a file that is not ours is refused at once.
    let (stage_state, reopened) = match state.as_deref() {
        Some(path) => match remember(path, &detect, &correlate, &mut engine, &mut correlator) {
            Ok((stage_state, reopened)) => (Some(stage_state), reopened),
            Err(error) => return super::history::state_failed(PROGRAM, &error),
        },
        None => (None, 0),
    };
    let stages = Stages::new(
        engine,
        Enricher::new(AttackTable::embedded()).with_geoip(geoip),
        correlator,
        report,
        stage_state,
    );
    let input_count = parse.ingest.inputs.count();
    let Ran {
        mut stages,
        parse_exit,
        parsed,
    } = match pipeline::run(parse, stages, !quiet) {
        Ok(ran) => ran,
        Err(error) => {
            diagnostics.error(&error.to_string());
            return Exit::DataError;
        }
    };
    let counts = &stages.counts;
    let mut notes = vec![
        format!("ls-parse: {}", parsed.summary(input_count)),
        format!(
            "ls-detect: {} events, {} alerts{}",
            counts.events,
            counts.alerts,
            super::detect::eviction_note(counts.evicted)
        ),
        format!("ls-enrich: {} records enriched with ATT&CK (offline)", counts.enriched),
        format!("ls-correlate: {} incident records", counts.incident_records),
    ];
    let mut state_failed = false;
    if let (Some(path), Some(stage_state)) = (state.as_deref(), stages.state.as_ref()) {
        let memory = stages.correlator.memory_mut();
        state_failed = stage_state.failed || memory.failed;
        let mut note = format!(
            "state: {} alerts and {} incident records stored in {}",
            stage_state.stored_alerts,
            memory.stored,
            path.display()
        );
        if counts.already_seen > 0 {
            note.push_str(&format!(
                ", {} events already counted by the runs before (skipped)",
                counts.already_seen
            ));
        }
        if reopened > 0 {
            note.push_str(&format!(", {reopened} open groups taken back"));
        }
        if !quiet {
            let _ = writeln!(io::stderr().lock(), "{PROGRAM}: {}", printable(&note));
        }
        notes.push(note);
        // The Trends include this run's alerts: its writer has finished.
        match Store::open_existing(path).and_then(|store| super::report::stored_trends(&store)) {
            Ok(Some(trends)) => stages.report.collector_mut().set_trends(trends),
            Ok(None) => {}
            Err(error) => {
                diagnostics.error(&format!("state: {}: the report has no Trends", error));
                state_failed = true;
            }
        }
    }
    let counts = &stages.counts;
    if counts.evicted > 0 {
        super::detect::eviction_warning(max_tracked_keys);
    }
    let collector = stages.report.collector_mut();
    collector.provenance_mut().notes = notes;
    let headline = collector.headline();
    let malformed = counts.malformed;
    let already_seen = counts.already_seen;
    if let Some(error) = stages.failure.take() {
        diagnostics.error(&format!("writing the report: {error}"));
        return Exit::DataError;
    }
    let written = match stages.report.finish() {
        Ok(written) => written,
        Err(error) => {
            diagnostics.error(&error.to_string());
            return Exit::DataError;
        }
    };
    if !quiet {
        // With `-o -` stdout carries the report alone (`| jq`, a CSV), so the summary goes
        // to stderr.
        let (place, summary_out): (_, Box<dyn Write>) = match &written {
            Written::File(path) => (Some(path.display().to_string()), Box::new(io::stdout().lock())),
            Written::Stdout | Written::ReaderGone => (None, Box::new(io::stderr().lock())),
        };
        print_summary(
            &headline,
            (parsed.events, already_seen),
            place.as_deref(),
            color,
            summary_out,
        );
    }
    if open {
        if let Written::File(path) = &written {
            open_report(path, &diagnostics);
        }
    }
    if malformed > 0 {
        diagnostics.error(&format!("{malformed} records could not be used between stages"));
    }
    let all_rejected = parsed.lines > 0 && parsed.rejected == parsed.lines;
    if parse_exit != Exit::Success {
        parse_exit
    } else if malformed > 0 || all_rejected || state_failed {
        Exit::DataError
    } else {
        Exit::Success
    }
}

/// Opens the state file for the stages: `engine` gets the windows the last run saved,
/// `correlator` its open groups (how many it took back is returned), and the alerts' writer
/// starts.
fn remember(
    path: &std::path::Path,
    detect: &DetectRun,
    correlate: &correlate::CorrelateConfig,
    engine: &mut crate::detect::Engine,
    correlator: &mut Correlator<StateMemory>,
) -> Result<(StageState, usize), crate::state::StateError> {
    // A replay's alerts are stored once (the store keeps each alert once) and reported, as
    // the run that stored them wrote no report: the fingerprints are not needed.
    let (alert_log, _) = super::detect::resume(PROGRAM, path, detect, engine)?;
    let reopened = super::correlate::resume(path, correlate, correlator)?;
    Ok((StageState::new(alert_log, detect.config.clone()), reopened))
}

fn print_summary(
    headline: &crate::report::collect::Headline,
    (events, already_seen): (u64, u64),
    place: Option<&str>,
    color: bool,
    mut out: Box<dyn Write>,
) {
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
    let already_seen = if already_seen > 0 {
        format!(" ({already_seen} counted by an earlier run)")
    } else {
        String::new()
    };
    text.push_str(&format!(
        "{}: {events} events{already_seen}, {} alerts, {} incidents\n",
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
        let mut message = printable(message).into_owned();
        if message.chars().count() > 110 {
            message = message.chars().take(109).collect::<String>() + "…";
        }
        text.push_str(&format!(
            "  {} {}: {message}\n",
            paint(severity_code(severity), &format!("{severity:<8}")),
            printable(key)
        ));
    }
    if headline.incidents.len() > 5 {
        text.push_str(&format!("  … and {} more incidents\n", headline.incidents.len() - 5));
    }
    if let Some(place) = place {
        text.push_str(&format!("{} {}\n", paint("1", "Report:"), printable(place)));
    }
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

fn open_report(path: &std::path::Path, diagnostics: &Diagnostics) {
    let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
    let launched = std::process::Command::new(opener)
        .arg(path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(error) = launched {
        diagnostics.warn(&format!(
            "could not open the report with {opener}: {error}; it is at {}",
            path.display()
        ));
    }
}
