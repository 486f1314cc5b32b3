//! Reading the records a report is made of (events, alerts, incidents, in any mix and order)
//! into bounded tallies: counts by severity, source, attacker, technique and time; the most
//! severe alerts per source; the newest revision of the worst incidents.

use super::activity::Activity;
use super::fields::{class, display_time, epoch_seconds, rank, technique};
use super::kept::Kept;
use super::model::{
    AlertRow, AlertTable, AttackOverview, Attacker, AttackerContext, FilterChoices, IncidentEntry, IncidentHistory,
    Period, Provenance, ReportData, SeverityCount, SourceChoice, SourceCount, Summary, TacticEntry, Technique,
    TechniqueCount, TechniqueTrend, TimelineEntry, TrendDay, Trends,
};
use crate::attack::AttackTable;
use crate::schema::{module_title, AlertView, Declined, HeapSize, IncidentView, Severity, Timeline, TimelineView};
use crate::time::duration_text;
use crate::time::Timestamp;
use std::collections::{BTreeMap, HashMap};

/// Alerts listed per source at most (the rest are counted; `--format csv` lists every one).
pub const MAX_ROWS_PER_SOURCE: usize = 5_000;
/// Incidents kept at most (the worst).
pub const MAX_INCIDENTS: usize = 1_000;
/// Attacking addresses tallied at most.
pub const MAX_ATTACKERS: usize = 100_000;
/// Attackers in the summary.
const TOP_ATTACKERS: usize = 10;
/// Distinct modules and techniques tallied at most (a hostile stream could invent millions).
const MAX_NAMES: usize = 1_000;

/// What a record was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    /// An event (`event.kind` `event`, or none).
    Event,
    /// An alert.
    Alert,
    /// An incident revision.
    Incident,
    /// Anything else (counted).
    Other,
}

/// A record the report used.
#[derive(Debug)]
pub struct ReadRecord {
    /// What it was.
    pub kind: RecordKind,
    /// Whether fields were read as absent because of their type (the rest of it counts).
    pub declined: Declined,
}

/// Why a record was not used.
#[derive(Debug, thiserror::Error)]
pub enum Malformed {
    /// Not a JSON object.
    #[error("not a JSON record")]
    NotJson,
}

#[derive(Default)]
struct AttackerTally {
    alerts: u64,
    worst: u8,
    risk: u32,
    modules: Vec<String>,
    rules: Vec<String>,
    first: String,
    last: String,
    context: AttackerContext,
}

#[derive(Default)]
struct TechniqueTally {
    technique: Option<Technique>,
    tactics: Vec<String>,
    alerts: u64,
}

/// What a terminal summary shows.
#[derive(Debug)]
pub struct Headline {
    /// Alerts read.
    pub alerts: u64,
    /// (severity, alerts), CRITICAL first.
    pub by_severity: Vec<(&'static str, u64)>,
    /// (severity, attacker, story), worst first.
    pub incidents: Vec<(String, String, String)>,
}

/// The report's tallies, fed one record at a time.
pub struct Collector {
    table: AttackTable,
    provenance: Provenance,
    events_by_module: BTreeMap<String, u64>,
    alerts_by_module: BTreeMap<String, u64>,
    by_severity: [u64; 4],
    attackers: HashMap<String, AttackerTally>,
    attackers_dropped: u64,
    incidents: HashMap<String, IncidentEntry>,
    /// Each incident's timeline, folded from its revisions.
    timelines: HashMap<String, Timeline<TimelineEntry>>,
    incidents_dropped: u64,
    rows: BTreeMap<String, Kept<AlertRow>>,
    techniques: BTreeMap<String, TechniqueTally>,
    activity: Activity,
    first: Option<(i64, String)>,
    last: Option<(i64, String)>,
    trends: Option<Trends>,
}

impl Collector {
    /// A collector naming techniques from `table`.
    pub fn new(table: AttackTable) -> Self {
        Collector {
            provenance: Provenance {
                generator: format!("logsentry {}", env!("CARGO_PKG_VERSION")),
                attack_version: table.version.clone(),
                ..Provenance::default()
            },
            table,
            events_by_module: BTreeMap::new(),
            alerts_by_module: BTreeMap::new(),
            by_severity: [0; 4],
            attackers: HashMap::new(),
            attackers_dropped: 0,
            incidents: HashMap::new(),
            timelines: HashMap::new(),
            incidents_dropped: 0,
            rows: BTreeMap::new(),
            techniques: BTreeMap::new(),
            activity: Activity::default(),
            first: None,
            last: None,
            trends: None,
        }
    }

