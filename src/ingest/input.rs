//! Opening inputs: files, stdin (`-`), directories (every file in them) and gzip (by its
//! magic bytes, so rotated `.gz` logs and `zcat`-less pipes both work).

use super::follow::identity;
use crate::diagnostics::Diagnostics;
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::{Path, PathBuf};

/// One input to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputSpec {
    /// Standard input.
    Stdin,
    /// A file by path.
    File(PathBuf),
}

impl OpenError {
    /// The error `path` met: missing or otherwise unreadable.
    pub fn new(path: &Path, source: io::Error) -> Self {
        let path = path.display().to_string();
        if source.kind() == io::ErrorKind::NotFound {
            OpenError::Missing { path }
        } else {
            OpenError::Unreadable { path, source }
        }
    }
}

impl InputSpec {
    /// The path for `log.file.path` and messages; `None` for stdin.
    pub fn path(&self) -> Option<&Path> {
        match self {
            InputSpec::Stdin => None,
            InputSpec::File(path) => Some(path),
        }
    }

    /// How to name the input in messages.
    pub fn display(&self) -> String {
        match self {
            InputSpec::Stdin => "<stdin>".to_string(),
            InputSpec::File(path) => path.display().to_string(),
        }
    }
}

/// Why an input could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The path does not exist.
    #[error("{path}: no such file or directory")]
    Missing {
        /// The path as given.
        path: String,
    },
    /// It exists but could not be read.
    #[error("{path}: {source}")]
    Unreadable {
        /// The path as given.
        path: String,
        /// The OS error.
        source: io::Error,
    },
}

/// Command-line operands expanded: the inputs to read, in order, the operands that could not
/// be listed, and what the walk left out on purpose. A run reads the first, reports each of
/// the second (exit 1) and says each of the third: one missing file among several does not
/// stop the others, and nothing is left out without a word.
#[derive(Debug, Default)]
pub struct Inputs {
    /// What to read, in order.
    pub specs: Vec<InputSpec>,
    /// Operands (or directories below them) that could not be listed.
    pub unreadable: Vec<OpenError>,
    /// Paths below a directory operand that were not read, each with the reason (a link to a
    /// directory, a second name of a file already read).
    pub skipped: Vec<String>,
}

impl Inputs {
    /// How many inputs were named, readable or not (for summaries).
    pub fn count(&self) -> usize {
        self.specs.len() + self.unreadable.len()
    }

    /// Says what listing the operands found: each input that could not be listed is an
    /// error (exit 1), each path left out on purpose a warning.
    pub fn report_listing(&self, diagnostics: &mut Diagnostics) {
        for error in &self.unreadable {
            diagnostics.input_failed(&error.to_string());
        }
        for skipped in &self.skipped {
            diagnostics.warn(skipped);
        }
    }
}

/// How operands are expanded.
#[derive(Clone, Copy, Debug, Default)]
pub struct Expand {
    /// A path that does not exist is kept (a followed file that does not exist yet is
    /// waited for) instead of being unreadable.
    pub allow_missing: bool,
    /// Symbolic links to directories below a directory operand are walked (each directory
    /// still once); by default they are skipped, as `find` does, because evidence trees are
    /// copied with their links and `ln -s ..` would never end.
    pub follow_dir_links: bool,
}

