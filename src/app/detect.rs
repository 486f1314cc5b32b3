//! The `ls-detect` runner: flags → [`DetectConfig`], the read loop over NDJSON inputs, the
//! summary and the exit code.

use super::detect_config::ConfigFile;
use super::records::{each_record_of, records_exit, Skipped, Stage, StageInput};
use super::{Exit, StartError};
use crate::cli::detect::DetectArgs;
use crate::detect::{
    rules, rules_with_thresholds, DetectConfig, Engine, Malformed, Network, Outcome, Settings, WorkTime, MAX_SEEN_FILES,
};
use crate::output::{is_broken_pipe, NdjsonWriter};
use crate::state::{alert_fingerprint, AlertLog, SavedWindows, Store};
use crate::text::printable;
use crate::time::Zone;
use std::io::{self, Write};

const PROGRAM: &str = "ls-detect";

/// A validated `ls-detect` command line.
pub struct DetectRun {
    /// Thresholds and windows.
    pub config: DetectConfig,
    /// Rule ids to run (all when empty).
    pub only: Vec<String>,
    /// Rule ids not to run.
    pub skip: Vec<String>,
    /// Inputs, rejects file, `-q`.
    pub input: StageInput,
    /// The state file, if any.
    pub state: Option<std::path::PathBuf>,
    /// How often the windows are saved while reading.
    pub save_every: std::time::Duration,
}

impl DetectRun {
    /// Checks the flags (and the config file they name): rule ids must exist, values parse.
    pub fn from_args(args: DetectArgs) -> Result<Self, StartError> {
        let file = match &args.config {
            Some(path) => ConfigFile::load(path)?,
            None => ConfigFile::default(),
        };
        let defaults = DetectConfig::default();
        let only = if args.only.is_empty() { file.only } else { args.only };
        let skip = if args.skip.is_empty() { file.skip } else { args.skip };
        let known: Vec<&str> = rules().iter().map(|rule| rule.id).collect();
        if let Some(unknown) = only.iter().chain(&skip).find(|id| !known.contains(&id.as_str())) {
            return Err(StartError::Usage(format!(
                "unknown rule '{unknown}' (known: {})",
                known.join(", ")
            )));
        }
        // Flags win over the file, the file over the declared defaults.
        let mut settings = Settings::default();
        for (setting, value) in file.settings.iter().chain(&args.settings.given) {
            settings.set(setting, *value);
        }
        let zone: Zone = match args.tz.or(file.tz) {
            Some(text) => text.parse().map_err(|error| StartError::usage("--tz", error))?,
            None => defaults.work.zone.clone(),
        };
        let (start_minute, end_minute) = match args.work_hours.or(file.work_hours) {
            Some(text) => work_hours(&text)?,
            None => (defaults.work.start_minute, defaults.work.end_minute),
        };
        let weekend = match (args.weekend, file.weekend) {
            (Some(text), _) => weekend(&text)?,
            // An empty list is no weekend, as `--weekend none`.
            (None, Some(days)) if days.is_empty() => weekend("none")?,
            (None, Some(days)) => weekend(&days.join(","))?,
            (None, None) => defaults.work.weekend,
        };
        let allow_sources = file
            .allow_source
            .iter()
            .chain(&args.allow_source)
            .map(|text| text.parse::<Network>())
            .collect::<Result<_, _>>()
            .map_err(|error| StartError::usage("--allow-source", error))?;
        let privileged_groups = match (args.privileged_group.is_empty(), file.privileged_group) {
            (false, _) => args.privileged_group,
            (true, Some(groups)) => groups,
            (true, None) => defaults.privileged_groups.clone(),
        };
        Ok(DetectRun {
            config: DetectConfig {
                settings,
                work: WorkTime {
                    zone,
                    start_minute,
                    end_minute,
                    weekend,
                },
                allow_users: file.allow_user.into_iter().chain(args.allow_user).collect(),
                allow_sources,
                privileged_groups,
            },
            only,
            skip,
            input: StageInput::from_args(args.input),
            state: args.state,
            save_every: super::save_every(args.save_every)?,
        })
    }
}

