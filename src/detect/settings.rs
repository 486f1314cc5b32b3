//! The numbers rules are tuned by. Each rule declares its settings beside its definition
//! ([`Rule::settings`](super::Rule)); the flags of `ls-detect`, the keys of its config file,
//! `--list-rules` and the man page are all made from those declarations.

use crate::time::parse_duration;
use std::collections::BTreeMap;

/// The longest duration a setting takes, ten years: more is a mistake, and event-time
/// arithmetic stays far from overflow.
pub const MAX_DURATION_SECONDS: u64 = 3650 * 86_400;

/// One setting: its name is both its flag (`--brute-force-threshold`) and its config key.
#[derive(Debug)]
pub struct Setting {
    /// The flag without its dashes, and the config file's key.
    pub name: &'static str,
    /// What `--help` calls its value (`N`, `DURATION`).
    pub value_name: &'static str,
    /// What it does, for `--help` and the man page.
    pub help: &'static str,
    /// Its type, range and default.
    pub kind: SettingKind,
}

/// What values a setting takes.
#[derive(Clone, Copy, Debug)]
pub enum SettingKind {
    /// A whole number from `min` to `max`.
    Count {
        /// Its value when none is given.
        default: u64,
        /// The least it may be.
        min: u64,
        /// The most it may be.
        max: u64,
    },
    /// A duration in seconds, given as 600, 10m, 24h or 1d.
    Duration {
        /// Its value when none is given, in seconds.
        default: i64,
    },
}

/// Why a setting's value cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingError {
    /// Not a number or not a duration.
    #[error("{name}: {problem}: {text}")]
    Unreadable {
        /// The setting.
        name: &'static str,
        /// What was expected.
        problem: &'static str,
        /// What was given.
        text: String,
    },
    /// A number outside the setting's range.
    #[error("{name} must be {range}")]
    OutOfRange {
        /// The setting.
        name: &'static str,
        /// The values it takes.
        range: String,
    },
}

impl Setting {
    /// The value `text` gives this setting, checked against its range.
    pub fn parse(&'static self, text: &str) -> Result<u64, SettingError> {
        let unreadable = |problem| SettingError::Unreadable {
            name: self.name,
            problem,
            text: text.to_owned(),
        };
        match self.kind {
            SettingKind::Count { .. } => {
                let value = text.trim().parse().map_err(|_| unreadable("not a whole number"))?;
                self.check(value)
            }
            SettingKind::Duration { .. } => {
                let seconds = parse_duration(text)
                    .and_then(|seconds| u64::try_from(seconds).ok())
                    .ok_or_else(|| unreadable("not a duration (e.g. 600, 10m, 24h)"))?;
                self.check(seconds)
            }
        }
    }

    /// `value` if it is in this setting's range.
    pub fn check(&'static self, value: u64) -> Result<u64, SettingError> {
        let (min, max) = self.range();
        if (min..=max).contains(&value) {
            Ok(value)
        } else {
            Err(self.out_of_range())
        }
    }

    /// The error for a value outside the range (a negative number in a config file too).
    pub fn out_of_range(&'static self) -> SettingError {
        let (min, max) = self.range();
        SettingError::OutOfRange {
            name: self.name,
            range: match (self.kind, max) {
                (SettingKind::Duration { .. }, _) => format!("at most {}", duration_flag(max)),
                (_, u64::MAX) => format!("at least {min}"),
                _ => format!("{min} to {max}"),
            },
        }
    }

    /// The least and the most the setting takes.
    fn range(&self) -> (u64, u64) {
        match self.kind {
            SettingKind::Count { min, max, .. } => (min, max),
            SettingKind::Duration { .. } => (0, MAX_DURATION_SECONDS),
        }
    }

    /// The value when none is given.
    pub fn default_value(&self) -> u64 {
        match self.kind {
            SettingKind::Count { default, .. } => default,
            SettingKind::Duration { default } => u64::try_from(default).unwrap_or(0),
        }
    }

    /// A value as the user would write it: `5`, `10m`.
    pub fn show(&self, value: u64) -> String {
        match self.kind {
            SettingKind::Count { .. } => value.to_string(),
            SettingKind::Duration { .. } => duration_flag(value),
        }
    }

    /// The text under the flag in `--help`: the help and the default.
    pub fn help_text(&self) -> String {
        format!("{} [default: {}]", self.help, self.show(self.default_value()))
    }
}

/// Seconds as the shortest duration flag that says them exactly: `600` → `10m`.
fn duration_flag(seconds: u64) -> String {
    match seconds {
        0 => "0".to_owned(),
        s if s % 86_400 == 0 && s > 86_400 => format!("{}d", s / 86_400),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => s.to_string(),
    }
}

/// The value of every setting: those given, and the defaults of the others.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    given: BTreeMap<&'static str, u64>,
}

impl Settings {
    /// Gives `setting` a value (already checked by [`Setting::parse`] or [`Setting::check`]).
    pub fn set(&mut self, setting: &'static Setting, value: u64) {
        self.given.insert(setting.name, value);
    }

    /// A count setting's value.
    pub fn count(&self, setting: &Setting) -> u64 {
        self.given
            .get(setting.name)
            .copied()
            .unwrap_or_else(|| setting.default_value())
    }

    /// A duration setting's value in seconds.
    pub fn seconds(&self, setting: &Setting) -> i64 {
        i64::try_from(self.count(setting)).unwrap_or(i64::MAX)
    }

    /// How a rule's settings read, as flags: `--brute-force-threshold 5`.
    pub fn describe(&self, settings: &[&Setting]) -> String {
        let flags: Vec<String> = settings
            .iter()
            .map(|setting| format!("--{} {}", setting.name, setting.show(self.count(setting))))
            .collect();
        flags.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static COUNT: Setting = Setting {
        name: "test-threshold",
        value_name: "N",
        help: "a count",
        kind: SettingKind::Count {
            default: 5,
            min: 2,
            max: u64::MAX,
        },
    };
    static WINDOW: Setting = Setting {
        name: "test-window",
        value_name: "DURATION",
        help: "a window",
        kind: SettingKind::Duration { default: 600 },
    };

    #[test]
    fn values_are_checked_and_shown_as_the_user_writes_them() {
        assert_eq!(COUNT.parse("7").ok(), Some(7));
        assert_eq!(
            COUNT.parse("1").expect_err("below").to_string(),
            "test-threshold must be at least 2"
        );
        assert!(COUNT.parse("many").is_err());
        assert_eq!(WINDOW.parse("24h").ok(), Some(86_400));
        assert!(WINDOW.parse("soon").is_err());
        assert_eq!(
            WINDOW.parse("9223372036854775807").expect_err("too long").to_string(),
            "test-window must be at most 3650d"
        );
        let mut settings = Settings::default();
        assert_eq!(
            settings.describe(&[&COUNT, &WINDOW]),
            "--test-threshold 5, --test-window 10m"
        );
        settings.set(&WINDOW, 90);
        assert_eq!(settings.seconds(&WINDOW), 90);
        assert_eq!(COUNT.help_text(), "a count [default: 5]");
    }
}