/// Command-line operands → inputs: none or `-` is stdin, a directory is every regular file
/// below it (sorted, hidden files skipped, each file and directory read once however many
/// names it has), a file is itself. A missing path is unreadable unless
/// [`Expand::allow_missing`].
pub fn expand_inputs(operands: &[PathBuf], expand: Expand) -> Inputs {
    let mut walk = Walk {
        expand,
        seen: HashMap::new(),
        inputs: Inputs::default(),
    };
    if operands.is_empty() {
        walk.inputs.specs.push(InputSpec::Stdin);
        return walk.inputs;
    }
    for operand in operands {
        if operand.as_os_str() == "-" {
            walk.inputs.specs.push(InputSpec::Stdin);
            continue;
        }
        match std::fs::metadata(operand) {
            Ok(meta) if meta.is_dir() => {
                walk.seen.insert(identity(&meta), operand.clone());
                walk.directory(operand);
            }
            // A file named twice on the command line is read twice: the user asked for it.
            Ok(meta) => {
                walk.seen.insert(identity(&meta), operand.clone());
                walk.inputs.specs.push(InputSpec::File(operand.clone()));
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound && expand.allow_missing => {
                walk.inputs.specs.push(InputSpec::File(operand.clone()));
            }
            Err(error) => walk.inputs.unreadable.push(OpenError::new(operand, error)),
        }
    }
    walk.inputs
}

/// A walk below directory operands, remembering every (device, inode) it has taken and by
/// which name.
struct Walk {
    expand: Expand,
    seen: HashMap<(u64, u64), PathBuf>,
    inputs: Inputs,
}

impl Walk {
    fn directory(&mut self, dir: &Path) {
        let listing = match std::fs::read_dir(dir) {
            Ok(listing) => listing,
            Err(error) => return self.inputs.unreadable.push(OpenError::new(dir, error)),
        };
        let mut entries: Vec<PathBuf> = listing
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| {
                !path
                    .file_name()
                    .is_some_and(|name| name.to_string_lossy().starts_with('.'))
            })
            .collect();
        entries.sort();
        for path in entries {
            self.entry(path);
        }
    }

    fn entry(&mut self, path: PathBuf) {
        let is_link = std::fs::symlink_metadata(&path).is_ok_and(|meta| meta.file_type().is_symlink());
        let Ok(meta) = std::fs::metadata(&path) else {
            if is_link {
                self.inputs
                    .skipped
                    .push(format!("{}: broken symbolic link, skipped", path.display()));
            }
            return;
        };
        if meta.is_dir() && is_link && !self.expand.follow_dir_links {
            self.inputs.skipped.push(format!(
                "{}: symbolic link to a directory, not followed (--follow-symlinks follows it)",
                path.display()
            ));
            return;
        }
        if !meta.is_dir() && !meta.is_file() {
            return;
        }
        match self.seen.entry(identity(&meta)) {
            Entry::Occupied(first) => {
                let what = if meta.is_dir() { "directory" } else { "file" };
                return self.inputs.skipped.push(format!(
                    "{}: same {what} as {}, skipped",
                    path.display(),
                    first.get().display()
                ));
            }
            Entry::Vacant(vacant) => {
                vacant.insert(path.clone());
            }
        }
        if meta.is_dir() {
            self.directory(&path);
        } else {
            self.inputs.specs.push(InputSpec::File(path));
        }
    }
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Opens an input for reading, decompressing gzip transparently.
pub fn open_input(spec: &InputSpec) -> Result<Box<dyn Read + Send>, OpenError> {
    let (reader, name): (Box<dyn Read + Send>, String) = match spec {
        InputSpec::Stdin => (Box::new(io::stdin()), "<stdin>".to_string()),
        InputSpec::File(path) => {
            let file = File::open(path).map_err(|source| OpenError::new(path, source))?;
            (Box::new(file), path.display().to_string())
        }
    };
    maybe_gunzip(reader).map_err(|source| OpenError::Unreadable { path: name, source })
}

/// Peeks at the first two bytes; gzip gets a decoder, anything else is passed through whole.
pub fn maybe_gunzip(reader: Box<dyn Read + Send>) -> io::Result<Box<dyn Read + Send>> {
    let (head, whole) = peek(reader, &GZIP_MAGIC)?;
    if head == GZIP_MAGIC {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(whole)))
    } else {
        Ok(whole)
    }
}