/// `08:00-18:00` → minutes of the day.
fn work_hours(text: &str) -> Result<(u32, u32), StartError> {
    let minute = |clock: &str| {
        let (hours, minutes) = clock.trim().split_once(':')?;
        let (hours, minutes): (u32, u32) = (hours.parse().ok()?, minutes.parse().ok()?);
        (hours < 24 && minutes < 60).then_some(hours * 60 + minutes)
    };
    text.split_once('-')
        .and_then(|(start, end)| Some((minute(start)?, minute(end)?)))
        .filter(|(start, end)| start != end)
        .ok_or_else(|| StartError::usage("--work-hours", format!("expected HH:MM-HH:MM, got {text}")))
}

/// `sat,sun` → the weekend, Monday first.
fn weekend(text: &str) -> Result<[bool; 7], StartError> {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let mut weekend = [false; 7];
    if text.trim() == "none" {
        return Ok(weekend);
    }
    for day in text.split(',') {
        let day = day.trim().to_ascii_lowercase();
        let index = DAYS
            .iter()
            .position(|known| day.starts_with(known))
            .ok_or_else(|| StartError::usage("--weekend", format!("not a day: {day} (mon, tue, ..., sun)")))?;
        weekend[index] = true;
    }
    Ok(weekend)
}

/// `ls-detect`'s main.
pub fn main() -> std::process::ExitCode {
    super::stage_main(
        PROGRAM,
        |args: DetectArgs| {
            let list_rules = args.list_rules;
            DetectRun::from_args(args).map(|run| (list_rules, run))
        },
        |(list_rules, run)| {
            if list_rules {
                print_rules(&run.config)
            } else {
                detect(&run)
            }
        },
    )
}

fn print_rules(config: &DetectConfig) -> Exit {
    let mut out = io::stdout().lock();
    let mut text = String::new();
    for (rule, thresholds) in rules_with_thresholds(config) {
        text.push_str(&format!(
            "{:<30} {:<9} {:<10} {}\n{:<30} {}\n",
            rule.id,
            rule.severity.name(),
            rule.technique.id,
            rule.technique.name,
            "",
            thresholds,
        ));
        if !rule.settings.is_empty() {
            text.push_str(&format!(
                "{:<30} tuned by {}\n",
                "",
                config.settings.describe(rule.settings)
            ));
        }
        text.push_str(&format!("{:<30} {}\n", "", rule.description));
    }
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(error) if !is_broken_pipe(&error) => Exit::DataError,
        _ => Exit::Success,
    }
}

#[derive(Default)]
struct Counts {
    events: u64,
    alerts: u64,
    passed: u64,
    eviction_said: bool,
    /// Events a restored run had counted, skipped.
    already_seen: u64,
    /// Alerts a restored run had stored (and so written), not written again.
    already_written: u64,
    /// The state file failed mid-run (and was let go).
    state_failed: bool,
}

/// How often (in events) a run looks whether a rule began forgetting keys: often enough to
/// say so while it happens, rarely enough to cost nothing.
const EVICTION_CHECK_EVERY: u64 = 4096;

/// Said once, when a rule first forgets keys: detection goes on, but it is no longer exact.
pub fn eviction_warning(max_tracked_keys: u64) {
    let _ = writeln!(
        io::stderr().lock(),
        "{PROGRAM}: warning: a rule holds --max-tracked-keys ({}) sources or accounts: from now on \
         the quietest are forgotten first (counted in the summary)",
        max_tracked_keys
    );
}

/// `, 12500 keys evicted` for a summary line, when any were.
pub fn eviction_note(evicted: u64) -> String {
    if evicted > 0 {
        format!(", {evicted} keys evicted")
    } else {
        String::new()
    }
}

/// The detection engine a run asks for: its thresholds, the rules selected.
pub fn engine(run: &DetectRun) -> Engine {
    let (only, skip) = (run.only.clone(), run.skip.clone());
    let selected = move |id: &str| (only.is_empty() || only.iter().any(|o| o == id)) && !skip.iter().any(|s| s == id);
    Engine::new(&run.config, Box::new(selected))
}

/// The read loop's view of detection: events in, alerts out, each alert also kept in the
/// state file when there is one.
struct DetectStage<'r> {
    engine: Engine,
    counts: Counts,
    run: &'r DetectRun,
    alert_log: Option<AlertLog>,
    /// Alerts stored, and where, once the state writer has finished.
    stored: Option<(u64, String)>,
    /// When the windows were last handed to the state writer.
    windows_saved: std::time::Instant,
    /// The alerts stored after the restored windows were saved: a replay writes them again,
    /// and they are dropped instead.
    stored_after_save: std::collections::HashSet<u64>,
}

