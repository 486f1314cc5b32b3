//! ls-correlate end to end: the alerts ls-detect really finds in the sample story, piped
//! into the real binary, and hand-made alerts for the edges.

use crate::common::*;
use serde::Deserialize;
use std::io::Write;
use std::time::Duration;

/// The incident record, strictly: a field we did not expect fails the test (schema drift).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Incident {
    #[serde(rename = "@timestamp")]
    timestamp: String,
    message: String,
    event: IncidentEvent,
    threat: IncidentThreat,
    source: Option<Ip>,
    user: Option<Name>,
    host: Option<Hostname>,
    logsentry: IncidentMeta,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IncidentEvent {
    kind: String,
    severity: u8,
    risk_score: u8,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IncidentThreat {
    framework: String,
    tactic: Names,
    technique: Ids,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Names {
    name: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Ids {
    id: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IncidentMeta {
    severity: String,
    count: u64,
    first_seen: String,
    last_seen: String,
    #[serde(default)]
    usernames: Vec<String>,
    #[serde(default)]
    sources: Vec<String>,
    #[serde(default)]
    hosts: Vec<String>,
    incident: Detail,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Detail {
    id: String,
    revision: u64,
    group_by: String,
    key: String,
    stage: String,
    modules: Vec<String>,
    rules: Vec<String>,
    tactics: Vec<String>,
    timeline_since: u64,
    timeline: Vec<Step>,
    #[serde(default)]
    timeline_omitted: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Step {
    #[serde(rename = "@timestamp")]
    timestamp: String,
    module: Option<String>,
    rule: String,
    severity: String,
    risk_score: u8,
    technique: Option<String>,
    tactic: Option<String>,
    message: String,
    source_ip: Option<String>,
    user: Option<String>,
}

/// The incident records among `stdout`'s lines (ours: they have an id).
fn incidents(stdout: &[u8]) -> Vec<Incident> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter(|line| line.contains(r#""kind":"incident""#) && line.contains(r#""incident":{"id""#))
        .map(|line| serde_json::from_str(line).unwrap_or_else(|error| panic!("{error}: {line}")))
        .collect()
}

fn for_ip<'a>(incidents: &'a [Incident], ip: &str) -> Vec<&'a Incident> {
    incidents
        .iter()
        .filter(|incident| incident.source.as_ref().is_some_and(|source| source.ip == ip))
        .collect()
}

/// A hand-made alert, as ls-detect writes one.
fn alert(at: &str, ip: &str, rule: &str, severity: &str, risk: u8, attack: (&str, &str)) -> String {
    let (technique, tactic) = attack;
    format!(
        r#"{{"@timestamp":"{at}","message":"{rule} from {ip}","event":{{"kind":"alert","module":"ssh","severity":73,"risk_score":{risk}}},"rule":{{"id":"{rule}","name":"{rule}","description":"d"}},"threat":{{"framework":"MITRE ATT&CK","technique":{{"id":"{technique}","name":"{technique}","reference":"https://attack.mitre.org/techniques/{technique}/"}},"tactic":{{"name":"{tactic}"}}}},"source":{{"ip":"{ip}"}},"user":{{"name":"root"}},"host":{{"hostname":"bastion"}},"logsentry":{{"severity":"{severity}","count":5,"first_seen":"{at}","last_seen":"{at}","modules":["ssh"],"evidence":[]}}}}"#
    ) + "\n"
}

/// A scanner alert (MEDIUM, Reconnaissance).
fn scan(at: &str, ip: &str) -> String {
    alert(at, ip, "scanner", "MEDIUM", 45, ("T1595", "Reconnaissance"))
}

/// A brute-force alert (HIGH, Credential Access).
fn guessing(at: &str, ip: &str) -> String {
    alert(at, ip, "brute-force", "HIGH", 65, ("T1110.001", "Credential Access"))
}

/// A compromise alert (CRITICAL, Initial Access).
fn compromise(at: &str, ip: &str) -> String {
    alert(
        at,
        ip,
        "compromise-after-brute-force",
        "CRITICAL",
        100,
        ("T1078", "Initial Access"),
    )
}

#[test]
fn the_sample_kill_chain_is_one_critical_incident_with_every_step_in_time_order() {
    let output = ls_correlate(&["--final", "--incidents-only"], &sample_alerts());
    assert!(output.status.success(), "{}", stderr(&output));
    let all = incidents(&output.stdout);
    let attacker = for_ip(&all, "203.0.113.47");
    assert_eq!(
        attacker.len(),
        1,
        "one incident for the attacker, written once with --final"
    );
    let incident = attacker[0];
    assert_eq!(incident.event.kind, "incident");
    assert_eq!(
        (incident.logsentry.severity.as_str(), incident.event.severity),
        ("CRITICAL", 99)
    );
    assert_eq!(incident.event.risk_score, 100);
    assert_eq!(incident.threat.framework, "MITRE ATT&CK");
    for technique in ["T1595", "T1190", "T1110.001", "T1078"] {
        assert!(
            incident.threat.technique.id.iter().any(|id| id == technique),
            "{technique}: {:?}",
            incident.threat.technique.id
        );
    }
    assert!(incident.logsentry.usernames.iter().any(|user| user == "dbadmin"));
    assert!(incident.logsentry.hosts.iter().any(|host| host == "bastion"));
    assert_eq!(incident.logsentry.incident.timeline_omitted, 0);
    assert_eq!(incident.logsentry.incident.stage, "kill-chain");
    assert_eq!(incident.logsentry.incident.group_by, "source.ip");
    for module in ["web", "ssh", "mysql", "windows"] {
        assert!(
            incident.logsentry.incident.modules.iter().any(|known| known == module),
            "{module} in {:?}",
            incident.logsentry.incident.modules
        );
    }
    let timeline = &incident.logsentry.incident.timeline;
    assert_eq!(timeline.len() as u64, incident.logsentry.count);
    assert!(
        timeline.windows(2).all(|pair| pair[0].timestamp <= pair[1].timestamp),
        "time order: {timeline:?}"
    );
    // The story: web recon → SQL injection → traversal that served /etc/passwd → SSH brute
    // force → root compromised → back at 02:17 as dbadmin out of hours.
    let story = [
        ("scanner", "web", None),
        ("sql-injection", "web", None),
        ("directory-traversal-served", "web", None),
        ("brute-force", "ssh", None),
        ("compromise-after-brute-force", "ssh", Some("root")),
        ("weekend-login", "ssh", Some("dbadmin")),
    ];
    let mut from = 0;
    for (rule, module, user) in story {
        let at = timeline[from..]
            .iter()
            .position(|step| {
                step.rule == rule
                    && step.module.as_deref() == Some(module)
                    && (user.is_none() || step.user.as_deref() == user)
            })
            .unwrap_or_else(|| panic!("{rule} ({module}, {user:?}) after step {from}: {timeline:#?}"));
        from += at + 1;
    }
    let dbadmin = timeline
        .iter()
        .find(|step| step.rule == "weekend-login" && step.user.as_deref() == Some("dbadmin"))
        .expect("dbadmin");
    assert_eq!(dbadmin.timestamp, "2026-03-14T02:17:04Z");
    assert_eq!((dbadmin.severity.as_str(), dbadmin.risk_score), ("CRITICAL", 85));
    assert_eq!(dbadmin.technique.as_deref(), Some("T1078.003"));
    assert_eq!(dbadmin.tactic.as_deref(), Some("Initial Access"));
    assert_eq!(dbadmin.source_ip.as_deref(), Some("203.0.113.47"));
    assert!(dbadmin.message.contains("dbadmin"), "{}", dbadmin.message);
    assert_eq!(incident.logsentry.incident.tactics, incident.threat.tactic.name);
    assert_eq!(
        incident.threat.tactic.name[..3],
        ["Reconnaissance", "Initial Access", "Execution"]
    );
    assert!(
        incident
            .message
            .starts_with("Kill chain from 203.0.113.47 across web, MySQL, SSH and Windows: Reconnaissance → "),
        "{}",
        incident.message
    );
    assert!(
        incident.message.ends_with(
            "worst (CRITICAL): SSH login as root from 203.0.113.47 succeeded after 56 failed MySQL and SSH logins"
        ),
        "{}",
        incident.message
    );
    assert_eq!(incident.logsentry.first_seen, timeline[0].timestamp);
    assert_eq!(incident.timestamp, incident.logsentry.last_seen);
    // The other guesser pivoted from the web to SSH too; the web server's own database
    // connection and the legitimate weekend logins each fired one rule: no incident.
    assert_eq!(for_ip(&all, "198.51.100.22").len(), 1);
    for single_rule in ["10.0.0.5", "192.168.1.10", "192.168.1.11"] {
        assert!(for_ip(&all, single_rule).is_empty(), "{single_rule}");
    }
}

#[test]
fn alerts_pass_through_and_revisions_grow_with_every_alert_that_joins() {
    let input = sample_alerts();
    let output = ls_correlate(&[], &input);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    let passed: Vec<&str> = text.lines().filter(|line| line.contains(r#""kind":"alert""#)).collect();
    assert_eq!(
        passed.len(),
        String::from_utf8_lossy(&input).lines().count(),
        "every alert passes through"
    );
    assert!(
        String::from_utf8_lossy(&input)
            .lines()
            .zip(&passed)
            .all(|(read, written)| read == *written),
        "alerts pass through unchanged and in order"
    );
    let revisions = incidents(&output.stdout);
    let attacker = for_ip(&revisions, "203.0.113.47");
    let numbers: Vec<u64> = attacker
        .iter()
        .map(|incident| incident.logsentry.incident.revision)
        .collect();
    assert_eq!(numbers, (1..=numbers.len() as u64).collect::<Vec<_>>());
    assert!(attacker
        .iter()
        .all(|incident| incident.logsentry.incident.id == attacker[0].logsentry.incident.id));
    let counts: Vec<u64> = attacker.iter().map(|incident| incident.logsentry.count).collect();
    assert!(counts.windows(2).all(|pair| pair[1] == pair[0] + 1), "{counts:?}");
    // The first revision is written when the second kind of attack arrives: a scan alone is
    // not an incident even when three rules see it (its agent, its probes for sensitive files
    // and its 404s), a scan and an SQL injection are.
    assert_eq!(
        attacker[0].logsentry.incident.rules,
        ["scanner-agent", "sensitive-file-probe", "scanner", "sql-injection"]
    );
    // The last revision is the batch view.
    let batch = incidents(&ls_correlate(&["--final"], &input).stdout);
    let last = attacker.last().expect("revisions");
    let final_one = for_ip(&batch, "203.0.113.47")[0];
    assert_eq!(final_one.logsentry.incident.id, last.logsentry.incident.id);
    assert_eq!(final_one.message, last.message);
    assert_eq!(final_one.logsentry.incident.revision, last.logsentry.incident.revision);
    // Each revision carries the alerts that joined since the one before: folded in order,
    // they are the whole timeline.
    assert_eq!(attacker[0].logsentry.incident.timeline_since, 0);
    let mut folded: Vec<&Step> = Vec::new();
    for pair in attacker.windows(2) {
        assert_eq!(
            pair[1].logsentry.incident.timeline_since,
            pair[0].logsentry.incident.revision
        );
    }
    for revision in &attacker {
        folded.extend(&revision.logsentry.incident.timeline);
    }
    folded.sort_by(|a, b| a.timestamp.cmp(&b.timestamp));
    let whole: Vec<&Step> = final_one.logsentry.incident.timeline.iter().collect();
    assert_eq!(folded.len(), whole.len());
    assert_eq!(
        folded
            .iter()
            .map(|step| (&step.timestamp, &step.rule))
            .collect::<Vec<_>>(),
        whole
            .iter()
            .map(|step| (&step.timestamp, &step.rule))
            .collect::<Vec<_>>()
    );
    // The same input names the same incidents, run after run.
    let again = incidents(&ls_correlate(&["--final"], &input).stdout);
    let ids = |list: &[Incident]| list.iter().map(|i| i.logsentry.incident.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&batch), ids(&again));
}

#[test]
fn an_incident_is_written_while_stdin_is_still_open() {
    let Live {
        mut child,
        mut stdin,
        lines: receiver,
    } = live(LS_CORRELATE);
    let steps = [
        scan("2026-03-14T01:00:00Z", "203.0.113.9"),
        guessing("2026-03-14T01:05:00Z", "203.0.113.9"),
        compromise("2026-03-14T01:09:00Z", "203.0.113.9"),
    ];
    let mut revision = 0;
    for (index, step) in steps.iter().enumerate() {
        stdin.write_all(step.as_bytes()).expect("write");
        stdin.flush().expect("flush");
        let passed = receiver
            .recv_timeout(Duration::from_secs(10))
            .expect("the alert passes at once");
        assert!(passed.contains(r#""kind":"alert""#), "{passed}");
        if index == 0 {
            assert!(
                receiver.recv_timeout(Duration::from_millis(200)).is_err(),
                "one kind of alert is not an incident"
            );
            continue;
        }
        let line = receiver
            .recv_timeout(Duration::from_secs(10))
            .expect("the incident came while stdin was still open");
        let incident: Incident = serde_json::from_str(&line).expect("incident");
        revision += 1;
        assert_eq!(incident.logsentry.incident.revision, revision);
        assert_eq!(incident.logsentry.count, index as u64 + 1);
    }
    drop(stdin);
    assert!(child.wait().expect("wait").success());
}

#[test]
fn grouping_by_user_and_host_and_the_minimum_of_rule_types() {
    let input = sample_alerts();
    let by_user = incidents(&ls_correlate(&["--final", "--by", "user"], &input).stdout);
    let dbadmin = by_user
        .iter()
        .find(|incident| incident.user.as_ref().is_some_and(|user| user.name == "dbadmin"))
        .expect("an incident for the account dbadmin");
    assert_eq!(dbadmin.logsentry.incident.group_by, "user.name");
    // Created, made an administrator, then logged into from the attacker's address: one
    // story about one account, though the first two alerts name no address.
    for rule in ["account-created", "privileged-group-member-added", "weekend-login"] {
        assert!(
            dbadmin.logsentry.incident.rules.iter().any(|known| known == rule),
            "{rule}: {:?}",
            dbadmin.logsentry.incident.rules
        );
    }
    assert!(dbadmin.logsentry.sources.iter().any(|ip| ip == "203.0.113.47"));
    assert!(dbadmin.source.is_none());
    let by_host = incidents(&ls_correlate(&["--final", "--by", "host"], &input).stdout);
    let dc = by_host
        .iter()
        .find(|incident| {
            incident
                .host
                .as_ref()
                .is_some_and(|host| host.hostname == "DC01.corp.example")
        })
        .expect("an incident for the domain controller");
    assert_eq!(dc.logsentry.incident.modules[0], "windows");
    assert!(dc.logsentry.hosts.iter().all(|host| host == "DC01.corp.example"));
    assert!(dc
        .logsentry
        .incident
        .rules
        .iter()
        .any(|rule| rule == "audit-log-cleared"));
    // Demanding more kinds of alert leaves only the attackers who did more.
    let strict = incidents(&ls_correlate(&["--final", "--min-types", "5"], &input).stdout);
    let keys: Vec<&str> = strict
        .iter()
        .map(|incident| incident.logsentry.incident.key.as_str())
        .collect();
    assert_eq!(keys, ["203.0.113.47"]);
}

#[test]
fn a_group_closes_after_the_window_of_silence() {
    let input = [
        scan("2026-03-14T01:00:00Z", "203.0.113.9"),
        guessing("2026-03-16T01:00:00Z", "203.0.113.9"),
    ]
    .concat();
    let default_window = ls_correlate(&[], input.as_bytes());
    assert!(
        incidents(&default_window.stdout).is_empty(),
        "two days apart: two groups of one"
    );
    let wide = incidents(&ls_correlate(&["--window", "3d"], input.as_bytes()).stdout);
    assert_eq!(wide.len(), 1);
    assert_eq!(wide[0].logsentry.incident.stage, "multi-stage");
    assert_eq!(wide[0].logsentry.incident.rules, ["scanner", "brute-force"]);
    // A closed incident with --final is written when it closes, before the alert that
    // closed it.
    let input = [
        scan("2026-03-14T01:00:00Z", "203.0.113.9"),
        guessing("2026-03-14T01:01:00Z", "203.0.113.9"),
        scan("2026-03-16T01:00:00Z", "198.51.100.7"),
    ]
    .concat();
    let output = ls_correlate(&["--final"], input.as_bytes());
    let text = String::from_utf8_lossy(&output.stdout);
    let kinds: Vec<&str> = text
        .lines()
        .map(|line| {
            if line.contains(r#""kind":"incident""#) {
                "incident"
            } else {
                "alert"
            }
        })
        .collect();
    assert_eq!(kinds, ["alert", "alert", "incident", "alert"]);
}

#[test]
fn other_records_pass_and_bad_lines_are_reported_without_stopping() {
    let incident_line =
        r#"{"@timestamp":"2026-03-14T01:00:00Z","event":{"kind":"incident"},"message":"from upstream"}"#;
    let input = [
        r#"{"@timestamp":"2026-03-14T01:00:00Z","event":{"kind":"event","module":"ssh"},"message":"an event"}"#
            .to_owned()
            + "\n",
        "not json at all\n".to_owned(),
        scan("2026-03-14T01:00:00Z", "203.0.113.9"),
        r#"{"event":{"kind":"alert"},"message":"no time"}"#.to_owned() + "\n",
        "[1,2,3]\n".to_owned(),
        incident_line.to_owned() + "\n",
        guessing("2026-03-14T01:05:00Z", "203.0.113.9"),
    ]
    .concat();
    let output = ls_correlate(&[], input.as_bytes());
    assert_eq!(output.status.code(), Some(1), "bad lines make exit 1");
    let errors = stderr(&output);
    assert!(errors.contains("<stdin>:2: not a JSON record"), "{errors}");
    assert!(
        errors.contains("1 without a valid @timestamp"),
        "passed through, ungrouped, and counted: {errors}"
    );
    let text = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 7, "{text}");
    assert!(lines[0].contains("an event") && lines[2].contains("no time"));
    assert!(lines[3] == "[1,2,3]" && lines[4] == incident_line);
    assert_eq!(incidents(&output.stdout).len(), 1, "ours");
    assert_eq!(
        text.matches(r#""kind":"incident""#).count(),
        2,
        "the upstream incident and ours"
    );
    // --incidents-only keeps incidents, ours and those read.
    let only = ls_correlate(&["--incidents-only", "-q"], input.as_bytes());
    let text = String::from_utf8_lossy(&only.stdout);
    assert!(text.lines().all(|line| line.contains(r#""kind":"incident""#)), "{text}");
    assert_eq!(text.lines().count(), 2);
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["--by", "country"][..],
        &["--min-types", "0"],
        &["--window", "soon"],
        &["--bogus"],
    ] {
        let output = ls_correlate(args, b"");
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr(&output));
        assert!(stderr(&output).starts_with("ls-correlate: "), "{}", stderr(&output));
    }
}

#[test]
fn alerts_from_other_producers_group_despite_dotted_keys_and_odd_types() {
    // An EDR writing dotted keys, ECS's host.name and numbers as text; and one of ours whose
    // message is not text. Each must still count, or the story loses a step.
    let input = [
        r#"{"@timestamp":"2026-03-14T01:00:00Z","message":"encoded PowerShell","event.kind":"alert","event.module":"edr","event.risk_score":"60","event.severity":"50","rule.name":"suspicious-powershell","source.ip":"198.51.100.9","host.name":"WS-7"}"#,
        r#"{"@timestamp":"2026-03-14T01:05:00Z","message":5,"event":{"kind":"alert","module":"edr","risk_score":80},"rule":{"id":"lsass-access"},"source":{"ip":"198.51.100.9"},"host":{"name":"ws-7"},"logsentry":{"severity":"HIGH","modules":"edr"}}"#,
    ]
    .join("\n")
        + "\n";
    for (by, field) in [("ip", "source.ip"), ("host", "host.hostname")] {
        let output = ls_correlate(&["--final", "--by", by], input.as_bytes());
        assert!(output.status.success(), "{}", stderr(&output));
        let found = incidents(&output.stdout);
        assert_eq!(found.len(), 1, "--by {by}: {}", String::from_utf8_lossy(&output.stdout));
        let incident = &found[0];
        assert_eq!(incident.logsentry.incident.group_by, field);
        assert_eq!(
            incident.logsentry.incident.rules,
            ["suspicious-powershell", "lsass-access"]
        );
        assert_eq!(incident.event.risk_score, 100, "60 (read from text) + 80, capped");
        assert_eq!(incident.logsentry.severity, "HIGH", "the worst of MEDIUM (50) and HIGH");
    }
}
