//! Reading a Windows `.evtx` file: the `evtx` crate decodes its 64 KiB chunks on a thread of
//! ours (and on its pool, with several threads; chunks still come out in file order),
//! rendering each chunk's records as JSON into one buffer. The decoded chunks reach the
//! reader in batches over a bounded channel, and the reader maps each record to an event
//! while the next batch is decoded: memory stays a few batches deep however large the file.
//!
//! The chunk-at-a-time rendering is `evtx_dump`'s own path (`chunks_json_bytes`), which the
//! crate marks as internal: it is a quarter cheaper than rendering record by record, which
//! matters when the whole mapping is held to a tenth of the decoding's cost. The crate is
//! pinned to the exact version this was written against for that reason.

use crate::parse::evtx::{map_record, RecordCtx, RecordText, EVTX_MAGIC};
use crate::schema::EventWriter;
use crate::time::Timestamp;
use evtx::{EvtxParser, ParserSettings, RenderedChunk, RenderedChunkItem};
use std::collections::VecDeque;
use std::io::{self, Read, Seek};
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver};
use std::thread::JoinHandle;

/// Batches decoded ahead of the reader.
const CHANNEL_DEPTH: usize = 2;

/// Decoded chunks are handed over in batches of about this many bytes: a hand-over per
/// 64 KiB chunk wakes the reader so often that the switching costs several percent.
const BATCH_BYTES: usize = 256 << 10;

/// One chunk's events.
#[derive(Debug, Default)]
pub struct MappedChunk {
    /// The events, one NDJSON line each.
    pub ndjson: Vec<u8>,
    /// Where each event's line ends in `ndjson`, and its time for merging inputs.
    pub ends: Vec<(usize, Timestamp)>,
}

/// What the reader gets.
#[derive(Debug)]
pub enum EvtxItem {
    /// A batch of events, in record order.
    Chunk(MappedChunk),
    /// A chunk or record that could not be decoded (skipped; the rest is still read), or a
    /// decoded record that is not an event: which one, where and why.
    Damaged(String),
}

/// An EVTX input being decoded.
///
/// The crate decodes on a thread of its own (and its pool, with `threads` > 1) while the
/// reader maps the previous batch to events in [`EvtxStream::next_item`]: decoding and
/// mapping overlap on two cores, and the mapping never competes with the decoding threads
/// for a core they could use.
pub struct EvtxStream {
    batches: Receiver<Vec<RenderedChunk>>,
    /// Mapped batches go back to the decoding thread to be freed there: memory freed by
    /// another thread is not reused by the allocator as readily, and the decoder then pays a
    /// page fault per fresh 4 KiB.
    done: std::sync::mpsc::Sender<Vec<RenderedChunk>>,
    decoder: Option<JoinHandle<()>>,
    ready: VecDeque<EvtxItem>,
    options: EvtxOptions,
    writer: EventWriter,
    last_time: Timestamp,
    /// Emptied batches handed back by the reader: a fresh megabyte-sized buffer per batch
    /// cost a page fault per 4 KiB, a third of the mapping's time.
    spare: Vec<MappedChunk>,
}

/// How to decode.
#[derive(Clone, Debug)]
pub struct EvtxOptions {
    /// Decoding threads; 0 means one per CPU.
    pub threads: usize,
    /// The input path for `log.file.path`.
    pub path: Option<String>,
    /// Keep each record's JSON in `event.original`.
    pub keep_original: bool,
}

impl EvtxStream {
    /// Decodes a file in place (it is read chunk by chunk, never whole).
    pub fn open_file(path: &Path, options: EvtxOptions) -> io::Result<Self> {
        let file = std::fs::File::open(path)?;
        let parser = EvtxParser::from_read_seek(file).map_err(invalid)?;
        Ok(Self::start(parser, options))
    }

    /// Decodes an input that cannot seek (stdin, a decompressed stream): it is read into
    /// memory first, as the format's chunk table needs random access.
    pub fn open_stream(mut read: Box<dyn Read + Send>, options: EvtxOptions) -> io::Result<Self> {
        let mut bytes = Vec::new();
        read.read_to_end(&mut bytes)?;
        let parser = EvtxParser::from_buffer(bytes).map_err(invalid)?;
        Ok(Self::start(parser, options))
    }

