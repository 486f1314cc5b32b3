//! Large generated Windows Security logs for the EVTX bench, written with the test-support
//! EVTX writer: a realistic mix of a domain controller's busiest event IDs, each with the
//! fields Windows gives it, and each record a template instance, as Windows writes them.

use super::Rng;
use std::path::Path;

#[path = "../../tests/support/evtx_writer.rs"]
mod evtx_writer;

use evtx_writer::{EvtxWriter, WinEvent};

const USERS: &[&str] = &[
    "Administrator",
    "alice",
    "bob",
    "jsmith",
    "svc-sql",
    "svc-backup",
    "helpdesk",
    "carol",
];
const HOSTS: &[&str] = &["WS-ALICE", "WS-BOB", "WS-0117", "LAPTOP-7F2K", "KALI", "-"];
const COMMANDS: &[&str] = &[
    r"C:\Windows\System32\svchost.exe -k netsvcs -p -s Schedule",
    r#""C:\Program Files\Google\Chrome\Application\chrome.exe" --type=renderer --lang=en-US"#,
    r"powershell.exe -NoProfile -ExecutionPolicy Bypass -File C:\ops\backup.ps1",
    r"C:\Windows\system32\cmd.exe /c whoami /all",
];

fn address(rng: &mut Rng) -> String {
    format!("10.{}.{}.{}", rng.below(4), rng.below(256), 1 + rng.below(254))
}

