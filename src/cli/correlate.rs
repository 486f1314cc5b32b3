//! `ls-correlate`: NDJSON alerts in, alerts and incidents out.

use clap::{Parser, ValueEnum};

/// Group alerts into incidents.
#[derive(Debug, Parser)]
#[command(
    name = "ls-correlate",
    version,
    about = "Group LogSentry alerts into incidents: one attacker's alerts across every log source",
    long_about = "Group LogSentry alerts (from ls-detect) into incidents: the alerts of one \
attacker (one source address, or with --by one account or machine) across every log source \
(SSH, web, Windows, MySQL...). A group with alerts of at least --min-types different kinds (ATT&CK \
techniques, a sub-technique counted as its parent) is an incident: the attacker did more than one \
thing, and two rules that see one scan are one thing. With three tactics or more it is a kill \
chain. The incident record (event.kind \"incident\", see \
logsentry-schema(7)) has a stable id, the sources involved, the timeline of its alerts, the \
highest severity among them, a risk score that sums theirs (at most 100) and the ATT&CK tactics \
they span in kill-chain order, and a message that tells the story in one sentence.\n\nAn incident \
is written the moment it qualifies and again, with the same id and the next \
logsentry.incident.revision, whenever another alert joins it, so a live pipeline sees the kill \
chain grow. Each revision's timeline holds the alerts that joined since the revision named by \
logsentry.incident.timeline_since (0: every alert from the first), so the output grows with the \
alerts; ls-report folds them back into the whole. With --final each incident is written once, \
whole, when it closes. Groups run on event time \
and close after --window of silence, so a replayed file gives the same incidents as a live stream \
and memory stays bounded. Alerts and other records pass through unchanged unless \
--incidents-only; a line that is not JSON is reported on stderr with its line number and skipped.",
    after_help = "Examples:\n  ls-detect events.ndjson | ls-correlate | jq 'select(.event.kind==\"incident\")'\n  \
ls-detect events.ndjson | ls-correlate --final --incidents-only | jq .message\n  \
ls-detect events.ndjson | ls-correlate --by user --min-types 3\n  \
ls-detect --state state.db auth.ndjson | ls-correlate --state state.db\n\nExit status: 0 on success, 1 if an \
input could not be read, a line was not usable or the state file failed, 2 on usage errors (a --state file \
that is not a LogSentry state file among them)."
)]
pub struct CorrelateArgs {
    /// The inputs, `--rejects` and `-q`.
    #[command(flatten)]
    pub input: super::InputArgs,

    /// What alerts are grouped by: the attacker's address (source.ip), the account (user.name)
    /// or the machine (host.hostname, else host.name)
    #[arg(long, value_enum, default_value_t = GroupByArg::Ip)]
    pub by: GroupByArg,

    /// Different kinds of attack a group needs to be an incident: ATT&CK techniques, a
    /// sub-technique counted as its parent (the rule, for an alert that names none)
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..))]
    pub min_types: u64,

    /// Event time without an alert after which a group closes (seconds, or 10m, 1h, 1d);
    /// a later alert starts a new incident
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = super::duration)]
    pub window: i64,

    /// Write each incident once, its last revision, when it closes or the input ends (the
    /// batch view), instead of every revision as it grows
    #[arg(long = "final")]
    pub final_only: bool,

    /// Write only incidents: not the alerts (nor other records) read
    #[arg(long)]
    pub incidents_only: bool,

    /// Keep state in this SQLite file (created if missing; the stages of one pipeline may
    /// share it): every incident is stored there, the open groups are saved and taken back by
    /// the next run, and a new incident carries what the file knows of its attacker
    /// (logsentry.history.*). See logsentry-state(5)
    #[arg(long, value_name = "FILE")]
    pub state: Option<std::path::PathBuf>,

    /// With --state: save the open groups every SECONDS while reading, besides at the end (a
    /// run killed outright goes on from its last save)
    #[arg(long, value_name = "SECONDS", default_value_t = 60.0, requires = "state")]
    pub save_every: f64,
}

/// `--by`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GroupByArg {
    /// source.ip: one attacker's address
    Ip,
    /// user.name: one account, attacked from anywhere
    User,
    /// host.hostname (else host.name): one machine
    Host,
}
