//! Windows event log records → events. The `evtx` crate decodes a record's Binary XML and
//! renders it as compact JSON (`{"Event":{"System":{...},"EventData":{...}}}`); this maps
//! that text onto the schema without parsing it into values: [`Members`] walks it once, the
//! dozen fields detectors need are picked out, and `EventData`/`UserData` are copied whole
//! into `winlog.*`. Decoding is in `stream`; this file only reads one record's text.

mod json_scan;
mod padded;
pub mod stream;

use super::Reject;
use crate::schema::windows::{
    windows_event, EventTypeRule, OutcomeRule, Subject, KDC_PRINCIPAL_UNKNOWN, STATUS_NO_SUCH_USER,
};
use crate::schema::{Event, EventCode, EventType, EventWriter, Outcome};
use crate::time::Timestamp;
use json_scan::{flat_members, integer_value, string_value, Leading, Members};
use std::borrow::Cow;

/// The first bytes of every EVTX file.
pub const EVTX_MAGIC: &[u8; 8] = b"ElfFile\0";

/// One decoded record, as the decoder hands it over.
#[derive(Clone, Copy, Debug)]
pub struct RecordText<'a> {
    /// The record rendered as compact JSON.
    pub json: &'a str,
    /// The record number in its header: where it is in the file. The record's own
    /// `EventRecordID` is the same unless the file was exported or carved.
    pub record_id: u64,
    /// The time to give a record without a `TimeCreated` (the previous record's), flagged
    /// as `logsentry.time.missing`.
    pub fallback_time: Timestamp,
}

/// What every event of one input carries.
#[derive(Clone, Copy, Debug)]
pub struct RecordCtx<'a> {
    /// The input path (`None` for stdin).
    pub path: Option<&'a str>,
    /// Keep the record's JSON as `event.original`.
    pub keep_original: bool,
}

/// Winlogbeat's names for the logon types.
fn logon_type_name(logon_type: u64) -> Option<&'static str> {
    Some(match logon_type {
        0 => "System",
        2 => "Interactive",
        3 => "Network",
        4 => "Batch",
        5 => "Service",
        7 => "Unlock",
        8 => "NetworkCleartext",
        9 => "NewCredentials",
        10 => "RemoteInteractive",
        11 => "CachedInteractive",
        12 => "CachedRemoteInteractive",
        13 => "CachedUnlock",
        _ => return None,
    })
}

/// The NTSTATUS codes of failed logons, as Microsoft documents them for 4625.
fn failure_reason(status: u64) -> Option<&'static str> {
    Some(match status {
        0xC000_0064 => "User name does not exist",
        0xC000_006A => "Wrong password",
        0xC000_006D => "Unknown user name or bad password",
        0xC000_006E => "Account restriction",
        0xC000_006F => "Logon outside authorised hours",
        0xC000_0070 => "Logon from an unauthorised workstation",
        0xC000_0071 => "Password expired",
        0xC000_0072 => "Account disabled",
        0xC000_005E => "No logon servers available",
        0xC000_0133 => "Clocks out of sync",
        0xC000_015B => "Logon type not granted",
        0xC000_0192 => "Netlogon service not started",
        0xC000_0193 => "Account expired",
        0xC000_0224 => "Password must change",
        0xC000_0225 => "Windows bug (not a risk)",
        0xC000_0234 => "Account locked out",
        0xC000_0413 => "Authentication firewall refused the logon",
        _ => return None,
    })
}

/// The `EventData` (or `UserData`) values the mapping uses, still as JSON text.
#[derive(Default)]
struct DataFields<'a> {
    target_user_name: Option<&'a str>,
    target_domain_name: Option<&'a str>,
    target_user_sid: Option<&'a str>,
    target_logon_id: Option<&'a str>,
    subject_user_name: Option<&'a str>,
    subject_domain_name: Option<&'a str>,
    member_name: Option<&'a str>,
    member_sid: Option<&'a str>,
    ip_address: Option<&'a str>,
    ip_port: Option<&'a str>,
    workstation_name: Option<&'a str>,
    logon_type: Option<&'a str>,
    status: Option<&'a str>,
    sub_status: Option<&'a str>,
    command_line: Option<&'a str>,
    account_name: Option<&'a str>,
}

