//! A small EVTX writer: the Windows event log file format (MS-EVEN6), enough for the evtx
//! crate to read back exactly what was written. The repository may not hold third-party
//! `.evtx` files, so this makes our own: `sample_logs/Security.evtx` and the bench's large
//! files. It is test and sample tooling, not part of any binary.
//!
//! Layout: a 4 KiB file header, then 64 KiB chunks. A chunk has a 512-byte header (with its
//! string and template tables) and records; each record is a header and an event as Binary
//! XML. Every element name is written inline at its first use in a chunk and referred to by
//! offset afterwards, and linked into the chunk's string table. Checksums are CRC32 as the
//! format defines them.
//!
//! Records come in the two shapes the format has. `EvtxWriter::default()` writes plain
//! element trees, every value inline. `EvtxWriter::templated()` writes what Windows writes:
//! a template instance, whose template (the event's elements, with numbered substitutions
//! where the values go) is defined once per chunk for each shape of event and referred to
//! by offset afterwards, followed by the record's typed values: the event ID as a UInt16,
//! the time as a FILETIME, the record ID as a UInt64, strings as UTF-16.

#![allow(dead_code)]

const FILE_HEADER_SIZE: usize = 4096;
const CHUNK_SIZE: usize = 65536;
const CHUNK_HEADER_SIZE: usize = 512;
const RECORD_HEADER_SIZE: usize = 24;
const EVENT_NAMESPACE: &str = "http://schemas.microsoft.com/win/2004/08/events/event";
/// Seconds from 1601-01-01 (FILETIME's epoch) to 1970-01-01.
const FILETIME_UNIX_OFFSET: i64 = 11_644_473_600;

/// One event to write.
#[derive(Clone, Debug)]
pub struct WinEvent {
    /// The event ID (4625).
    pub event_id: u32,
    /// When it happened: seconds since 1970 (UTC) and nanoseconds.
    pub unix_seconds: i64,
    /// Nanoseconds within the second (kept to the 100 ns of FILETIME).
    pub nanos: u32,
    /// Whether `System` has its `TimeCreated` (damaged or hand-made records may not).
    pub time_created: bool,
    /// `Security`, `System`.
    pub channel: String,
    /// `Microsoft-Windows-Security-Auditing`.
    pub provider: String,
    /// The computer that logged it.
    pub computer: String,
    /// `EventData` as `<Data Name="...">value</Data>`, in order; or, with `user_data`, the
    /// children of that element.
    pub data: Vec<(String, String)>,
    /// Events such as 1102 carry `<UserData><LogFileCleared xmlns=...><Name>value</Name>...`
    /// instead of `EventData`: the element's name and namespace.
    pub user_data: Option<(String, String)>,
}

impl WinEvent {
    /// A Security-channel event.
    pub fn security(event_id: u32, unix_seconds: i64, computer: &str, data: &[(&str, &str)]) -> Self {
        WinEvent {
            event_id,
            unix_seconds,
            nanos: 0,
            time_created: true,
            channel: "Security".to_owned(),
            provider: "Microsoft-Windows-Security-Auditing".to_owned(),
            computer: computer.to_owned(),
            data: data.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
            user_data: None,
        }
    }

    /// A System-channel event of `provider`.
    pub fn system(event_id: u32, unix_seconds: i64, computer: &str, provider: &str, data: &[(&str, &str)]) -> Self {
        WinEvent {
            channel: "System".to_owned(),
            provider: provider.to_owned(),
            ..WinEvent::security(event_id, unix_seconds, computer, data)
        }
    }
}

/// Builds an EVTX file in memory.
pub struct EvtxWriter {
    chunks: Vec<Vec<u8>>,
    chunk: ChunkBuilder,
    next_record_id: u64,
}

impl Default for EvtxWriter {
    /// Records as plain element trees.
    fn default() -> Self {
        EvtxWriter {
            chunks: Vec::new(),
            chunk: ChunkBuilder::new(1, false),
            next_record_id: 1,
        }
    }
}

impl EvtxWriter {
    /// Records as template instances, as Windows writes them.
    pub fn templated() -> Self {
        EvtxWriter {
            chunk: ChunkBuilder::new(1, true),
            ..EvtxWriter::default()
        }
    }

