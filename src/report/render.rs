//! Rendering the report data: the built-in templates (compiled into the binary from
//! templates/) or a user's, with HTML escaping on for `.html` templates and a Markdown
//! escape filter, so log content an attacker wrote always shows as text.

use super::model::ReportData;
use crate::text::{printable, push_printable};
use std::path::Path;
use tera::{Context, Kwargs, State, Tera};

/// The built-in HTML report.
pub const HTML_TEMPLATE: &str = include_str!("../../templates/report.html");
/// The built-in Markdown report.
pub const MARKDOWN_TEMPLATE: &str = include_str!("../../templates/report.md");

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One self-contained HTML page.
    Html,
    /// Markdown, for tickets and chat.
    Markdown,
    /// One row per alert.
    Csv,
    /// The report data model.
    Json,
}

impl Format {
    /// The file extension reports of this format get.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Markdown => "md",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }

    /// The format a file name asks for, by its extension.
    pub fn from_path(path: &Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "html" | "htm" => Some(Format::Html),
            "md" | "markdown" => Some(Format::Markdown),
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// Why a report template cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// The template file could not be read.
    #[error("{}: {source}", path.display())]
    Unreadable {
        /// The file.
        path: std::path::PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The template does not parse.
    #[error("{name}: {message}")]
    Invalid {
        /// The template's name (its file name).
        name: String,
        /// Tera's error and its causes, on one line.
        message: String,
    },
    /// The template parsed but rendering failed (it names a value the report has not).
    #[error("{0}")]
    Render(String),
}

/// A template ready to render report data.
pub struct Renderer {
    tera: Tera,
    name: String,
}

impl Renderer {
    /// The built-in template of `format` (HTML or Markdown).
    pub fn builtin(format: Format) -> Result<Self, TemplateError> {
        let (name, text) = match format {
            Format::Markdown => ("report.md", MARKDOWN_TEMPLATE),
            _ => ("report.html", HTML_TEMPLATE),
        };
        Self::from_text(name, text)
    }

    /// A user's template; it is escaped as HTML when its name ends in `.html`, `.htm` or `.xml`.
    pub fn from_file(path: &Path) -> Result<Self, TemplateError> {
        let text = std::fs::read_to_string(path).map_err(|source| TemplateError::Unreadable {
            path: path.to_owned(),
            source,
        })?;
        let name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| "template".to_owned());
        Self::from_text(&name, &text).map_err(|error| match error {
            TemplateError::Invalid { message, .. } => TemplateError::Invalid {
                name: path.display().to_string(),
                message,
            },
            other => other,
        })
    }

    fn from_text(name: &str, text: &str) -> Result<Self, TemplateError> {
        let mut tera = Tera::new();
        tera.set_escape_fn(escape_html_printable);
        tera.register_filter("md", |text: &str, _: Kwargs, _: &State| markdown_text(text));
        tera.add_raw_template(name, text)
            .map_err(|error| TemplateError::Invalid {
                name: name.to_owned(),
                message: describe(&error),
            })?;
        Ok(Renderer {
            tera,
            name: name.to_owned(),
        })
    }

    /// The report as text.
    pub fn render(&self, data: &ReportData) -> Result<String, TemplateError> {
        let mut context = Context::new();
        context.insert("report", data);
        self.tera
            .render(&self.name, &context)
            .map_err(|error| TemplateError::Render(describe(&error)))
    }
}

/// Tera's error with its causes, on one line.
fn describe(error: &tera::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Tera's HTML escaping of [`printable`] text: a control or bidirectional character in a
/// log shows as its escape in the page instead of reordering or hiding what is around it.
fn escape_html_printable(text: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    tera::escape_html(&printable(text), out)
}

/// Text safe inside Markdown (a table cell included): the characters that would start
/// markup, a link, raw HTML or a new cell are escaped, and line breaks become spaces.
pub fn markdown_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 8);
    for character in text.chars() {
        match character {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '~' | '&' => {
                escaped.push('\\');
                escaped.push(character);
            }
            '\r' | '\n' => escaped.push(' '),
            other => push_printable(&mut escaped, other),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_cells_cannot_break_out() {
        assert_eq!(
            markdown_text("a|b <script>\n[x](javascript:1)"),
            "a\\|b \\<script\\> \\[x\\](javascript:1)"
        );
    }

    #[test]
    fn formats_follow_file_names() {
        assert_eq!(Format::from_path(Path::new("out/report.MD")), Some(Format::Markdown));
        assert_eq!(Format::from_path(Path::new("report.htm")), Some(Format::Html));
        assert_eq!(Format::from_path(Path::new("report")), None);
    }
}
