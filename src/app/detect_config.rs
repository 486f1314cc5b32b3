//! `ls-detect --config FILE`: the same settings as the flags, in TOML, under the flags' own
//! names. Flags win over the file; lists given by flag (only, skip, allowlists, groups)
//! replace or extend the file's as their help says.

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
    #[error("{}: {problem}", path.display())]
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
    /// Not TOML, an unknown key, or a value of the wrong type.
    #[error("{0}")]
    Syntax(String),
    /// A value outside its range.
    #[error("{key} must be {range}")]
    OutOfRange {
        /// The key.
        key: &'static str,
        /// The values it takes.
        range: &'static str,
    },
}

impl From<ConfigError> for super::StartError {
    fn from(error: ConfigError) -> Self {
        match error {
            ConfigError::Unreadable { .. } => super::StartError::Data(error.to_string()),
            ConfigError::Invalid { .. } => super::StartError::Usage(error.to_string()),
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
    /// As `--brute-force-threshold`.
    pub brute_force_threshold: Option<u64>,
    /// As `--stuffing-threshold`.
    pub stuffing_threshold: Option<u64>,
    /// As `--scan-threshold`.
    pub scan_threshold: Option<u64>,
    /// As `--window`.
    pub window: Option<String>,
    /// As `--compromise-window`.
    pub compromise_window: Option<String>,
    /// As `--ipv6-prefix`.
    pub ipv6_prefix: Option<u8>,
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
        let config: ConfigFile =
            toml::from_str(text).map_err(|error| ConfigProblem::Syntax(error.to_string().trim().replace('\n', " ")))?;
        let out_of_range = |key, range| Err(ConfigProblem::OutOfRange { key, range });
        for (key, value) in [
            ("brute-force-threshold", config.brute_force_threshold),
            ("scan-threshold", config.scan_threshold),
        ] {
            if value == Some(0) {
                return out_of_range(key, "at least 1");
            }
        }
        if config.stuffing_threshold.is_some_and(|n| n < 2) {
            return out_of_range("stuffing-threshold", "at least 2");
        }
        if config.ipv6_prefix.is_some_and(|bits| !(1..=128).contains(&bits)) {
            return out_of_range("ipv6-prefix", "1 to 128");
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_the_flag_names_and_mistakes_are_named() {
        let config = ConfigFile::parse(
            "brute-force-threshold = 8\nwindow = \"15m\"\nonly = [\"brute-force\"]\nweekend = [\"fri\", \"sat\"]\n",
        )
        .expect("valid");
        assert_eq!(config.brute_force_threshold, Some(8));
        assert_eq!(config.window.as_deref(), Some("15m"));
        assert_eq!(config.only, ["brute-force"]);
        let typo = ConfigFile::parse("brute_force_threshold = 8").expect_err("unknown key");
        assert!(typo.to_string().contains("brute_force_threshold"), "{typo}");
        assert!(ConfigFile::parse("scan-threshold = 0").is_err());
        assert!(ConfigFile::parse("window = 10").is_err(), "durations are strings");
    }
}