    /// Appends one event; its EventRecordID is the next number from 1.
    pub fn push(&mut self, event: &WinEvent) {
        let record_id = self.next_record_id;
        self.next_record_id += 1;
        if !self.chunk.try_push(event, record_id) {
            let templated = self.chunk.templated;
            let full = std::mem::replace(&mut self.chunk, ChunkBuilder::new(record_id, templated));
            self.chunks.push(full.finish());
            assert!(self.chunk.try_push(event, record_id), "an event larger than a chunk");
        }
    }

    /// About how many bytes the file will have: full chunks so far and the one being filled.
    pub fn approximate_size(&self) -> u64 {
        (FILE_HEADER_SIZE + (self.chunks.len() + 1) * CHUNK_SIZE) as u64
    }

    /// The file's bytes.
    pub fn finish(mut self) -> Vec<u8> {
        if self.chunk.records > 0 {
            let last = std::mem::replace(&mut self.chunk, ChunkBuilder::new(0, false));
            self.chunks.push(last.finish());
        }
        let chunk_count = self.chunks.len();
        let mut file = vec![0u8; FILE_HEADER_SIZE];
        file[0..8].copy_from_slice(b"ElfFile\0");
        put_u64(&mut file, 8, 0); // first chunk
        put_u64(&mut file, 16, chunk_count.saturating_sub(1) as u64); // last chunk
        put_u64(&mut file, 24, self.next_record_id); // next record identifier
        put_u32(&mut file, 32, 128); // header size
        put_u16(&mut file, 36, 1); // minor version
        put_u16(&mut file, 38, 3); // major version
        put_u16(&mut file, 40, FILE_HEADER_SIZE as u16); // header block size
        put_u16(
            &mut file,
            42,
            u16::try_from(chunk_count).expect("fewer than 65536 chunks"),
        );
        put_u32(&mut file, 120, 0); // flags: clean
        let checksum = crc32fast::hash(&file[..120]);
        put_u32(&mut file, 124, checksum);
        for chunk in self.chunks {
            file.extend_from_slice(&chunk);
        }
        file
    }
}

/// One chunk being filled.
struct ChunkBuilder {
    bytes: Vec<u8>,
    first_record_id: u64,
    last_record_id: u64,
    last_record_offset: usize,
    records: usize,
    /// Names already written in this chunk, and where.
    names: Vec<(String, u32)>,
    /// The string table: 64 buckets of name offsets, chained through each name's link.
    buckets: [u32; 64],
    /// Whether records are template instances.
    templated: bool,
    /// Templates already defined in this chunk: the shape of event each is for, and where
    /// its definition is.
    templates: Vec<(String, u32)>,
    /// The template table: 32 buckets of definition offsets, chained like the names.
    template_buckets: [u32; 32],
    /// While a template is being defined: its elements carry a dependency ID, and values
    /// are substitutions, numbered from 0 in the order they are written.
    substitutions: Option<u16>,
}

impl ChunkBuilder {
    fn new(first_record_id: u64, templated: bool) -> Self {
        ChunkBuilder {
            bytes: vec![0u8; CHUNK_HEADER_SIZE],
            first_record_id,
            last_record_id: first_record_id,
            last_record_offset: CHUNK_HEADER_SIZE,
            records: 0,
            names: Vec::new(),
            buckets: [0; 64],
            templated,
            templates: Vec::new(),
            template_buckets: [0; 32],
            substitutions: None,
        }
    }

