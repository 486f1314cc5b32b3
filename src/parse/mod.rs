//! Raw log lines → normalised [`Event`]s. One file per source format behind [`LineParser`];
//! [`LINE_FORMATS`] is the registry. A parser never judges: it says what the log says.

mod auto;
mod clock;
pub mod evtx;
mod mysql;
mod ssh;
mod syslog;
mod web_access;
mod web_error;

pub use auto::AutoParser;
pub use clock::{Clock, ClockConfig};
pub use mysql::{MysqlKind, MysqlParser};
pub use ssh::SshParser;
pub use web_access::WebAccessParser;

use crate::schema::Event;

/// One line-oriented log format: what the user calls it, and how to read it. Each format's
/// file declares one; [`LINE_FORMATS`] lists them, and `auto`, the command line's format
/// names, its help and the man page all come from that list.
#[derive(Debug)]
pub struct LineFormat {
    /// The name the user types (`ssh`).
    pub name: &'static str,
    /// Other names for it (`nginx`).
    pub aliases: &'static [&'static str],
    /// What it reads, in a few words, for `--help` and the man page.
    pub help: &'static str,
    /// What `auto` calls its lines when none of the formats reads one (`web access`).
    pub describes: &'static str,
    /// The variants of the format the user may name with `--kind` (name, help); empty when
    /// there is one.
    pub kinds: &'static [(&'static str, &'static str)],
    /// A fresh parser for one input, of the kind named (one of `kinds`), or sniffing.
    pub new_parser: fn(Clock, Option<&str>) -> Box<dyn LineParser>,
}

/// Every line format, in the order `auto` tries them. A new format is a parser file and one
/// line here.
pub static LINE_FORMATS: &[&LineFormat] = &[&ssh::FORMAT, &web_access::FORMAT, &web_error::FORMAT, &mysql::FORMAT];

/// The `evtx` format, which is records rather than lines (see `evtx::stream`).
pub const EVTX_NAME: &str = "evtx";
/// What `evtx` reads.
pub const EVTX_HELP: &str = "Windows event logs (.evtx, binary), such as Security.evtx";
/// The format that sniffs each input and each line.
pub const AUTO_NAME: &str = "auto";
/// What `auto` does.
pub const AUTO_HELP: &str = "Sniff every line";

/// What `ls-parse` is asked to read.
#[derive(Clone, Copy, Debug)]
pub enum Format {
    /// One line format, of the kind named or sniffed per input.
    Lines(&'static LineFormat, Option<&'static str>),
    /// Windows event logs (`.evtx`, binary): records, not lines (see `evtx::stream`).
    Evtx,
    /// Sniff each input (an EVTX file by its header) and each line, remembering what the
    /// input turned out to be.
    Auto,
}

impl Format {
    /// The format a user named, by name or alias.
    pub fn named(name: &str) -> Option<Format> {
        match name {
            EVTX_NAME => Some(Format::Evtx),
            AUTO_NAME => Some(Format::Auto),
            _ => line_format(name).map(|format| Format::Lines(format, None)),
        }
    }

    /// A fresh line parser for one input: each input keeps its own clock and state. `None`
    /// for a binary format.
    pub fn line_parser(self, clock: Clock) -> Option<Box<dyn LineParser>> {
        match self {
            Format::Lines(format, kind) => Some((format.new_parser)(clock, kind)),
            Format::Auto => Some(Box::new(AutoParser::new(clock))),
            Format::Evtx => None,
        }
    }
}

/// The line format with this name or alias.
pub fn line_format(name: &str) -> Option<&'static LineFormat> {
    LINE_FORMATS
        .iter()
        .copied()
        .find(|format| format.name == name || format.aliases.contains(&name))
}

/// What a parser made of one line that it accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parsed {
    /// One or more events were emitted.
    Events,
    /// A well-formed line of this format that is not security-relevant (CRON, a logout).
    Skipped,
}

/// A line the parser could not read as its format; the reason is shown to the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct Reject {
    /// Why, in a few words (`not a syslog line`).
    pub reason: &'static str,
}

impl Reject {
    /// A rejection with a reason.
    pub const fn new(reason: &'static str) -> Self {
        Reject { reason }
    }
}

/// Where a line came from, and what every event from it carries.
#[derive(Clone, Copy, Debug)]
pub struct LineCtx<'a> {
    /// The input path (`None` for stdin).
    pub path: Option<&'a str>,
    /// 1-based line number within the input.
    pub line_no: u64,
    /// Keep the line as `event.original`.
    pub keep_original: bool,
    /// The line had invalid UTF-8 that was escaped.
    pub invalid_utf8: bool,
}

impl<'a> LineCtx<'a> {
    /// Fills the fields every event from this line carries.
    pub fn stamp<'l>(&self, event: &mut Event<'l>, line: &'l str)
    where
        'a: 'l,
    {
        event.log.file.path = self.path;
        event.logsentry.line = self.line_no;
        event.logsentry.invalid_utf8 = self.invalid_utf8;
        if self.keep_original {
            event.event.original = Some(line);
        }
    }
}

/// The receiver of a parser's events; called once per event, in order. Events may borrow
/// from anything alive during the call (the line, a decoded journal record).
pub type Emit<'e> = dyn for<'x> FnMut(&Event<'x>) + 'e;

/// One source format. A parser is created per input and keeps per-input state (its clock).
pub trait LineParser {
    /// The format's name as the user types it.
    fn name(&self) -> &'static str;

    /// Whether the line has this format's shape: a cheap look that may say yes to a line
    /// `parse` then rejects, but never no to one it would accept. `auto` parses a line as a
    /// format only when the format sniffs it.
    fn sniff(&self, _line: &str) -> bool {
        true
    }

    /// Parses one line (without its line terminator), emitting zero or more events.
    fn parse(&mut self, line: &str, ctx: &LineCtx<'_>, emit: &mut Emit<'_>) -> Result<Parsed, Reject>;

    /// The input has caught up with a live file: infer years relative to the wall clock
    /// from now on, not the file's old modification time.
    fn advance_clock_to_now(&mut self);

    /// Whether a record is still being assembled: formats whose records span lines (MySQL's)
    /// hold each one until the next begins.
    fn holds_record(&self) -> bool {
        false
    }

    /// Whether a line that begins no record of this format continues the one being
    /// assembled (the default for a format whose records span lines). `auto` turns it off
    /// while other formats may still claim the line.
    fn accept_continuations(&mut self, _accept: bool) {}

    /// Emits the record still being assembled, if any. Called at the end of an input, and
    /// when a followed input has been quiet for a moment.
    fn flush(&mut self, _ctx: &LineCtx<'_>, _emit: &mut Emit<'_>) {}
}

/// `text` split around the first `byte`, an ASCII byte (so both halves stay valid UTF-8).
/// A plain loop on purpose: the words this splits are a few bytes long, where a vectorised
/// search spends more on setting up than it saves.
pub(crate) fn split_at_first(text: &str, byte: u8) -> Option<(&str, &str)> {
    debug_assert!(byte.is_ascii());
    let at = text.bytes().position(|b| b == byte)?;
    Some((text.get(..at)?, text.get(at + 1..)?))
}
