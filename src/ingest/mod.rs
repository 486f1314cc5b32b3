//! Bytes in: inputs (files, stdin, gzip, directories), a line reader that reuses its buffers,
//! `tail -F`-style following, and text decoding that never loses a byte.

mod driver;
mod follow;
mod input;
mod lines;
mod text;

pub use driver::{drive, DriveError, FollowState, IngestConfig, Reading};
pub use follow::{FollowedFile, ReadPosition, HEAD_BYTES};
pub use input::{expand_inputs, open_input, peek, Expand, InputSpec, Inputs, OpenError};
pub use lines::{Line, LineError, LineReader};
pub use text::{split_cr, to_text};