    /// Reads one NDJSON record.
    pub fn add(&mut self, line: &str) -> Result<ReadRecord, Malformed> {
        self.read(line, &mut |_| {})
    }

    /// Reads one NDJSON record, showing `on_alert` the row an alert makes (for `--format csv`,
    /// which writes each as it comes).
    pub fn add_seeing_alerts(
        &mut self,
        line: &str,
        on_alert: &mut dyn FnMut(&AlertRow),
    ) -> Result<ReadRecord, Malformed> {
        self.read(line, on_alert)
    }

    fn read(&mut self, line: &str, on_alert: &mut dyn FnMut(&AlertRow)) -> Result<ReadRecord, Malformed> {
        self.provenance.records += 1;
        let read = AlertView::read(line, |record| {
            let kind = match record.event.kind.as_deref() {
                None | Some("event") => RecordKind::Event,
                Some("alert") => RecordKind::Alert,
                Some("incident") => RecordKind::Incident,
                Some(_) => RecordKind::Other,
            };
            match kind {
                RecordKind::Event => self.count_event(record.event.module.as_deref().unwrap_or("unknown")),
                RecordKind::Alert => self.add_alert(record, on_alert),
                RecordKind::Incident => self.add_incident(record),
                RecordKind::Other => self.provenance.other += 1,
            }
            kind
        });
        match read {
            Ok((kind, declined)) => Ok(ReadRecord { kind, declined }),
            Err(_) => {
                self.provenance.malformed += 1;
                Err(Malformed::NotJson)
            }
        }
    }

    /// Counts an event of `module` that the caller has already read (`logsentry` knows
    /// each event's module without parsing it again).
    pub fn add_event(&mut self, module: &str) {
        self.provenance.records += 1;
        self.count_event(module);
    }

    fn count_event(&mut self, module: &str) {
        self.provenance.events += 1;
        bump(&mut self.events_by_module, module);
    }

    /// The row an alert record makes (also what `--format csv` writes).
    fn alert_row(&self, record: &AlertView<'_>) -> AlertRow {
        let severity = record.severity();
        let threat = &record.threat;
        let technique_id = threat.technique.id.first();
        let technique = technique_id.map(|id| {
            technique(
                id,
                threat.technique.name.first(),
                threat.technique.reference.first(),
                &self.table,
            )
        });
        let tactic = threat
            .tactic
            .name
            .first()
            .map(str::to_owned)
            .or_else(|| {
                let known = self.table.technique(technique_id?)?;
                let shortname = known.tactics.first()?;
                Some(self.table.tactic(shortname)?.name.clone())
            })
            .unwrap_or_default();
        AlertRow {
            time: owned(&record.timestamp),
            severity: severity.name().to_owned(),
            class: class(severity).to_owned(),
            rank: rank(severity),
            risk: u32::from(record.risk_score()),
            rule: record
                .rule
                .id
                .as_deref()
                .or(record.rule.name.as_deref())
                .unwrap_or_default()
                .to_owned(),
            rule_name: owned(&record.rule.name),
            technique,
            tactic,
            module: record.event.module.as_deref().unwrap_or("unknown").to_owned(),
            source_ip: owned(&record.source.ip),
            user: owned(&record.user.name),
            host: record.host.name().unwrap_or_default().to_owned(),
            message: owned(&record.message),
        }
    }

