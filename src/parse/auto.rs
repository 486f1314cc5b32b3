//! `auto`: each line goes to the format that recognises it, trying first the one that
//! recognised the previous line, so a mixed stream (`cat auth.log access.log`) parses whole.

use super::clock::Clock;
use super::{Emit, LineCtx, LineParser, Parsed, Reject, LINE_FORMATS};

/// The sniffing parser: one parser of each format in [`LINE_FORMATS`], in its order.
pub struct AutoParser {
    parsers: Vec<Box<dyn LineParser>>,
    /// The parser that read the previous line.
    last: usize,
    reject: Reject,
}

impl AutoParser {
    /// A parser for one input.
    pub fn new(clock: Clock) -> Self {
        // A format whose records span lines takes a line that begins nothing as a
        // continuation only when no format reads it and that format had the previous line:
        // off, but for that last try.
        let mut parsers: Vec<Box<dyn LineParser>> = LINE_FORMATS
            .iter()
            .map(|format| (format.new_parser)(clock.clone(), None))
            .collect();
        for parser in &mut parsers {
            parser.accept_continuations(false);
        }
        AutoParser {
            parsers,
            last: 0,
            reject: Reject::new(unknown_line()),
        }
    }

    /// Reads a line as parser `index`, which accepted it: a record another format was
    /// assembling is complete.
    fn accepted(&mut self, index: usize, parsed: Parsed, ctx: &LineCtx<'_>, emit: &mut Emit<'_>) -> Parsed {
        for (other, parser) in self.parsers.iter_mut().enumerate() {
            if other != index && parser.holds_record() {
                parser.flush(ctx, emit);
            }
        }
        self.last = index;
        parsed
    }
}

/// `not a line of any known format (syslog, journal JSON, web access, MySQL)`, made once.
fn unknown_line() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        let names: Vec<&str> = LINE_FORMATS.iter().map(|format| format.describes).collect();
        format!("not a line of any known format ({})", names.join(", "))
    })
}

impl LineParser for AutoParser {
    fn name(&self) -> &'static str {
        super::AUTO_NAME
    }

    fn parse(&mut self, line: &str, ctx: &LineCtx<'_>, emit: &mut Emit<'_>) -> Result<Parsed, Reject> {
        let first = self.last;
        let mut skipped = false;
        for index in std::iter::once(first).chain((0..self.parsers.len()).filter(|index| *index != first)) {
            let parser = &mut self.parsers[index];
            if index != first && !parser.sniff(line) {
                continue;
            }
            match parser.parse(line, ctx, emit) {
                Ok(Parsed::Events) => return Ok(self.accepted(index, Parsed::Events, ctx, emit)),
                // A well-formed line that one format skips may carry another's record (MySQL
                // logs through syslog): the others still look at it.
                Ok(Parsed::Skipped) => skipped = true,
                Err(_) => {}
            }
        }
        if skipped {
            return Ok(Parsed::Skipped);
        }
        let last = &mut self.parsers[first];
        if last.holds_record() {
            last.accept_continuations(true);
            let continued = last.parse(line, ctx, emit);
            last.accept_continuations(false);
            if let Ok(parsed) = continued {
                return Ok(parsed);
            }
        }
        Err(self.reject)
    }

    fn advance_clock_to_now(&mut self) {
        for parser in &mut self.parsers {
            parser.advance_clock_to_now();
        }
    }

    fn holds_record(&self) -> bool {
        self.parsers.iter().any(|parser| parser.holds_record())
    }

    fn flush(&mut self, ctx: &LineCtx<'_>, emit: &mut Emit<'_>) {
        for parser in &mut self.parsers {
            parser.flush(ctx, emit);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::ClockConfig;
    use crate::schema::Event;

    fn datasets(lines: &[&str]) -> Vec<String> {
        let mut parser = AutoParser::new(Clock::new(&ClockConfig::default(), chrono::Utc::now()));
        let mut seen = Vec::new();
        let mut collect = |event: &Event<'_>| seen.push(event.event.dataset.to_owned());
        for (index, line) in lines.iter().enumerate() {
            let ctx = LineCtx {
                path: None,
                line_no: index as u64 + 1,
                keep_original: false,
                invalid_utf8: false,
            };
            let _ = parser.parse(line, &ctx, &mut collect);
        }
        seen
    }

    #[test]
    fn a_line_one_format_skips_is_still_offered_to_the_others() {
        let lines = [
            "Mar 29 02:14:33 web-1 CRON[1]: pam_unix(cron:session): session opened for user root",
            r#"Mar 29 02:14:34 web-1 nginx: 192.0.2.1 - - [29/Mar/2026:02:14:34 +0000] "GET / HTTP/1.1" 200 5 "-" "x""#,
            "Mar 29 02:14:35 web-1 CRON[1]: pam_unix(cron:session): session closed for user root",
            "Sep 16 21:30:26 db mysqld: 130916 21:30:26 [Warning] Access denied for user 'h'@'192.0.2.9' (using password: YES)",
        ];
        assert_eq!(datasets(&lines), ["web.access", "mysql.error"]);
        // A file of nothing but forwarded access lines (rsyslog's nginx): every one is read.
        let forwarded = [lines[1], lines[1]];
        assert_eq!(datasets(&forwarded), ["web.access", "web.access"]);
    }

    #[test]
    fn the_reject_names_every_format() {
        let reason = AutoParser::new(Clock::new(&ClockConfig::default(), chrono::Utc::now()))
            .reject
            .reason;
        for format in LINE_FORMATS {
            assert!(reason.contains(format.describes), "{reason}");
        }
    }
}
