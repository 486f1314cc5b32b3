//! The report as a person sees it: opened in headless Chromium (LOGSENTRY_BROWSER names the
//! binary; .ci/run installs Debian's chromium and sets it). No console errors, no request
//! leaves the page, the incident and its timeline are there, filtering by severity hides
//! rows, the page reads with scripts off, and printing it to PDF keeps the incident. A
//! screenshot and the PDF are kept in the test's target directory for a person to look at.
//! Each check is first shown to catch a page that breaks the rule.

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The browser LOGSENTRY_BROWSER names (the test is ignored unless it was set at build time).
fn browser() -> PathBuf {
    let path = std::env::var_os("LOGSENTRY_BROWSER").map(PathBuf::from).expect(
        "LOGSENTRY_BROWSER must name Chromium to run this test (LOGSENTRY_BROWSER=/usr/bin/chromium cargo test)",
    );
    assert!(
        path.is_file(),
        "LOGSENTRY_BROWSER={} is set but is not a file",
        path.display()
    );
    path
}

/// What one headless run gave: the DOM after scripts ran, and the browser's log.
struct Visit {
    dom: String,
    log: String,
}

/// Runs headless Chromium on `url` with `extra` flags, without network chatter of its own,
/// and gives up after two minutes.
fn visit(browser: &Path, work: &Path, url: &str, extra: &[String]) -> Visit {
    let profile = tempfile::tempdir_in(work).expect("profile dir");
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,2000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the browser");
    // Both pipes are drained while the browser runs: a DOM bigger than a pipe's buffer would
    // otherwise stop it writing, and it would never finish.
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut text);
            }
            String::from_utf8_lossy(&text).into_owned()
        })
    };
    let dom = drain(
        child
            .stdout
            .take()
            .map(|pipe| Box::new(pipe) as Box<dyn std::io::Read + Send>),
    );
    let log = drain(
        child
            .stderr
            .take()
            .map(|pipe| Box::new(pipe) as Box<dyn std::io::Read + Send>),
    );
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("the browser did not finish with {url} in two minutes");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Visit {
        dom: dom.join().expect("stdout reader"),
        log: log.join().expect("stderr reader"),
    }
}

/// Console messages (errors, CSP violations, uncaught exceptions) in the browser's log.
fn console_messages(log: &str) -> Vec<&str> {
    log.lines().filter(|line| line.contains(":CONSOLE")).collect()
}

