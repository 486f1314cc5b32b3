//! `auto`: each line goes to the format that recognises it, trying first the one that
//! recognised the previous line, so a mixed stream (`cat auth.log access.log`) parses whole.

use super::clock::Clock;
use super::{Emit, LineCtx, LineParser, Parsed, Reject, SshParser, WebAccessParser};

/// The sniffing parser.
pub struct AutoParser {
    ssh: SshParser,
    web: WebAccessParser,
    prefer_web: bool,
}

impl AutoParser {
    /// A parser for one input.
    pub fn new(clock: Clock) -> Self {
        AutoParser {
            ssh: SshParser::new(clock.clone()),
            web: WebAccessParser::new(clock),
            prefer_web: false,
        }
    }
}

impl LineParser for AutoParser {
    fn name(&self) -> &'static str {
        "auto"
    }

    fn parse(&mut self, line: &str, ctx: &LineCtx<'_>, emit: &mut Emit<'_>) -> Result<Parsed, Reject> {
        let (first, second): (&mut dyn LineParser, &mut dyn LineParser) = if self.prefer_web {
            (&mut self.web, &mut self.ssh)
        } else {
            (&mut self.ssh, &mut self.web)
        };
        match first.parse(line, ctx, emit) {
            Ok(parsed) => Ok(parsed),
            Err(_) => match second.parse(line, ctx, emit) {
                Ok(parsed) => {
                    self.prefer_web = !self.prefer_web;
                    Ok(parsed)
                }
                Err(_) => Err(Reject::new(
                    "not a line of any known format (syslog, journal JSON, web access)",
                )),
            },
        }
    }

    fn advance_clock_to_now(&mut self) {
        self.ssh.advance_clock_to_now();
        self.web.advance_clock_to_now();
    }
}
