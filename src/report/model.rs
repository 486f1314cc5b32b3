//! The report's data model: what every format shows, computed once. The HTML and Markdown
//! templates only lay it out, and `--format json` writes it as it is, so a custom template
//! or a script sees exactly what the built-in report does.

use serde::Serialize;

/// Everything a report shows.
#[derive(Debug, Serialize)]
pub struct ReportData {
    /// The page title.
    pub title: String,
    /// When the report was made (UTC, RFC 3339).
    pub generated_at: String,
    /// The first and last event time of the alerts and incidents it read.
    pub period: Option<Period>,
    /// The executive summary.
    pub summary: Summary,
    /// Correlated incidents, worst first.
    pub incidents: Vec<IncidentEntry>,
    /// Incidents read but not kept (more than the report holds; the worst are kept).
    pub incidents_omitted: u64,
    /// Alerts per source (module), one table each.
    pub alert_tables: Vec<AlertTable>,
    /// ATT&CK tactics and techniques seen, in kill-chain order.
    pub attack: AttackOverview,
    /// Reputation and location of attackers, where the records carry them.
    pub context: Vec<AttackerContext>,
    /// Alerts over time, as a chart.
    pub activity: ActivityChart,
    /// What the state file says of the weeks around: with `ls-report --state`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trends: Option<Trends>,
    /// Values the in-page filters offer.
    pub filters: FilterChoices,
    /// How the report was made.
    pub provenance: Provenance,
}

/// A span of time.
#[derive(Debug, Clone, Serialize)]
pub struct Period {
    /// RFC 3339.
    pub first: String,
    /// RFC 3339.
    pub last: String,
    /// `2 h 19 min`.
    pub duration: String,
}

/// The executive summary.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// Events read (when events were piped in).
    pub events: u64,
    /// Alerts read.
    pub alerts: u64,
    /// Distinct incidents read.
    pub incidents: u64,
    /// Distinct attacking addresses.
    pub attackers: u64,
    /// The worst severity seen, if any alert.
    pub worst: Option<String>,
    /// Alerts per severity, CRITICAL first, each with its bar.
    pub by_severity: Vec<SeverityCount>,
    /// The attackers to look at first.
    pub top_attackers: Vec<Attacker>,
    /// Per source: events and alerts.
    pub sources: Vec<SourceCount>,
}

/// How many alerts of one severity.
#[derive(Debug, Clone, Serialize)]
pub struct SeverityCount {
    /// `CRITICAL`.
    pub name: &'static str,
    /// `critical`, for styles.
    pub class: &'static str,
    /// How many.
    pub count: u64,
    /// The bar's width, 0–100 (% of the largest count).
    pub bar: u32,
}

/// One attacking address.
#[derive(Debug, Clone, Serialize)]
pub struct Attacker {
    /// `source.ip`.
    pub ip: String,
    /// Alerts from it.
    pub alerts: u64,
    /// Its worst alert's severity.
    pub severity: String,
    /// `critical`, for styles.
    pub class: String,
    /// Its alerts' risk summed, at most 100.
    pub risk: u32,
    /// Sources it appeared in, by name (`web`, `SSH`).
    pub sources: Vec<String>,
    /// The same as modules (`ssh`), for the source filter.
    pub modules: Vec<String>,
    /// Rules it fired.
    pub rules: Vec<String>,
    /// Its first alert's time.
    pub first_seen: String,
    /// Its last alert's time.
    pub last_seen: String,
}

/// One source's counts.
#[derive(Debug, Serialize)]
pub struct SourceCount {
    /// `ssh`.
    pub module: String,
    /// `SSH`.
    pub title: String,
    /// Events read from it; `None` when the input held no events at all (alerts piped from
    /// `ls-detect`), so how many there were is not known.
    pub events: Option<u64>,
    /// Alerts it fired.
    pub alerts: u64,
}

/// One incident, as its newest revision tells it.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentEntry {
    /// `INC-…`.
    pub id: String,
    /// The revision read.
    pub revision: u64,
    /// `CRITICAL`.
    pub severity: String,
    /// `critical`.
    pub class: String,
    /// 0–100.
    pub risk: u32,
    /// The story in one sentence.
    pub message: String,
    /// What the alerts were grouped by (`source.ip`).
    pub group_by: String,
    /// The attacker (address, account or host).
    pub key: String,
    /// `kill-chain`, `multi-stage`.
    pub stage: String,
    /// Sources by name.
    pub sources: Vec<String>,
    /// Modules (`ssh`), for the source filter.
    pub modules: Vec<String>,
    /// Rules fired.
    pub rules: Vec<String>,
    /// ATT&CK tactics in kill-chain order.
    pub tactics: Vec<String>,
    /// Accounts involved.
    pub usernames: Vec<String>,
    /// Attacking addresses, for the address filter.
    pub ips: Vec<String>,
    /// Alerts in it.
    pub count: u64,
    /// Its first alert's time.
    pub first_seen: String,
    /// Its last alert's time.
    pub last_seen: String,
    /// The alerts in time order.
    pub timeline: Vec<TimelineEntry>,
    /// Alerts the timeline leaves out.
    pub timeline_omitted: u64,
    /// What history knew of its key when it began (`logsentry.history.*`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<IncidentHistory>,
}

