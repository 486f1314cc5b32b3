//! SQL injection as it reaches the database (HIGH, T1190): a statement in the MySQL general
//! or slow log whose shape shows that input broke out of the literal the application meant
//! it for. Every statement is SQL, so SQL keywords prove nothing here; what the web matcher
//! looks for in a parameter is looked for in the statement's structure instead:
//!
//! - a comment that swallows the rest of the application's statement: `... OR 1=1-- '`;
//! - a tautology joined to the application's condition: `id = '1' OR '1'='1'`;
//! - `UNION SELECT` right after a value: `id = 12 UNION SELECT username, password ...`;
//! - a time delay as a condition: `id = '12' AND SLEEP(5)`;
//! - a second statement stacked after a value: `id = 1; DROP TABLE users`;
//! - functions applications do not call: `LOAD_FILE(`, `INTO OUTFILE`, `EXTRACTVALUE(`;
//! - a quote that leaves the statement's last string open.
//!
//! An attack the application escaped stays inside its literal and is not flagged: it did not
//! reach the database as SQL.

use crate::detect::burst::Burst;
use crate::detect::technique::{EXPLOIT_PUBLIC_FACING, INITIAL_ACCESS};
use crate::detect::{risk_score, Detector, Observed, Rule};
use crate::schema::{Alert, Severity};
use crate::text::cut_at_char;

/// `--only`/`--skip` id.
pub const SQL_IN_QUERY_ID: &str = "sql-injection-in-query";

static SQL_IN_QUERY: Rule = Rule {
    id: SQL_IN_QUERY_ID,
    name: "SQL injection in a database query",
    description: "A statement in the MySQL general or slow log that input broke out of its literal into",
    severity: Severity::High,
    technique: EXPLOIT_PUBLIC_FACING,
    tactic: INITIAL_ACCESS,
    settings: &[],
};

static RULES: [&Rule; 1] = [&SQL_IN_QUERY];

/// One token of a statement, borrowing from it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Token<'a> {
    /// A quoted string, quotes included.
    Text(&'a str),
    /// A number (`12`, `0x7e`, `1.5`).
    Number(&'a str),
    /// A keyword, name or function name.
    Word(&'a str),
    /// Anything else, one character (`=`, `(`, `;`, `,`).
    Symbol(u8),
    /// `-- text` or `# text`, to the end of its line: the text after the marker.
    LineComment(&'a str),
    /// A string left open at the end of the statement.
    OpenText,
    /// A `/*` comment left open: everything after it is swallowed.
    OpenComment,
}

impl Token<'_> {
    fn is_value(&self) -> bool {
        matches!(self, Token::Text(_) | Token::Number(_))
            || self.is_word("null")
            || self.is_word("true")
            || self.is_word("false")
    }

    fn is_word(&self, word: &str) -> bool {
        matches!(self, Token::Word(text) if text.eq_ignore_ascii_case(word))
    }
}

/// Splits a statement into tokens, MySQL's way: `''` and `\'` inside strings, `-- ` and `#`
/// to the end of the line, `/* */` as a space and `/*! */` as the code it holds.
fn tokens(statement: &str) -> Vec<Token<'_>> {
    let bytes = statement.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        let start = at;
        match byte {
            b' ' | b'\t' | b'\r' | b'\n' => at += 1,
            b'\'' | b'"' | b'`' => {
                at += 1;
                loop {
                    match bytes.get(at) {
                        None => {
                            if byte != b'`' {
                                out.push(Token::OpenText);
                            }
                            return out;
                        }
                        Some(b'\\') if byte != b'`' => at += 2,
                        Some(&close) if close == byte => {
                            if bytes.get(at + 1) == Some(&byte) {
                                at += 2;
                            } else {
                                at += 1;
                                break;
                            }
                        }
                        Some(_) => at += 1,
                    }
                }
                let text = statement.get(start..at.min(bytes.len())).unwrap_or_default();
                // Backticks quote names, not values.
                out.push(if byte == b'`' {
                    Token::Word(text)
                } else {
                    Token::Text(text)
                });
            }
            b'-' if bytes.get(at + 1) == Some(&b'-')
                && bytes
                    .get(at + 2)
                    .is_none_or(|b| b.is_ascii_whitespace() || b.is_ascii_control()) =>
            {
                at = line_end(bytes, at);
                out.push(Token::LineComment(statement.get(start + 2..at).unwrap_or_default()));
            }
            b'#' => {
                at = line_end(bytes, at);
                out.push(Token::LineComment(statement.get(start + 1..at).unwrap_or_default()));
            }
            b'/' if bytes.get(at + 1) == Some(&b'*') => {
                if bytes.get(at + 2) == Some(&b'!') {
                    // MySQL runs what `/*!50000 ... */` holds: skip the marker and version.
                    at += 3;
                    while bytes.get(at).is_some_and(u8::is_ascii_digit) {
                        at += 1;
                    }
                } else {
                    match statement[at + 2..].find("*/") {
                        Some(end) => at += 2 + end + 2,
                        None => {
                            out.push(Token::OpenComment);
                            return out;
                        }
                    }
                }
            }
            b'*' if bytes.get(at + 1) == Some(&b'/') => at += 2,
            b'0'..=b'9' => {
                // `25UNION` is a number and a word: only hex digits may follow `0x`.
                if byte == b'0' && matches!(bytes.get(at + 1), Some(b'x' | b'X')) {
                    at += 2;
                    while bytes.get(at).is_some_and(u8::is_ascii_hexdigit) {
                        at += 1;
                    }
                } else {
                    while bytes.get(at).is_some_and(|b| b.is_ascii_digit() || *b == b'.') {
                        at += 1;
                    }
                }
                out.push(Token::Number(statement.get(start..at).unwrap_or_default()));
            }
            b if b.is_ascii_alphabetic() || b == b'_' || b == b'@' || b == b'$' || b >= 0x80 => {
                while bytes
                    .get(at)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'@' | b'$' | b'.') || *b >= 0x80)
                {
                    at += 1;
                }
                out.push(Token::Word(statement.get(start..at).unwrap_or_default()));
            }
            _ => {
                at += 1;
                out.push(Token::Symbol(byte));
            }
        }
    }
    out
}