    fn add_alert(&mut self, record: &AlertView<'_>, on_alert: &mut dyn FnMut(&AlertRow)) {
        self.provenance.alerts += 1;
        let row = self.alert_row(record);
        on_alert(&row);
        self.by_severity[4 - usize::from(row.rank)] += 1;
        if let Some(seconds) = epoch_seconds(&row.time) {
            self.activity.add(seconds, row.rank);
            self.widen_period(seconds, &row.time);
        }
        if self.alerts_by_module.len() < MAX_NAMES || self.alerts_by_module.contains_key(&row.module) {
            bump(&mut self.alerts_by_module, &row.module);
        }
        if let Some(technique) = &row.technique {
            if self.techniques.len() < MAX_NAMES || self.techniques.contains_key(&technique.id) {
                let tally = self.techniques.entry(technique.id.clone()).or_default();
                tally.alerts += 1;
                tally.technique.get_or_insert_with(|| technique.clone());
                let named = record.threat.tactic.name.values();
                let tactics = if named.is_empty() && !row.tactic.is_empty() {
                    std::slice::from_ref(&row.tactic)
                } else {
                    named
                };
                for tactic in tactics {
                    if !tally.tactics.contains(tactic) {
                        tally.tactics.push(tactic.clone());
                    }
                }
            }
        }
        if !row.source_ip.is_empty() {
            self.tally_attacker(record, &row);
        }
        if self.rows.len() < MAX_NAMES || self.rows.contains_key(&row.module) {
            self.rows
                .entry(row.module.clone())
                .or_insert_with(|| Kept::new(MAX_ROWS_PER_SOURCE))
                .offer(u64::from(row.rank), row);
        }
    }

    fn tally_attacker(&mut self, record: &AlertView<'_>, row: &AlertRow) {
        if !self.attackers.contains_key(&row.source_ip) && self.attackers.len() >= MAX_ATTACKERS {
            self.attackers_dropped += 1;
            return;
        }
        let tally = self.attackers.entry(row.source_ip.clone()).or_default();
        tally.alerts += 1;
        tally.worst = tally.worst.max(row.rank);
        tally.risk = (tally.risk + row.risk).min(100);
        push_unique(&mut tally.modules, &row.module, 16);
        push_unique(&mut tally.rules, &row.rule, 32);
        if tally.first.is_empty() || row.time < tally.first {
            tally.first = row.time.clone();
        }
        if row.time > tally.last {
            tally.last = row.time.clone();
        }
        read_context(record, &mut tally.context);
    }

    fn add_incident(&mut self, record: &AlertView<'_>) {
        self.provenance.incident_records += 1;
        let detail = &record.logsentry.incident;
        let Some(id) = detail.id.as_deref() else {
            self.provenance.other += 1;
            return;
        };
        let revision = whole(detail.revision);
        // An older or repeated revision (the same file read twice) is folded in already.
        if self.incidents.get(id).is_some_and(|known| known.revision >= revision) {
            return;
        }
        let severity = record.severity();
        let modules = detail.modules.values().to_vec();
        let mut ips = record.logsentry.sources.values().to_vec();
        if let Some(ip) = record.source.ip.as_deref() {
            if !ips.iter().any(|known| known == ip) {
                ips.insert(0, ip.to_owned());
            }
        }
        let entry = IncidentEntry {
            id: id.to_owned(),
            revision,
            severity: severity.name().to_owned(),
            class: class(severity).to_owned(),
            risk: u32::from(record.risk_score()),
            message: owned(&record.message),
            group_by: owned(&detail.group_by),
            key: owned(&detail.key),
            stage: owned(&detail.stage),
            sources: modules.iter().map(|module| module_title(module)).collect(),
            modules,
            rules: detail.rules.values().to_vec(),
            tactics: detail.tactics.values().to_vec(),
            usernames: record.logsentry.usernames.values().to_vec(),
            ips,
            count: whole(record.logsentry.count),
            first_seen: display_time(&owned(&record.logsentry.first_seen)),
            last_seen: display_time(&owned(&record.logsentry.last_seen)),
            timeline: Vec::new(),
            timeline_omitted: 0,
            history: incident_history(record),
        };
        if self.incidents.len() >= MAX_INCIDENTS && !self.incidents.contains_key(id) {
            self.incidents_dropped += 1;
            let least = self
                .incidents
                .values()
                .min_by_key(|known| (rank_of(&known.severity), known.risk))
                .map(|known| (rank_of(&known.severity), known.risk, known.id.clone()));
            match least {
                Some((least_rank, least_risk, least_id)) if (rank(severity), entry.risk) > (least_rank, least_risk) => {
                    self.incidents.remove(&least_id);
                    self.timelines.remove(&least_id);
                }
                _ => return,
            }
        }
        self.incidents.insert(id.to_owned(), entry);
        self.fold_timeline(id, detail);
    }

