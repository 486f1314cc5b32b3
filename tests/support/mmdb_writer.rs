//! A small writer of the MaxMind DB format (the search tree of 24-bit records, the data
//! section and the metadata), enough to build IPv4 test databases: the GeoIP tests read
//! databases we make, never a vendor's.

#![allow(dead_code)]

use std::net::Ipv4Addr;

/// A value in the MaxMind DB data section.
pub enum Data {
    Text(&'static str),
    U16(u16),
    U32(u32),
    U64(u64),
    Double(f64),
    Array(Vec<Data>),
    Map(Vec<(&'static str, Data)>),
}

/// The control byte (type and size), then the extended type byte for types above 7, then
/// the bytes of a size too large for the control byte.
fn control(out: &mut Vec<u8>, kind: u8, size: usize) {
    let (extended, kind) = if kind > 7 { (Some(kind - 7), 0) } else { (None, kind) };
    let (size_bits, extra): (u8, Vec<u8>) = match size {
        0..=28 => (size as u8, Vec::new()),
        29..=284 => (29, vec![(size - 29) as u8]),
        _ => (30, ((size - 285) as u16).to_be_bytes().to_vec()),
    };
    out.push((kind << 5) | size_bits);
    if let Some(extended) = extended {
        out.push(extended);
    }
    out.extend(extra);
}

fn unsigned(out: &mut Vec<u8>, kind: u8, value: u64) {
    let bytes = value.to_be_bytes();
    let first = bytes.iter().position(|byte| *byte != 0).unwrap_or(bytes.len());
    control(out, kind, bytes.len() - first);
    out.extend(&bytes[first..]);
}

/// Appends `data` encoded.
pub fn encode(out: &mut Vec<u8>, data: &Data) {
    match data {
        Data::Text(text) => {
            control(out, 2, text.len());
            out.extend(text.as_bytes());
        }
        Data::Double(value) => {
            control(out, 3, 8);
            out.extend(value.to_be_bytes());
        }
        Data::U16(value) => unsigned(out, 5, u64::from(*value)),
        Data::U32(value) => unsigned(out, 6, u64::from(*value)),
        Data::U64(value) => unsigned(out, 9, *value),
        Data::Map(entries) => {
            control(out, 7, entries.len());
            for (key, value) in entries {
                encode(out, &Data::Text(key));
                encode(out, value);
            }
        }
        Data::Array(items) => {
            control(out, 11, items.len());
            for item in items {
                encode(out, item);
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Record {
    Empty,
    Node(usize),
    Data(usize),
}

/// An IPv4 database of `database_type` mapping each network to its data.
pub fn ipv4_database(database_type: &'static str, networks: &[(Ipv4Addr, u8, Data)]) -> Vec<u8> {
    let mut nodes: Vec<[Record; 2]> = vec![[Record::Empty; 2]];
    let mut data = Vec::new();
    for (address, prefix, value) in networks {
        let offset = data.len();
        encode(&mut data, value);
        let bits = u32::from(*address);
        let mut node = 0;
        for depth in 0..*prefix {
            let bit = ((bits >> (31 - depth)) & 1) as usize;
            if depth + 1 == *prefix {
                nodes[node][bit] = Record::Data(offset);
                break;
            }
            node = match nodes[node][bit] {
                Record::Node(next) => next,
                _ => {
                    nodes.push([Record::Empty; 2]);
                    let next = nodes.len() - 1;
                    nodes[node][bit] = Record::Node(next);
                    next
                }
            };
        }
    }
    let node_count = nodes.len();
    let mut out = Vec::new();
    for node in &nodes {
        for record in node {
            let value = match record {
                Record::Empty => node_count,
                Record::Node(next) => *next,
                Record::Data(offset) => node_count + 16 + offset,
            } as u32;
            out.extend(&value.to_be_bytes()[1..]);
        }
    }
    out.extend([0u8; 16]);
    out.extend(&data);
    out.extend(b"\xAB\xCD\xEFMaxMind.com");
    encode(
        &mut out,
        &Data::Map(vec![
            ("binary_format_major_version", Data::U16(2)),
            ("binary_format_minor_version", Data::U16(0)),
            ("build_epoch", Data::U64(1_763_700_000)),
            ("database_type", Data::Text(database_type)),
            (
                "description",
                Data::Map(vec![("en", Data::Text("LogSentry test database"))]),
            ),
            ("ip_version", Data::U16(4)),
            ("languages", Data::Array(vec![Data::Text("en")])),
            ("node_count", Data::U32(node_count as u32)),
            ("record_size", Data::U16(24)),
        ]),
    );
    out
}