fn line_end(bytes: &[u8], from: usize) -> usize {
    memchr::memchr(b'\n', &bytes[from..]).map_or(bytes.len(), |offset| from + offset)
}

/// What gave an injection away, for the alert's message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sign {
    /// A line comment that only swallows the application's closing quote or parenthesis.
    SwallowingComment,
    /// `OR 1=1`, `AND 8=3` and their kin after the application's condition.
    Tautology,
    /// `AND 1=(SELECT ...)`, `AND ASCII(SUBSTRING((SELECT ...`: a subquery as a condition.
    Subquery,
    /// `UNION SELECT` right after a value.
    UnionAfterValue,
    /// `SLEEP(`, `BENCHMARK(` as a condition.
    TimeDelay,
    /// A statement stacked after a value.
    StackedStatement,
    /// `LOAD_FILE(`, `INTO OUTFILE`, `EXTRACTVALUE(`, `UPDATEXML(`.
    AttackFunction,
    /// A string left open: a quote broke the statement.
    OpenQuote,
}

impl Sign {
    fn text(self) -> &'static str {
        match self {
            Sign::SwallowingComment => "a comment swallowing the rest of the statement",
            Sign::Tautology => "a condition on constants",
            Sign::Subquery => "a subquery as a condition",
            Sign::UnionAfterValue => "UNION SELECT after a value",
            Sign::TimeDelay => "a time delay as a condition",
            Sign::StackedStatement => "a second statement after a value",
            Sign::AttackFunction => "a function applications do not call",
            Sign::OpenQuote => "a quote that breaks the statement",
        }
    }
}

/// Longest start of a statement looked at. An injection shows in the clause that takes
/// input, well before this; what follows in a bulk `INSERT` of megabytes is data, and
/// tokenising it whole cost 40 times its size.
const MAX_SCANNED_BYTES: usize = 256 * 1024;

