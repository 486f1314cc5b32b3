//! `auto`: each line goes to the format that recognises it, trying first the one that
//! recognised the previous line, so a mixed stream (`cat auth.log access.log`) parses whole.

use super::clock::Clock;
use super::{Emit, LineCtx, LineParser, MysqlParser, Parsed, Reject, SshParser, WebAccessParser};

/// The sniffing parser.
pub struct AutoParser {
    ssh: SshParser,
    web: WebAccessParser,
    mysql: MysqlParser,
    last: Which,
}

/// The formats `auto` chooses between, in the order they are tried after the last one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Which {
    Ssh,
    Web,
    Mysql,
}

const ORDER: [Which; 3] = [Which::Ssh, Which::Web, Which::Mysql];

impl AutoParser {
    /// A parser for one input.
    pub fn new(clock: Clock) -> Self {
        AutoParser {
            ssh: SshParser::new(clock.clone()),
            web: WebAccessParser::new(clock.clone()),
            mysql: MysqlParser::new(clock, None),
            last: Which::Ssh,
        }
    }

    fn parser(&mut self, which: Which) -> &mut dyn LineParser {
        match which {
            Which::Ssh => &mut self.ssh,
            Which::Web => &mut self.web,
            Which::Mysql => &mut self.mysql,
        }
    }
}

impl LineParser for AutoParser {
    fn name(&self) -> &'static str {
        "auto"
    }

    fn parse(&mut self, line: &str, ctx: &LineCtx<'_>, emit: &mut Emit<'_>) -> Result<Parsed, Reject> {
        // MySQL takes a line that starts nothing as the continuation of its record only when
        // no format reads it and MySQL had the previous line.
        self.mysql.accept_continuations = false;
        let first = self.last;
        for which in std::iter::once(first).chain(ORDER.into_iter().filter(|which| *which != first)) {
            match self.parser(which).parse(line, ctx, emit) {
                // The SSH catalogue skips syslog lines of programs it does not know, MySQL's
                // among them.
                Ok(Parsed::Skipped) if which == Which::Ssh => {
                    if let Ok(Parsed::Events) = self.mysql.parse(line, ctx, emit) {
                        self.last = Which::Mysql;
                        return Ok(Parsed::Events);
                    }
                    return Ok(Parsed::Skipped);
                }
                Ok(parsed) => {
                    if which != Which::Mysql && self.mysql.holds_record() {
                        // Another log took over: MySQL's last record is complete.
                        self.mysql.flush(ctx, emit);
                    }
                    self.last = which;
                    return Ok(parsed);
                }
                Err(_) => {}
            }
        }
        if self.last == Which::Mysql {
            self.mysql.accept_continuations = true;
            if let Ok(parsed) = self.mysql.parse(line, ctx, emit) {
                return Ok(parsed);
            }
        }
        Err(Reject::new(
            "not a line of any known format (syslog, journal JSON, web access, MySQL)",
        ))
    }

    fn advance_clock_to_now(&mut self) {
        self.ssh.advance_clock_to_now();
        self.web.advance_clock_to_now();
        self.mysql.advance_clock_to_now();
    }

    fn holds_record(&self) -> bool {
        self.mysql.holds_record()
    }

    fn flush(&mut self, ctx: &LineCtx<'_>, emit: &mut Emit<'_>) {
        self.mysql.flush(ctx, emit);
    }
}
