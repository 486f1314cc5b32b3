//! Reading a Windows `.evtx` file: the `evtx` crate decodes its 64 KiB chunks on a thread of
//! ours (and on its pool, with several threads; chunks still come out in file order),
//! rendering each chunk's records as JSON into one buffer. The decoded chunks are handed on
//! in batches over a bounded channel and mapped to events while the next batch is decoded:
//! memory stays a few batches deep however large the file.
//!
//! With one decoding thread the reader maps each batch itself. With several, the mapping
//! costs about what the decoding does, so one mapping thread would cap the whole at one
//! core's worth of mapping: batches are mapped by as many threads as decode, and the reader
//! puts them back in file order.
//!
//! The chunk-at-a-time rendering is `evtx_dump`'s own path (`chunks_json_bytes`), which the
//! crate marks as internal: it is a quarter cheaper than rendering record by record, which
//! matters when the whole mapping is held to a tenth of the decoding's cost. The crate is
//! pinned to the exact version this was written against for that reason.

use super::{map_record, MappedTime, RecordCtx, RecordText, EVTX_MAGIC};
use crate::schema::EventWriter;
use crate::time::Timestamp;
use evtx::{EvtxParser, ParserSettings, RenderedChunk, RenderedChunkItem};
use std::collections::{BTreeMap, VecDeque};
use std::io::{self, Read, Seek};
use std::path::Path;
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// Batches decoded ahead of the mapping, per mapping thread.
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
    /// The file ends inside a chunk: the records before the cut are read, the rest of the
    /// chunk was never copied. The input counts as failed (exit 1).
    Cut(String),
}

/// A decoded batch, numbered in file order.
type Batch = (u64, Vec<RenderedChunk>);

/// An EVTX input being decoded.
///
/// The crate decodes on a thread of its own (and its pool, with `threads` > 1) while the
/// previous batch is mapped to events, by the reader in [`EvtxStream::next_item`] or, with
/// several decoding threads, by as many mapping threads: decoding and mapping overlap.
pub struct EvtxStream {
    mapping: Mapping,
    /// Mapped batches go back to the decoding thread to be freed there: memory freed by
    /// another thread is not reused by the allocator as readily, and the decoder then pays a
    /// page fault per fresh 4 KiB.
    done: Sender<Vec<RenderedChunk>>,
    decoder: Option<JoinHandle<()>>,
    ready: VecDeque<EvtxItem>,
    options: EvtxOptions,
    writer: EventWriter,
    last_time: Timestamp,
    /// Emptied batches handed back by the reader: a fresh megabyte-sized buffer per batch
    /// cost a page fault per 4 KiB, a third of the mapping's time.
    spare: Spare,
}

/// Where the batches are mapped.
enum Mapping {
    /// By the reader, as they arrive.
    Here(Receiver<Batch>),
    /// By mapping threads; the reader puts their results back in order.
    Threads {
        results: Receiver<(u64, MappedBatch)>,
        waiting: BTreeMap<u64, MappedBatch>,
        next: u64,
        workers: Vec<JoinHandle<()>>,
    },
}

/// Emptied [`MappedChunk`]s to fill again, shared with the mapping threads.
type Spare = Arc<Mutex<Vec<MappedChunk>>>;