/// What the state file knew of an incident's key when it began.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentHistory {
    /// When it was first seen.
    pub first_seen: String,
    /// Its incidents before this one.
    pub incidents_before: u64,
    /// Its alerts before this one.
    pub alerts_before: u64,
    /// Its latest incident before.
    pub previous_incident: String,
}

/// The Trends section: the state file's alerts over the 30 days up to the newest, new and
/// returning attackers, and the techniques of this week against the week before.
#[derive(Debug, Clone, Serialize)]
pub struct Trends {
    /// The first and last day shown (UTC dates).
    pub first_day: String,
    /// The last day shown: the day of the newest stored alert.
    pub last_day: String,
    /// One entry per day, oldest first, every day of the 30 shown.
    pub days: Vec<TrendDay>,
    /// The most alerts of one day.
    pub max: u64,
    /// Sources of this week's alerts never seen before it.
    pub new_attackers: u64,
    /// Sources of this week's alerts seen before it too.
    pub returning_attackers: u64,
    /// The techniques of this week and the week before, most alerts this week first.
    pub techniques: Vec<TechniqueTrend>,
}

/// One day's alerts.
#[derive(Debug, Clone, Serialize)]
pub struct TrendDay {
    /// `2026-03-14`.
    pub day: String,
    /// Every alert of the day.
    pub total: u64,
    /// Per severity, CRITICAL first; each bar is % of the busiest day.
    pub by_severity: Vec<SeverityCount>,
}

/// One technique's alerts this week and the week before.
#[derive(Debug, Clone, Serialize)]
pub struct TechniqueTrend {
    /// The technique.
    pub technique: Technique,
    /// Alerts in the 7 days up to the newest.
    pub this_week: u64,
    /// Alerts in the 7 days before those.
    pub last_week: u64,
    /// `+3`, `-2`, `new`, `=`.
    pub change: String,
}

/// One step of an incident.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineEntry {
    /// When.
    pub time: String,
    /// `SSH`.
    pub source: String,
    /// `brute-force`.
    pub rule: String,
    /// `HIGH`.
    pub severity: String,
    /// `high`.
    pub class: String,
    /// 0–100.
    pub risk: u32,
    /// ATT&CK technique.
    pub technique: Option<Technique>,
    /// ATT&CK tactic.
    pub tactic: String,
    /// What happened.
    pub message: String,
    /// The account.
    pub user: String,
}

/// An ATT&CK technique, linked.
#[derive(Debug, Clone, Serialize)]
pub struct Technique {
    /// `T1110.001`.
    pub id: String,
    /// `Brute Force: Password Guessing`, when known.
    pub name: String,
    /// Its page on attack.mitre.org (never any other site).
    pub url: Option<String>,
}

/// The alerts of one source.
#[derive(Debug, Serialize)]
pub struct AlertTable {
    /// `ssh`.
    pub module: String,
    /// `SSH`.
    pub title: String,
    /// The alerts kept, in time order.
    pub rows: Vec<AlertRow>,
    /// Alerts read but not listed (the least severe go first).
    pub omitted: u64,
}

/// One alert.
#[derive(Debug, Clone, Serialize)]
pub struct AlertRow {
    /// `@timestamp`.
    pub time: String,
    /// `HIGH`.
    pub severity: String,
    /// `high`.
    pub class: String,
    /// 1 (LOW) to 4 (CRITICAL), for sorting.
    pub rank: u8,
    /// 0–100.
    pub risk: u32,
    /// `rule.id`.
    pub rule: String,
    /// `rule.name`.
    pub rule_name: String,
    /// ATT&CK technique.
    pub technique: Option<Technique>,
    /// ATT&CK tactic.
    pub tactic: String,
    /// `event.module`.
    pub module: String,
    /// `source.ip`.
    pub source_ip: String,
    /// `user.name`.
    pub user: String,
    /// `host.hostname`.
    pub host: String,
    /// What happened.
    pub message: String,
}

