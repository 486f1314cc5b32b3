//! Logins at odd times: a successful login outside work hours on a weekday (HIGH) or at the
//! weekend (CRITICAL), T1078.003. Insiders and attackers with stolen passwords use valid
//! credentials; the time is what gives them away, and a person judges. Failures are the
//! brute-force rule's business. Known admins are silenced by user or network allowlists.

use crate::detect::burst::Burst;
use crate::detect::network::Network;
use crate::detect::technique::{INITIAL_ACCESS, LOCAL_ACCOUNTS};
use crate::detect::window::QuietKeys;
use crate::detect::{DetectConfig, Detector, EventClass, Observed, Rule, SourceKey};
use crate::schema::{Alert, Severity};
use crate::time::Zone;
use chrono::{Datelike, Timelike, Weekday};
use std::fmt::Write;

/// `--only`/`--skip` id of the weekday rule.
pub const OFF_HOURS_ID: &str = "off-hours-login";
/// `--only`/`--skip` id of the weekend rule.
pub const WEEKEND_ID: &str = "weekend-login";

static OFF_HOURS: Rule = Rule {
    id: OFF_HOURS_ID,
    name: "Off-hours login",
    description: "A successful login outside work hours on a working day",
    severity: Severity::High,
    technique: LOCAL_ACCOUNTS,
    tactic: INITIAL_ACCESS,
    settings: &[],
};

static WEEKEND: Rule = Rule {
    id: WEEKEND_ID,
    name: "Weekend login",
    description: "A successful login at the weekend",
    severity: Severity::Critical,
    technique: LOCAL_ACCOUNTS,
    tactic: INITIAL_ACCESS,
    settings: &[],
};

static RULES: [&Rule; 2] = [&OFF_HOURS, &WEEKEND];

/// Work hours and the weekend, in a zone.
#[derive(Clone, Debug)]
pub struct WorkTime {
    /// The zone work hours are in.
    pub zone: Zone,
    /// Minute of the day work starts (08:00 → 480).
    pub start_minute: u32,
    /// Minute of the day work ends (18:00 → 1080); before the start for a night shift.
    pub end_minute: u32,
    /// Which days are the weekend, Monday first.
    pub weekend: [bool; 7],
}

impl Default for WorkTime {
    fn default() -> Self {
        WorkTime {
            zone: Zone::local(),
            start_minute: 8 * 60,
            end_minute: 18 * 60,
            weekend: [false, false, false, false, false, true, true],
        }
    }
}

/// When an instant falls outside work time: the local day and time, and whether it is the
/// weekend. Only an alert says it in words ([`OutsideWork::text`]): most such logins are
/// already alerted within their window.
#[derive(Debug)]
pub struct OutsideWork<'w> {
    work: &'w WorkTime,
    day: Weekday,
    hour: u32,
    minute: u32,
    /// The zone's offset from UTC then, in minutes: the time is said with it, as a report
    /// shows every other time in UTC.
    offset_minutes: i64,
    /// A weekend day rather than a working day's night.
    pub weekend: bool,
}

impl OutsideWork<'_> {
    /// `on Saturday at 01:41 UTC+01:00, a weekend day`, or `... outside work hours (08:00–18:00)`.
    pub fn text(&self) -> String {
        let mut text = String::new();
        self.write_text(&mut text);
        text
    }

    /// [`OutsideWork::text`] at the end of `out`: an alert's message is built in one string.
    pub fn write_text(&self, out: &mut String) {
        out.push_str("on ");
        out.push_str(day_name(self.day));
        out.push_str(" at ");
        write_clock(self.hour * 60 + self.minute, out);
        out.push_str(" UTC");
        if self.offset_minutes != 0 {
            out.push(if self.offset_minutes < 0 { '-' } else { '+' });
            let offset = self.offset_minutes.unsigned_abs();
            write_clock(u32::try_from(offset).unwrap_or(0) % (24 * 60), out);
        }
        if self.weekend {
            out.push_str(", a weekend day");
        } else {
            out.push_str(", outside work hours (");
            self.work.write_hours(out);
            out.push(')');
        }
    }
}

