//! One AbuseIPDB check: `GET /api/v2/check?ipAddress=…&maxAgeInDays=90` with the key in the
//! `Key` header, the answer read into a [`Reputation`], every way it can go wrong named by a
//! [`LookupError`]. A 429 is waited out when its Retry-After (seconds or an HTTP date) is
//! short; the key is never part of a message. Whoever answers (the service, a proxy, a
//! server named by `--abuseipdb-url`) is not trusted: redirects are not followed, so the key
//! goes to the named host only, and an answer is read up to [`MAX_ANSWER_BYTES`].

use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::time::Duration;

/// AbuseIPDB's check endpoint.
pub const DEFAULT_URL: &str = "https://api.abuseipdb.com/api/v2/check";
/// Reports older than this are not counted (AbuseIPDB's own default is 30).
const MAX_AGE_DAYS: u32 = 90;
/// Times a 429 with a short Retry-After is waited out before giving up.
const RATE_LIMIT_RETRIES: u32 = 2;
/// Largest answer read: a real one is under 2 KB; a server that sends more (or announces
/// gigabytes) gets an "unreadable answer" note instead of the process's memory.
pub const MAX_ANSWER_BYTES: u64 = 64 * 1024;

/// What AbuseIPDB knows of an address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reputation {
    /// 0–100: how sure AbuseIPDB's users are that it is abusive.
    pub abuse_confidence_score: u32,
    /// Reports in the last 90 days.
    pub total_reports: u64,
    /// The latest report's time.
    pub last_reported_at: Option<String>,
    /// ISO 3166 country code.
    pub country_code: Option<String>,
    /// The network's operator.
    pub isp: Option<String>,
    /// `Data Center/Web Hosting/Transit`, `Fixed Line ISP`...
    pub usage_type: Option<String>,
    /// The operator's domain.
    pub domain: Option<String>,
}

impl Reputation {
    /// `low` (0–24), `moderate` (25–74) or `high` (75–100).
    pub fn band(&self) -> &'static str {
        match self.abuse_confidence_score {
            0..=24 => "low",
            25..=74 => "moderate",
            _ => "high",
        }
    }
}

/// Why a check gave no reputation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupError {
    /// No answer within the timeout.
    Timeout,
    /// The service could not be reached (DNS, refused connection, TLS).
    Unreachable(String),
    /// The key was refused (401 or 403): no later check can succeed.
    KeyRefused(u16),
    /// Too many requests, and the wait asked for is longer than we wait.
    RateLimited {
        /// Seconds AbuseIPDB asked us to wait, when it said.
        retry_after: Option<u64>,
    },
    /// The service failed (5xx) or answered an unexpected status.
    Status(u16),
    /// The answer was a redirect, which the API never sends: not followed, so the key does
    /// not travel to another host.
    Redirected(u16),
    /// The answer was not the JSON AbuseIPDB sends.
    BadAnswer(String),
}

impl LookupError {
    /// A short name of the kind of failure, for one warning per kind.
    pub fn kind(&self) -> &'static str {
        match self {
            LookupError::Timeout => "timeout",
            LookupError::Unreachable(_) => "unreachable",
            LookupError::KeyRefused(_) => "key refused",
            LookupError::RateLimited { .. } => "rate limited",
            LookupError::Status(_) => "HTTP error",
            LookupError::Redirected(_) => "redirect",
            LookupError::BadAnswer(_) => "bad answer",
        }
    }

    /// What the record's note says.
    pub fn note(&self) -> String {
        match self {
            LookupError::Timeout => "AbuseIPDB lookup failed: no answer in time".to_owned(),
            LookupError::Unreachable(why) => format!("AbuseIPDB lookup failed: {why}"),
            LookupError::KeyRefused(status) => format!("AbuseIPDB refused the API key (HTTP {status})"),
            LookupError::RateLimited {
                retry_after: Some(seconds),
            } => {
                format!("AbuseIPDB rate limit reached (retry after {seconds} s)")
            }
            LookupError::RateLimited { retry_after: None } => "AbuseIPDB rate limit reached".to_owned(),
            LookupError::Status(status) => format!("AbuseIPDB lookup failed: HTTP {status}"),
            LookupError::Redirected(status) => {
                format!(
                    "AbuseIPDB answered a redirect (HTTP {status}), not followed: the key stays with the named host"
                )
            }
            LookupError::BadAnswer(why) => format!("AbuseIPDB answered something unreadable: {why}"),
        }
    }
}