/// The ATT&CK overview.
#[derive(Debug, Serialize)]
pub struct AttackOverview {
    /// The ATT&CK data's version used for names.
    pub version: String,
    /// Tactics in kill-chain order, each with its techniques.
    pub tactics: Vec<TacticEntry>,
}

/// One tactic and the techniques seen under it.
#[derive(Debug, Serialize)]
pub struct TacticEntry {
    /// `Credential Access`.
    pub name: String,
    /// `TA0006`, when known.
    pub id: String,
    /// Its page, when known.
    pub url: Option<String>,
    /// Alerts under it.
    pub alerts: u64,
    /// Techniques, most alerts first.
    pub techniques: Vec<TechniqueCount>,
}

/// A technique and how many alerts named it.
#[derive(Debug, Serialize)]
pub struct TechniqueCount {
    /// The technique.
    pub technique: Technique,
    /// Alerts.
    pub alerts: u64,
}

/// What enrichment said of one attacker.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AttackerContext {
    /// `source.ip`.
    pub ip: String,
    /// `logsentry.abuseipdb.abuse_confidence_score`.
    pub abuse_score: Option<u32>,
    /// `low`, `moderate`, `high`.
    pub abuse_band: String,
    /// `logsentry.abuseipdb.total_reports`.
    pub abuse_reports: Option<u64>,
    /// `logsentry.abuseipdb.last_reported_at`.
    pub abuse_last_reported: String,
    /// `logsentry.abuseipdb.isp`.
    pub isp: String,
    /// `logsentry.abuseipdb.usage_type`.
    pub usage_type: String,
    /// `logsentry.abuseipdb.domain`.
    pub domain: String,
    /// `source.geo.country_name` or iso code.
    pub country: String,
    /// `source.geo.city_name`.
    pub city: String,
    /// `source.as.number` and organisation.
    pub autonomous_system: String,
}

impl AttackerContext {
    /// Whether any enrichment is known.
    pub fn is_empty(&self) -> bool {
        self.abuse_score.is_none()
            && self.abuse_reports.is_none()
            && [
                &self.isp,
                &self.usage_type,
                &self.domain,
                &self.country,
                &self.city,
                &self.autonomous_system,
            ]
            .iter()
            .all(|text| text.is_empty())
    }
}

/// A bar chart drawn as inline SVG: geometry computed here, so the template only places it.
#[derive(Debug, Serialize)]
pub struct ActivityChart {
    /// The width of one bar in time (`1 h`).
    pub bucket: String,
    /// SVG width.
    pub width: u32,
    /// SVG height.
    pub height: u32,
    /// The tallest bar's count.
    pub max: u64,
    /// Stacked bar segments.
    pub segments: Vec<ChartSegment>,
    /// Labels under the x axis.
    pub labels: Vec<ChartLabel>,
    /// One line per bucket with alerts, for readers without the picture (and the PDF).
    pub buckets: Vec<BucketCount>,
}

/// One rectangle of the chart.
#[derive(Debug, Serialize)]
pub struct ChartSegment {
    /// Left.
    pub x: u32,
    /// Top.
    pub y: u32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
    /// `critical`.
    pub class: &'static str,
    /// Tooltip.
    pub title: String,
}

/// A label on the x axis.
#[derive(Debug, Serialize)]
pub struct ChartLabel {
    /// Centre.
    pub x: u32,
    /// Text.
    pub text: String,
}

/// Alerts in one bucket.
#[derive(Debug, Serialize)]
pub struct BucketCount {
    /// The bucket's start.
    pub start: String,
    /// Alerts in it.
    pub alerts: u64,
}

/// The choices of the in-page filters.
#[derive(Debug, Serialize)]
pub struct FilterChoices {
    /// Modules with alerts, as (module, title).
    pub sources: Vec<SourceChoice>,
}

/// One source choice.
#[derive(Debug, Serialize)]
pub struct SourceChoice {
    /// `ssh`.
    pub module: String,
    /// `SSH`.
    pub title: String,
}

/// How the report was made.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Provenance {
    /// `logsentry 0.1.0`.
    pub generator: String,
    /// The ATT&CK data version used for names.
    pub attack_version: String,
    /// What was read.
    pub inputs: Vec<String>,
    /// Records read.
    pub records: u64,
    /// Events among them.
    pub events: u64,
    /// Alerts among them.
    pub alerts: u64,
    /// Incident records (every revision) among them.
    pub incident_records: u64,
    /// Other records.
    pub other: u64,
    /// Records that could not be read (reported on stderr when read).
    pub malformed: u64,
    /// What earlier stages said of their work.
    pub notes: Vec<String>,
}