/// `08:05` for minute 485 of the day.
fn write_clock(minute_of_day: u32, out: &mut String) {
    two_digits(minute_of_day / 60, out);
    out.push(':');
    two_digits(minute_of_day % 60, out);
}

/// `07`, `23`: a clock's field, zero-padded.
fn two_digits(value: u32, out: &mut String) {
    for digit in [value / 10 % 10, value % 10] {
        out.push(char::from_digit(digit, 10).unwrap_or('0'));
    }
}

impl WorkTime {
    /// `None` inside work hours on a working day.
    pub fn outside_work(&self, unix_seconds: i64) -> Option<OutsideWork<'_>> {
        let instant = chrono::DateTime::from_timestamp(unix_seconds, 0)?;
        let local = self.zone.wall_clock(instant);
        let day = local.weekday();
        let weekend = self.weekend[day.num_days_from_monday() as usize];
        let (hour, minute) = (local.hour(), local.minute());
        if !weekend && self.is_work_minute(hour * 60 + minute) {
            return None;
        }
        Some(OutsideWork {
            work: self,
            day,
            hour,
            minute,
            offset_minutes: (local - instant.naive_utc()).num_minutes(),
            weekend,
        })
    }

    fn is_work_minute(&self, minute: u32) -> bool {
        if self.start_minute <= self.end_minute {
            (self.start_minute..self.end_minute).contains(&minute)
        } else {
            minute >= self.start_minute || minute < self.end_minute
        }
    }

    /// `08:00–18:00`.
    pub fn hours_text(&self) -> String {
        let mut text = String::new();
        self.write_hours(&mut text);
        text
    }

    fn write_hours(&self, out: &mut String) {
        write_clock(self.start_minute, out);
        out.push('–');
        write_clock(self.end_minute, out);
    }

    /// `Saturday and Sunday`.
    pub fn weekend_text(&self) -> String {
        let days: Vec<String> = WEEKDAYS
            .iter()
            .zip(self.weekend)
            .filter(|(_, weekend)| *weekend)
            .map(|(day, _)| day_name(*day).to_owned())
            .collect();
        match days.as_slice() {
            [] => "no weekend".to_owned(),
            [only] => only.clone(),
            [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        }
    }
}

const WEEKDAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

fn day_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// Windows logs a success for the system itself at every hour: its own start (logon type
/// System), scheduled tasks (Batch), services (Service), and the built-in and computer
/// accounts. None of them is a person logging in.
fn is_windows_machine_logon(event: &Observed<'_>) -> bool {
    &*event.module == "windows"
        && (matches!(
            event.view.winlog.logon.kind.as_deref(),
            Some("System" | "Batch" | "Service")
        ) || event.user().is_some_and(super::windows_events::is_system_identity))
}

/// Logins outside work time.
pub struct OffHours {
    work: WorkTime,
    allow_users: Vec<String>,
    allow_sources: Vec<Network>,
    alerted: QuietKeys<(String, Option<SourceKey>)>,
}

impl OffHours {
    /// A detector with `config`'s work time and allowlists.
    pub fn new(config: &DetectConfig) -> Self {
        OffHours {
            work: config.work.clone(),
            allow_users: config.allow_users.clone(),
            allow_sources: config.allow_sources.clone(),
            alerted: QuietKeys::new(config.window_seconds(), config.max_tracked_keys()),
        }
    }

    fn allowed(&self, event: &Observed<'_>) -> bool {
        event
            .user()
            .is_some_and(|user| self.allow_users.iter().any(|allowed| allowed == user))
            || event
                .view
                .source
                .ip
                .as_deref()
                .is_some_and(|ip| self.allow_sources.iter().any(|network| network.contains(ip)))
    }
}