    fn start<T: Read + Seek + Send + 'static>(parser: EvtxParser<T>, options: EvtxOptions) -> Self {
        let (sender, batches) = sync_channel(CHANNEL_DEPTH);
        let (done, mapped) = std::sync::mpsc::channel::<Vec<RenderedChunk>>();
        let settings = ParserSettings::new().num_threads(options.threads).indent(false);
        let mut parser = parser.with_configuration(settings);
        let decoder = std::thread::Builder::new()
            .name("evtx-decoder".to_owned())
            .spawn(move || {
                let mut batch = Vec::new();
                let mut batch_bytes = 0;
                for rendered in parser.chunks_json_bytes(false) {
                    while let Ok(finished) = mapped.try_recv() {
                        drop(finished);
                    }
                    batch_bytes += rendered.data.len();
                    batch.push(rendered);
                    if batch_bytes >= BATCH_BYTES {
                        batch_bytes = 0;
                        if sender.send(std::mem::take(&mut batch)).is_err() {
                            // The reader is gone (a broken pipe, or it stopped early).
                            return;
                        }
                    }
                }
                if !batch.is_empty() {
                    let _ = sender.send(batch);
                }
            });
        let mut ready = VecDeque::new();
        let decoder = decoder
            .map_err(|error| ready.push_back(EvtxItem::Damaged(format!("cannot start the decoder: {error}"))))
            .ok();
        EvtxStream {
            batches,
            done,
            decoder,
            ready,
            options,
            writer: EventWriter::default(),
            last_time: Timestamp::from_unix(0, 0),
            spare: Vec::new(),
        }
    }

    /// Takes back a batch the reader is done with, to be filled again.
    pub fn recycle(&mut self, mut chunk: MappedChunk) {
        if self.spare.len() < 2 && chunk.ndjson.capacity() > 0 {
            chunk.ndjson.clear();
            chunk.ends.clear();
            self.spare.push(chunk);
        }
    }

    /// The next batch of events or problem, or `None` at the end of the file.
    pub fn next_item(&mut self) -> Option<EvtxItem> {
        loop {
            if let Some(item) = self.ready.pop_front() {
                return Some(item);
            }
            match self.batches.recv() {
                Ok(batch) => {
                    self.map_batch(&batch);
                    // If the decoder has finished, the batch is freed here instead.
                    let _ = self.done.send(batch);
                }
                Err(_) => {
                    let decoder = self.decoder.take()?;
                    return decoder
                        .join()
                        .is_err()
                        .then(|| EvtxItem::Damaged("the decoder failed unexpectedly".to_owned()));
                }
            }
        }
    }

    /// Maps a batch into one [`MappedChunk`], followed by its problems.
    fn map_batch(&mut self, batch: &[RenderedChunk]) {
        let bytes: usize = batch.iter().map(|rendered| rendered.data.len()).sum();
        let records: usize = batch.iter().map(|rendered| rendered.items.len()).sum();
        let mut chunk = self.spare.pop().unwrap_or_default();
        chunk.ndjson.reserve(bytes + bytes / 2);
        chunk.ends.reserve(records);
        let mut problems = Vec::new();
        for rendered in batch {
            let mut start = 0;
            for item in &rendered.items {
                match item {
                    RenderedChunkItem::Failed(error) => problems.push(describe(error)),
                    RenderedChunkItem::Record { event_record_id, end } => {
                        // Each record's JSON ends in `\n`.
                        let json = rendered.data.get(start..end.saturating_sub(1)).unwrap_or_default();
                        start = *end;
                        let record = MappedRecord {
                            record_id: *event_record_id,
                            fallback_time: self.last_time,
                        };
                        match map_rendered(json, record, &self.options, &mut self.writer, &mut chunk.ndjson) {
                            Ok(timestamp) => {
                                self.last_time = timestamp;
                                chunk.ends.push((chunk.ndjson.len(), timestamp));
                            }
                            Err(problem) => problems.push(problem),
                        }
                    }
                }
            }
        }
        if !chunk.ends.is_empty() {
            self.ready.push_back(EvtxItem::Chunk(chunk));
        }
        self.ready.extend(problems.into_iter().map(EvtxItem::Damaged));
    }
}

/// The header facts of one record.
struct MappedRecord {
    record_id: u64,
    fallback_time: Timestamp,
}

fn map_rendered(
    json: &[u8],
    record: MappedRecord,
    options: &EvtxOptions,
    writer: &mut EventWriter,
    out: &mut Vec<u8>,
) -> Result<Timestamp, String> {
    let record_id = record.record_id;
    let json = std::str::from_utf8(json).map_err(|_| format!("record {record_id}: decoded text is not UTF-8"))?;
    let text = RecordText {
        json,
        record_id,
        fallback_time: record.fallback_time,
    };
    let ctx = RecordCtx {
        path: options.path.as_deref(),
        keep_original: options.keep_original,
    };
    map_record(text, ctx, writer, out).map_err(|reject| format!("record {record_id}: {reject}"))
}

/// The error and its causes in one line: the crate says which chunk or record, its causes
/// say why.
fn describe(error: &evtx::err::EvtxError) -> String {
    let mut text = error.to_string();
    let mut cause = std::error::Error::source(error);
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}

fn invalid(error: evtx::err::EvtxError) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("not a readable EVTX file: {}", describe(&error)),
    )
}

/// Whether `head` (the first bytes of an input) is an EVTX file header.
pub fn is_evtx(head: &[u8]) -> bool {
    head.starts_with(EVTX_MAGIC)
}