impl<'a> DataFields<'a> {
    /// Picks the fields out of the `EventData` object that `text` starts with; how long the
    /// object is, or `None` if it is not well formed.
    fn read(&mut self, text: &'a str) -> Option<usize> {
        if let Some(len) = flat_members(text, |key, value| self.pick(key, value)) {
            return Some(len);
        }
        // What the flat read picked before it gave up is what the walk picks again.
        let mut members = Members::of(text);
        for (key, value) in members.by_ref() {
            self.pick(key, value);
        }
        (!members.broken).then(|| members.consumed())
    }

    fn pick(&mut self, key: &'a str, value: &'a str) {
        let slot = match key {
            "TargetUserName" => &mut self.target_user_name,
            "TargetDomainName" => &mut self.target_domain_name,
            "TargetUserSid" | "TargetSid" => &mut self.target_user_sid,
            "TargetLogonId" => &mut self.target_logon_id,
            "SubjectUserName" => &mut self.subject_user_name,
            "SubjectDomainName" => &mut self.subject_domain_name,
            "MemberName" => &mut self.member_name,
            "MemberSid" => &mut self.member_sid,
            "IpAddress" => &mut self.ip_address,
            "IpPort" => &mut self.ip_port,
            "WorkstationName" | "Workstation" => &mut self.workstation_name,
            "LogonType" => &mut self.logon_type,
            "Status" => &mut self.status,
            "SubStatus" => &mut self.sub_status,
            "CommandLine" => &mut self.command_line,
            "AccountName" => &mut self.account_name,
            _ => return,
        };
        slot.get_or_insert(value);
    }
}

/// The parts of a record's `System` element the mapping uses.
#[derive(Default)]
struct SystemFields<'a> {
    event_id: Option<u32>,
    provider: Option<&'a str>,
    channel: Option<&'a str>,
    computer: Option<&'a str>,
    time_created: Option<&'a str>,
    record_id: Option<u64>,
}

impl<'a> SystemFields<'a> {
    /// Picks the fields out of the `System` object that `text` starts with; how long the
    /// object is, or `None` if it is not well formed.
    fn read(&mut self, text: &'a str) -> Option<usize> {
        let mut members = Members::of(text);
        // Where the next member is in `SYSTEM_MEMBERS`, if the record follows the schema.
        let mut expected = 0;
        loop {
            let member = match SYSTEM_MEMBERS.get(expected) {
                Some(&(name, member)) if members.next_key_is(name) => {
                    expected += 1;
                    member
                }
                _ => {
                    let Some(key) = members.next_key() else { break };
                    match SYSTEM_MEMBERS.iter().position(|(name, _)| *name == key) {
                        Some(index) => {
                            expected = index + 1;
                            SYSTEM_MEMBERS[index].1
                        }
                        None => SystemMember::Other,
                    }
                }
            };
            match member {
                // `{"#attributes":{"Name":"Microsoft-Windows-Security-Auditing","Guid":...}}`
                SystemMember::Provider => {
                    self.provider = element_attribute(&mut members, &PROVIDER_NAME, "Name")?;
                }
                SystemMember::TimeCreated => {
                    self.time_created = element_attribute(&mut members, &SYSTEM_TIME, "SystemTime")?;
                }
                // `4624`, or `{"#attributes":{"Qualifiers":16384},"#text":7045}`.
                SystemMember::EventId => {
                    let value = members.value()?;
                    self.event_id = integer_value(value)
                        .or_else(|| attribute(value, "#text").and_then(integer_value))
                        .and_then(|id| u32::try_from(id).ok());
                }
                SystemMember::EventRecordId => self.record_id = integer_value(members.value()?),
                SystemMember::Channel => self.channel = Some(members.value()?),
                SystemMember::Computer => self.computer = Some(members.value()?),
                SystemMember::Other => {
                    members.value()?;
                }
            }
        }
        (!members.broken).then(|| members.consumed())
    }
}