/// Why a client cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The TLS stack could not be set up (a data error: nothing the command line can mend).
    #[error("cannot set up HTTPS: {0}")]
    Tls(reqwest::Error),
    /// A lookup thread could not be started (a data error).
    #[error("cannot start a lookup thread: {0}")]
    NoThread(std::io::Error),
    /// `--abuseipdb-url` is not a URL (a usage error).
    #[error("--abuseipdb-url {url}: {reason}")]
    BadUrl {
        /// The URL as given.
        url: String,
        /// Why it is not one (the URL parser's words).
        reason: String,
    },
}

/// An AbuseIPDB client (cheap to clone: the connection pool is shared).
#[derive(Clone)]
pub struct Client {
    http: reqwest::blocking::Client,
    url: String,
    key: String,
    max_wait: Duration,
}

impl Client {
    /// A client of `url` with `key`; a check gives up after `timeout`, and a 429 asking for
    /// more than `max_wait` is not waited out.
    pub fn new(url: &str, key: &str, timeout: Duration, max_wait: Duration) -> Result<Self, ClientError> {
        // Ours is the only TLS configuration in the process; a second install is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::blocking::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("logsentry/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(ClientError::Tls)?;
        reqwest::Url::parse(url).map_err(|error| ClientError::BadUrl {
            url: url.to_owned(),
            reason: error.to_string(),
        })?;
        Ok(Client {
            http,
            url: url.to_owned(),
            key: key.to_owned(),
            max_wait,
        })
    }

    /// Checks one address.
    pub fn check(&self, address: IpAddr) -> Result<Reputation, LookupError> {
        let mut url = reqwest::Url::parse(&self.url).map_err(|error| LookupError::Unreachable(error.to_string()))?;
        url.query_pairs_mut()
            .append_pair("ipAddress", &address.to_string())
            .append_pair("maxAgeInDays", &MAX_AGE_DAYS.to_string());
        let mut attempt = 0;
        loop {
            let response = self
                .http
                .get(url.clone())
                .header("Key", &self.key)
                .header("Accept", "application/json")
                .send()
                .map_err(|error| self.transport_error(&error))?;
            let status = response.status().as_u16();
            match status {
                200 => return parse_answer(&self.read_body(response)?),
                300..=399 => return Err(LookupError::Redirected(status)),
                401 | 403 => return Err(LookupError::KeyRefused(status)),
                429 => {
                    let retry_after = response
                        .headers()
                        .get("retry-after")
                        .and_then(|value| value.to_str().ok())
                        .and_then(|value| retry_after_seconds(value, chrono::Utc::now()));
                    match retry_after {
                        Some(seconds)
                            if attempt < RATE_LIMIT_RETRIES && Duration::from_secs(seconds) <= self.max_wait =>
                        {
                            attempt += 1;
                            std::thread::sleep(Duration::from_secs(seconds));
                        }
                        _ => return Err(LookupError::RateLimited { retry_after }),
                    }
                }
                other => return Err(LookupError::Status(other)),
            }
        }
    }

    /// The answer's body, at most [`MAX_ANSWER_BYTES`]: a larger announced length is refused
    /// before reading, a longer body after that many bytes.
    fn read_body(&self, response: reqwest::blocking::Response) -> Result<Vec<u8>, LookupError> {
        use std::io::Read;
        let too_large = || {
            LookupError::BadAnswer(format!(
                "an answer larger than {} KB, not read",
                MAX_ANSWER_BYTES / 1024
            ))
        };
        if response
            .content_length()
            .is_some_and(|length| length > MAX_ANSWER_BYTES)
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        response
            .take(MAX_ANSWER_BYTES + 1)
            .read_to_end(&mut body)
            .map_err(
                |error| match error.get_ref().and_then(|inner| inner.downcast_ref::<reqwest::Error>()) {
                    Some(error) => self.transport_error(error),
                    None => LookupError::Unreachable(error.to_string()),
                },
            )?;
        if body.len() as u64 > MAX_ANSWER_BYTES {
            return Err(too_large());
        }
        Ok(body)
    }

