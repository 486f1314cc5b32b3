//! `cargo bench`: throughput and peak memory of `ls-parse ssh` and `ls-parse apache` on large
//! generated logs (over 1 GB in all, written once to target/bench-data, never committed),
//! writing NDJSON to /dev/null on one core. Each input is also run at a tenth of its size, so
//! the report shows whether memory stays flat as the input grows.
//!
//! Set LOGSENTRY_BENCH_MB to change the size of each input (default 560 MB each).
//!
//! `ls-parse mysql` reads a generated MySQL 8 general query log of half that size, with
//! multi-line statements.
//!
//! Then `ls-parse evtx` on a generated Windows Security log (LOGSENTRY_BENCH_EVTX_MB, default
//! 200 MB) beside `evtx_dump -o jsonl` of the same evtx crate on the same file with the same
//! thread count: on one core (the CPU each costs) and on all cores (what a user waits). The
//! evtx_dump binary is LOGSENTRY_EVTX_DUMP, or `evtx_dump` on the PATH, or one built once
//! into target/evtx_dump by `cargo install evtx --version =0.15.1`. `cargo bench --bench parse
//! -- evtx` runs this part alone.

mod support;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use support::windows::generate_security_log;
use support::{measure, measure_on, print_pipe_ceiling, report, tenth, Cores, Measurement, Rng, RUNS};

const LS_PARSE: &str = env!("CARGO_BIN_EXE_ls-parse");

const USERS: &[&str] = &[
    "root", "admin", "ubuntu", "deploy", "git", "oracle", "postgres", "test", "guest", "pi",
];
const MONTHS: &[&str] = &[
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const PATHS: &[&str] = &[
    "/",
    "/index.html",
    "/css/site.css",
    "/js/app.js?v=1.4.2",
    "/products?id=12&sort=price",
    "/images/banner-2026.png",
    "/api/v1/orders?page=3",
    "/wp-login.php",
    "/search?q=blue+shoes",
    "/.env",
];
const AGENTS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "curl/8.5.0",
];

fn ip(rng: &mut Rng) -> String {
    format!(
        "{}.{}.{}.{}",
        1 + rng.below(223),
        rng.below(256),
        rng.below(256),
        1 + rng.below(254)
    )
}

/// Seconds since the start of the generated log: time moves forward a little per line, as
/// in a real log (several lines share a second on a busy server).
fn clock(rng: &mut Rng) -> (usize, u64, u64, u64, u64) {
    thread_local!(static ELAPSED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) });
    let elapsed = ELAPSED.with(|e| {
        let next = e.get() + u64::from(rng.below(4) == 0);
        e.set(next);
        next
    });
    let day = elapsed / 86_400;
    (
        (day / 28 % 12) as usize,
        1 + day % 28,
        elapsed / 3600 % 24,
        elapsed / 60 % 60,
        elapsed % 60,
    )
}

fn auth_line(rng: &mut Rng, out: &mut impl Write) -> std::io::Result<()> {
    let (month, day, hour, minute, second) = clock(rng);
    let header = format!("{} {day:2} {hour:02}:{minute:02}:{second:02} bastion", MONTHS[month]);
    let pid = 1000 + rng.below(60_000);
    let (user, address, port) = (rng.pick(USERS), ip(rng), 1024 + rng.below(60_000));
    match rng.below(20) {
        0..=10 => writeln!(out, "{header} sshd[{pid}]: Failed password for {user} from {address} port {port} ssh2"),
        11 => writeln!(out, "{header} sshd[{pid}]: Failed password for invalid user {user} from {address} port {port} ssh2"),
        12 => writeln!(out, "{header} sshd[{pid}]: Invalid user {user} from {address} port {port}"),
        13 => writeln!(
            out,
            "{header} sshd[{pid}]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost={address}  user={user}"
        ),
        14 => writeln!(out, "{header} sshd[{pid}]: Accepted publickey for {user} from {address} port {port} ssh2: ED25519 SHA256:q4Ou8ZGm0aQf2b9bW0r3s1f"),
        15 => writeln!(out, "{header} sshd[{pid}]: Connection closed by authenticating user {user} {address} port {port} [preauth]"),
        16 => writeln!(out, "{header} sshd[{pid}]: Received disconnect from {address} port {port}:11: Bye Bye [preauth]"),
        17 => writeln!(out, "{header} CRON[{pid}]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)"),
        18 => writeln!(out, "{header} sudo:   {user} : TTY=pts/0 ; PWD=/home/{user} ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx"),
        _ => writeln!(out, "{header} systemd-logind[611]: New session {pid} of user {user}."),
    }
}