/// The first sign of injection in `statement` (its first [`MAX_SCANNED_BYTES`]), if any.
pub fn injection_sign(statement: &str) -> Option<Sign> {
    let (scanned, cut) = if statement.len() > MAX_SCANNED_BYTES {
        (cut_at_char(statement, MAX_SCANNED_BYTES), true)
    } else {
        (statement, false)
    };
    let mut tokens = tokens(scanned);
    if cut && matches!(tokens.last(), Some(Token::OpenText | Token::OpenComment)) {
        // Open only because the statement was cut here.
        tokens.pop();
    }
    let word = |index: usize, text: &str| tokens.get(index).is_some_and(|token| token.is_word(text));
    // Where each `)` was opened, to tell `(SELECT ...) UNION` from `('1') UNION`.
    let mut opened_at = vec![None; tokens.len()];
    let mut open = Vec::new();
    for (index, token) in tokens.iter().enumerate() {
        match token {
            Token::Symbol(b'(') => open.push(index),
            Token::Symbol(b')') => opened_at[index] = open.pop(),
            _ => {}
        }
    }
    let mut seen_value = false;
    for (index, token) in tokens.iter().enumerate() {
        let previous = index.checked_sub(1).and_then(|before| tokens.get(before));
        let after_value = previous.is_some_and(Token::is_value);
        // A value, or a parenthesis that closed one (not a subquery of the application's).
        let after_operand = after_value
            || (previous == Some(&Token::Symbol(b')'))
                && opened_at[index - 1].is_none_or(|open| !word(open + 1, "select")));
        match token {
            Token::LineComment(_) => {
                let last_code = !cut
                    && tokens[index + 1..]
                        .iter()
                        .all(|later| matches!(later, Token::LineComment(_)));
                if last_code && after_operand {
                    return Some(Sign::SwallowingComment);
                }
            }
            Token::OpenComment if index > 0 => return Some(Sign::SwallowingComment),
            Token::Word(_) if token.is_word("or") || token.is_word("and") || token.is_word("xor") => {
                if !after_operand {
                    continue;
                }
                if constant_condition(&tokens[index + 1..], token.is_word("and")) {
                    return Some(Sign::Tautology);
                }
                if word(index + 1, "sleep") || word(index + 1, "benchmark") || word(index + 1, "pg_sleep") {
                    return Some(Sign::TimeDelay);
                }
                if subquery_follows(&tokens, index + 1) {
                    return Some(Sign::Subquery);
                }
            }
            Token::Word(_) if token.is_word("union") && after_operand => {
                let select_at = if word(index + 1, "all") || word(index + 1, "distinct") {
                    index + 2
                } else {
                    index + 1
                };
                let select_at = if tokens.get(select_at) == Some(&Token::Symbol(b'(')) {
                    select_at + 1
                } else {
                    select_at
                };
                if word(select_at, "select") {
                    return Some(Sign::UnionAfterValue);
                }
            }
            Token::Symbol(b';') if after_operand => {
                const STATEMENTS: [&str; 10] = [
                    "drop", "delete", "insert", "update", "select", "shutdown", "create", "alter", "truncate", "grant",
                ];
                if STATEMENTS.iter().any(|statement| word(index + 1, statement)) {
                    return Some(Sign::StackedStatement);
                }
            }
            Token::Word(_) if tokens.get(index + 1) == Some(&Token::Symbol(b'(')) => {
                const ATTACKS: [&str; 3] = ["load_file", "extractvalue", "updatexml"];
                // What an attacker asks first; an application has no reason to ask it
                // after a value of its own.
                const FINGERPRINTS: [&str; 7] = [
                    "version",
                    "database",
                    "user",
                    "schema",
                    "current_user",
                    "system_user",
                    "session_user",
                ];
                if ATTACKS.iter().any(|name| token.is_word(name))
                    || (seen_value
                        && tokens.get(index + 2) == Some(&Token::Symbol(b')'))
                        && FINGERPRINTS.iter().any(|name| token.is_word(name)))
                {
                    return Some(Sign::AttackFunction);
                }
            }
            Token::Word(_) if token.is_word("into") && (word(index + 1, "outfile") || word(index + 1, "dumpfile")) => {
                return Some(Sign::AttackFunction);
            }
            Token::OpenText => return Some(Sign::OpenQuote),
            _ => {}
        }
        seen_value |= token.is_value();
    }
    None
}

