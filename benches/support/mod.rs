//! What the benches share: a deterministic generator, timing a binary on one core with its
//! peak memory, and the report line.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

pub mod traffic;
pub mod windows;

/// A small deterministic generator (xorshift64*), so every run benches the same bytes.
pub struct Rng(pub u64);

impl Rng {
    /// The next pseudo-random number.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// One of `items`.
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// The first tenth of a file, for the memory-flatness comparison.
pub fn tenth(path: &Path) -> (PathBuf, u64) {
    let small = path.with_extension("tenth");
    let data = std::fs::read(path).expect("read input");
    let cut = data.len() / 10;
    let end = data[cut..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(data.len(), |i| cut + i + 1);
    std::fs::write(&small, &data[..end]).expect("write tenth");
    let lines = data[..end].iter().filter(|&&b| b == b'\n').count() as u64;
    (small, lines)
}

/// One run: wall-clock seconds and peak resident memory.
pub struct Measurement {
    /// Seconds from spawn to exit.
    pub seconds: f64,
    /// Peak RSS (VmHWM) in KiB.
    pub peak_rss_kb: u64,
}

/// Runs the command with stdout to /dev/null, pinned to one core when taskset exists,
/// sampling the child's peak RSS (VmHWM) until it exits.
pub fn measure(program: &str, args: &[&str]) -> Measurement {
    measure_on(program, args, Cores::One)
}

/// Which cores a measured run may use.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cores {
    /// Pinned to core 0: the wall time is the whole CPU cost.
    One,
    /// Every core of the machine: what a user sees.
    All,
}

/// [`measure`] on the given cores.
pub fn measure_on(program: &str, args: &[&str], cores: Cores) -> Measurement {
    let pinned = cores == Cores::One
        && Command::new("taskset")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok();
    let mut command = if pinned {
        let mut c = Command::new("taskset");
        c.args(["-c", "0", program]);
        c
    } else {
        Command::new(program)
    };
    let start = Instant::now();
    let mut child = command
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|error| panic!("spawn {program}: {error}"));
    // The time is taken when wait() returns, not at the next sample, so short runs are not
    // rounded up to the sampling interval.
    let status_path = format!("/proc/{}/status", child.id());
    let done = AtomicBool::new(false);
    let (status, seconds, peak_rss_kb) = std::thread::scope(|scope| {
        let sampler = scope.spawn(|| {
            let mut peak_rss_kb = 0;
            while !done.load(Ordering::Relaxed) {
                if let Some(kb) = std::fs::read_to_string(&status_path).ok().and_then(|status| {
                    status
                        .lines()
                        .find_map(|l| l.strip_prefix("VmHWM:"))
                        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
                }) {
                    peak_rss_kb = kb;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            peak_rss_kb
        });
        let status = child.wait().expect("wait");
        let seconds = start.elapsed().as_secs_f64();
        done.store(true, Ordering::Relaxed);
        (status, seconds, sampler.join().expect("sampler"))
    });
    assert!(status.success(), "{program} {args:?} failed: {status}");
    Measurement { seconds, peak_rss_kb }
}

/// Each case runs this many times: the VM this is measured on is shared, so one run can be
/// slowed by a neighbour. The best run is what the code can do on an idle core; the median
/// is what to expect on a busy one. Both are reported.
pub const RUNS: usize = 5;

/// Prints one case: records per second and MB/s of the best and the median run, peak RSS.
pub fn report(name: &str, unit: &str, path: &Path, lines: u64, runs: &mut [Measurement]) {
    runs.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    let (best, median) = (&runs[0], &runs[runs.len() / 2]);
    let peak_rss_kb = runs.iter().map(|m| m.peak_rss_kb).max().unwrap_or(0);
    let bytes = std::fs::metadata(path).map(|meta| meta.len()).unwrap_or(0) as f64;
    println!(
        "{name:<28} {:>9} {unit} {:>5.0} MB | best {:>5.2} s {:>10.0} {unit}/s {:>6.1} MB/s | median {:>5.2} s {:>10.0} {unit}/s | peak RSS {:>5.1} MB",
        lines,
        bytes / 1e6,
        best.seconds,
        lines as f64 / best.seconds,
        bytes / 1e6 / best.seconds,
        median.seconds,
        lines as f64 / median.seconds,
        peak_rss_kb as f64 / 1024.0
    );
}

/// The pipe itself, `cat FILE | cat > /dev/null` (best of three): no stage can be faster, and
/// on a shared VM it shows how busy the machine was during this run.
pub fn print_pipe_ceiling(path: &Path) {
    let bytes = std::fs::metadata(path).map(|meta| meta.len()).unwrap_or(0) as f64;
    let best = (0..3)
        .filter_map(|_| {
            let start = Instant::now();
            let status = Command::new("sh")
                .args(["-c", "cat \"$1\" | cat > /dev/null", "sh"])
                .arg(path)
                .status()
                .ok()?;
            status.success().then(|| start.elapsed().as_secs_f64())
        })
        .min_by(f64::total_cmp);
    if let Some(seconds) = best {
        println!("pipe ceiling (cat | cat): {:.0} MB/s", bytes / 1e6 / seconds);
    }
}
