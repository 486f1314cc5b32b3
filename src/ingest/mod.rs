//! Bytes in: inputs (files, stdin, gzip, directories), a line reader that reuses its buffers,
//! `tail -F`-style following, and text decoding that never loses a byte.

pub mod evtx;
mod follow;
mod input;
mod lines;
mod text;

pub use follow::FollowedFile;
pub use input::{expand_inputs, open_input, peek, InputSpec, Inputs, OpenError};
pub use lines::{Line, LineReader};
pub use text::{split_cr, to_text};
