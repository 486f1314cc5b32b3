//! LogSentry: security log analysis as composable Unix filters exchanging NDJSON.
//!
//! The library does the work; each binary in `src/bin/` is a thin front end over
//! [`app`]. Records follow the Elastic Common Schema ([`schema`]).

pub mod app;
pub mod attack;
pub mod cli;
pub mod correlate;
pub mod detect;
pub mod diagnostics;
pub mod enrich;
pub mod ingest;
pub mod output;
pub mod parse;
pub mod report;
pub mod schema;
pub mod state;
pub mod text;
pub mod time;
