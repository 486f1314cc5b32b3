//! Generated traffic the detection benches share: SSH logins and web requests from a million
//! addresses, a few of them busy enough to cross thresholds.

use super::Rng;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::{Command, Stdio};

pub const USERS: &[&str] = &["root", "admin", "ubuntu", "deploy", "git", "oracle", "postgres", "test"];
pub const TARGETS: &[&str] = &[
    "/",
    "/index.html",
    "/products?id=12&sort=price",
    "/missing-page",
    "/products?id=12%27%20OR%201%3D1--",
    "/download?file=../../../../etc/passwd",
    "/search?q=%3Cscript%3Ealert(1)%3C/script%3E",
    "/api/v1/orders?page=3",
];

/// The address of source number `n` (of a million).
pub fn address(n: u64) -> String {
    format!(
        "{}.{}.{}.{}",
        11 + n / 65_536 % 200,
        n / 256 % 256,
        n % 256,
        1 + n % 250
    )
}

/// Writes `count` raw log lines: SSH to `auth`, web to `access`, event time moving forward
/// a little per line. Returns (auth lines, access lines).
pub fn generate(auth: &Path, access: &Path, count: u64) -> std::io::Result<(u64, u64)> {
    let mut rng = Rng(0x5EED_D37E);
    let mut auth_out = BufWriter::with_capacity(1 << 20, File::create(auth)?);
    let mut access_out = BufWriter::with_capacity(1 << 20, File::create(access)?);
    let (mut auth_lines, mut access_lines) = (0, 0);
    let start: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z
    for line in 0..count {
        let seconds = start + i64::try_from(line / 20).unwrap_or(i64::MAX / 2);
        let stamp = chrono::DateTime::from_timestamp(seconds, 0)
            .map(|t| t.to_rfc3339())
            .unwrap_or_default();
        // A few sources are busy (they cross thresholds), most are seen now and then.
        let source = if rng.below(10) == 0 {
            rng.below(1_000)
        } else {
            rng.below(1_000_000)
        };
        let ip = address(source);
        let pid = 1000 + line % 60_000;
        let user = rng.pick(USERS);
        if rng.below(4) == 0 {
            let target = rng.pick(TARGETS);
            let status = if target == "/missing-page" { 404 } else { 200 };
            let when = chrono::DateTime::from_timestamp(seconds, 0)
                .map(|t| t.format("%d/%b/%Y:%H:%M:%S +0000").to_string())
                .unwrap_or_default();
            writeln!(
                access_out,
                "{ip} - - [{when}] \"GET {target} HTTP/1.1\" {status} 512 \"-\" \"Mozilla/5.0\""
            )?;
            access_lines += 1;
        } else {
            match rng.below(10) {
                0 => writeln!(
                    auth_out,
                    "{stamp} bastion sshd[{pid}]: Accepted password for {user} from {ip} port 22 ssh2"
                )?,
                1 => writeln!(
                    auth_out,
                    "{stamp} bastion sshd[{pid}]: Invalid user {user}x from {ip} port 22"
                )?,
                _ => writeln!(
                    auth_out,
                    "{stamp} bastion sshd[{pid}]: Failed password for {user} from {ip} port 22 ssh2"
                )?,
            }
            auth_lines += 1;
        }
    }
    auth_out.flush()?;
    access_out.flush()?;
    Ok((auth_lines, access_lines))
}

/// The events ls-parse makes of both logs, one file; returns how many.
pub fn parse_to_events(ls_parse: &str, auth: &Path, access: &Path, events: &Path) -> u64 {
    let out = File::create(events).expect("create events");
    let status = Command::new(ls_parse)
        .args(["auto", "-q", "--tz", "UTC"])
        .arg(auth)
        .arg(access)
        .stdout(Stdio::from(out))
        .status()
        .expect("run ls-parse");
    assert!(status.success(), "ls-parse failed");
    std::fs::read(events)
        .map(|data| data.iter().filter(|&&b| b == b'\n').count() as u64)
        .unwrap_or(0)
}
