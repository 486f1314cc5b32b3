//! ls-report: what each format shows, that log content never becomes markup, and that a
//! report never overwrites a file.

use crate::common::*;
use serde_json::Value;

/// The sample's alerts and incidents, as the pipe hands them to ls-report.
fn sample_alerts_and_incidents() -> Vec<u8> {
    let correlated = ls_correlate(&["-q"], &sample_alerts());
    assert!(correlated.status.success(), "{}", stderr(&correlated));
    correlated.stdout
}

/// An alert and an incident whose every text field an attacker could have written.
fn hostile_records() -> Vec<u8> {
    let alert = serde_json::json!({
        "@timestamp": "2026-03-14T01:05:10Z",
        "message": "Directory traversal from 203.0.113.9 in /x?q=<script>alert(1)</script>",
        "event": {"kind": "alert", "module": "web\"><b>", "severity": 99, "risk_score": 90},
        "rule": {"id": "directory-traversal", "name": "<i>rule</i>"},
        "threat": {"technique": {"id": "T1083", "reference": "javascript:alert(2)"}, "tactic": {"name": "Discovery"}},
        "source": {"ip": "203.0.113.9"},
        "user": {"name": "\"><img src=x onerror=alert(3)>"},
        "host": {"hostname": "web|01"},
        "logsentry": {"severity": "CRITICAL"}
    });
    let incident = serde_json::json!({
        "@timestamp": "2026-03-14T01:06:00Z",
        "message": "Story with <script>alert(4)</script> | pipes",
        "event": {"kind": "incident", "severity": 99, "risk_score": 100},
        "source": {"ip": "203.0.113.9"},
        "logsentry": {"severity": "CRITICAL", "count": 2, "usernames": ["<svg onload=alert(5)>"],
            "incident": {"id": "INC-<x>", "revision": 1, "group_by": "source.ip", "key": "203.0.113.9",
                "stage": "multi-stage", "modules": ["web"], "rules": ["a", "b"], "tactics": ["Discovery"],
                "timeline": [{"@timestamp": "2026-03-14T01:05:10Z", "module": "web", "rule": "<u>r</u>",
                    "severity": "CRITICAL", "technique": "T1083\"onclick=alert(6)", "message": "<script>alert(7)</script>"}]}}
    });
    format!("{alert}\n{incident}\n").into_bytes()
}

#[test]
fn html_shows_log_content_as_text() {
    let output = ls_report(&["-q"], &hostile_records());
    assert!(output.status.success(), "{}", stderr(&output));
    let html = String::from_utf8(output.stdout).expect("utf-8");
    assert_eq!(html.matches("<script").count(), 1, "only the report's own script");
    for injected in [
        "<img",
        "<svg onload",
        "<i>rule",
        "<u>r",
        "javascript:",
        "\"onclick",
        "web\"><b>",
        "\"><img",
    ] {
        assert!(!html.contains(injected), "{injected} reached the page as markup");
    }
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the payload shows as text"
    );
    assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(3)&gt;"));
    // The only links go to MITRE.
    for link in html.split("href=\"").skip(1) {
        assert!(
            link.starts_with("https://attack.mitre.org/"),
            "link to {}",
            &link[..40.min(link.len())]
        );
    }
    assert!(
        !html.contains("http://") && !html.contains("src=\"http"),
        "no outside resources"
    );
}

#[test]
fn markdown_keeps_table_cells_and_shows_payloads_as_text() {
    let output = ls_report(&["--format", "md", "-q"], &hostile_records());
    assert!(output.status.success(), "{}", stderr(&output));
    let markdown = String::from_utf8(output.stdout).expect("utf-8");
    let raw_markup = markdown
        .match_indices('<')
        .filter(|(at, _)| !markdown[..*at].ends_with('\\'))
        .count();
    assert_eq!(raw_markup, 0, "every < is escaped: {markdown}");
    // Every row of a table has as many cells as its header.
    let mut cells = None;
    for line in markdown.lines() {
        let unescaped = line.replace("\\|", "").matches('|').count();
        if !line.starts_with('|') {
            cells = None;
            continue;
        }
        match cells {
            None => cells = Some(unescaped),
            Some(header) => assert_eq!(unescaped, header, "a row broke out of its table: {line}"),
        }
    }
    assert!(markdown.contains("Story with \\<script\\>alert(4)\\</script\\> \\| pipes"));
}