fn event(rng: &mut Rng, at: i64) -> WinEvent {
    const DC: &str = "DC01.corp.example";
    let user = rng.pick(USERS);
    let sid = format!("S-1-5-21-3623811015-3361044348-30300820-{}", 1000 + rng.below(400));
    let logon_id = format!("0x{:x}", 0x10_0000 + rng.below(0xf0_0000));
    let ip = address(rng);
    let port = (49_152 + rng.below(16_000)).to_string();
    let host = rng.pick(HOSTS);
    let mut data: Vec<(&str, String)> = Vec::new();
    let id = match rng.below(20) {
        0..=7 => {
            for (key, value) in [
                ("SubjectUserSid", "S-1-0-0"),
                ("SubjectUserName", "-"),
                ("SubjectDomainName", "-"),
                ("SubjectLogonId", "0x0"),
            ] {
                data.push((key, value.to_owned()));
            }
            data.push(("TargetUserSid", sid.clone()));
            data.push(("TargetUserName", user.to_owned()));
            data.push(("TargetDomainName", "CORP".to_owned()));
            data.push(("TargetLogonId", logon_id.clone()));
            data.push(("LogonType", "3".to_owned()));
            data.push(("LogonProcessName", "Kerberos".to_owned()));
            data.push(("AuthenticationPackageName", "Kerberos".to_owned()));
            data.push(("WorkstationName", host.to_owned()));
            data.push(("LogonGuid", "{8a4d2c1e-77b3-4f0e-9c5a-3b1d2e6f7a90}".to_owned()));
            data.push(("TransmittedServices", "-".to_owned()));
            data.push(("LmPackageName", "-".to_owned()));
            data.push(("KeyLength", "0".to_owned()));
            data.push(("ProcessId", "0x0".to_owned()));
            data.push(("ProcessName", "-".to_owned()));
            data.push(("IpAddress", ip));
            data.push(("IpPort", port));
            data.push(("ImpersonationLevel", "%%1833".to_owned()));
            4624
        }
        8..=10 => {
            data.push(("SubjectUserSid", "S-1-0-0".to_owned()));
            data.push(("SubjectUserName", "-".to_owned()));
            data.push(("TargetUserName", user.to_owned()));
            data.push(("TargetDomainName", "CORP".to_owned()));
            data.push(("Status", "0xc000006d".to_owned()));
            data.push(("FailureReason", "%%2313".to_owned()));
            data.push((
                "SubStatus",
                if rng.below(4) == 0 { "0xc0000064" } else { "0xc000006a" }.to_owned(),
            ));
            data.push(("LogonType", "3".to_owned()));
            data.push(("LogonProcessName", "NtLmSsp".to_owned()));
            data.push(("AuthenticationPackageName", "NTLM".to_owned()));
            data.push(("WorkstationName", host.to_owned()));
            data.push(("IpAddress", ip));
            data.push(("IpPort", port));
            4625
        }
        11..=13 => {
            data.push(("TargetUserSid", sid));
            data.push(("TargetUserName", user.to_owned()));
            data.push(("TargetDomainName", "CORP".to_owned()));
            data.push(("TargetLogonId", logon_id));
            data.push(("LogonType", "3".to_owned()));
            4634
        }
        14..=15 => {
            data.push(("SubjectUserSid", sid));
            data.push(("SubjectUserName", user.to_owned()));
            data.push(("SubjectDomainName", "CORP".to_owned()));
            data.push(("SubjectLogonId", logon_id));
            data.push((
                "PrivilegeList",
                "SeSecurityPrivilege\n\t\t\tSeBackupPrivilege\n\t\t\tSeDebugPrivilege".to_owned(),
            ));
            4672
        }
        16..=17 => {
            data.push(("SubjectUserSid", sid));
            data.push(("SubjectUserName", user.to_owned()));
            data.push(("SubjectDomainName", "CORP".to_owned()));
            data.push(("SubjectLogonId", logon_id));
            data.push(("NewProcessId", format!("0x{:x}", rng.below(0xffff))));
            data.push(("NewProcessName", r"C:\Windows\System32\cmd.exe".to_owned()));
            data.push(("TokenElevationType", "%%1936".to_owned()));
            data.push(("ProcessId", format!("0x{:x}", rng.below(0xffff))));
            data.push(("CommandLine", rng.pick(COMMANDS).to_owned()));
            4688
        }
        18 => {
            data.push(("TargetUserName", format!("{user}@CORP.EXAMPLE")));
            data.push(("TargetDomainName", "CORP.EXAMPLE".to_owned()));
            data.push(("ServiceName", "DC01$".to_owned()));
            data.push(("ServiceSid", "S-1-5-21-3623811015-3361044348-30300820-1000".to_owned()));
            data.push(("TicketOptions", "0x40810000".to_owned()));
            data.push(("TicketEncryptionType", "0x12".to_owned()));
            data.push(("IpAddress", format!("::ffff:{ip}")));
            data.push(("IpPort", port));
            data.push(("Status", "0x0".to_owned()));
            4769
        }
        _ => {
            data.push(("ProcessID", "4".to_owned()));
            data.push(("Application", "System".to_owned()));
            data.push(("Direction", "%%14592".to_owned()));
            data.push(("SourceAddress", ip));
            data.push(("SourcePort", port));
            data.push(("DestAddress", "10.0.0.10".to_owned()));
            data.push(("DestPort", "445".to_owned()));
            data.push(("Protocol", "6".to_owned()));
            5156
        }
    };
    let pairs: Vec<(&str, &str)> = data.iter().map(|(key, value)| (*key, value.as_str())).collect();
    let mut event = WinEvent::security(id, at, DC, &pairs);
    event.nanos = (rng.below(10_000_000) * 100) as u32;
    event
}

/// Writes a Security log of about `bytes` to `path` (kept between runs), returning its
/// record count.
pub fn generate_security_log(path: &Path, bytes: u64, seed: u64) -> u64 {
    let count_path = path.with_extension("v2.records");
    if let (Ok(meta), Ok(count)) = (std::fs::metadata(path), std::fs::read_to_string(&count_path)) {
        if meta.len() >= bytes {
            if let Ok(records) = count.trim().parse() {
                return records;
            }
        }
    }
    let mut rng = Rng(seed);
    let mut writer = EvtxWriter::templated();
    let mut records = 0u64;
    // The writer keeps chunks in memory; its size grows by a 64 KiB chunk per ~110 records.
    let mut at = 1_773_100_000;
    while writer.approximate_size() < bytes {
        at += i64::from(rng.below(3) == 0);
        writer.push(&event(&mut rng, at));
        records += 1;
    }
    std::fs::write(path, writer.finish()).expect("write bench EVTX");
    std::fs::write(&count_path, records.to_string()).expect("write record count");
    records
}