    /// Adds a revision's timeline to the incident's: a revision continues the one named by its
    /// `timeline_since`, or (0, or a writer that predates it) starts the timeline afresh.
    fn fold_timeline(&mut self, id: &str, detail: &IncidentView<'_>) {
        let mut timeline = match whole(detail.timeline_since) {
            0 => Timeline::default(),
            _ => self.timelines.remove(id).unwrap_or_default(),
        };
        timeline.omit(whole(detail.timeline_omitted));
        for entry in &detail.timeline {
            let time = entry
                .timestamp
                .as_deref()
                .and_then(Timestamp::parse_rfc3339)
                .unwrap_or(Timestamp::from_unix(0, 0));
            timeline.add(time, self.timeline_entry(entry));
        }
        self.timelines.insert(id.to_owned(), timeline);
    }

    fn timeline_entry(&self, entry: &TimelineView<'_>) -> TimelineEntry {
        let severity = entry.severity();
        TimelineEntry {
            time: display_time(&owned(&entry.timestamp)),
            source: module_title(entry.module.as_deref().unwrap_or("unknown")),
            rule: owned(&entry.rule),
            severity: severity.name().to_owned(),
            class: class(severity).to_owned(),
            risk: u32::from(entry.risk_score()),
            technique: entry
                .technique
                .as_deref()
                .map(|id| technique(id, None, None, &self.table)),
            tactic: owned(&entry.tactic),
            message: owned(&entry.message),
            user: owned(&entry.user),
        }
    }

    fn widen_period(&mut self, seconds: i64, time: &str) {
        if self.first.as_ref().is_none_or(|(first, _)| seconds < *first) {
            self.first = Some((seconds, time.to_owned()));
        }
        if self.last.as_ref().is_none_or(|(last, _)| seconds > *last) {
            self.last = Some((seconds, time.to_owned()));
        }
    }

    /// Notes what was read (input names, earlier stages' summaries) for the provenance.
    pub fn provenance_mut(&mut self) -> &mut Provenance {
        &mut self.provenance
    }

    /// The counts so far.
    pub fn provenance(&self) -> &Provenance {
        &self.provenance
    }

    /// The few facts a terminal summary shows: alerts by severity and the incidents, worst
    /// first, as (severity, attacker, story).
    pub fn headline(&self) -> Headline {
        let levels = [Severity::Critical, Severity::High, Severity::Medium, Severity::Low];
        let mut incidents: Vec<&IncidentEntry> = self.incidents.values().collect();
        incidents.sort_by(|a, b| {
            (rank_of(&b.severity), b.risk, b.count)
                .cmp(&(rank_of(&a.severity), a.risk, a.count))
                .then_with(|| a.id.cmp(&b.id))
        });
        Headline {
            alerts: self.provenance.alerts,
            by_severity: levels.iter().map(|level| level.name()).zip(self.by_severity).collect(),
            incidents: incidents
                .into_iter()
                .map(|incident| {
                    (
                        incident.severity.clone(),
                        incident.key.clone(),
                        incident.message.clone(),
                    )
                })
                .collect(),
        }
    }

