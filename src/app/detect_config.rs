//! `ls-detect --config FILE`: the same settings as the flags, in TOML, under the flags' own
//! names. Flags win over the file; lists given by flag (only, skip, allowlists, groups)
//! replace or extend the file's as their help says.

use crate::detect::{self, Setting, SettingError, SettingKind};
use serde::Deserialize;
use std::io;
use std::path::{Path, PathBuf};

/// Why a config file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// It could not be read (a data error).
    #[error("{}: {source}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// It was read, and asks for what cannot be (a usage error, as the same flag would be).
    #[error("{}{}{problem}", path.display(), if matches!(problem, ConfigProblem::NotToml { .. }) { ":" } else { ": " })]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong in it.
        problem: ConfigProblem,
    },
}

/// What is wrong in a config file's text.
#[derive(Debug, thiserror::Error)]
pub enum ConfigProblem {
    /// Not TOML: where (1-based line and column) and what, with the line it is on.
    #[error("{line}:{column}: {message}\n{excerpt}")]
    NotToml {
        /// The line of the mistake.
        line: usize,
        /// Its column, in characters.
        column: usize,
        /// What the TOML reader expected.
        message: String,
        /// The line as written with a caret under the mistake, as compilers show it.
        excerpt: String,
    },
    /// An unknown key, or a value of the wrong type.
    #[error("{0}")]
    Syntax(String),
    /// A rule's setting with a value it cannot take.
    #[error("{0}")]
    Setting(#[from] SettingError),
}

impl From<ConfigError> for super::StartError {
    fn from(error: ConfigError) -> Self {
        match error {
            ConfigError::Unreadable { .. } => super::StartError::Data(error.to_string()),
            ConfigError::Invalid { .. } => super::StartError::Config(error.to_string()),
        }
    }
}

/// The config file's keys: every one optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigFile {
    /// As `--only`.
    #[serde(default)]
    pub only: Vec<String>,
    /// As `--skip`.
    #[serde(default)]
    pub skip: Vec<String>,
    /// As `--tz`.
    pub tz: Option<String>,
    /// As `--work-hours`.
    pub work_hours: Option<String>,
    /// As `--weekend`, as a list of days.
    pub weekend: Option<Vec<String>>,
    /// As `--allow-user`.
    #[serde(default)]
    pub allow_user: Vec<String>,
    /// As `--allow-source`.
    #[serde(default)]
    pub allow_source: Vec<String>,
    /// As `--privileged-group`.
    pub privileged_group: Option<Vec<String>>,
    /// The rules' settings (`brute-force-threshold = 8`, `window = "15m"`), each with its
    /// checked value; their keys come from the declarations, not from this struct.
    #[serde(skip)]
    pub settings: Vec<(&'static Setting, u64)>,
}

impl ConfigFile {
    /// Reads and checks `path`; the error names the file and what is wrong in it.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Unreadable {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text).map_err(|problem| ConfigError::Invalid {
            path: path.to_owned(),
            problem,
        })
    }

    /// Parses config text.
    pub fn parse(text: &str) -> Result<Self, ConfigProblem> {
        let mut table: toml::Table = toml::from_str(text).map_err(|error| not_toml(text, &error))?;
        let syntax = |error: toml::de::Error| ConfigProblem::Syntax(error.message().trim().to_owned());
        let mut settings = Vec::new();
        for setting in detect::settings() {
            let Some(value) = table.remove(setting.name) else {
                continue;
            };
            settings.push((setting, setting_value(setting, &value)?));
        }
        let mut config: ConfigFile = toml::Value::Table(table).try_into().map_err(syntax)?;
        config.settings = settings;
        Ok(config)
    }
}

