//! `ls-detect`: NDJSON events in, alerts out.

use crate::detect::{self, Setting};
use clap::{Arg, ArgMatches, Args, Command, FromArgMatches, Parser};
use std::path::PathBuf;

/// Detect attacks in LogSentry events.
#[derive(Debug, Parser)]
#[command(
    name = "ls-detect",
    version,
    about = "Detect attacks in LogSentry events: NDJSON events in, alerts out",
    long_about = "Detect attacks in LogSentry events (from ls-parse): NDJSON events in, NDJSON \
alerts out, each with its MITRE ATT&CK technique, a severity and a 0-100 risk score (see \
logsentry-schema(7)).\n\nAn alert is written the moment its condition becomes true; windows run \
on event time, so a replayed file gives the same alerts as a live stream. The same rule does not \
alert again for the same source within its window; activity that goes on past it gets one \
follow-up alert with the new count, and an escalation is always a new alert. Records that are \
not events (alerts, anything else) pass through unchanged; a line that is not JSON is reported \
on stderr with its line number and skipped.",
    after_help = "Examples:\n  tail -F /var/log/auth.log | ls-parse ssh | ls-detect\n  \
ls-parse auto logs/ | ls-detect | jq 'select(.logsentry.severity==\"CRITICAL\")'\n  \
ls-detect --list-rules\n\nExit status: 0 on success, 1 if an input or the --config file could not \
be read or a line was not JSON, 2 on usage errors (a value in the --config file among them)."
)]
pub struct DetectArgs {
    /// The inputs, `--rejects` and `-q`.
    #[command(flatten)]
    pub input: super::InputArgs,

    /// Print every rule (id, severity, technique, thresholds, description) and exit
    #[arg(long)]
    pub list_rules: bool,

    /// Read settings from a TOML file: its keys are these flags' names (brute-force-threshold =
    /// 5, window = "10m", only = ["brute-force"], ...); a flag given here wins over the file
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Keep state in this SQLite file (created if missing; the stages of one pipeline may
    /// share it): every alert written is also stored there, for ls-history, and the rules'
    /// windows are saved and restored by the next run. See logsentry-state(5)
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,

    /// With --state: save the windows every SECONDS while reading, besides at the end (a run
    /// killed outright goes on from its last save)
    #[arg(long, value_name = "SECONDS", default_value_t = 60.0, requires = "state")]
    pub save_every: f64,

    /// Run only these rules (comma-separated ids, see --list-rules)
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub only: Vec<String>,

    /// Do not run these rules (comma-separated ids, see --list-rules)
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub skip: Vec<String>,

    /// Every rule's thresholds and windows, one flag each (see `detect::settings`).
    #[command(flatten)]
    pub settings: SettingArgs,

    /// Zone of the work hours: an IANA name (Europe/Berlin), UTC, an offset (+02:00), or local
    /// [default: local]
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,

    /// Work hours for the off-hours rule, HH:MM-HH:MM (an end before the start is a night shift)
    /// [default: 08:00-18:00]
    #[arg(long, value_name = "START-END")]
    pub work_hours: Option<String>,

    /// The days of the weekend for the weekend rule (comma-separated: sat,sun; none for no weekend)
    /// [default: sat,sun]
    #[arg(long, value_name = "DAYS")]
    pub weekend: Option<String>,

    /// Users whose logins at any hour are expected (repeatable, or comma-separated; added to the
    /// config file's)
    #[arg(long, value_name = "USER", value_delimiter = ',')]
    pub allow_user: Vec<String>,

    /// Sources whose logins at any hour are expected: addresses or networks like 10.0.0.0/8
    /// (repeatable, or comma-separated; added to the config file's)
    #[arg(long, value_name = "NETWORK", value_delimiter = ',')]
    pub allow_source: Vec<String>,

    /// Groups whose new members are reported (comma-separated; the default list is the
    /// detector's own)
    #[arg(long, value_name = "GROUP", value_delimiter = ',', help = privileged_group_help())]
    pub privileged_group: Vec<String>,
}

/// `--privileged-group`'s help, naming the detector's defaults.
fn privileged_group_help() -> String {
    format!(
        "Groups whose new members are reported (comma-separated; default: {})",
        detect::DEFAULT_PRIVILEGED_GROUPS.join(", ")
    )
}

/// The rules' settings given on the command line: one flag per declared setting, made from
/// the declarations (name, value name, help, default, range), so a rule's new threshold needs
/// no edit here.
#[derive(Clone, Debug, Default)]
pub struct SettingArgs {
    /// Each setting given, with its checked value.
    pub given: Vec<(&'static Setting, u64)>,
}

impl FromArgMatches for SettingArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut args = SettingArgs::default();
        args.update_from_arg_matches(matches)?;
        Ok(args)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        for setting in detect::settings() {
            if let Some(value) = matches.get_one::<u64>(setting.name) {
                self.given.retain(|(known, _)| known.name != setting.name);
                self.given.push((setting, *value));
            }
        }
        Ok(())
    }
}

impl Args for SettingArgs {
    fn augment_args(command: Command) -> Command {
        command.args(detect::settings().into_iter().map(|setting| {
            Arg::new(setting.name)
                .long(setting.name)
                .value_name(setting.value_name)
                .help(setting.help_text())
                .value_parser(move |text: &str| setting.parse(text))
        }))
    }

    fn augment_args_for_update(command: Command) -> Command {
        Self::augment_args(command)
    }
}

/// The RULES section of `ls-detect(1)`: every rule with its severity, technique and what it
/// fires on, in roff, from the rules themselves (the man page test appends it).
pub fn rules_man_section() -> String {
    let escape = |text: &str| {
        let escaped = text.replace('\\', "\\e").replace('-', "\\-");
        if escaped.starts_with(['.', '\'']) {
            format!("\\&{escaped}")
        } else {
            escaped
        }
    };
    let mut section = String::from(
        ".SH RULES\nRun \\fBls\\-detect \\-\\-list\\-rules\\fR for each rule's thresholds as configured.\n",
    );
    for rule in crate::detect::rules() {
        section.push_str(&format!(
            ".TP\n\\fB{}\\fR ({}, {} {})\n{}\n",
            escape(rule.id),
            rule.severity.name(),
            escape(rule.technique.id),
            escape(rule.technique.name),
            escape(rule.description)
        ));
    }
    section
}
