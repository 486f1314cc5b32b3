//! `ls-report`: events, alerts and incidents → a report a person reads (self-contained
//! HTML, Markdown, CSV or the JSON data model).

pub mod activity;
pub mod collect;
pub mod csv;
pub mod destination;
pub mod fields;
pub mod kept;
pub mod model;
pub mod render;

pub use collect::{Collector, Malformed, ReadRecord, RecordKind, TrendCounts, TREND_DAYS};
pub use destination::{Destination, DestinationError};
pub use model::ReportData;
pub use render::{Format, Renderer, TemplateError};