/// How to decode.
#[derive(Clone, Debug)]
pub struct EvtxOptions {
    /// Decoding threads, and as many mapping threads beyond one; 0 means one per CPU.
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
        let length = file.metadata()?.len();
        let Some((chunk, padded_length)) = super::padded::cut_chunk(length) else {
            let parser = EvtxParser::from_read_seek(file).map_err(invalid)?;
            return Ok(Self::start(parser, options));
        };
        let padded = super::padded::ZeroPadded::new(file, length, padded_length);
        let parser = EvtxParser::from_read_seek(padded).map_err(invalid)?;
        Ok(Self::start(parser, options).cut_at(chunk, length))
    }

    /// Says first that the file ends inside `chunk`.
    fn cut_at(mut self, chunk: u64, length: u64) -> Self {
        self.ready.push_front(EvtxItem::Cut(format!(
            "damaged: the file ({length} bytes) ends inside chunk {chunk}, as when it is copied while \
             Windows writes it; the records before the cut are read, the rest of that chunk is lost"
        )));
        self
    }

    /// Decodes an input that cannot seek (stdin, a decompressed stream): it is read into
    /// memory first, as the format's chunk table needs random access.
    pub fn open_stream(mut read: Box<dyn Read + Send>, options: EvtxOptions) -> io::Result<Self> {
        let mut bytes = Vec::new();
        read.read_to_end(&mut bytes)?;
        let length = bytes.len() as u64;
        let cut = super::padded::cut_chunk(length);
        if let Some((_, padded_length)) = cut {
            bytes.resize(
                usize::try_from(padded_length).map_err(|_| io::ErrorKind::OutOfMemory)?,
                0,
            );
        }
        let parser = EvtxParser::from_buffer(bytes).map_err(invalid)?;
        let stream = Self::start(parser, options);
        Ok(match cut {
            Some((chunk, _)) => stream.cut_at(chunk, length),
            None => stream,
        })
    }

    fn start<T: Read + Seek + Send + 'static>(parser: EvtxParser<T>, options: EvtxOptions) -> Self {
        let threads = match options.threads {
            0 => std::thread::available_parallelism().map_or(1, usize::from),
            threads => threads,
        };
        let mappers = if threads > 1 { threads } else { 0 };
        let (sender, batches) = sync_channel(CHANNEL_DEPTH * mappers.max(1));
        let (done, mapped) = channel::<Vec<RenderedChunk>>();
        let settings = ParserSettings::new().num_threads(threads).indent(false);
        let mut ready = VecDeque::new();
        let decoder = spawn_decoder(parser.with_configuration(settings), sender, mapped)
            .map_err(|error| ready.push_back(EvtxItem::Damaged(format!("cannot start the decoder: {error}"))))
            .ok();
        let spare = Spare::default();
        let mapping = if mappers == 0 {
            Mapping::Here(batches)
        } else {
            let shared = Mapper {
                batches: Arc::new(Mutex::new(batches)),
                done: done.clone(),
                spare: Arc::clone(&spare),
                options: options.clone(),
            };
            spawn_mappers(&shared, mappers, &mut ready)
        };
        EvtxStream {
            mapping,
            done,
            decoder,
            ready,
            options,
            writer: EventWriter::default(),
            last_time: Timestamp::from_unix(0, 0),
            spare,
        }
    }

    /// Takes back a batch the reader is done with, to be filled again.
    pub fn recycle(&mut self, mut chunk: MappedChunk) {
        let Ok(mut spare) = self.spare.lock() else { return };
        if spare.len() < 4 && chunk.ndjson.capacity() > 0 {
            chunk.ndjson.clear();
            chunk.ends.clear();
            spare.push(chunk);
        }
    }

    /// The next batch of events or problem, or `None` at the end of the file.
    pub fn next_item(&mut self) -> Option<EvtxItem> {
        loop {
            if let Some(item) = self.ready.pop_front() {
                return Some(item);
            }
            let mapped = match &mut self.mapping {
                Mapping::Here(batches) => batches.recv().ok().map(|(_, batch)| {
                    let chunk = take_spare(&self.spare);
                    let fallback = Some(self.last_time);
                    let mapped = map_batch(&batch, chunk, fallback, &self.options, &mut self.writer);
                    // If the decoder has finished, the batch is freed here instead.
                    let _ = self.done.send(batch);
                    mapped
                }),
                Mapping::Threads {
                    results, waiting, next, ..
                } => loop {
                    if let Some(mapped) = waiting.remove(next) {
                        *next += 1;
                        break Some(mapped);
                    }
                    match results.recv() {
                        Ok((number, mapped)) => {
                            waiting.insert(number, mapped);
                        }
                        // Every mapping thread has ended. With batches still waiting, one
                        // of them died with the batch before: the rest are still the file.
                        Err(_) => match waiting.pop_first() {
                            Some((number, mapped)) => {
                                self.ready.push_back(EvtxItem::Damaged(format!(
                                    "a mapping thread failed: the records of batches {next} to {} are lost",
                                    number.saturating_sub(1)
                                )));
                                *next = number + 1;
                                break Some(mapped);
                            }
                            None => break None,
                        },
                    }
                },
            };
            match mapped {
                Some(mapped) => self.take(mapped),
                None => return self.finish(),
            }
        }
    }

    /// Queues a mapped batch's events and problems, giving the records that had no time of
    /// their own before the batch's first one the time of the record before them.
    fn take(&mut self, mut mapped: MappedBatch) {
        if !mapped.untimed.is_empty() {
            let untimed = std::mem::take(&mut mapped.untimed);
            mapped.chunk = self.remap_untimed(mapped.chunk, untimed, &mut mapped.problems);
        }
        if let Some((_, last)) = mapped.chunk.ends.last() {
            self.last_time = *last;
        }
        if !mapped.chunk.ends.is_empty() {
            self.ready.push_back(EvtxItem::Chunk(mapped.chunk));
        }
        self.ready.extend(mapped.problems.into_iter().map(EvtxItem::Damaged));
    }

    /// `chunk` with the events of `untimed` mapped again with the time the reader knows.
    fn remap_untimed(&mut self, chunk: MappedChunk, untimed: Vec<Untimed>, problems: &mut Vec<String>) -> MappedChunk {
        let mut fixed = take_spare(&self.spare);
        let mut start = 0;
        let mut untimed = untimed.into_iter().peekable();
        for (index, &(end, timestamp)) in chunk.ends.iter().enumerate() {
            match untimed.next_if(|record| record.line == index) {
                Some(record) => {
                    let mapped = MappedRecord {
                        record_id: record.record_id,
                        fallback_time: self.last_time,
                    };
                    match map_rendered(&record.json, mapped, &self.options, &mut self.writer, &mut fixed.ndjson) {
                        Ok(time) => fixed.ends.push((fixed.ndjson.len(), time.timestamp)),
                        Err(problem) => problems.push(problem.to_string()),
                    }
                }
                None => {
                    fixed
                        .ndjson
                        .extend_from_slice(chunk.ndjson.get(start..end).unwrap_or_default());
                    fixed.ends.push((fixed.ndjson.len(), timestamp));
                }
            }
            start = end;
        }
        self.recycle(chunk);
        fixed
    }

    /// The end of the input: the threads are done; `None`, or what went wrong with them.
    fn finish(&mut self) -> Option<EvtxItem> {
        let mut failed = false;
        if let Mapping::Threads { workers, .. } = &mut self.mapping {
            for worker in workers.drain(..) {
                failed |= worker.join().is_err();
            }
        }
        if let Some(decoder) = self.decoder.take() {
            failed |= decoder.join().is_err();
        }
        failed.then(|| EvtxItem::Damaged("the decoder failed unexpectedly".to_owned()))
    }
}