    /// Writes the record if it fits; on `false` the chunk is as it was.
    fn try_push(&mut self, event: &WinEvent, record_id: u64) -> bool {
        let saved = (
            self.bytes.len(),
            self.names.len(),
            self.buckets,
            self.templates.len(),
            self.template_buckets,
        );
        let start = self.bytes.len();
        self.bytes.extend_from_slice(&[0x2a, 0x2a, 0, 0]);
        self.bytes.extend_from_slice(&[0; 4]); // size, below
        self.bytes.extend_from_slice(&record_id.to_le_bytes());
        self.bytes
            .extend_from_slice(&filetime(event.unix_seconds, event.nanos).to_le_bytes());
        self.bytes.extend_from_slice(&[0x0f, 1, 1, 0]); // fragment header 1.1
        if self.templated {
            self.write_instance(event, record_id);
        } else {
            self.write_tree(event, record_id);
        }
        // The end-of-stream token, where the reader stops; records are kept 8-byte aligned.
        self.bytes.push(0x00);
        while !(self.bytes.len() + 4 - start).is_multiple_of(8) {
            self.bytes.push(0);
        }
        let size = (self.bytes.len() + 4 - start) as u32;
        self.bytes.extend_from_slice(&size.to_le_bytes());
        put_u32(&mut self.bytes, start + 4, size);
        if self.bytes.len() > CHUNK_SIZE {
            self.bytes.truncate(saved.0);
            self.names.truncate(saved.1);
            self.buckets = saved.2;
            self.templates.truncate(saved.3);
            self.template_buckets = saved.4;
            return false;
        }
        if self.records == 0 {
            self.first_record_id = record_id;
        }
        self.last_record_id = record_id;
        self.last_record_offset = start;
        self.records += 1;
        true
    }

    /// The event as elements. Each value is written inline, or, while a template is being
    /// defined, as the next substitution: `instance_values` gives them in the same order.
    fn write_tree(&mut self, event: &WinEvent, record_id: u64) {
        let root = self.open("Event", &[("xmlns", Attribute::Text(EVENT_NAMESPACE))]);
        let system = self.open("System", &[]);
        self.empty("Provider", &[("Name", Attribute::Value(&event.provider, STRING))]);
        self.text_element("EventID", &event.event_id.to_string(), UINT16);
        if event.time_created {
            let time = system_time(event.unix_seconds, event.nanos);
            self.empty("TimeCreated", &[("SystemTime", Attribute::Value(&time, FILETIME))]);
        }
        self.text_element("EventRecordID", &record_id.to_string(), UINT64);
        self.text_element("Channel", &event.channel, STRING);
        self.text_element("Computer", &event.computer, STRING);
        self.close(system);
        if let Some((element_name, namespace)) = &event.user_data {
            let user_data = self.open("UserData", &[]);
            let element = self.open(element_name, &[("xmlns", Attribute::Text(namespace))]);
            for (name, value) in &event.data {
                self.text_element(name, value, STRING);
            }
            self.close(element);
            self.close(user_data);
        } else {
            let data = self.open("EventData", &[]);
            for (name, value) in &event.data {
                self.data_element(name, value);
            }
            self.close(data);
        }
        self.close(root);
    }

    /// A template instance: the template's ID and where its definition is (defined here,
    /// right after, at its first use in the chunk), then the values to put in it.
    fn write_instance(&mut self, event: &WinEvent, record_id: u64) {
        let shape = template_shape(event);
        let values = instance_values(event, record_id);
        let known = self.templates.iter().find(|(known, _)| *known == shape);
        let template_id = u32::from(name_hash(&shape.encode_utf16().collect::<Vec<_>>()));
        self.bytes.push(0x0c); // template instance
        self.bytes.push(0x01);
        self.bytes.extend_from_slice(&template_id.to_le_bytes());
        if let Some((_, offset)) = known {
            let offset = *offset;
            self.bytes.extend_from_slice(&offset.to_le_bytes());
        } else {
            let offset = (self.bytes.len() + 4) as u32;
            self.bytes.extend_from_slice(&offset.to_le_bytes());
            let bucket = template_id as usize % self.template_buckets.len();
            self.bytes
                .extend_from_slice(&self.template_buckets[bucket].to_le_bytes()); // next in bucket
            self.template_buckets[bucket] = offset;
            // One GUID per shape of event, the same in every chunk, as a provider's are.
            let mut guid = [0u8; 16];
            guid[..4].copy_from_slice(&template_id.to_le_bytes());
            guid[4..8].copy_from_slice(&(shape.len() as u32).to_le_bytes());
            self.bytes.extend_from_slice(&guid);
            let size_at = self.bytes.len();
            self.bytes.extend_from_slice(&[0; 4]);
            self.bytes.extend_from_slice(&[0x0f, 1, 1, 0]);
            self.substitutions = Some(0);
            self.write_tree(event, record_id);
            let defined = self.substitutions.take();
            self.bytes.push(0x00); // end of the definition
            self.patch_size(size_at);
            assert_eq!(
                defined.map(usize::from),
                Some(values.len()),
                "every substitution has its value"
            );
            self.templates.push((shape, offset));
        }
        let count = u32::try_from(values.len()).expect("a few values");
        self.bytes.extend_from_slice(&count.to_le_bytes());
        for (value_type, bytes) in &values {
            let size = u16::try_from(bytes.len()).expect("a short value");
            self.bytes.extend_from_slice(&size.to_le_bytes());
            self.bytes.extend_from_slice(&[*value_type, 0]);
        }
        for (_, bytes) in values {
            self.bytes.extend_from_slice(&bytes);
        }
    }