/// The members of `System` the mapping reads.
#[derive(Clone, Copy)]
enum SystemMember {
    Provider,
    EventId,
    TimeCreated,
    EventRecordId,
    Channel,
    Computer,
    Other,
}

/// The members of `System` in the order of the event schema, which is the order the decoder
/// writes those a record has.
const SYSTEM_MEMBERS: [(&str, SystemMember); 14] = [
    ("Provider", SystemMember::Provider),
    ("EventID", SystemMember::EventId),
    ("Version", SystemMember::Other),
    ("Level", SystemMember::Other),
    ("Task", SystemMember::Other),
    ("Opcode", SystemMember::Other),
    ("Keywords", SystemMember::Other),
    ("TimeCreated", SystemMember::TimeCreated),
    ("EventRecordID", SystemMember::EventRecordId),
    ("Correlation", SystemMember::Other),
    ("Execution", SystemMember::Other),
    ("Channel", SystemMember::Channel),
    ("Computer", SystemMember::Computer),
    ("Security", SystemMember::Other),
];

/// How the decoder writes the two attributes wanted from `System` (see
/// [`Members::value_with_leading_string`]).
const PROVIDER_NAME: Leading = Leading::new("{\"#attributes\":{\"Name\":");
const SYSTEM_TIME: Leading = Leading::new("{\"#attributes\":{\"SystemTime\":");

/// The attribute `name` of the element whose JSON is the walk's value, found by where the
/// decoder writes it (`leading`) or else by a walk; `None` if the value is not JSON.
fn element_attribute<'a>(members: &mut Members<'a>, leading: &Leading, name: &str) -> Option<Option<&'a str>> {
    let (value, found) = members.value_with_leading_string(leading)?;
    Some(found.or_else(|| attribute(value, "#attributes").and_then(|attributes| attribute(attributes, name))))
}

/// `UserData` holds one element named after the event (`LogFileCleared`) that holds the
/// values. Returns how long the `UserData` object is.
fn read_user_data<'a>(text: &'a str, data: &mut DataFields<'a>) -> Option<usize> {
    let mut members = Members::of(text);
    while members.next_key().is_some() {
        if members.rest().starts_with('{') {
            let len = data.read(members.rest())?;
            members.advance(len);
        } else {
            members.value()?;
        }
    }
    (!members.broken).then(|| members.consumed())
}

/// A member of a JSON object's text, by key.
fn attribute<'a>(object: &'a str, name: &str) -> Option<&'a str> {
    if !object.starts_with('{') {
        return None;
    }
    Members::of(object)
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// A string field's text, treating Windows' `-` placeholder, the empty string and the NULL
/// SID (`S-1-0-0`, nobody) as absent.
fn present(value: Option<&str>) -> Option<Cow<'_, str>> {
    string_value(value?).filter(|text| !matches!(text.as_ref(), "" | "-" | "S-1-0-0"))
}

/// `CN=Jane Doe,OU=Staff,DC=corp` → `Jane Doe`; anything else as it is.
fn common_name(distinguished: &str) -> &str {
    distinguished
        .strip_prefix("CN=")
        .and_then(|rest| rest.split(',').next())
        .unwrap_or(distinguished)
}

/// The time of a mapped record's event.
#[derive(Clone, Copy, Debug)]
pub struct MappedTime {
    /// The event's time, for merging inputs.
    pub timestamp: Timestamp,
    /// Whether that is the fallback, the record having no `TimeCreated` of its own.
    pub fallback: bool,
}

