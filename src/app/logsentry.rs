//! The `logsentry` runner: flags → each stage's config (checked by that stage's own parser),
//! the pipeline ([`super::pipeline`]), the report and the terminal summary.

use super::detect::DetectRun;
use super::parse::ParseConfig;
use super::pipeline::{self, Ran, Stages};
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
    let stages = Stages::new(
        super::detect::engine(&detect),
        Enricher::new(AttackTable::embedded()).with_geoip(geoip),
        Correlator::new(correlate),
        report,
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
    let notes = vec![
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
    if counts.evicted > 0 {
        super::detect::eviction_warning(max_tracked_keys);
    }
    let collector = stages.report.collector_mut();
    collector.provenance_mut().notes = notes;
    let headline = collector.headline();
    let malformed = counts.malformed;
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
        print_summary(&headline, parsed.events, place.as_deref(), color, summary_out);
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
    } else if malformed > 0 || all_rejected {
        Exit::DataError
    } else {
        Exit::Success
    }
}

fn print_summary(
    headline: &crate::report::collect::Headline,
    events: u64,
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
