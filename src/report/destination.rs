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
                for name in report_names(extension, now) {
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

impl Destination {
    /// Writes a whole report made at `now` to a new file and gives its path; `None` for
    /// stdout. The text goes to a hidden file beside the report first, which is linked into
    /// place only once all of it is on disk: a full disk leaves no cut-off report that looks
    /// complete and would block the rerun, and the link, like `create_new`, never replaces a
    /// file.
    pub fn write_whole(
        &self,
        extension: &str,
        now: chrono::DateTime<chrono::Local>,
        text: &[u8],
    ) -> io::Result<Option<PathBuf>> {
        match self {
            Destination::Stdout => Ok(None),
            Destination::File(path) => write_linked(std::slice::from_ref(path), text).map(Some),
            Destination::Directory(dir) => {
                std::fs::create_dir_all(dir)?;
                let names: Vec<PathBuf> = report_names(extension, now).map(|name| dir.join(name)).collect();
                write_linked(&names, text).map(Some)
            }
        }
    }
}

/// `logsentry_report_YYYYMMDD_HHMMSS.EXT`, then `_2`, `_3`...: two reports in one second are
/// still new files, still in order.
fn report_names(extension: &str, now: chrono::DateTime<chrono::Local>) -> impl Iterator<Item = String> + '_ {
    let stem = format!("logsentry_report_{}", now.format("%Y%m%d_%H%M%S"));
    (1..1000).map(move |attempt| {
        if attempt == 1 {
            format!("{stem}.{extension}")
        } else {
            format!("{stem}_{attempt}.{extension}")
        }
    })
}

/// Writes `text` beside the first of `names` and links it to the first name not taken.
fn write_linked(names: &[PathBuf], text: &[u8]) -> io::Result<PathBuf> {
    use std::io::Write;
    let first = names
        .first()
        .ok_or_else(|| io::Error::from(io::ErrorKind::InvalidInput))?;
    let folder = match first.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    let name = first
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let partial = folder.join(format!(".{name}.{}.partial", std::process::id()));
    let mut file = create_new(&partial)?;
    let written = file.write_all(text).and_then(|()| file.sync_all());
    drop(file);
    let linked = written.and_then(|()| {
        for path in names {
            match std::fs::hard_link(&partial, path) {
                Ok(()) => return Ok(path.clone()),
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists => continue,
                // A file system without hard links: a new file written in place instead.
                Err(_) => match create_new(path) {
                    Ok(mut file) => {
                        return file
                            .write_all(text)
                            .and_then(|()| file.sync_all())
                            .map(|()| path.clone())
                            .inspect_err(|_| {
                                let _ = std::fs::remove_file(path);
                            })
                    }
                    Err(error) if error.kind() == io::ErrorKind::AlreadyExists => continue,
                    Err(error) => return Err(error),
                },
            }
        }
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "every report name is taken",
        ))
    });
    let _ = std::fs::remove_file(&partial);
    linked
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