    /// `<name attributes...>`, returning where its data size goes.
    fn open(&mut self, name: &str, attributes: &[(&str, Attribute)]) -> usize {
        let size_at = self.start_element(name, attributes);
        self.bytes.push(0x02); // close start element
        size_at
    }

    /// `<name attributes.../>`.
    fn empty(&mut self, name: &str, attributes: &[(&str, Attribute)]) {
        let size_at = self.start_element(name, attributes);
        self.bytes.push(0x03); // close empty element
        self.patch_size(size_at);
    }

    /// `<name>text</name>`.
    fn text_element(&mut self, name: &str, text: &str, value_type: u8) {
        let element = self.open(name, &[]);
        if self.substitutions.is_some() {
            self.substitution(value_type);
        } else {
            self.value(text);
        }
        self.close(element);
    }

    /// `<Data Name="name">value</Data>`, empty for an empty value.
    fn data_element(&mut self, name: &str, value: &str) {
        let element = self.open("Data", &[("Name", Attribute::Text(name))]);
        if self.substitutions.is_some() {
            self.substitution(STRING);
        } else if !value.is_empty() {
            self.value(value);
        }
        self.close(element);
    }

    /// A substitution of the template being defined: optional, so that an empty value
    /// leaves its element empty, as Windows defines EventData.
    fn substitution(&mut self, value_type: u8) {
        let index = self.substitutions.expect("defining a template");
        self.bytes.push(0x0e);
        self.bytes.extend_from_slice(&index.to_le_bytes());
        self.bytes.push(value_type);
        self.substitutions = Some(index + 1);
    }

    /// `</name>`.
    fn close(&mut self, size_at: usize) {
        self.bytes.push(0x04);
        self.patch_size(size_at);
    }

    /// An element's data size: everything after the size field to the element's end.
    fn patch_size(&mut self, size_at: usize) {
        let size = (self.bytes.len() - size_at - 4) as u32;
        put_u32(&mut self.bytes, size_at, size);
    }

    fn start_element(&mut self, name: &str, attributes: &[(&str, Attribute)]) -> usize {
        self.bytes.push(if attributes.is_empty() { 0x01 } else { 0x41 });
        if self.substitutions.is_some() {
            self.bytes.extend_from_slice(&0xffffu16.to_le_bytes()); // no dependency
        }
        let size_at = self.bytes.len();
        self.bytes.extend_from_slice(&[0; 4]);
        self.name(name);
        if !attributes.is_empty() {
            let list_at = self.bytes.len();
            self.bytes.extend_from_slice(&[0; 4]);
            for (index, (attribute, value)) in attributes.iter().enumerate() {
                let more = index + 1 < attributes.len();
                self.bytes.push(if more { 0x46 } else { 0x06 });
                self.name(attribute);
                match value {
                    Attribute::Value(_, value_type) if self.substitutions.is_some() => self.substitution(*value_type),
                    Attribute::Value(text, _) | Attribute::Text(text) => self.value(text),
                }
            }
            let list_size = (self.bytes.len() - list_at - 4) as u32;
            put_u32(&mut self.bytes, list_at, list_size);
        }
        size_at
    }

    /// A string value: the value token, string type, length in UTF-16 units, the units.
    fn value(&mut self, text: &str) {
        let units: Vec<u16> = text.encode_utf16().collect();
        self.bytes.push(0x05);
        self.bytes.push(0x01);
        self.bytes
            .extend_from_slice(&u16::try_from(units.len()).expect("a short value").to_le_bytes());
        for unit in units {
            self.bytes.extend_from_slice(&unit.to_le_bytes());
        }
    }