impl Stage for DetectStage<'_> {
    type Unusable = Skipped<Malformed>;

    fn record(&mut self, line: &str, out: &mut Vec<u8>) -> Result<(), Self::Unusable> {
        let start = out.len();
        match self.engine.process(line, out).map_err(Skipped)? {
            Outcome::Event { alerts } => {
                let counts = &mut self.counts;
                counts.events += 1;
                counts.alerts += alerts as u64;
                if !counts.eviction_said
                    && counts.events.is_multiple_of(EVICTION_CHECK_EVERY)
                    && self.engine.evicted() > 0
                {
                    counts.eviction_said = true;
                    eviction_warning(self.run.config.max_tracked_keys());
                }
                if alerts > 0 && !self.stored_after_save.is_empty() {
                    self.drop_already_written(out, start);
                }
                if out.len() > start {
                    self.store_alerts(&out[start..]);
                }
            }
            Outcome::PassedThrough => self.counts.passed += 1,
            Outcome::AlreadySeen => self.counts.already_seen += 1,
        }
        Ok(())
    }

    /// Alerts go to the store only once they are downstream, so a run killed at any moment
    /// has stored none that its reader did not get.
    fn after_flush(&mut self) {
        if self.windows_saved.elapsed() >= self.run.save_every {
            self.save_windows();
        }
        if let Some(log) = self.alert_log.as_mut() {
            if !log.flushed() {
                self.finish_state();
            }
        }
    }
}

impl DetectStage<'_> {
    /// Hands what the detectors are counting to the state writer, behind the alerts so far.
    fn save_windows(&mut self) {
        self.windows_saved = std::time::Instant::now();
        let Some(log) = self.alert_log.as_mut() else {
            return;
        };
        if !save_windows(PROGRAM, &self.engine, &self.run.config, log) {
            self.finish_state();
        }
    }

    fn store_alerts(&mut self, written: &[u8]) {
        let Some(log) = self.alert_log.as_mut() else {
            return;
        };
        // Alerts are written by us, as UTF-8.
        if let Ok(lines) = std::str::from_utf8(written) {
            log.add(lines.trim_end_matches('\n'));
        }
    }

    /// Takes out of `out[start..]` the alerts the run before had stored after its last save
    /// of the windows: the replay of its last events writes them again, byte for byte.
    fn drop_already_written(&mut self, out: &mut Vec<u8>, start: usize) {
        let written = out.split_off(start);
        for line in written.split_inclusive(|&byte| byte == b'\n') {
            let record = std::str::from_utf8(line).unwrap_or_default().trim_end_matches('\n');
            if self.stored_after_save.remove(&alert_fingerprint(record)) {
                self.counts.already_written += 1;
            } else {
                out.extend_from_slice(line);
            }
        }
    }

    /// Lets the state writer finish; says once, if it failed, that detection went on
    /// without it.
    fn finish_state(&mut self) {
        let Some(log) = self.alert_log.take() else {
            return;
        };
        let path = log.path().display().to_string();
        let (stored, failed) = finish_alert_log(PROGRAM, log);
        self.counts.state_failed |= failed;
        self.stored = Some((stored, path));
    }
}

/// Hands the windows `engine` is counting to `log`'s writer, behind the alerts so far
/// (windows that cannot be written are said on stderr, and not saved). `false` when the
/// writer has stopped.
pub(super) fn save_windows(program: &str, engine: &Engine, config: &DetectConfig, log: &mut AlertLog) -> bool {
    let detectors = match engine.save_windows() {
        Ok(detectors) => detectors,
        Err(error) => {
            let _ = writeln!(
                io::stderr().lock(),
                "{program}: warning: the windows were not saved: {error}"
            );
            return true;
        }
    };
    log.save_windows(SavedWindows {
        settings: config.fingerprint(),
        detectors,
    })
}