#[test]
fn csv_lists_every_alert_and_defuses_formulas() {
    let alerts = sample_alerts();
    let count = alerts.split(|b| *b == b'\n').filter(|l| !l.is_empty()).count();
    let output = ls_report(&["--format", "csv", "-q"], &sample_alerts_and_incidents());
    assert!(output.status.success(), "{}", stderr(&output));
    let csv = String::from_utf8(output.stdout).expect("utf-8");
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("timestamp,severity,risk_score,rule_id"));
    assert_eq!(lines.len(), count + 1, "one row per alert, incidents are not alerts");
    assert!(lines
        .iter()
        .any(|l| l.contains("compromise-after-brute-force") && l.contains("203.0.113.47")));
    let formula = "{\"@timestamp\":\"2026-03-14T01:00:00Z\",\"event\":{\"kind\":\"alert\"},\"user\":{\"name\":\"=HYPERLINK(\\\"http://x\\\")\"}}\n";
    let output = ls_report(&["--format", "csv", "-q"], formula.as_bytes());
    let csv = String::from_utf8(output.stdout).expect("utf-8");
    assert!(csv.contains(",\"'=HYPERLINK(\"\"http://x\"\")\","), "{csv}");
}

#[test]
fn json_is_the_report_data_model() {
    let output = ls_report(&["--format", "json", "-q"], &sample_alerts_and_incidents());
    assert!(output.status.success(), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(report["summary"]["alerts"], 52);
    assert_eq!(report["summary"]["incidents"], 3);
    assert_eq!(report["summary"]["worst"], "CRITICAL");
    let first = &report["incidents"][0];
    assert_eq!(first["key"], "203.0.113.47");
    assert_eq!(first["severity"], "CRITICAL");
    let times: Vec<&str> = first["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter_map(|step| step["time"].as_str())
        .collect();
    assert_eq!(times.len(), 18);
    assert!(
        times.windows(2).all(|pair| pair[0] <= pair[1]),
        "in time order: {times:?}"
    );
    assert_eq!(report["summary"]["top_attackers"][0]["ip"], "203.0.113.47");
    let tactics: Vec<&str> = report["attack"]["tactics"]
        .as_array()
        .expect("tactics")
        .iter()
        .filter_map(|tactic| tactic["name"].as_str())
        .collect();
    assert_eq!(
        tactics.first(),
        Some(&"Reconnaissance"),
        "kill-chain order: {tactics:?}"
    );
    let rows: u64 = report["alert_tables"]
        .as_array()
        .expect("tables")
        .iter()
        .map(|table| table["rows"].as_array().map_or(0, Vec::len) as u64)
        .sum();
    assert_eq!(rows, 52);
    assert_eq!(
        report["provenance"]["incident_records"].as_u64().map(|n| n > 3),
        Some(true)
    );
}

#[test]
fn a_report_never_overwrites_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let existing = dir.path().join("report.html");
    std::fs::write(&existing, "keep me").expect("write");
    let output = ls_report(&["-o", existing.to_str().expect("path")], &sample_alerts());
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("never overwrites"));
    assert_eq!(std::fs::read_to_string(&existing).expect("read"), "keep me");

    let out_dir = dir.path().join("reports");
    let out = out_dir.to_str().expect("path");
    for _ in 0..2 {
        let output = ls_report(&["--out-dir", out], &sample_alerts());
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(stderr(&output).contains("report written to"));
    }
    let names: Vec<String> = sorted_entries(&out_dir)
        .iter()
        .filter_map(|path| path.file_name()?.to_str().map(str::to_owned))
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    for name in &names {
        let stem = name.strip_prefix("logsentry_report_").expect("named by time");
        let digits: String = stem.chars().filter(char::is_ascii_digit).collect();
        assert!(digits.len() >= 14 && name.ends_with(".html"), "{name}");
    }
}

