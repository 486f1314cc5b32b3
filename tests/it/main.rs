//! The integration tests: one binary driving the real executables through pipes.

mod abuseipdb;
mod browser;
mod cli;
mod common;
mod corpus;
mod correlate;
mod detect;
mod docs;
mod enrich;
mod evtx;
mod evtx_writer;
#[path = "../support/evtx_writer.rs"]
mod evtx_writer_support;
mod geoip;
mod golden;
mod hostile;
mod layers;
#[path = "../support/mmdb_writer.rs"]
mod mmdb_writer_support;
mod mysql;
mod no_panic;
mod pipeline;
mod query_accuracy;
mod readme;
mod report;
mod robustness;
mod state;
mod streaming;
mod web_accuracy;