fn take_spare(spare: &Spare) -> MappedChunk {
    spare.lock().ok().and_then(|mut spare| spare.pop()).unwrap_or_default()
}

/// The decoding thread: renders the chunks and hands them on in numbered batches.
fn spawn_decoder<T: Read + Seek + Send + 'static>(
    mut parser: EvtxParser<T>,
    sender: SyncSender<Batch>,
    mapped: Receiver<Vec<RenderedChunk>>,
) -> io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("evtx-decoder".to_owned())
        .spawn(move || {
            let mut batch = Vec::new();
            let mut batch_bytes = 0;
            let mut number = 0;
            for rendered in parser.chunks_json_bytes(false) {
                while let Ok(finished) = mapped.try_recv() {
                    drop(finished);
                }
                batch_bytes += rendered.data.len();
                batch.push(rendered);
                if batch_bytes >= BATCH_BYTES {
                    batch_bytes = 0;
                    if sender.send((number, std::mem::take(&mut batch))).is_err() {
                        // The reader is gone (a broken pipe, or it stopped early).
                        return;
                    }
                    number += 1;
                }
            }
            if !batch.is_empty() {
                let _ = sender.send((number, batch));
            }
        })
}

/// `count` mapping threads sharing `shared`, their results to be put back in order.
fn spawn_mappers(shared: &Mapper, count: usize, ready: &mut VecDeque<EvtxItem>) -> Mapping {
    let (results_sender, results) = sync_channel(CHANNEL_DEPTH * count);
    let workers = (0..count)
        .filter_map(|index| {
            let mapper = shared.clone();
            let results = results_sender.clone();
            std::thread::Builder::new()
                .name(format!("evtx-mapper-{index}"))
                .spawn(move || mapper.run(&results))
                .map_err(|error| ready.push_back(EvtxItem::Damaged(format!("cannot start a mapping thread: {error}"))))
                .ok()
        })
        .collect();
    Mapping::Threads {
        results,
        waiting: BTreeMap::new(),
        next: 0,
        workers,
    }
}