/// A TOML syntax error located in `text`. The reader's own rendering is a box drawing over
/// five lines; ours leads with `line:column: what`, the shape editors and `grep -n` share.
fn not_toml(text: &str, error: &toml::de::Error) -> ConfigProblem {
    let start = error.span().map_or(0, |span| span.start).min(text.len());
    let start = (0..=start).rev().find(|&at| text.is_char_boundary(at)).unwrap_or(0);
    let line_start = text[..start].rfind('\n').map_or(0, |at| at + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |at| start + at);
    let line = text[..start].matches('\n').count() + 1;
    let column = text[line_start..start].chars().count() + 1;
    let number = line.to_string();
    let excerpt = format!(
        "{number} | {}\n{} | {}^",
        text[line_start..line_end].trim_end_matches('\r'),
        " ".repeat(number.len()),
        " ".repeat(column - 1)
    );
    ConfigProblem::NotToml {
        line,
        column,
        message: error.message().trim().to_owned(),
        excerpt,
    }
}

/// A setting's value in the file: a count is a TOML integer, a duration a string as the flag
/// takes it (`"10m"`) or a whole number of seconds, as the flag also takes it.
fn setting_value(setting: &'static Setting, value: &toml::Value) -> Result<u64, ConfigProblem> {
    let wrong_type = |expected: &str| {
        ConfigProblem::Syntax(format!(
            "{}: expected {expected}, found {}",
            setting.name,
            value.type_str()
        ))
    };
    match (setting.kind, value) {
        (SettingKind::Count { .. }, toml::Value::Integer(number)) => {
            let number = u64::try_from(*number).map_err(|_| setting.out_of_range())?;
            Ok(setting.check(number)?)
        }
        (SettingKind::Count { .. }, _) => Err(wrong_type("a whole number")),
        (SettingKind::Duration { .. }, toml::Value::String(text)) => Ok(setting.parse(text)?),
        (SettingKind::Duration { .. }, toml::Value::Integer(seconds)) => Ok(setting.parse(&seconds.to_string())?),
        (SettingKind::Duration { .. }, _) => Err(wrong_type("seconds or a duration in a string (\"10m\")")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_may_be_seconds() {
        let config = ConfigFile::parse("window = 600\nweekend = []\n").expect("valid");
        assert_eq!(config.settings.len(), 1);
        assert_eq!(config.settings[0].1, 600);
        assert_eq!(config.weekend, Some(Vec::new()));
        assert!(ConfigFile::parse("window = -5\n").is_err());
    }

    #[test]
    fn keys_are_the_flag_names_and_mistakes_are_named() {
        let config = ConfigFile::parse(
            "brute-force-threshold = 8\nwindow = \"15m\"\nonly = [\"brute-force\"]\nweekend = [\"fri\", \"sat\"]\n",
        )
        .expect("valid");
        let given: Vec<(&str, u64)> = config
            .settings
            .iter()
            .map(|(setting, value)| (setting.name, *value))
            .collect();
        assert_eq!(given, [("window", 900), ("brute-force-threshold", 8)]);
        assert_eq!(config.only, ["brute-force"]);
        let typo = ConfigFile::parse("brute_force_threshold = 8").expect_err("unknown key");
        assert!(typo.to_string().contains("brute_force_threshold"), "{typo}");
        assert!(ConfigFile::parse("scan-threshold = 0").is_err());
        assert!(ConfigFile::parse("window = 1.5").is_err(), "seconds are whole");
    }

    #[test]
    fn a_syntax_error_says_line_and_column_and_shows_the_line() {
        let problem = ConfigFile::parse("tz = \"UTC\"\nonly = [\"brute-force\"\n").expect_err("unclosed");
        let ConfigProblem::NotToml { line, column, .. } = &problem else {
            panic!("not a syntax error: {problem}");
        };
        assert_eq!((*line, *column), (2, 22), "{problem}");
        let shown = problem.to_string();
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(lines.len(), 3, "{shown}");
        assert!(lines[0].starts_with("2:22: "), "{shown}");
        assert_eq!(lines[2], format!("  | {}^", " ".repeat(21)), "{shown}");
        let problem = ConfigFile::parse("window = \"15m\" x\n").expect_err("trailing");
        let shown = problem.to_string();
        assert!(shown.starts_with("1:16: "), "{shown}");
        assert!(
            shown.ends_with("1 | window = \"15m\" x\n  |                ^"),
            "{shown}"
        );
    }
}
