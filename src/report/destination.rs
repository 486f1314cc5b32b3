//! Where a report goes: standard output, a file named with `-o` (never one that exists), or
//! a new file in `--out-dir` named by the time it was made.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

/// A destination refused before any input is read.
#[derive(Debug, thiserror::Error)]
pub enum DestinationError {
    /// `-o` names a file that exists.
    #[error("{} exists; a report never overwrites a file (choose another name, or --out-dir for a new one)", .0.display())]
    Exists(PathBuf),
    /// `--out-dir` names something that is not a directory.
    #[error("--out-dir {}: not a directory", .0.display())]
    NotADirectory(PathBuf),
}

/// Where to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Standard output.
    Stdout,
    /// This file, which must not exist.
    File(PathBuf),
    /// A new `logsentry_report_YYYYMMDD_HHMMSS.EXT` in this directory.
    Directory(PathBuf),
}

impl Destination {
    /// Refuses, before any input is read, a file that exists or a directory path that is a
    /// file: a report is never written over anything.
    pub fn check(&self) -> Result<(), DestinationError> {
        match self {
            Destination::File(path) if path.exists() => Err(DestinationError::Exists(path.clone())),
            Destination::Directory(dir) if dir.exists() && !dir.is_dir() => {
                Err(DestinationError::NotADirectory(dir.clone()))
            }
            _ => Ok(()),
        }
    }

    /// Creates the file to write, for `extension` reports made at `now`; `None` for stdout.
    pub fn create(&self, extension: &str, now: chrono::DateTime<chrono::Local>) -> io::Result<Option<(PathBuf, File)>> {
        match self {
            Destination::Stdout => Ok(None),
            Destination::File(path) => create_new(path).map(|file| Some((path.clone(), file))),
            Destination::Directory(dir) => {
                std::fs::create_dir_all(dir)?;
                let stem = format!("logsentry_report_{}", now.format("%Y%m%d_%H%M%S"));
                // Two reports in one second get _2, _3...: still new files, still in order.
                for attempt in 1..1000 {
                    let name = if attempt == 1 {
                        format!("{stem}.{extension}")
                    } else {
                        format!("{stem}_{attempt}.{extension}")
                    };
                    let path = dir.join(name);
                    match create_new(&path) {
                        Ok(file) => return Ok(Some((path, file))),
                        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => continue,
                        Err(error) => return Err(error),
                    }
                }
                Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    "too many reports in one second",
                ))
            }
        }
    }
}

fn create_new(path: &Path) -> io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn reports_are_named_by_time_and_never_replace_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let now = chrono::Local
            .with_ymd_and_hms(2026, 11, 21, 9, 5, 7)
            .single()
            .expect("a local time");
        let destination = Destination::Directory(dir.path().join("reports"));
        let (first, _) = destination.create("html", now).expect("create").expect("a file");
        let (second, _) = destination.create("html", now).expect("create").expect("a file");
        assert_eq!(
            first.file_name().and_then(|n| n.to_str()),
            Some("logsentry_report_20261121_090507.html")
        );
        assert_eq!(
            second.file_name().and_then(|n| n.to_str()),
            Some("logsentry_report_20261121_090507_2.html")
        );
        let taken = Destination::File(first.clone());
        assert!(taken.check().is_err());
        assert!(taken.create("html", now).is_err());
    }
}