fn access_line(rng: &mut Rng, out: &mut impl Write) -> std::io::Result<()> {
    let status = [200, 200, 200, 200, 304, 404, 301, 500][rng.below(8) as usize];
    let (month, day, hour, minute, second) = clock(rng);
    writeln!(
        out,
        "{} - - [{day:02}/{}/2026:{hour:02}:{minute:02}:{second:02} +0000] \"GET {} HTTP/1.1\" {status} {} \"https://shop.example.com/\" \"{}\"",
        ip(rng),
        MONTHS[month],
        rng.pick(PATHS),
        rng.below(200_000),
        rng.pick(AGENTS)
    )
}

const QUERIES: &[&str] = &[
    "SELECT id, name, price FROM products WHERE id = {n}",
    "SELECT o.id, o.total, c.email\n  FROM orders o JOIN customers c ON c.id = o.customer_id\n WHERE o.created_at >= '2026-03-01' AND c.id = {n}\n ORDER BY o.created_at DESC",
    "UPDATE carts SET updated_at = NOW() WHERE session_id = 'a{n}f'",
    "INSERT INTO page_views (path, user_id) VALUES ('/products/{n}', {n})",
    "SELECT id, name FROM products WHERE id = '{n}' UNION SELECT username, password FROM users-- '",
];

/// A MySQL 8 general query log: connections from the application servers, statements (some
/// over several lines), quits, and now and then a refused connection.
fn general_line(rng: &mut Rng, out: &mut impl Write) -> std::io::Result<()> {
    let (_, day, hour, minute, second) = clock(rng);
    let time = format!(
        "2026-03-{day:02}T{hour:02}:{minute:02}:{second:02}.{:06}Z",
        rng.below(1_000_000)
    );
    let thread = 1000 + rng.below(500);
    match rng.below(40) {
        0 => writeln!(
            out,
            "{time}\t{thread:>5} Connect\tshop@10.0.{}.{} on shop using TCP/IP",
            rng.below(4),
            1 + rng.below(250)
        ),
        1 => writeln!(out, "{time}\t{thread:>5} Quit\t"),
        2 => writeln!(
            out,
            "{time}\t{thread:>5} Connect\tAccess denied for user 'root'@'{}' (using password: YES)",
            ip(rng)
        ),
        3 => writeln!(out, "{time}\t{thread:>5} Init DB\tshop"),
        _ => {
            let query = rng.pick(QUERIES).replace("{n}", &rng.below(100_000).to_string());
            writeln!(out, "{time}\t{thread:>5} Query\t{query}")
        }
    }
}

type LineWriter = fn(&mut Rng, &mut BufWriter<File>) -> std::io::Result<()>;

/// Writes `bytes` of generated log to `path` (kept between runs), returning the line count.
fn generate(path: &Path, bytes: u64, seed: u64, line: LineWriter) -> u64 {
    let count_path = path.with_extension("v2.lines");
    if let (Ok(meta), Ok(count)) = (std::fs::metadata(path), std::fs::read_to_string(&count_path)) {
        if meta.len() >= bytes {
            if let Ok(lines) = count.trim().parse() {
                return lines;
            }
        }
    }
    let mut rng = Rng(seed);
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path).expect("create bench input"));
    let mut lines = 0;
    let mut written = 0;
    while written < bytes {
        line(&mut rng, &mut out).expect("write bench input");
        lines += 1;
        if lines % 4096 == 0 {
            out.flush().expect("flush");
            written = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        }
    }
    out.flush().expect("flush");
    std::fs::write(&count_path, lines.to_string()).expect("write line count");
    lines
}

/// How many lines the file really has (a generated statement may span several), counted
/// once and kept beside it.
fn physical_lines(path: &Path) -> u64 {
    let count_path = path.with_extension("newlines");
    let size = std::fs::metadata(path).map(|meta| meta.len()).unwrap_or(0);
    if let Ok(text) = std::fs::read_to_string(&count_path) {
        if let Some((counted_size, lines)) = text.trim().split_once(' ') {
            if counted_size.parse() == Ok(size) {
                if let Ok(lines) = lines.parse() {
                    return lines;
                }
            }
        }
    }
    use std::io::Read;
    let mut file = File::open(path).expect("open bench input");
    let mut buffer = vec![0u8; 1 << 20];
    let mut lines = 0u64;
    loop {
        let read = file.read(&mut buffer).expect("read bench input");
        if read == 0 {
            break;
        }
        lines += memchr::memchr_iter(b'\n', &buffer[..read]).count() as u64;
    }
    std::fs::write(&count_path, format!("{size} {lines}")).expect("write line count");
    lines
}

