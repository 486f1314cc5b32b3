//! `--format csv`: one row per alert, written as each alert is read (so every alert is
//! listed, however many), RFC 4180 quoting, and cells a spreadsheet would run as a formula
//! (`=`, `+`, `-`, `@` first) defused with a leading `'`: log content is attacker content.

use super::model::AlertRow;
use crate::text::push_printable;
use std::io::{self, Write};

/// The header row.
pub const HEADER: &str =
    "timestamp,severity,risk_score,rule_id,rule_name,technique_id,technique_name,tactic,module,source_ip,user,host,message\n";

/// Writes one alert's row.
pub fn write_row(out: &mut impl Write, row: &AlertRow) -> io::Result<()> {
    let (technique_id, technique_name) = row
        .technique
        .as_ref()
        .map_or(("", ""), |technique| (technique.id.as_str(), technique.name.as_str()));
    let risk = row.risk.to_string();
    let cells = [
        row.time.as_str(),
        row.severity.as_str(),
        risk.as_str(),
        row.rule.as_str(),
        row.rule_name.as_str(),
        technique_id,
        technique_name,
        row.tactic.as_str(),
        row.module.as_str(),
        row.source_ip.as_str(),
        row.user.as_str(),
        row.host.as_str(),
        row.message.as_str(),
    ];
    let mut line = String::with_capacity(256);
    for (index, cell) in cells.iter().enumerate() {
        if index > 0 {
            line.push(',');
        }
        push_cell(&mut line, cell);
    }
    line.push('\n');
    out.write_all(line.as_bytes())
}

fn push_cell(line: &mut String, cell: &str) {
    let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quote = formula || cell.contains([',', '"', '\n', '\r']);
    if quote {
        line.push('"');
    }
    if formula {
        line.push('\'');
    }
    for character in cell.chars() {
        if character == '"' {
            line.push('"');
        }
        push_printable(line, character);
    }
    if quote {
        line.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        let mut line = String::new();
        push_cell(&mut line, "plain");
        line.push(',');
        push_cell(&mut line, "say \"hi\", then\nleave");
        line.push(',');
        push_cell(&mut line, "=HYPERLINK(\"http://evil\")");
        assert_eq!(
            line, "plain,\"say \"\"hi\"\", then\\nleave\",\"'=HYPERLINK(\"\"http://evil\"\")\"",
            "a line break from a log is shown, not written"
        );
    }
}