impl Detector for OffHours {
    fn rules(&self) -> &'static [&'static Rule] {
        &RULES
    }

    fn observe(&mut self, event: &Observed<'_>, alerts: &mut Vec<Alert>) {
        // A database login is an application's as often as a person's (the general log has
        // every pooled connection a web shop opens at night): MySQL logins count towards
        // brute force and its compromise, not towards the hour.
        if event.class != Some(EventClass::Success)
            || self.allowed(event)
            || &*event.module == "mysql"
            || is_windows_machine_logon(event)
        {
            return;
        }
        let Some(outside) = self.work.outside_work(event.time.unix_seconds()) else {
            return;
        };
        let now = event.time.unix_seconds();
        let user = event.user().unwrap_or("").to_owned();
        let key = (user, event.source);
        if !self.alerted.first(key, now) {
            return;
        }
        let rule = if outside.weekend { &WEEKEND } else { &OFF_HOURS };
        let burst = Burst::single(event);
        let mut message = burst.module_title();
        message.push_str(" login as ");
        message.push_str(event.user().unwrap_or("an unknown user"));
        if let Some(source) = event.source {
            // Writing to a String cannot fail.
            let _ = write!(message, " from {source}");
        }
        message.push(' ');
        outside.write_text(&mut message);
        let risk = crate::detect::risk_score(rule.severity, 1, 1);
        alerts.push(burst.alert(rule, event, event.source, message, risk));
    }

    fn expire(&mut self, now: i64) {
        self.alerted.expire(now);
    }

    fn evicted(&self) -> u64 {
        self.alerted.evicted()
    }

    fn save(&self) -> Option<serde_json::Result<String>> {
        Some(serde_json::to_string(self.alerted.save()))
    }

    fn restore(&mut self, saved: &str) -> serde_json::Result<()> {
        self.alerted.restore(serde_json::from_str(saved)?);
        Ok(())
    }

    fn thresholds(&self, id: &str) -> String {
        // MySQL logins and Windows' own logons are not counted (see `observe`).
        let people = "(a person's: not MySQL, nor Windows system, service or machine logons)";
        if id == WEEKEND_ID {
            format!("a successful login on {} {people}", self.work.weekend_text())
        } else {
            format!(
                "a successful login outside {} on a working day {people}",
                self.work.hours_text()
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_minutes_and_night_shifts() {
        let day = WorkTime::default();
        assert!(day.is_work_minute(8 * 60) && day.is_work_minute(18 * 60 - 1));
        assert!(!day.is_work_minute(18 * 60) && !day.is_work_minute(2 * 60 + 17));
        let night = WorkTime {
            start_minute: 22 * 60,
            end_minute: 6 * 60,
            ..WorkTime::default()
        };
        assert!(night.is_work_minute(23 * 60) && night.is_work_minute(60) && !night.is_work_minute(12 * 60));
        assert_eq!(day.hours_text(), "08:00–18:00");
        assert_eq!(day.weekend_text(), "Saturday and Sunday");
    }

    #[test]
    fn the_time_is_said_in_words() {
        let odd = WorkTime {
            zone: Zone::utc(),
            start_minute: 7 * 60 + 7,
            end_minute: 23 * 60 + 59,
            ..WorkTime::default()
        };
        assert_eq!(odd.hours_text(), "07:07–23:59");
        // 2026-03-14 00:01Z, a Saturday; 2026-03-16 02:17Z, a Monday.
        let weekend = odd.outside_work(1_773_446_460).expect("outside work");
        assert_eq!(weekend.text(), "on Saturday at 00:01 UTC, a weekend day");
        let night = odd.outside_work(1_773_627_420).expect("outside work");
        assert_eq!(night.text(), "on Monday at 02:17 UTC, outside work hours (07:07–23:59)");
        assert!(odd.outside_work(1_773_627_420 + 5 * 3600).is_none());
        // The zone's offset is said with the time: the report beside it shows UTC.
        let west = WorkTime {
            zone: "-03:30".parse().expect("zone"),
            ..odd
        };
        let evening = west.outside_work(1_773_627_420).expect("outside work");
        assert_eq!(evening.text(), "on Sunday at 22:47 UTC-03:30, a weekend day");
    }
}