fn main() {
    // `cargo bench` passes --bench; `cargo bench --bench parse -- evtx` runs the EVTX part
    // alone, and any other filter is ignored.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("bench dir");
    if std::env::args().skip(1).any(|arg| arg == "evtx") {
        bench_evtx(&dir);
        return;
    }
    let megabytes: u64 = std::env::var("LOGSENTRY_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(560);
    let auth = dir.join("auth.log");
    let access = dir.join("access.log");
    println!(
        "generating {megabytes} MB of auth.log and {megabytes} MB of access.log in {} (kept)",
        dir.display()
    );
    let general = dir.join("mysql-general.log");
    generate(&general, megabytes * 1_000_000 / 2, 0x5EED_0004, general_line);
    let general_lines = physical_lines(&general);
    let auth_lines = generate(&auth, megabytes * 1_000_000, 0x5EED_0001, auth_line);
    let access_lines = generate(&access, megabytes * 1_000_000, 0x5EED_0002, access_line);
    let (auth_tenth, auth_tenth_lines) = tenth(&auth);
    let (access_tenth, access_tenth_lines) = tenth(&access);
    print_pipe_ceiling(&access);
    println!("ls-parse on one core, NDJSON to /dev/null, best and median of {RUNS} runs:");
    let cases = [
        ("ls-parse ssh", "ssh", &auth, auth_lines),
        ("ls-parse ssh (1/10 input)", "ssh", &auth_tenth, auth_tenth_lines),
        ("ls-parse apache", "apache", &access, access_lines),
        (
            "ls-parse apache (1/10 input)",
            "apache",
            &access_tenth,
            access_tenth_lines,
        ),
    ];
    for (name, format, path, lines) in cases {
        let path_text = path.to_str().expect("utf-8 path");
        let mut runs: Vec<Measurement> = (0..RUNS)
            .map(|_| measure(LS_PARSE, &[format, "--tz", "UTC", "--year", "2026", "-q", path_text]))
            .collect();
        report(name, "lines", path, lines, &mut runs);
    }
    for (name, args) in [
        ("ls-parse mysql --kind general", &["mysql", "--kind", "general"][..]),
        ("ls-parse mysql (sniffed)", &["mysql"][..]),
    ] {
        let mut all = args.to_vec();
        all.extend(["--tz", "UTC", "-q", general.to_str().expect("utf-8 path")]);
        let mut runs: Vec<Measurement> = (0..RUNS).map(|_| measure(LS_PARSE, &all)).collect();
        report(name, "lines", &general, general_lines, &mut runs);
    }
    bench_evtx(&dir);
}

/// The evtx_dump to compare with, built once if there is none.
fn evtx_dump(dir: &Path) -> Option<String> {
    if let Ok(program) = std::env::var("LOGSENTRY_EVTX_DUMP") {
        return Some(program);
    }
    let works = |program: &str| {
        std::process::Command::new(program)
            .arg("--version")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    };
    if works("evtx_dump") {
        return Some("evtx_dump".to_owned());
    }
    let root = dir.join("../evtx_dump");
    let built = root.join("bin/evtx_dump");
    let built = built.to_str()?.to_owned();
    if works(&built) {
        return Some(built);
    }
    println!("building evtx_dump 0.15.1 into {} (once)", root.display());
    let installed = std::process::Command::new(env!("CARGO"))
        .args(["install", "--quiet", "evtx", "--version", "=0.15.1", "--root"])
        .arg(&root)
        .status()
        .is_ok_and(|status| status.success());
    (installed && works(&built)).then_some(built)
}

fn bench_evtx(dir: &Path) {
    let megabytes: u64 = std::env::var("LOGSENTRY_BENCH_EVTX_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let security = dir.join("Security.evtx");
    println!(
        "generating a {megabytes} MB Windows Security log in {} (kept)",
        dir.display()
    );
    let records = generate_security_log(&security, megabytes * 1_000_000, 0x5EED_0003);
    let path = security.to_str().expect("utf-8 path");
    let dump = evtx_dump(dir);
    if dump.is_none() {
        println!("evtx_dump is not available (no LOGSENTRY_EVTX_DUMP, none on the PATH, cargo install failed): ls-parse evtx is measured alone");
    }
    for (cores, threads, title) in [
        (Cores::One, "1", "one core, one decoding thread"),
        (Cores::All, "1", "all cores, one decoding thread"),
        (Cores::All, "0", "all cores, a decoding thread per core"),
    ] {
        println!("EVTX, {title}, NDJSON to /dev/null, best and median of {RUNS} runs:");
        let mut ours: Vec<Measurement> = (0..RUNS)
            .map(|_| measure_on(LS_PARSE, &["evtx", "--threads", threads, "-q", path], cores))
            .collect();
        report("ls-parse evtx", "records", &security, records, &mut ours);
        if let Some(dump) = &dump {
            let mut theirs: Vec<Measurement> = (0..RUNS)
                .map(|_| measure_on(dump, &["-o", "jsonl", "-t", threads, path], cores))
                .collect();
            report("evtx_dump -o jsonl", "records", &security, records, &mut theirs);
            let (ours_best, theirs_best) = (ours[0].seconds, theirs[0].seconds);
            println!(
                "  ls-parse evtx takes {:+.1}% of evtx_dump's time (best runs; the target is at most +10%)",
                (ours_best / theirs_best - 1.0) * 100.0
            );
        }
    }
}