/// Maps one record to one event, appended to `out` as NDJSON.
pub fn map_record(
    record: RecordText<'_>,
    ctx: RecordCtx<'_>,
    writer: &mut EventWriter,
    out: &mut Vec<u8>,
) -> Result<MappedTime, Reject> {
    const NOT_A_RECORD: Reject = Reject::new("decoded EVTX record is not an Event object");
    // The decoder writes `{"Event":{...}}`: the inner object is found without a walk.
    let event_object = match record
        .json
        .strip_prefix("{\"Event\":")
        .and_then(|rest| rest.strip_suffix('}'))
    {
        Some(inner) => inner,
        None => attribute(record.json, "Event").ok_or(NOT_A_RECORD)?,
    };
    let mut system = SystemFields::default();
    let mut data = DataFields::default();
    let mut event_data_json = None;
    let mut user_data_json = None;
    let mut system_ok = false;
    let mut members = Members::of(event_object);
    while let Some(key) = members.next_key() {
        match key {
            "System" if members.rest().starts_with('{') => {
                let Some(len) = system.read(members.rest()) else { break };
                system_ok = true;
                members.advance(len);
            }
            // The bulk of a record: walked once, picking fields on the way, then copied.
            "EventData" | "UserData" if members.rest().starts_with('{') => {
                let rest = members.rest();
                let len = if key == "EventData" {
                    data.read(rest)
                } else {
                    read_user_data(rest, &mut data)
                };
                let Some(len) = len else { break };
                let value = rest.get(..len);
                if key == "EventData" {
                    event_data_json = value;
                } else {
                    user_data_json = value;
                }
                members.advance(len);
            }
            _ => {
                members.value();
            }
        }
    }
    if members.broken || !system_ok {
        return Err(NOT_A_RECORD);
    }
    let event_id = system.event_id.ok_or(Reject::new("EVTX record without an EventID"))?;

    let channel = system.channel.and_then(string_value);
    let provider = system.provider.and_then(string_value);
    let computer = system.computer.and_then(string_value);
    let dataset = match channel.as_deref() {
        Some("Security") => "windows.security",
        Some("System") => "windows.system",
        _ => "windows.eventlog",
    };
    // The event's own time (the record header's is when the log was written, and is zero in
    // some exported files).
    let time_created = system
        .time_created
        .and_then(string_value)
        .and_then(|text| Timestamp::parse_rfc3339(&text));
    let timestamp = time_created.unwrap_or(record.fallback_time);
    let mut event = Event::new(timestamp, "windows", dataset);
    event.logsentry.time.missing = time_created.is_none();
    event.event.code = Some(EventCode::Number(event_id));
    event.event.provider = provider.as_deref();
    event.host.hostname = computer.as_deref();
    event.log.file.path = ctx.path;
    event.logsentry.line = record.record_id;
    if ctx.keep_original {
        event.event.original = Some(record.json);
    }
    let winlog = &mut event.winlog;
    winlog.event_id = Some(event_id);
    winlog.channel = channel.as_deref();
    winlog.provider_name = provider.as_deref();
    winlog.computer_name = computer.as_deref();
    winlog.record_id = Some(system.record_id.unwrap_or(record.record_id));
    winlog.event_data_json = event_data_json;
    winlog.user_data_json = user_data_json;

    let status = data.status.and_then(integer_value);
    let sub_status = data.sub_status.and_then(integer_value);
    let kind = windows_event(event_id);
    match kind {
        Some(kind) => {
            event.event.category = kind.category;
            event.event.types = kind.types;
            event.event.action = kind.action;
            event.event.outcome = match kind.outcome {
                OutcomeRule::Fixed(outcome) => outcome,
                OutcomeRule::FromStatus => match status {
                    Some(0) => Outcome::Success,
                    Some(_) => Outcome::Failure,
                    None => Outcome::Unknown,
                },
            };
            let no_such_user = sub_status == Some(STATUS_NO_SUCH_USER) || status == Some(STATUS_NO_SUCH_USER);
            let refused = event.event.outcome == Outcome::Failure;
            event.logsentry.event_type = kind.event_type.and_then(|rule| match rule {
                EventTypeRule::Fixed(event_type) => Some(event_type),
                EventTypeRule::FailedOrInvalidUser if no_such_user => Some(EventType::InvalidUser),
                EventTypeRule::FailedOrInvalidUser => Some(EventType::Failed),
                EventTypeRule::RefusedCheck if !refused => None,
                EventTypeRule::RefusedCheck if no_such_user || status == Some(KDC_PRINCIPAL_UNKNOWN) => {
                    Some(EventType::InvalidUser)
                }
                EventTypeRule::RefusedCheck => Some(EventType::Failed),
            });
        }
        None => event.event.action = "windows-event",
    }

    // The strings below are borrowed from the record unless they hold escapes.
    let ip = present(data.ip_address);
    let port = present(data.ip_port);
    let workstation = present(data.workstation_name);
    let target_user = present(data.target_user_name);
    let target_domain = present(data.target_domain_name);
    let target_sid = present(data.target_user_sid);
    let subject_user = present(data.subject_user_name);
    let subject_domain = present(data.subject_domain_name);
    let member_name = present(data.member_name);
    let member_sid = present(data.member_sid);
    let account_name = present(data.account_name);
    let logon_id = present(data.target_logon_id);
    let status_text = present(data.status);
    let sub_status_text = present(data.sub_status);
    let command_line = present(data.command_line);

    if let Some(ip) = ip.as_deref().and_then(crate::schema::normalize_ip) {
        event.source.ip = Some(ip);
    }
    event.source.port = port
        .as_deref()
        .and_then(|port| port.parse().ok())
        .filter(|port| *port != 0);
    event.source.domain = workstation.as_deref();

    if kind.is_some_and(|kind| kind.subject == Subject::GroupMember) {
        // The group is the target; the member is the account the event is about. Local
        // accounts have no distinguished name, only a SID.
        event.group.name = target_user.as_deref();
        event.group.domain = target_domain.as_deref();
        event.user.name = member_name.as_deref().map(common_name).or(member_sid.as_deref());
        event.user.id = member_sid.as_deref();
    } else if let Some(name) = target_user.as_deref() {
        event.user.name = Some(name);
        event.user.domain = target_domain.as_deref();
        event.user.id = target_sid.as_deref();
    } else if let Some(name) = subject_user.as_deref() {
        event.user.name = Some(name);
        event.user.domain = subject_domain.as_deref();
    } else {
        // 7045 names the service's account.
        event.user.name = account_name.as_deref();
    }
    if kind.is_some_and(|kind| kind.command_line) {
        event.process.command_line = command_line.as_deref();
    }

    let logon_type = data.logon_type.and_then(integer_value);
    let logon = &mut event.winlog.logon;
    logon.kind = logon_type.and_then(logon_type_name);
    logon.id = logon_id.as_deref();
    if kind.is_some_and(|kind| kind.failure_detail) || event.event.outcome == Outcome::Failure {
        logon.failure.status = status_text.as_deref();
        logon.failure.sub_status = sub_status_text.as_deref().filter(|text| *text != "0x0");
        logon.failure.reason = sub_status
            .filter(|code| *code != 0)
            .and_then(failure_reason)
            .or_else(|| status.and_then(failure_reason));
    }
    event.event.reason = event.winlog.logon.failure.reason;

    writer.write(&event, out);
    Ok(MappedTime {
        timestamp,
        fallback: time_created.is_none(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(json: &str) -> serde_json::Value {
        let mut out = Vec::new();
        let record = RecordText {
            json,
            record_id: 42,
            fallback_time: Timestamp::from_unix(1_700_000_000, 5),
        };
        let ctx = RecordCtx {
            path: Some("Security.evtx"),
            keep_original: false,
        };
        map_record(record, ctx, &mut EventWriter::default(), &mut out).expect("maps");
        serde_json::from_slice(&out).expect("valid JSON")
    }

    const SYSTEM: &str = r##""System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Security-Auditing","Guid":"{5}"}},"EventID":4625,"TimeCreated":{"#attributes":{"SystemTime":"2021-05-21T20:43:22.562870Z"}},"Channel":"Security","Computer":"DC01.corp.local","Security":null}"##;

    #[test]
    fn a_failed_logon_for_an_unknown_user() {
        let json = format!(
            r##"{{"Event":{{"#attributes":{{"xmlns":"x"}},{SYSTEM},"EventData":{{"SubjectUserName":"-","TargetUserName":"admin","TargetDomainName":"CORP","Status":"0xc000006d","SubStatus":"0xc0000064","LogonType":3,"WorkstationName":"KALI","IpAddress":"203.0.113.9","IpPort":"51234"}}}}}}"##
        );
        let event = map(&json);
        assert_eq!(event["@timestamp"], "2021-05-21T20:43:22.562870Z");
        assert_eq!(event["event"]["code"], "4625");
        assert_eq!(event["event"]["action"], "logon-failed");
        assert_eq!(event["event"]["outcome"], "failure");
        assert_eq!(event["event"]["module"], "windows");
        assert_eq!(event["event"]["dataset"], "windows.security");
        assert_eq!(event["logsentry"]["event_type"], "invalid_user");
        assert_eq!(event["logsentry"]["line"], 42);
        assert_eq!(event["source"]["ip"], "203.0.113.9");
        assert_eq!(event["source"]["port"], 51234);
        assert_eq!(event["source"]["domain"], "KALI");
        assert_eq!(event["user"]["name"], "admin");
        assert_eq!(event["user"]["domain"], "CORP");
        assert_eq!(event["host"]["hostname"], "DC01.corp.local");
        assert_eq!(event["winlog"]["event_id"], 4625);
        assert_eq!(event["winlog"]["record_id"], 42);
        assert_eq!(event["winlog"]["channel"], "Security");
        assert_eq!(event["winlog"]["provider_name"], "Microsoft-Windows-Security-Auditing");
        assert_eq!(event["winlog"]["logon"]["type"], "Network");
        assert_eq!(event["winlog"]["logon"]["failure"]["status"], "0xc000006d");
        assert_eq!(event["winlog"]["logon"]["failure"]["sub_status"], "0xc0000064");
        assert_eq!(
            event["winlog"]["logon"]["failure"]["reason"],
            "User name does not exist"
        );
        assert_eq!(event["winlog"]["event_data"]["LogonType"], 3);
        assert_eq!(event["winlog"]["event_data"]["SubjectUserName"], "-");
        assert_eq!(event["log"]["file"]["path"], "Security.evtx");
    }

    #[test]
    fn a_wrong_password_is_a_failure_and_dashes_are_absent() {
        let json = format!(
            r##"{{"Event":{{{SYSTEM},"EventData":{{"TargetUserName":"bob","Status":"0xc000006d","SubStatus":"0xc000006a","IpAddress":"-","IpPort":"-"}}}}}}"##
        );
        let event = map(&json);
        assert_eq!(event["logsentry"]["event_type"], "failed");
        assert_eq!(event["winlog"]["logon"]["failure"]["reason"], "Wrong password");
        assert!(event.get("source").is_none(), "{event}");
    }

    #[test]
    fn group_membership_names_the_group_and_the_member() {
        let json = r##"{"Event":{"System":{"EventID":4732,"Channel":"Security","Computer":"WS1"},"EventData":{"MemberName":"-","MemberSid":"S-1-5-21-1-2-3-1001","TargetUserName":"Administrators","TargetDomainName":"Builtin","SubjectUserName":"alice"}}}"##;
        let event = map(json);
        assert_eq!(event["event"]["action"], "user-added-to-group");
        assert_eq!(event["group"]["name"], "Administrators");
        assert_eq!(event["group"]["domain"], "Builtin");
        assert_eq!(event["user"]["name"], "S-1-5-21-1-2-3-1001");
        let json = r##"{"Event":{"System":{"EventID":4728,"Channel":"Security"},"EventData":{"MemberName":"CN=Jane Doe,OU=Staff,DC=corp","MemberSid":"S-1-5-21-9","TargetUserName":"Domain Admins"}}}"##;
        let event = map(json);
        assert_eq!(event["user"]["name"], "Jane Doe");
        assert_eq!(event["user"]["id"], "S-1-5-21-9");
    }

    #[test]
    fn system_events_with_qualifiers_and_user_data() {
        let json = r##"{"Event":{"System":{"Provider":{"#attributes":{"Name":"Service Control Manager"}},"EventID":{"#attributes":{"Qualifiers":16384},"#text":7045},"Channel":"System","Computer":"WS1"},"EventData":{"ServiceName":"evil","ImagePath":"C:\\x\\evil.exe","AccountName":"LocalSystem"}}}"##;
        let event = map(json);
        assert_eq!(event["winlog"]["event_id"], 7045);
        assert_eq!(event["event"]["action"], "service-installed");
        assert_eq!(event["event"]["dataset"], "windows.system");
        assert_eq!(event["winlog"]["event_data"]["ImagePath"], "C:\\x\\evil.exe");
        assert_eq!(event["user"]["name"], "LocalSystem");
        let json = r##"{"Event":{"System":{"EventID":1102,"Channel":"Security"},"UserData":{"LogFileCleared":{"#attributes":{"xmlns":"y"},"SubjectUserName":"eve","SubjectDomainName":"CORP"}}}}"##;
        let event = map(json);
        assert_eq!(event["event"]["action"], "audit-log-cleared");
        assert_eq!(event["user"]["name"], "eve");
        assert_eq!(event["winlog"]["user_data"]["LogFileCleared"]["SubjectUserName"], "eve");
    }

    #[test]
    fn attributes_are_found_in_any_order() {
        let json = r##"{"Event":{"System":{"Provider":{"#attributes":{"Guid":"{5}","Name":"Service Control Manager"}},"EventID":7045,"TimeCreated":{"#attributes":{"Zone":"x","SystemTime":"2021-05-21T20:43:22Z"}},"Channel":"System"}}}"##;
        let event = map(json);
        assert_eq!(event["event"]["provider"], "Service Control Manager");
        assert_eq!(event["@timestamp"], "2021-05-21T20:43:22Z");
    }

    #[test]
    fn unknown_ids_keep_their_winlog_fields() {
        let json = r##"{"Event":{"System":{"EventID":5058,"Channel":"Security"},"EventData":{"KeyName":"k"}}}"##;
        let event = map(json);
        assert_eq!(
            event["@timestamp"], "2023-11-14T22:13:20.000000005Z",
            "the header's time without TimeCreated"
        );
        assert_eq!(event["event"]["action"], "windows-event");
        assert_eq!(event["event"]["outcome"], "unknown");
        assert_eq!(event["winlog"]["event_data"]["KeyName"], "k");
        assert!(event["event"].get("category").is_none());
    }

    #[test]
    fn not_a_record_is_rejected() {
        let mut out = Vec::new();
        for json in [
            "",
            "{}",
            "{\"Event\":1}",
            "{\"Event\":{\"System\":{}}}",
            "{\"Event\":{\"System\":{\"EventID\":",
        ] {
            let record = RecordText {
                json,
                record_id: 1,
                fallback_time: Timestamp::from_unix(0, 0),
            };
            let ctx = RecordCtx {
                path: None,
                keep_original: false,
            };
            assert!(
                map_record(record, ctx, &mut EventWriter::default(), &mut out).is_err(),
                "{json}"
            );
        }
        assert!(out.is_empty());
    }
}