    /// A name reference: the offset of the name in the chunk, and the name itself right
    /// after it the first time.
    fn name(&mut self, name: &str) {
        if let Some((_, offset)) = self.names.iter().find(|(known, _)| known == name) {
            let offset = *offset;
            self.bytes.extend_from_slice(&offset.to_le_bytes());
            return;
        }
        let offset = (self.bytes.len() + 4) as u32;
        self.bytes.extend_from_slice(&offset.to_le_bytes());
        let units: Vec<u16> = name.encode_utf16().collect();
        let hash = name_hash(&units);
        let bucket = usize::from(hash) % self.buckets.len();
        self.bytes.extend_from_slice(&self.buckets[bucket].to_le_bytes()); // next in bucket
        self.buckets[bucket] = offset;
        self.bytes.extend_from_slice(&hash.to_le_bytes());
        self.bytes
            .extend_from_slice(&u16::try_from(units.len()).expect("a short name").to_le_bytes());
        for unit in units {
            self.bytes.extend_from_slice(&unit.to_le_bytes());
        }
        self.bytes.extend_from_slice(&[0, 0]);
        self.names.push((name.to_owned(), offset));
    }

    fn finish(mut self) -> Vec<u8> {
        let free_space = self.bytes.len();
        self.bytes.resize(CHUNK_SIZE, 0);
        let bytes = &mut self.bytes;
        bytes[0..8].copy_from_slice(b"ElfChnk\0");
        put_u64(bytes, 8, self.first_record_id); // first event record number
        put_u64(bytes, 16, self.last_record_id); // last event record number
        put_u64(bytes, 24, self.first_record_id); // first event record identifier
        put_u64(bytes, 32, self.last_record_id); // last event record identifier
        put_u32(bytes, 40, 128); // header size
        put_u32(bytes, 44, self.last_record_offset as u32);
        put_u32(bytes, 48, free_space as u32);
        let records_checksum = crc32fast::hash(&bytes[CHUNK_HEADER_SIZE..free_space]);
        put_u32(bytes, 52, records_checksum);
        for (index, offset) in self.buckets.iter().enumerate() {
            put_u32(bytes, 128 + index * 4, *offset);
        }
        for (index, offset) in self.template_buckets.iter().enumerate() {
            put_u32(bytes, 384 + index * 4, *offset);
        }
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(&bytes[..120]);
        hasher.update(&bytes[128..CHUNK_HEADER_SIZE]);
        let header_checksum = hasher.finalize();
        put_u32(bytes, 124, header_checksum);
        self.bytes
    }
}