/// Requests the page made (not the browser's own: those have no origin), from a net log.
fn page_requests(net_log: &Path) -> Vec<String> {
    let log: serde_json::Value =
        serde_json::from_slice(&std::fs::read(net_log).expect("net log")).expect("net log JSON");
    let start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
        .as_u64()
        .expect("event type");
    log["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|event| event["type"].as_u64() == Some(start_job))
        .filter(|event| event["params"]["initiator"].as_str() != Some("not an origin"))
        .filter_map(|event| event["params"]["url"].as_str().map(str::to_owned))
        .filter(|url| !url.starts_with("file:") && !url.starts_with("data:"))
        .collect()
}

/// `<tr …>` opening tags of alert rows in a DOM, with whether each is hidden.
fn rows(dom: &str) -> Vec<(String, bool)> {
    dom.split("<tr ")
        .skip(1)
        .filter_map(|rest| rest.split_once('>').map(|(tag, _)| tag))
        .filter(|tag| tag.contains("data-severity="))
        .map(|tag| {
            let severity = tag
                .split("data-severity=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap_or_default()
                .to_owned();
            (severity, tag.contains("hidden"))
        })
        .collect()
}

/// The text of a PDF, by pdftotext (poppler-utils).
fn pdf_text(pdf: &Path) -> String {
    let output = Command::new("pdftotext")
        .args([pdf.to_str().expect("path"), "-"])
        .output()
        .expect("pdftotext (poppler-utils) reads the PDF");
    assert!(output.status.success(), "pdftotext {}", pdf.display());
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
#[cfg_attr(not(logsentry_browser), ignore = "needs LOGSENTRY_BROWSER=/usr/bin/chromium")]
fn the_report_works_in_a_browser() {
    let browser = browser();
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).expect("work dir");
    let report = work.join("report.html");
    let output = logsentry(
        &[
            "--tz",
            "UTC",
            "-q",
            "-o",
            report.to_str().expect("path"),
            sample("").to_str().expect("path"),
        ],
        b"",
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let url = format!("file://{}", report.display());

    // The checks catch a page that logs an error and fetches from outside.
    let bad = work.join("bad.html");
    std::fs::write(
        &bad,
        "<html><body><img src=\"http://198.51.100.7/p.png\"><script>console.error('x'); missing();</script></body></html>",
    )
    .expect("write");
    let bad_net = work.join("bad-net.json");
    let bad_visit = visit(
        &browser,
        &work,
        &format!("file://{}", bad.display()),
        &[format!("--log-net-log={}", bad_net.display()), "--dump-dom".into()],
    );
    assert!(
        console_messages(&bad_visit.log).len() >= 2,
        "console errors are seen: {}",
        bad_visit.log
    );
    assert_eq!(
        page_requests(&bad_net),
        vec!["http://198.51.100.7/p.png"],
        "outside requests are seen"
    );

    // The report: no console message, no request, the story, the filters working.
    let net = work.join("net.json");
    let page = visit(
        &browser,
        &work,
        &url,
        &[format!("--log-net-log={}", net.display()), "--dump-dom".into()],
    );
    assert!(
        console_messages(&page.log).is_empty(),
        "console: {:?}",
        console_messages(&page.log)
    );
    assert_eq!(
        page_requests(&net),
        Vec::<String>::new(),
        "the report made outside requests"
    );
    assert!(
        page.dom.contains("<form id=\"filters\" onsubmit"),
        "the script showed the filters"
    );
    let incident = page
        .dom
        .split("<article")
        .find(|article| article.contains("Kill chain from 203.0.113.47"))
        .expect("the incident for 203.0.113.47");
    for step in [
        "directory-traversal-served",
        "compromise-after-brute-force",
        "SSH login as dbadmin from 203.0.113.47",
    ] {
        assert!(incident.contains(step), "the timeline shows {step}");
    }
    let all = rows(&page.dom);
    assert!(
        all.len() >= 52 && all.iter().all(|(_, hidden)| !hidden),
        "no filter, nothing hidden"
    );

    let filtered = visit(
        &browser,
        &work,
        &format!("{url}#severity=critical"),
        &["--dump-dom".into()],
    );
    assert!(
        console_messages(&filtered.log).is_empty(),
        "console: {:?}",
        console_messages(&filtered.log)
    );
    let filtered_rows = rows(&filtered.dom);
    assert!(filtered_rows
        .iter()
        .any(|(severity, hidden)| severity == "critical" && !hidden));
    assert!(
        filtered_rows
            .iter()
            .filter(|(severity, _)| severity != "critical")
            .all(|(_, hidden)| *hidden),
        "only CRITICAL rows stay"
    );
    assert!(
        filtered_rows.iter().any(|(severity, _)| severity == "high"),
        "there were HIGH rows to hide"
    );
    assert!(
        filtered.dom.contains("13 of 52 alerts shown"),
        "the filter says what it did"
    );

    // With scripts off (headless Chromium cannot print or dump a page without them, so the
    // page as written is checked) nothing is hidden and the filter controls do not show.
    let raw = std::fs::read_to_string(&report).expect("the report");
    assert!(
        raw.contains("<form id=\"filters\" hidden"),
        "no dead controls with scripts off"
    );
    let written = rows(&raw);
    assert_eq!(written.len(), all.len());
    assert!(
        written.iter().all(|(_, hidden)| !hidden),
        "every row shows with scripts off"
    );

    let screenshot = work.join("report.png");
    visit(
        &browser,
        &work,
        &url,
        &[format!("--screenshot={}", screenshot.display())],
    );
    let png = std::fs::read(&screenshot).expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 20_000, "a real screenshot");

    let pdf = work.join("report.pdf");
    visit(
        &browser,
        &work,
        &url,
        &[
            format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer".into(),
        ],
    );
    let text = pdf_text(&pdf);
    assert!(
        text.contains("Kill chain from 203.0.113.47"),
        "the PDF has the incident"
    );
    assert!(
        text.contains("Correlated incidents") && text.contains("INC-"),
        "the PDF has the incident section"
    );
    eprintln!("browser: screenshot {} and PDF {}", screenshot.display(), pdf.display());
}