/// A mapping thread: takes decoded batches as they come and maps them.
#[derive(Clone)]
struct Mapper {
    batches: Arc<Mutex<Receiver<Batch>>>,
    done: Sender<Vec<RenderedChunk>>,
    spare: Spare,
    options: EvtxOptions,
}

impl Mapper {
    fn run(self, results: &SyncSender<(u64, MappedBatch)>) {
        let mut writer = EventWriter::default();
        loop {
            let next = match self.batches.lock() {
                Ok(batches) => batches.recv(),
                Err(_) => return,
            };
            let Ok((number, batch)) = next else { return };
            let chunk = take_spare(&self.spare);
            let mapped = map_batch(&batch, chunk, None, &self.options, &mut writer);
            let _ = self.done.send(batch);
            if results.send((number, mapped)).is_err() {
                return;
            }
        }
    }
}

/// A batch's events and problems.
struct MappedBatch {
    chunk: MappedChunk,
    problems: Vec<String>,
    /// Records with no time of their own before the batch's first record with one, mapped
    /// by a thread that could not know the time before them: the reader maps them again.
    untimed: Vec<Untimed>,
}

/// A record to map again with the time of the record before it.
struct Untimed {
    /// Its event's line in the batch.
    line: usize,
    record_id: u64,
    json: Vec<u8>,
}

/// Maps a batch into `chunk`. A record without a time of its own gets the time of the record
/// before it: `fallback`, before the batch's first record with one, when the caller knows it;
/// when it does not, such records are listed in `untimed`.
fn map_batch(
    batch: &[RenderedChunk],
    mut chunk: MappedChunk,
    fallback: Option<Timestamp>,
    options: &EvtxOptions,
    writer: &mut EventWriter,
) -> MappedBatch {
    let bytes: usize = batch.iter().map(|rendered| rendered.data.len()).sum();
    let records: usize = batch.iter().map(|rendered| rendered.items.len()).sum();
    chunk.ndjson.reserve(bytes + bytes / 2);
    chunk.ends.reserve(records);
    let mut problems = Vec::new();
    let mut untimed = Vec::new();
    let mut last_time = fallback;
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
                        fallback_time: last_time.unwrap_or(Timestamp::from_unix(0, 0)),
                    };
                    match map_rendered(json, record, options, writer, &mut chunk.ndjson) {
                        Ok(MappedTime { timestamp, fallback }) => {
                            if fallback && last_time.is_none() {
                                untimed.push(Untimed {
                                    line: chunk.ends.len(),
                                    record_id: *event_record_id,
                                    json: json.to_vec(),
                                });
                            } else {
                                last_time = Some(timestamp);
                            }
                            chunk.ends.push((chunk.ndjson.len(), timestamp));
                        }
                        Err(problem) => problems.push(problem.to_string()),
                    }
                }
            }
        }
    }
    MappedBatch {
        chunk,
        problems,
        untimed,
    }
}

/// The header facts of one record.
struct MappedRecord {
    record_id: u64,
    fallback_time: Timestamp,
}

/// A decoded record the mapping could not turn into an event.
#[derive(Debug, thiserror::Error)]
#[error("record {record_id}: {reason}")]
struct UnmappedRecord {
    record_id: u64,
    reason: &'static str,
}

fn map_rendered(
    json: &[u8],
    record: MappedRecord,
    options: &EvtxOptions,
    writer: &mut EventWriter,
    out: &mut Vec<u8>,
) -> Result<MappedTime, UnmappedRecord> {
    let record_id = record.record_id;
    let unmapped = |reason| UnmappedRecord { record_id, reason };
    let json = std::str::from_utf8(json).map_err(|_| unmapped("decoded text is not UTF-8"))?;
    let text = RecordText {
        json,
        record_id,
        fallback_time: record.fallback_time,
    };
    let ctx = RecordCtx {
        path: options.path.as_deref(),
        keep_original: options.keep_original,
    };
    map_record(text, ctx, writer, out).map_err(|reject| unmapped(reject.reason))
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