/// Whether the condition at `from` is built around a subquery rather than a column: it
/// starts with a constant, a parenthesis or a function call (`1=(SELECT`, `(SELECT`,
/// `ASCII(SUBSTRING((SELECT`), and `(SELECT` follows before the next `AND`/`OR`, not as the
/// operand of `IN`, `EXISTS`, `ANY`, `ALL` or `SOME`. `AND usergroup = (SELECT ...)` is an
/// application's.
fn subquery_follows(tokens: &[Token<'_>], from: usize) -> bool {
    const OPERATORS: [&str; 5] = ["in", "exists", "any", "all", "some"];
    let starts_with_column = match tokens.get(from) {
        Some(Token::Word(_)) => tokens.get(from + 1) != Some(&Token::Symbol(b'(')),
        Some(first) => !(first.is_value() || *first == Token::Symbol(b'(')),
        None => true,
    };
    if starts_with_column {
        return false;
    }
    let end = tokens.len().min(from + 12);
    (from..end)
        .take_while(|&at| !(tokens[at].is_word("and") || tokens[at].is_word("or")))
        .any(|at| {
            tokens[at] == Token::Symbol(b'(')
                && tokens.get(at + 1).is_some_and(|next| next.is_word("select"))
                && !at
                    .checked_sub(1)
                    .and_then(|before| tokens.get(before))
                    .is_some_and(|before| OPERATORS.iter().any(|operator| before.is_word(operator)))
        })
}

/// Whether the tokens start with a condition on constants alone, true or false: `1=1`,
/// `'a'='a'`, `8=3`, `2>1` (blind injection asks both), a bare true value (`OR 1`,
/// `OR TRUE`). After `AND`, a bare value does not count: `AND 1` is how many applications
/// spell a filter that keeps everything.
fn constant_condition(rest: &[Token<'_>], after_and: bool) -> bool {
    let constant = |token: &Token<'_>| matches!(token, Token::Text(_) | Token::Number(_));
    match rest {
        [left, Token::Symbol(b'=' | b'<' | b'>' | b'!'), right, ..] if constant(left) && constant(right) => true,
        [left, Token::Symbol(b'<' | b'>' | b'!'), Token::Symbol(b'='), right, ..]
            if constant(left) && constant(right) =>
        {
            true
        }
        [Token::Number(number), next, ..] if !after_and && !matches!(next, Token::Symbol(_)) => *number != "0",
        [Token::Number(number)] if !after_and => *number != "0",
        [first, ..] if !after_and && first.is_word("true") => true,
        _ => false,
    }
}

/// Statements that input broke out of.
#[derive(Default)]
pub struct QueryInjection;

impl Detector for QueryInjection {
    fn rules(&self) -> &'static [&'static Rule] {
        &RULES
    }

    fn observe(&mut self, event: &Observed<'_>, alerts: &mut Vec<Alert>) {
        let Some(query) = event.view.mysql.query.as_deref() else {
            return;
        };
        let Some(sign) = injection_sign(query) else {
            return;
        };
        let burst = Burst::single(event);
        let who = match (event.user(), event.view.source.ip.as_deref()) {
            (Some(user), Some(ip)) => format!(" from {user}@{ip}"),
            (Some(user), None) => format!(" from {user}"),
            (None, Some(ip)) => format!(" from {ip}"),
            (None, None) => String::new(),
        };
        // On one line, as a person reads it in a terminal; only the start is shown, so only
        // the start is flattened.
        let start = cut_at_char(query, 4096);
        let flat = start.split_whitespace().collect::<Vec<_>>().join(" ");
        let shown: String = flat.chars().take(160).collect();
        let ellipsis = if shown.len() < flat.len() || start.len() < query.len() {
            "…"
        } else {
            ""
        };
        let message = format!(
            "SQL injection reached {}{who}: {} in {shown}{ellipsis}",
            burst.module_title(),
            sign.text()
        );
        let risk = risk_score(SQL_IN_QUERY.severity, 1, 1);
        alerts.push(burst.alert(&SQL_IN_QUERY, event, event.source, message, risk));
    }

    fn expire(&mut self, _now: i64) {}

    fn evicted(&self) -> u64 {
        0
    }

    fn thresholds(&self, _id: &str) -> String {
        "every statement with a sign of input that broke out of its literal".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injected_statements() {
        for (statement, sign) in [
            ("SELECT * FROM products WHERE id = '12' OR 1=1-- '", Sign::Tautology),
            ("SELECT * FROM products WHERE id = '12'-- '", Sign::SwallowingComment),
            ("SELECT name FROM users WHERE id = '1' OR '1'='1'", Sign::Tautology),
            (
                "SELECT * FROM p WHERE id = 12 UNION SELECT username,password FROM users--",
                Sign::UnionAfterValue,
            ),
            (
                "SELECT * FROM p WHERE id = 12 /*!50000UnIoN*/ /**/ALL/**/ SELECT 1,2",
                Sign::UnionAfterValue,
            ),
            ("SELECT * FROM p WHERE id = '12' AND SLEEP(5)-- '", Sign::TimeDelay),
            ("SELECT * FROM p WHERE id = 1; DROP TABLE users", Sign::StackedStatement),
            (
                "SELECT * FROM p WHERE id = 1 AND extractvalue(1, concat(0x7e, version()))",
                Sign::AttackFunction,
            ),
            ("SELECT * FROM p WHERE name = 'O'Brien'", Sign::OpenQuote),
            ("SELECT * FROM p WHERE id = 1 OR 2>1", Sign::Tautology),
            ("SELECT * FROM p WHERE id = '' OR 1 LIMIT 1", Sign::Tautology),
            ("SELECT * FROM p WHERE id = 5 AND 8=3", Sign::Tautology),
            (
                "SELECT * FROM p WHERE id = 1 AND 1=(SELECT COUNT(*) FROM users)",
                Sign::Subquery,
            ),
            (
                "SELECT * FROM p WHERE id = 1 and ascii(substring((select user from u limit 4,1),1,1))>1",
                Sign::Subquery,
            ),
            (
                "SELECT * FROM p WHERE id = '-1') union select 1,2#') LIMIT 1",
                Sign::UnionAfterValue,
            ),
            ("SELECT * FROM p WHERE id = 25UNION SELECT 1,2", Sign::UnionAfterValue),
            (
                "SELECT * FROM p WHERE id = 1 AND 1=1 UNION SELECT version()",
                Sign::Tautology,
            ),
            ("SELECT * FROM p WHERE id = 3/* LIMIT 1", Sign::SwallowingComment),
            (
                "SELECT * FROM p WHERE id = 3 -- trailing words LIMIT 1",
                Sign::SwallowingComment,
            ),
        ] {
            assert_eq!(injection_sign(statement), Some(sign), "{statement}");
        }
    }

    #[test]
    fn a_huge_statement_is_judged_by_its_start() {
        let bulk = format!("INSERT INTO t VALUES {}", "('abc', 1),".repeat(100_000));
        assert_eq!(injection_sign(&bulk), None, "cut inside a string is no open quote");
        let cut_in_comment = format!("SELECT 1 /* {}", "x".repeat(MAX_SCANNED_BYTES));
        assert_eq!(injection_sign(&cut_in_comment), None);
        let injected = format!(
            "SELECT * FROM users WHERE id = 1 UNION SELECT password FROM admins -- {}",
            "é".repeat(MAX_SCANNED_BYTES)
        );
        assert_eq!(injection_sign(&injected), Some(Sign::UnionAfterValue));
    }

    #[test]
    fn ordinary_statements() {
        for statement in [
            "SELECT id, name, price FROM products WHERE featured = 1",
            "SELECT * FROM t WHERE 1=1 AND a = 5 AND b = 'x'",
            "SELECT a FROM t1 UNION SELECT a FROM t2",
            "(SELECT a FROM t1) UNION ALL (SELECT a FROM t2)",
            "SELECT * FROM t WHERE name = 'it''s' AND note = 'a \\' b' AND c = \"d\"",
            "-- the report of the day\nSELECT * FROM t WHERE q = 'x'' OR ''1''=''1'",
            "SELECT * FROM g WHERE allowed = 'N' AND tab LIKE 'server%' AND usergroup = (SELECT usergroup FROM u WHERE name = 'x')",
            "SELECT * FROM t WHERE a = 1 AND b IN (SELECT b FROM c) AND EXISTS (SELECT 1 FROM d)",
            "SELECT * FROM t WHERE name = '1'' OR ''1''=''1'",
            "INSERT INTO page_views (path) VALUES ('/products/12?q=union select')",
            "SELECT `select`, `union` FROM `or`",
            "SELECT COUNT(*) FROM orders WHERE created_at >= CURDATE() AND status IN (1, 2)",
            "SELECT * FROM t WHERE deleted = 0 AND 1 LIMIT 5",
            "SELECT @@version_comment LIMIT 1",
            "SET NAMES utf8mb4",
            "/* a comment */ SELECT 1",
            "SELECT 1 -- the whole query is a comment afterwards\nFROM dual",
        ] {
            assert_eq!(injection_sign(statement), None, "{statement}");
        }
    }
}