    /// The report.
    pub fn finish(mut self, title: &str, generated_at: String) -> ReportData {
        let max_severity = self.by_severity.iter().copied().max().unwrap_or(0).max(1);
        let levels = [Severity::Critical, Severity::High, Severity::Medium, Severity::Low];
        let by_severity = levels
            .iter()
            .zip(self.by_severity)
            .map(|(severity, count)| SeverityCount {
                name: severity.name(),
                class: class(*severity),
                count,
                bar: u32::try_from(count * 100 / max_severity).unwrap_or(100),
            })
            .collect();
        let worst = levels
            .iter()
            .zip(self.by_severity)
            .find(|(_, count)| *count > 0)
            .map(|(severity, _)| severity.name().to_owned());
        let mut attackers: Vec<Attacker> = self
            .attackers
            .iter()
            .map(|(ip, tally)| {
                let severity = severity_of_rank(tally.worst);
                Attacker {
                    ip: ip.clone(),
                    alerts: tally.alerts,
                    severity: severity.name().to_owned(),
                    class: class(severity).to_owned(),
                    risk: tally.risk,
                    sources: tally.modules.iter().map(|module| module_title(module)).collect(),
                    modules: tally.modules.clone(),
                    rules: tally.rules.clone(),
                    first_seen: display_time(&tally.first),
                    last_seen: display_time(&tally.last),
                }
            })
            .collect();
        attackers.sort_by(|a, b| {
            (rank_of(&b.severity), b.risk, b.alerts)
                .cmp(&(rank_of(&a.severity), a.risk, a.alerts))
                .then_with(|| a.ip.cmp(&b.ip))
        });
        let mut context: Vec<AttackerContext> = attackers
            .iter()
            .filter_map(|attacker| {
                let tally = self.attackers.get(&attacker.ip)?;
                (!tally.context.is_empty()).then(|| AttackerContext {
                    ip: attacker.ip.clone(),
                    ..tally.context.clone()
                })
            })
            .collect();
        context.truncate(MAX_ROWS_PER_SOURCE);
        let attacker_count = self.attackers.len() as u64 + self.attackers_dropped;
        attackers.truncate(TOP_ATTACKERS);

        let mut modules: Vec<&String> = self
            .events_by_module
            .keys()
            .chain(self.alerts_by_module.keys())
            .collect();
        modules.sort();
        modules.dedup();
        let sources = modules
            .iter()
            .map(|module| SourceCount {
                module: (*module).clone(),
                title: module_title(module),
                events: (self.provenance.events > 0).then(|| self.events_by_module.get(*module).copied().unwrap_or(0)),
                alerts: self.alerts_by_module.get(*module).copied().unwrap_or(0),
            })
            .collect();

        let mut incidents: Vec<IncidentEntry> = self.incidents.into_values().collect();
        for incident in &mut incidents {
            let (timeline, omitted) = self.timelines.remove(&incident.id).unwrap_or_default().take();
            // Revisions a filter left out (grep, head) are alerts the timeline lacks.
            incident.timeline_omitted = omitted.max(incident.count.saturating_sub(timeline.len() as u64));
            incident.timeline = timeline;
        }
        incidents.sort_by(|a, b| {
            (rank_of(&b.severity), b.risk, b.count)
                .cmp(&(rank_of(&a.severity), a.risk, a.count))
                .then_with(|| a.first_seen.cmp(&b.first_seen))
                .then_with(|| a.id.cmp(&b.id))
        });

        let alert_tables: Vec<AlertTable> = self
            .rows
            .into_iter()
            .map(|(module, kept)| {
                let omitted = kept.dropped();
                let mut rows = kept.into_items();
                rows.sort_by(|a, b| a.time.cmp(&b.time));
                for row in &mut rows {
                    row.time = display_time(&row.time);
                }
                AlertTable {
                    title: module_title(&module),
                    module,
                    rows,
                    omitted,
                }
            })
            .collect();
        let filters = FilterChoices {
            sources: alert_tables
                .iter()
                .map(|table| SourceChoice {
                    module: table.module.clone(),
                    title: table.title.clone(),
                })
                .collect(),
        };

        let attack = attack_overview(&self.table, self.techniques);
        let period = match (&self.first, &self.last) {
            (Some((first_seconds, first)), Some((last_seconds, last))) => Some(Period {
                first: display_time(first),
                last: display_time(last),
                duration: duration_text(last_seconds - first_seconds),
            }),
            _ => None,
        };
        ReportData {
            title: title.to_owned(),
            generated_at,
            period,
            summary: Summary {
                events: self.provenance.events,
                alerts: self.provenance.alerts,
                incidents: incidents.len() as u64 + self.incidents_dropped,
                attackers: attacker_count,
                worst,
                by_severity,
                top_attackers: attackers,
                sources,
            },
            incidents,
            incidents_omitted: self.incidents_dropped,
            alert_tables,
            attack,
            context,
            activity: self.activity.chart(),
            trends: self.trends,
            filters,
            provenance: self.provenance,
        }
    }
}

impl Collector {
    /// Adds the Trends section, from what the state file counted.
    pub fn set_trends(&mut self, counts: TrendCounts) {
        self.trends = Some(trends(&self.table, counts));
    }
}

/// What the state file counted for the Trends section, day numbers being Unix days (UTC).
#[derive(Debug, Clone, Default)]
pub struct TrendCounts {
    /// The day of the newest stored alert.
    pub last_day: i64,
    /// (day, alerts per severity LOW to CRITICAL) for the days that had any.
    pub per_day: Vec<(i64, [u64; 4])>,
    /// Sources of the last 7 days' alerts not seen before them.
    pub new_attackers: u64,
    /// Sources of the last 7 days' alerts seen before them too.
    pub returning_attackers: u64,
    /// (technique, alerts in the last 7 days, alerts in the 7 before).
    pub techniques: Vec<(String, u64, u64)>,
}

/// Days the Trends section shows.
pub const TREND_DAYS: i64 = 30;

fn trends(table: &AttackTable, counts: TrendCounts) -> Trends {
    let first = counts.last_day - (TREND_DAYS - 1);
    let per_day: BTreeMap<i64, [u64; 4]> = counts.per_day.into_iter().collect();
    let max = per_day
        .values()
        .map(|counts| counts.iter().sum::<u64>())
        .max()
        .unwrap_or(0);
    let levels = [Severity::Critical, Severity::High, Severity::Medium, Severity::Low];
    let days = (first..=counts.last_day)
        .map(|day| {
            let by_rank = per_day.get(&day).copied().unwrap_or_default();
            TrendDay {
                day: crate::time::utc_date(day),
                total: by_rank.iter().sum(),
                by_severity: levels
                    .iter()
                    .map(|severity| {
                        let count = by_rank[*severity as usize];
                        SeverityCount {
                            name: severity.name(),
                            class: class(*severity),
                            count,
                            bar: u32::try_from(count * 100 / max.max(1)).unwrap_or(100),
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let techniques = counts
        .techniques
        .into_iter()
        .map(|(id, this_week, last_week)| TechniqueTrend {
            technique: technique(&id, None, None, table),
            this_week,
            last_week,
            change: match (this_week, last_week) {
                (_, 0) => "new".to_owned(),
                (now, before) if now == before => "=".to_owned(),
                (now, before) if now > before => format!("+{}", now - before),
                (now, before) => format!("-{}", before - now),
            },
        })
        .collect();
    Trends {
        first_day: crate::time::utc_date(first),
        last_day: crate::time::utc_date(counts.last_day),
        days,
        max,
        new_attackers: counts.new_attackers,
        returning_attackers: counts.returning_attackers,
        techniques,
    }
}

fn incident_history(record: &AlertView<'_>) -> Option<IncidentHistory> {
    let history = &record.logsentry.history;
    let first_seen = history.first_seen.as_deref()?;
    Some(IncidentHistory {
        first_seen: display_time(first_seen),
        incidents_before: whole(history.incidents_before),
        alerts_before: whole(history.alerts_before),
        previous_incident: owned(&history.previous_incident),
    })
}

fn attack_overview(table: &AttackTable, techniques: BTreeMap<String, TechniqueTally>) -> AttackOverview {
    let mut tactics: Vec<TacticEntry> = Vec::new();
    for tally in techniques.into_values() {
        let Some(technique) = tally.technique else { continue };
        let names = if tally.tactics.is_empty() {
            vec!["Unknown tactic".to_owned()]
        } else {
            tally.tactics
        };
        for name in names {
            let index = match tactics
                .iter()
                .position(|known| crate::attack::same_tactic(&known.name, &name))
            {
                Some(index) => index,
                None => {
                    let known = table.tactic(&name);
                    tactics.push(TacticEntry {
                        name: known.map_or_else(|| name.clone(), |known| known.name.clone()),
                        id: known.map(|known| known.id.clone()).unwrap_or_default(),
                        url: known
                            .map(|known| known.url.clone())
                            .filter(|url| super::fields::is_mitre_url(url)),
                        alerts: 0,
                        techniques: Vec::new(),
                    });
                    tactics.len() - 1
                }
            };
            tactics[index].alerts += tally.alerts;
            tactics[index].techniques.push(TechniqueCount {
                technique: technique.clone(),
                alerts: tally.alerts,
            });
        }
    }
    tactics.sort_by_key(|tactic| crate::attack::phase(&tactic.name));
    for tactic in &mut tactics {
        tactic.techniques.sort_by(|a, b| {
            b.alerts
                .cmp(&a.alerts)
                .then_with(|| a.technique.id.cmp(&b.technique.id))
        });
    }
    AttackOverview {
        version: table.version.clone(),
        tactics,
    }
}

/// Reputation and location, from `ls-enrich` (or any producer writing the same fields).
fn read_context(record: &AlertView<'_>, context: &mut AttackerContext) {
    let abuse = &record.logsentry.abuseipdb;
    let geo = &record.source.geo;
    let fill = |slot: &mut String, value: Option<&str>| {
        if let Some(value) = value.filter(|value| !value.is_empty()) {
            value.clone_into(slot);
        }
    };
    if let Some(score) = abuse.abuse_confidence_score {
        context.abuse_score = Some(score.clamp(0.0, 100.0) as u32);
    }
    if let Some(reports) = abuse.total_reports {
        context.abuse_reports = Some(reports.max(0.0) as u64);
    }
    fill(&mut context.abuse_band, abuse.band.as_deref());
    fill(&mut context.abuse_last_reported, abuse.last_reported_at.as_deref());
    fill(&mut context.isp, abuse.isp.as_deref());
    fill(&mut context.usage_type, abuse.usage_type.as_deref());
    fill(&mut context.domain, abuse.domain.as_deref());
    fill(
        &mut context.country,
        geo.country_name
            .as_deref()
            .or(geo.country_iso_code.as_deref())
            .or(abuse.country_code.as_deref()),
    );
    fill(&mut context.city, geo.city_name.as_deref());
    let system = &record.source.autonomous_system;
    let number = system.number;
    let organisation = system.organization.name.as_deref();
    if number.is_some() || organisation.is_some() {
        context.autonomous_system = match (number, organisation) {
            (Some(number), Some(name)) => format!("AS{} {name}", number as u64),
            (Some(number), None) => format!("AS{}", number as u64),
            (None, Some(name)) => name.to_owned(),
            (None, None) => String::new(),
        };
    }
}

/// A text field's value, or empty.
fn owned(text: &Option<std::borrow::Cow<'_, str>>) -> String {
    text.as_deref().unwrap_or_default().to_owned()
}

impl HeapSize for TimelineEntry {
    fn heap_size(&self) -> usize {
        [
            &self.time,
            &self.source,
            &self.rule,
            &self.severity,
            &self.class,
            &self.tactic,
            &self.message,
            &self.user,
        ]
        .iter()
        .map(|text| text.capacity())
        .sum()
    }
}

/// A count read as a number: whole, not negative, 0 when absent.
fn whole(number: Option<f64>) -> u64 {
    number.unwrap_or(0.0) as u64
}

fn bump(counts: &mut BTreeMap<String, u64>, key: &str) {
    if let Some(count) = counts.get_mut(key) {
        *count += 1;
    } else if counts.len() < MAX_NAMES {
        counts.insert(key.to_owned(), 1);
    } else {
        *counts.entry("other".to_owned()).or_default() += 1;
    }
}

fn push_unique(list: &mut Vec<String>, value: &str, limit: usize) {
    if !value.is_empty() && list.len() < limit && !list.iter().any(|known| known == value) {
        list.push(value.to_owned());
    }
}

fn rank_of(name: &str) -> u8 {
    Severity::from_name(name).map_or(0, rank)
}

fn severity_of_rank(rank: u8) -> Severity {
    match rank {
        4 => Severity::Critical,
        3 => Severity::High,
        2 => Severity::Medium,
        _ => Severity::Low,
    }
}