/// Lets `log`'s writer finish; says, if it failed, that the run went on without it. The
/// alerts stored, and whether it failed.
pub(super) fn finish_alert_log(program: &str, log: AlertLog) -> (u64, bool) {
    let stored = log.finish();
    if let Some((error, unwritten)) = &stored.failure {
        let _ = writeln!(
            io::stderr().lock(),
            "{program}: error: state: {}: going on without it ({} alerts stored, {} not)",
            printable(&error.to_string()),
            stored.stored,
            unwritten
        );
    }
    (stored.stored, stored.failure.is_some())
}

/// Opens the state file, gives `engine` the windows the last run saved there (when they were
/// counted with this run's settings), and starts its writer. With the writer, the
/// fingerprints of the alerts stored after those windows were saved (a replay writes them
/// again).
pub(super) fn resume(
    program: &str,
    path: &std::path::Path,
    run: &DetectRun,
    engine: &mut Engine,
) -> Result<(AlertLog, std::collections::HashSet<u64>), crate::state::StateError> {
    let store = Store::open(path)?;
    if let Some(saved) = store.windows()? {
        let settings = run.config.fingerprint();
        if saved.settings != settings {
            let _ = writeln!(
                io::stderr().lock(),
                "{program}: warning: {}: the windows saved there were counted with other settings: \
                 counting starts afresh",
                printable(&path.display().to_string())
            );
        } else if let Err(error) = engine.restore_windows(&saved.detectors) {
            let _ = writeln!(
                io::stderr().lock(),
                "{program}: warning: {}: {}: counting starts afresh",
                printable(&path.display().to_string()),
                printable(&error.to_string())
            );
            *engine = self::engine(run);
        }
    }
    let stored_after_save = match engine.restored_until() {
        Some(until) => store.alert_fingerprints_since(until)?,
        None => Default::default(),
    };
    Ok((AlertLog::start(store)?, stored_after_save))
}

/// Runs detection over the inputs, writing to stdout.
pub fn detect(run: &DetectRun) -> Exit {
    let mut out = NdjsonWriter::stdout();
    let mut engine = engine(run);
    let resumed = match run
        .state
        .as_deref()
        .map(|path| resume(PROGRAM, path, run, &mut engine))
        .transpose()
    {
        Ok(resumed) => resumed,
        Err(error) => return super::history::state_failed(PROGRAM, &error),
    };
    let (alert_log, stored_after_save) = resumed.unzip();
    let mut diagnostics = match run.input.diagnostics(PROGRAM) {
        Ok(diagnostics) => diagnostics,
        Err(exit) => return exit,
    };
    let mut stage = DetectStage {
        engine,
        counts: Counts::default(),
        run,
        alert_log,
        stored: None,
        windows_saved: std::time::Instant::now(),
        stored_after_save: stored_after_save.unwrap_or_default(),
    };
    let looped = each_record_of(&run.input.inputs, &mut out, &mut diagnostics, &mut stage);
    stage.save_windows();
    stage.finish_state();
    let DetectStage {
        engine, counts, stored, ..
    } = stage;
    let evicted = engine.evicted();
    let unnoted = engine.unnoted_events();
    if evicted > 0 && !counts.eviction_said {
        eviction_warning(run.config.max_tracked_keys());
    }
    // The state of every source still in its window goes when the process does: freeing it
    // piece by piece first would only delay the exit.
    std::mem::forget(engine);
    if let Err(exit) = looped {
        return exit;
    }
    let read = &diagnostics.counts;
    let unnoted = if unnoted > 0 && stored.is_some() {
        format!(
            ", {unnoted} events of files past the first {MAX_SEEN_FILES} not noted as counted (a restart counts them again)"
        )
    } else {
        String::new()
    };
    let stored = stored.map_or(String::new(), |(stored, path)| {
        format!(", {stored} stored in {path}{unnoted}")
    });
    let replayed = if counts.already_seen + counts.already_written > 0 {
        format!(
            ", {} events and {} alerts already counted by the run before (skipped)",
            counts.already_seen, counts.already_written
        )
    } else {
        String::new()
    };
    diagnostics.summary_line(&format!(
        "{} records, {} events, {} alerts{stored}{replayed}, {} passed through, {} malformed{}{}",
        read.lines,
        counts.events,
        counts.alerts.saturating_sub(counts.already_written),
        counts.passed,
        read.malformed,
        read.unreadable_note(),
        eviction_note(evicted)
    ));
    if counts.state_failed {
        return Exit::DataError;
    }
    records_exit(&diagnostics)
}