#[test]
fn the_format_follows_the_file_name_and_a_template_can_replace_the_page() {
    let dir = tempfile::tempdir().expect("tempdir");
    let markdown = dir.path().join("ticket.md");
    let output = ls_report(
        &["-q", "-o", markdown.to_str().expect("path")],
        &sample_alerts_and_incidents(),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(std::fs::read_to_string(&markdown)
        .expect("read")
        .starts_with("# LogSentry incident report"));

    let template = dir.path().join("brief.html");
    std::fs::write(
        &template,
        "{{ report.summary.alerts }} alerts;{% for incident in report.incidents %} {{ incident.key }}={{ incident.severity }}{% endfor %} {{ report.alert_tables[0].rows[0].message }}",
    )
    .expect("write template");
    let output = ls_report(
        &["-q", "--template", template.to_str().expect("path")],
        &[sample_alerts_and_incidents(), hostile_records()].concat(),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8(output.stdout).expect("utf-8");
    assert!(
        text.starts_with("53 alerts; 203.0.113.47=CRITICAL 203.0.113.9=CRITICAL 45.33.32.156=HIGH 198.51.100.22=HIGH"),
        "{text}"
    );
    assert!(
        text.contains("WHERE id = &#39;12&#39;"),
        "a .html template is escaped: {text}"
    );

    let broken = dir.path().join("broken.html");
    std::fs::write(&broken, "{% for x in %}").expect("write template");
    let output = ls_report(&["--template", broken.to_str().expect("path")], b"");
    assert_eq!(
        output.status.code(),
        Some(2),
        "a template that does not parse is a usage error"
    );
    assert!(stderr(&output).contains("broken.html"), "{}", stderr(&output));
    let output = ls_report(&["--template", broken.to_str().expect("path"), "--format", "csv"], b"");
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_line_that_is_not_json_is_reported_and_the_report_still_made() {
    let mut input = sample_alerts();
    input.extend_from_slice(b"this is not json\n");
    let output = ls_report(&["--format", "json"], &input);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains(":53: not a JSON record, skipped"),
        "{}",
        stderr(&output)
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(report["summary"]["alerts"], 52);
    assert_eq!(report["provenance"]["malformed"], 1);
}

#[test]
fn ls_report_ends_quietly_when_its_reader_leaves() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("alerts.ndjson");
    std::fs::write(&input, sample_alerts().repeat(50)).expect("write");
    let mut command = std::process::Command::new(LS_REPORT);
    command.args(["--format", "csv", "-q", input.to_str().expect("path")]);
    assert_quiet_when_the_reader_leaves(command);
}

#[test]
fn reputation_from_enrichment_is_attacker_context() {
    let alert = serde_json::json!({
        "@timestamp": "2026-03-14T01:00:00Z", "message": "5 failed SSH logins",
        "event": {"kind": "alert", "module": "ssh", "severity": 73, "risk_score": 65},
        "rule": {"id": "brute-force"}, "source": {"ip": "8.8.8.8"},
        "logsentry": {"severity": "HIGH", "abuseipdb": {"abuse_confidence_score": 87, "band": "high", "total_reports": 12,
            "last_reported_at": "2026-11-20T10:00:00+00:00", "country_code": "NL", "isp": "Evil <ISP>", "usage_type": "Data Center/Web Hosting/Transit", "domain": "evil.example"}}
    })
    .to_string()
        + "\n";
    let json = ls_report(&["--format", "json", "-q"], alert.as_bytes());
    let report: Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let context = &report["context"][0];
    assert_eq!(context["ip"], "8.8.8.8");
    assert_eq!(context["abuse_score"], 87);
    assert_eq!(context["abuse_band"], "high");
    assert_eq!(context["abuse_reports"], 12);
    assert_eq!(context["country"], "NL");
    let html = String::from_utf8(ls_report(&["-q"], alert.as_bytes()).stdout).expect("utf-8");
    let section = html.split("id=\"context\"").nth(1).expect("the context section");
    assert!(
        section.contains("<td class=\"num\">87</td>") && section.contains("Evil &lt;ISP&gt;"),
        "{section}"
    );
}

#[test]
fn alerts_from_other_producers_are_reported_despite_dotted_keys_and_odd_types() {
    let input = [
        // Dotted keys at the top and inside an object, ECS's host.name, numbers as text.
        r#"{"@timestamp":"2026-03-14T01:00:00Z","message":"encoded PowerShell","event.kind":"alert","event.module":"edr","event.risk_score":"60","event.severity":"80","rule.name":"suspicious-powershell","source":{"ip":"198.51.100.9","geo.country_name":"Norway"},"source.as.number":"64500","host.name":"WS-7","user.name":"alice"}"#,
        // Ours, but with a message that is a number and tactics that are not all text.
        r#"{"@timestamp":"2026-03-14T01:05:00Z","message":5,"event":{"kind":"alert","module":"ssh","risk_score":65},"rule":{"id":"brute-force"},"threat":{"technique":{"id":["T1110.001"]},"tactic":{"name":[7,"Credential Access"]}},"source":{"ip":"198.51.100.9"},"logsentry":{"severity":"HIGH"}}"#,
    ]
    .join("\n")
        + "\n";
    let output = ls_report(&["--format", "json", "-q"], input.as_bytes());
    assert!(output.status.success(), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(report["summary"]["alerts"], 2);
    assert_eq!(report["provenance"]["malformed"], 0);
    let rows: Vec<&Value> = report["alert_tables"]
        .as_array()
        .expect("tables")
        .iter()
        .filter_map(|table| table["rows"].as_array())
        .flatten()
        .collect();
    let edr = rows
        .iter()
        .find(|row| row["rule"] == "suspicious-powershell")
        .expect("the EDR alert");
    assert_eq!(
        (
            &edr["severity"],
            &edr["risk"],
            &edr["source_ip"],
            &edr["host"],
            &edr["user"]
        ),
        (
            &Value::from("CRITICAL"),
            &Value::from(60),
            &Value::from("198.51.100.9"),
            &Value::from("WS-7"),
            &Value::from("alice")
        )
    );
    let ours = rows.iter().find(|row| row["rule"] == "brute-force").expect("our alert");
    assert_eq!(ours["message"], "");
    assert_eq!(ours["tactic"], "Credential Access");
    let said = stderr(&output);
    assert!(
        said.contains(
            ":2: message expected a string, found a number; threat.tactic.name[0] expected a string, found a number: read as absent"
        ),
        "the fields read as absent are named: {said}"
    );
    assert!(
        !said.contains(":1:"),
        "numbers as text are numbers, not mistyped: {said}"
    );
    let context = &report["context"][0];
    assert_eq!(context["country"], "Norway");
    assert_eq!(context["autonomous_system"], "AS64500");
}

#[test]
fn mistyped_fields_are_named_for_ten_records_then_counted() {
    let odd = r#"{"@timestamp":"2026-03-14T01:05:00Z","message":"m","event":{"kind":"alert","module":"ssh","risk_score":"high","severity":[1]},"rule":{"id":"brute-force"},"source":{"ip":{"v4":"198.51.100.9"}},"user":"root","host":{"name":false},"logsentry":{"severity":"HIGH"}}"#;
    let input = format!("{odd}\n").repeat(12);
    let output = ls_report(&["--format", "json"], input.as_bytes());
    assert!(
        output.status.success(),
        "a record with odd fields is not lost: {}",
        stderr(&output)
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(report["summary"]["alerts"], 12);
    let said = stderr(&output);
    let named: Vec<&str> = said.lines().filter(|line| line.contains("read as absent")).collect();
    assert_eq!(named.len(), 10, "{said}");
    assert!(
        named[0].ends_with(
            ":1: event.severity expected a number, found an array; event.risk_score expected a \
             number, found text that is not a number; source.ip expected a string, found an object; \
             user expected an object, found a string; and 1 more: read as absent, the rest of the \
             record is used"
        ),
        "four fields named, the fifth counted: {said}"
    );
    assert!(
        said.contains("further records with fields of an unexpected type are counted"),
        "{said}"
    );
    assert!(
        said.contains("12 with fields of an unexpected type"),
        "the summary counts all: {said}"
    );
    let correlated = ls_correlate(&[], input.as_bytes());
    let said = stderr(&correlated);
    assert!(
        said.contains(":1: event.severity expected a number") && !said.contains(":11:"),
        "{said}"
    );
    assert!(said.contains("12 with fields of an unexpected type"), "{said}");
}

#[test]
fn alerts_alone_do_not_claim_zero_events() {
    let alerts = sample_alerts();
    let markdown = ls_report(&["--format", "md", "-q"], &alerts);
    let text = String::from_utf8_lossy(&markdown.stdout);
    let sources = text
        .lines()
        .find(|line| line.starts_with("- Sources:"))
        .expect("sources line");
    assert!(sources.contains("SSH (14 alerts)"), "{sources}");
    assert!(!sources.contains("events"), "{sources}");
    let json = ls_report(&["--format", "json", "-q"], &alerts);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert!(
        report["summary"]["sources"][0]["events"].is_null(),
        "{}",
        report["summary"]["sources"]
    );
    // With the events in the input, they are counted per source.
    let events = ls_parse(&["-q", "auto", sample("auth.log").to_str().expect("path")], b"");
    let mut both = events.stdout.clone();
    both.extend_from_slice(&alerts);
    let counted = ls_report(&["--format", "md", "-q"], &both);
    let text = String::from_utf8_lossy(&counted.stdout);
    let sources = text
        .lines()
        .find(|line| line.starts_with("- Sources:"))
        .expect("sources line");
    assert!(sources.contains("SSH (") && sources.contains(" events, "), "{sources}");
}

#[test]
fn a_csv_report_writes_each_row_while_its_input_is_still_open() {
    use std::io::Write;
    use std::time::Duration;
    let alerts = sample_alerts();
    let first = String::from_utf8_lossy(&alerts)
        .lines()
        .next()
        .expect("an alert")
        .to_owned();
    let Live {
        mut child,
        mut stdin,
        lines,
    } = live_with(LS_REPORT, &["--format", "csv", "-q"]);
    writeln!(stdin, "{first}").expect("write");
    stdin.flush().expect("flush");
    let header = lines
        .recv_timeout(Duration::from_secs(10))
        .expect("the header while stdin is open");
    assert!(header.starts_with("timestamp,severity,"), "{header}");
    let row = lines
        .recv_timeout(Duration::from_secs(10))
        .expect("the row while stdin is open");
    let alert: serde_json::Value = serde_json::from_str(&first).expect("alert");
    let time = alert["@timestamp"].as_str().expect("time");
    assert!(row.contains(&time[..10]), "{row}");
    drop(stdin);
    assert!(child.wait().expect("wait").success());
}

#[test]
fn a_file_name_that_names_no_format_is_refused_unless_the_format_is_given() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = dir.path().join("report.txt");
    let path = text.to_str().expect("path");
    let refused = ls_report(&["-o", path], &sample_alerts());
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("end it in .html, .md, .csv or .json, or give --format"),
        "{}",
        stderr(&refused)
    );
    assert!(!text.exists(), "nothing written");
    let chosen = ls_report(&["-q", "--format", "md", "-o", path], &sample_alerts());
    assert!(chosen.status.success(), "{}", stderr(&chosen));
    let written = std::fs::read_to_string(&text).expect("report");
    assert!(written.starts_with("# LogSentry"), "Markdown as asked");
}

/// A disk that fills while the report is written (here a file-size limit) leaves no cut-off
/// report that looks complete and blocks the rerun: exit 1, the folder as it was, and the
/// same command then writes the report.
#[test]
fn a_report_that_cannot_be_written_whole_leaves_nothing_behind() {
    let dir = tempfile::tempdir().expect("tempdir");
    let alerts = dir.path().join("alerts.ndjson");
    std::fs::write(&alerts, sample_alerts()).expect("write alerts");
    let report = dir.path().join("report.html");
    let limited = format!(
        "trap '' XFSZ; ulimit -f 8; exec {LS_REPORT} -q -o {} {}",
        report.display(),
        alerts.display()
    );
    let output = std::process::Command::new("sh")
        .args(["-c", &limited])
        .output()
        .expect("run sh");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("no report file was left"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        sorted_entries(dir.path()),
        std::slice::from_ref(&alerts),
        "nothing but the input is left"
    );
    let output = ls_report(
        &[
            "-q",
            "-o",
            report.to_str().expect("path"),
            alerts.to_str().expect("path"),
        ],
        b"",
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(std::fs::read_to_string(&report).expect("report").contains("</html>"));
}