/// Reads up to `len` bytes from `reader` (fewer at its end, or once `len` bytes cannot
/// match `magic`) and gives them back with a reader that still yields them: a look at a
/// stream's magic bytes that loses nothing. The look stops early for a live stream's sake (a
/// first line of one byte is not held back until more arrives), and a reader that ended is
/// not read again: at a terminal, the end (Ctrl-D) is said once, and a second read would wait
/// for more typing.
pub fn peek(mut reader: Box<dyn Read + Send>, magic: &[u8]) -> io::Result<(Vec<u8>, Box<dyn Read + Send>)> {
    let mut head = vec![0u8; magic.len()];
    let mut filled = 0;
    let mut ended = false;
    while filled < head.len() && head[..filled] == magic[..filled] {
        match reader.read(&mut head[filled..]) {
            Ok(0) => {
                ended = true;
                break;
            }
            Ok(n) => filled += n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        }
    }
    head.truncate(filled);
    let whole: Box<dyn Read + Send> = if ended {
        Box::new(Cursor::new(head.clone()))
    } else {
        Box::new(Cursor::new(head.clone()).chain(reader))
    };
    Ok((head, whole))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A terminal: one line, then an end (Ctrl-D), then more typing that must not be read.
    struct Terminal(Vec<&'static [u8]>);

    impl Read for Terminal {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let Some(chunk) = self.0.pop() else {
                panic!("read again after its end");
            };
            buf[..chunk.len()].copy_from_slice(chunk);
            Ok(chunk.len())
        }
    }

    #[test]
    fn a_peek_stops_where_the_magic_cannot_match_and_at_the_end() {
        let (head, mut whole) = peek(Box::new(Terminal(vec![b"", b"\n"])), &GZIP_MAGIC).expect("peek");
        assert_eq!(head, b"\n", "one byte that cannot start gzip ends the look");
        let mut text = Vec::new();
        whole.read_to_end(&mut text).expect("read");
        assert_eq!(text, b"\n");
        let (head, mut whole) = peek(Box::new(Terminal(vec![b"late", b""])), &GZIP_MAGIC).expect("peek");
        assert!(head.is_empty());
        assert_eq!(
            whole.read(&mut [0u8; 8]).expect("read"),
            0,
            "the end is kept, not read past"
        );
    }

    #[test]
    fn gzip_is_detected_by_magic() {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(b"hello\nworld\n").expect("compress");
        let compressed = encoder.finish().expect("compress");
        let mut text = String::new();
        maybe_gunzip(Box::new(Cursor::new(compressed)))
            .expect("open")
            .read_to_string(&mut text)
            .expect("decompress");
        assert_eq!(text, "hello\nworld\n");
        let mut plain = String::new();
        maybe_gunzip(Box::new(Cursor::new(b"x".to_vec())))
            .expect("open")
            .read_to_string(&mut plain)
            .expect("read");
        assert_eq!(plain, "x");
    }

    #[test]
    fn operands_expand() {
        assert_eq!(expand_inputs(&[], Expand::default()).specs, vec![InputSpec::Stdin]);
        let missing = expand_inputs(&[PathBuf::from("/nonexistent/logsentry")], Expand::default());
        assert!(missing.specs.is_empty());
        assert!(matches!(missing.unreadable.as_slice(), [OpenError::Missing { .. }]));
        let waited_for = expand_inputs(
            &[PathBuf::from("/nonexistent/logsentry")],
            Expand {
                allow_missing: true,
                ..Expand::default()
            },
        );
        assert_eq!(waited_for.specs.len(), 1);
        assert!(waited_for.unreadable.is_empty());
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("b.log"), "b").expect("write");
        std::fs::write(dir.path().join("a.log"), "a").expect("write");
        std::fs::write(dir.path().join(".hidden"), "h").expect("write");
        let inputs = expand_inputs(&[dir.path().to_path_buf()], Expand::default()).specs;
        let names: Vec<_> = inputs
            .iter()
            .filter_map(|input| input.path()?.file_name()?.to_str().map(str::to_string))
            .collect();
        assert_eq!(names, vec!["a.log", "b.log"]);
    }
}