    /// A transport failure, described without the key (it travels in a header, but a
    /// message must not carry it even if a proxy or redirect put it in the URL).
    fn transport_error(&self, error: &reqwest::Error) -> LookupError {
        if error.is_timeout() {
            return LookupError::Timeout;
        }
        let mut text = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            text = format!("{text}: {cause}");
            source = cause.source();
        }
        if !self.key.is_empty() {
            text = text.replace(&self.key, "***");
        }
        LookupError::Unreachable(text)
    }
}

/// A Retry-After value in seconds from `now`: delay-seconds or an HTTP date (RFC 9110; a date
/// already past is no wait).
fn retry_after_seconds(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<u64> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(seconds);
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    Some(u64::try_from((date.with_timezone(&chrono::Utc) - now).num_seconds()).unwrap_or(0))
}

#[derive(Deserialize)]
struct Answer {
    data: AnswerData,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AnswerData {
    abuse_confidence_score: f64,
    #[serde(default)]
    total_reports: Option<f64>,
    #[serde(default)]
    last_reported_at: Option<String>,
    #[serde(default)]
    country_code: Option<String>,
    #[serde(default)]
    isp: Option<String>,
    #[serde(default)]
    usage_type: Option<String>,
    #[serde(default)]
    domain: Option<String>,
}

/// Reads AbuseIPDB's JSON answer.
pub fn parse_answer(body: &[u8]) -> Result<Reputation, LookupError> {
    let answer: Answer = serde_json::from_slice(body).map_err(|error| LookupError::BadAnswer(error.to_string()))?;
    let data = answer.data;
    Ok(Reputation {
        abuse_confidence_score: data.abuse_confidence_score.clamp(0.0, 100.0) as u32,
        total_reports: data.total_reports.unwrap_or(0.0).max(0.0) as u64,
        last_reported_at: data.last_reported_at,
        country_code: data.country_code,
        isp: data.isp,
        usage_type: data.usage_type,
        domain: data.domain,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_seconds_or_a_date() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-07T10:00:00Z")
            .expect("time")
            .with_timezone(&chrono::Utc);
        assert_eq!(retry_after_seconds(" 3 ", now), Some(3));
        assert_eq!(retry_after_seconds("Mon, 07 Dec 2026 10:00:42 GMT", now), Some(42));
        assert_eq!(retry_after_seconds("Mon, 07 Dec 2026 09:00:00 GMT", now), Some(0));
        assert_eq!(retry_after_seconds("soon", now), None);
    }

    #[test]
    fn answers_are_read_and_banded() {
        let body = br#"{"data":{"ipAddress":"118.25.6.39","isPublic":true,"ipVersion":4,"isWhitelisted":false,"abuseConfidenceScore":100,"countryCode":"CN","usageType":"Data Center/Web Hosting/Transit","isp":"Tencent Cloud Computing (Beijing) Co. Ltd","domain":"tencent.com","hostnames":[],"isTor":false,"totalReports":1,"numDistinctUsers":1,"lastReportedAt":"2018-12-20T20:55:14+00:00"}}"#;
        let reputation = parse_answer(body).expect("an answer");
        assert_eq!(reputation.abuse_confidence_score, 100);
        assert_eq!(reputation.band(), "high");
        assert_eq!(reputation.country_code.as_deref(), Some("CN"));
        assert_eq!(
            reputation.last_reported_at.as_deref(),
            Some("2018-12-20T20:55:14+00:00")
        );
        let band = |score| {
            Reputation {
                abuse_confidence_score: score,
                ..reputation.clone()
            }
            .band()
        };
        assert_eq!(
            (band(0), band(24), band(25), band(74), band(75)),
            ("low", "low", "moderate", "moderate", "high")
        );
        assert!(matches!(
            parse_answer(b"{\"errors\":[]}"),
            Err(LookupError::BadAnswer(_))
        ));
        assert!(matches!(parse_answer(b"<html>"), Err(LookupError::BadAnswer(_))));
    }
}