/// An attribute's value: fixed text, or a value of the event (a substitution in a template).
enum Attribute<'a> {
    Text(&'a str),
    Value(&'a str, u8),
}

/// Binary XML value types (MS-EVEN6 2.2.16).
const NULL: u8 = 0x00;
const STRING: u8 = 0x01;
const UINT16: u8 = 0x06;
const UINT64: u8 = 0x0a;
const FILETIME: u8 = 0x11;

/// What makes two events share a template: everything but their values.
fn template_shape(event: &WinEvent) -> String {
    let mut shape = match &event.user_data {
        Some((element, namespace)) => format!("UserData/{element}/{namespace}"),
        None => "EventData".to_owned(),
    };
    if !event.time_created {
        shape.push_str("/untimed");
    }
    for (name, _) in &event.data {
        shape.push('/');
        shape.push_str(name);
    }
    shape
}

/// A template instance's values, typed, in the order `write_tree` numbers its substitutions.
fn instance_values(event: &WinEvent, record_id: u64) -> Vec<(u8, Vec<u8>)> {
    let utf16 = |text: &str| -> (u8, Vec<u8>) {
        if text.is_empty() {
            return (NULL, Vec::new());
        }
        (STRING, text.encode_utf16().flat_map(u16::to_le_bytes).collect())
    };
    let event_id = u16::try_from(event.event_id).expect("Windows event IDs are 16-bit");
    let mut values = vec![utf16(&event.provider), (UINT16, event_id.to_le_bytes().to_vec())];
    if event.time_created {
        let time = filetime(event.unix_seconds, event.nanos);
        values.push((FILETIME, time.to_le_bytes().to_vec()));
    }
    values.extend([
        (UINT64, record_id.to_le_bytes().to_vec()),
        utf16(&event.channel),
        utf16(&event.computer),
    ]);
    values.extend(event.data.iter().map(|(_, value)| utf16(value)));
    values
}

/// The string-table hash of a name: the low 16 bits of `hash * 65599 + unit` over its UTF-16.
fn name_hash(units: &[u16]) -> u16 {
    let hash = units.iter().fold(0u32, |hash, unit| {
        hash.wrapping_mul(65599).wrapping_add(u32::from(*unit))
    });
    (hash & 0xffff) as u16
}

/// 100-nanosecond intervals since 1601-01-01.
fn filetime(unix_seconds: i64, nanos: u32) -> u64 {
    let seconds = u64::try_from(unix_seconds + FILETIME_UNIX_OFFSET).expect("after 1601");
    seconds * 10_000_000 + u64::from(nanos / 100)
}

/// `2026-03-14T02:17:00.0000000Z`, as Windows writes SystemTime.
fn system_time(unix_seconds: i64, nanos: u32) -> String {
    let time = chrono::DateTime::from_timestamp(unix_seconds, 0).expect("a valid time");
    format!("{}.{:07}Z", time.format("%Y-%m-%dT%H:%M:%S"), nanos / 100)
}

fn put_u16(bytes: &mut [u8], at: usize, value: u16) {
    bytes[at..at + 2].copy_from_slice(&value.to_le_bytes());
}

fn put_u32(bytes: &mut [u8], at: usize, value: u32) {
    bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

fn put_u64(bytes: &mut [u8], at: usize, value: u64) {
    bytes[at..at + 8].copy_from_slice(&value.to_le_bytes());
}

/// The Windows stories of `sample_logs/Security.evtx`, on Saturday 14 March 2026 (UTC), the
/// day the other samples tell: a password-guessing burst from 203.0.113.47 that ends in a
/// remote desktop logon with special privileges; guessing at jsmith from 198.51.100.22 that
/// locks the account out; a new account made an administrator at night; and a colleague's
/// ordinary logon in the morning.
pub fn windows_story() -> Vec<WinEvent> {
    const DC: &str = "DC01.corp.example";
    const T0: i64 = 1_773_452_400; // 2026-03-14T01:40:00Z
    let mut events = Vec::new();
    let failed = |at: i64, user: &str, ip: &str, sub_status: &str| {
        WinEvent::security(
            4625,
            at,
            DC,
            &[
                ("SubjectUserSid", "S-1-0-0"),
                ("SubjectUserName", "-"),
                ("SubjectDomainName", "-"),
                ("TargetUserSid", "S-1-0-0"),
                ("TargetUserName", user),
                ("TargetDomainName", "CORP"),
                ("Status", "0xc000006d"),
                ("FailureReason", "%%2313"),
                ("SubStatus", sub_status),
                ("LogonType", "10"),
                ("LogonProcessName", "User32"),
                ("AuthenticationPackageName", "Negotiate"),
                ("WorkstationName", "KALI"),
                ("IpAddress", ip),
                ("IpPort", "0"),
            ],
        )
    };
    // 203.0.113.47: eight guesses at Administrator, ten seconds apart, then it gets in.
    for attempt in 0..8 {
        events.push(failed(T0 + attempt * 10, "Administrator", "203.0.113.47", "0xc000006a"));
    }
    events.push(WinEvent::security(
        4624,
        T0 + 90,
        DC,
        &[
            ("SubjectUserSid", "S-1-5-18"),
            ("SubjectUserName", "DC01$"),
            ("SubjectDomainName", "CORP"),
            ("TargetUserSid", "S-1-5-21-3623811015-3361044348-30300820-500"),
            ("TargetUserName", "Administrator"),
            ("TargetDomainName", "CORP"),
            ("TargetLogonId", "0x3e7a1f"),
            ("LogonType", "10"),
            ("LogonProcessName", "User32"),
            ("AuthenticationPackageName", "Negotiate"),
            ("WorkstationName", "KALI"),
            ("IpAddress", "203.0.113.47"),
            ("IpPort", "51812"),
        ],
    ));
    events.push(WinEvent::security(
        4672,
        T0 + 90,
        DC,
        &[
            ("SubjectUserSid", "S-1-5-21-3623811015-3361044348-30300820-500"),
            ("SubjectUserName", "Administrator"),
            ("SubjectDomainName", "CORP"),
            ("SubjectLogonId", "0x3e7a1f"),
            (
                "PrivilegeList",
                "SeSecurityPrivilege SeBackupPrivilege SeDebugPrivilege",
            ),
        ],
    ));
    // At 02:20 the intruder makes an account and puts it in Administrators.
    let new_sid = "S-1-5-21-3623811015-3361044348-30300820-1131";
    events.push(WinEvent::security(
        4720,
        T0 + 40 * 60,
        DC,
        &[
            ("TargetUserName", "svc-backup2"),
            ("TargetDomainName", "CORP"),
            ("TargetSid", new_sid),
            ("SubjectUserName", "Administrator"),
            ("SubjectDomainName", "CORP"),
            ("SamAccountName", "svc-backup2"),
        ],
    ));
    events.push(WinEvent::security(
        4732,
        T0 + 41 * 60,
        DC,
        &[
            ("MemberName", "-"),
            ("MemberSid", new_sid),
            ("TargetUserName", "Administrators"),
            ("TargetDomainName", "Builtin"),
            ("TargetSid", "S-1-5-32-544"),
            ("SubjectUserName", "Administrator"),
            ("SubjectDomainName", "CORP"),
        ],
    ));
    // 02:40: the intruder clears the Security log (this is the copy forwarded before).
    let mut cleared = WinEvent::security(
        1102,
        T0 + 60 * 60,
        DC,
        &[
            ("SubjectUserSid", "S-1-5-21-3623811015-3361044348-30300820-500"),
            ("SubjectUserName", "Administrator"),
            ("SubjectDomainName", "CORP"),
            ("SubjectLogonId", "0x3e7a1f"),
        ],
    );
    cleared.provider = "Microsoft-Windows-Eventlog".to_owned();
    cleared.user_data = Some((
        "LogFileCleared".to_owned(),
        "http://manifests.microsoft.com/win/2004/08/windows/eventlog".to_owned(),
    ));
    events.push(cleared);
    // 198.51.100.22 guesses at jsmith until the account locks at 03:05.
    let lockout = T0 + 85 * 60;
    for attempt in 0..5 {
        events.push(failed(
            lockout - 50 + attempt * 10,
            "jsmith",
            "198.51.100.22",
            "0xc000006a",
        ));
    }
    events.push(WinEvent::security(
        4740,
        lockout,
        DC,
        &[
            ("TargetUserName", "jsmith"),
            ("TargetDomainName", "WS-JSMITH"),
            ("TargetSid", "S-1-5-21-3623811015-3361044348-30300820-1107"),
            ("SubjectUserName", "DC01$"),
            ("SubjectDomainName", "CORP"),
        ],
    ));
    // An unknown name from the same address: the account does not exist.
    events.push(failed(lockout + 20, "backup", "198.51.100.22", "0xc0000064"));
    // 09:12, a colleague's ordinary network logon.
    events.push(WinEvent::security(
        4624,
        T0 + 7 * 3600 + 32 * 60,
        DC,
        &[
            ("TargetUserName", "alice"),
            ("TargetDomainName", "CORP"),
            ("TargetLogonId", "0x51c2e0"),
            ("LogonType", "3"),
            ("AuthenticationPackageName", "Kerberos"),
            ("WorkstationName", "WS-ALICE"),
            ("IpAddress", "192.168.1.25"),
            ("IpPort", "49731"),
        ],
    ));
    events
}

/// The System log of the same machine that night: the intruder installs a service at 02:25
/// (`sample_logs/System.evtx`).
pub fn windows_system_story() -> Vec<WinEvent> {
    const T0: i64 = 1_773_452_400; // 2026-03-14T01:40:00Z
    vec![WinEvent::system(
        7045,
        T0 + 45 * 60,
        "DC01.corp.example",
        "Service Control Manager",
        &[
            ("ServiceName", "WinDefendUpdate"),
            ("ImagePath", "C:\\Windows\\Temp\\wdupd.exe"),
            ("ServiceType", "user mode service"),
            ("StartType", "auto start"),
            ("AccountName", "LocalSystem"),
        ],
    )]
}
