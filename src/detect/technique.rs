//! The ATT&CK techniques our rules detect (ORIGIN.md's mapping), with the tactic each
//! alert reports. Ids and names as attack.mitre.org gives them.

use crate::schema::{Tactic, Technique};

/// T1110.001: guessing passwords for known accounts.
pub const PASSWORD_GUESSING: Technique = Technique {
    id: "T1110.001",
    name: "Brute Force: Password Guessing",
    reference: "https://attack.mitre.org/techniques/T1110/001/",
};

/// T1110.004: trying many accounts (leaked pairs, or enumeration).
pub const CREDENTIAL_STUFFING: Technique = Technique {
    id: "T1110.004",
    name: "Brute Force: Credential Stuffing",
    reference: "https://attack.mitre.org/techniques/T1110/004/",
};

/// T1078: logging in with an account the attacker should not have.
pub const VALID_ACCOUNTS: Technique = Technique {
    id: "T1078",
    name: "Valid Accounts",
    reference: "https://attack.mitre.org/techniques/T1078/",
};

/// TA0006.
pub const CREDENTIAL_ACCESS: Tactic = Tactic {
    name: "Credential Access",
};

/// TA0001.
pub const INITIAL_ACCESS: Tactic = Tactic { name: "Initial Access" };

/// T1078.003: a local account used at a time its owner would not.
pub const LOCAL_ACCOUNTS: Technique = Technique {
    id: "T1078.003",
    name: "Valid Accounts: Local Accounts",
    reference: "https://attack.mitre.org/techniques/T1078/003/",
};

/// T1595: probing a server for what it has.
pub const ACTIVE_SCANNING: Technique = Technique {
    id: "T1595",
    name: "Active Scanning",
    reference: "https://attack.mitre.org/techniques/T1595/",
};

/// T1595.002: a vulnerability scanner at work (sqlmap, nikto, nuclei, ...).
pub const VULNERABILITY_SCANNING: Technique = Technique {
    id: "T1595.002",
    name: "Active Scanning: Vulnerability Scanning",
    reference: "https://attack.mitre.org/techniques/T1595/002/",
};

/// T1595.003: guessing paths from a list (hidden files, backups, admin pages).
pub const WORDLIST_SCANNING: Technique = Technique {
    id: "T1595.003",
    name: "Active Scanning: Wordlist Scanning",
    reference: "https://attack.mitre.org/techniques/T1595/003/",
};

/// TA0043.
pub const RECONNAISSANCE: Tactic = Tactic { name: "Reconnaissance" };

/// T1136.001: a new local account, for persistence.
pub const CREATE_LOCAL_ACCOUNT: Technique = Technique {
    id: "T1136.001",
    name: "Create Account: Local Account",
    reference: "https://attack.mitre.org/techniques/T1136/001/",
};

/// T1098: an account given more than it had, such as a privileged group.
pub const ACCOUNT_MANIPULATION: Technique = Technique {
    id: "T1098",
    name: "Account Manipulation",
    reference: "https://attack.mitre.org/techniques/T1098/",
};

/// T1110: password guessing in general (sudo's, an account lockout).
pub const BRUTE_FORCE: Technique = Technique {
    id: "T1110",
    name: "Brute Force",
    reference: "https://attack.mitre.org/techniques/T1110/",
};

/// TA0003.
pub const PERSISTENCE: Tactic = Tactic { name: "Persistence" };

/// T1190: SQL injection and its kin against a web application.
pub const EXPLOIT_PUBLIC_FACING: Technique = Technique {
    id: "T1190",
    name: "Exploit Public-Facing Application",
    reference: "https://attack.mitre.org/techniques/T1190/",
};

/// T1083: reading files the application was not meant to serve.
pub const FILE_DISCOVERY: Technique = Technique {
    id: "T1083",
    name: "File and Directory Discovery",
    reference: "https://attack.mitre.org/techniques/T1083/",
};

/// T1059: commands run through the application.
pub const COMMAND_INTERPRETER: Technique = Technique {
    id: "T1059",
    name: "Command and Scripting Interpreter",
    reference: "https://attack.mitre.org/techniques/T1059/",
};

/// T1059.007: script run in a visitor's browser.
pub const JAVASCRIPT: Technique = Technique {
    id: "T1059.007",
    name: "Command and Scripting Interpreter: JavaScript",
    reference: "https://attack.mitre.org/techniques/T1059/007/",
};

/// TA0002.
pub const EXECUTION: Tactic = Tactic { name: "Execution" };

/// TA0007.
pub const DISCOVERY: Tactic = Tactic { name: "Discovery" };

/// T1078.002: a domain account, here one given administrator privileges at its logon.
pub const DOMAIN_ACCOUNTS: Technique = Technique {
    id: "T1078.002",
    name: "Valid Accounts: Domain Accounts",
    reference: "https://attack.mitre.org/techniques/T1078/002/",
};

/// TA0004.
pub const PRIVILEGE_ESCALATION: Tactic = Tactic {
    name: "Privilege Escalation",
};

/// T1070.001: clearing Windows event logs to hide what was done.
pub const CLEAR_WINDOWS_EVENT_LOGS: Technique = Technique {
    id: "T1070.001",
    name: "Indicator Removal: Clear Windows Event Logs",
    reference: "https://attack.mitre.org/techniques/T1070/001/",
};

/// TA0005.
pub const DEFENSE_EVASION: Tactic = Tactic {
    name: "Defense Evasion",
};

/// T1543.003: a new Windows service, to run code at every boot.
pub const WINDOWS_SERVICE: Technique = Technique {
    id: "T1543.003",
    name: "Create or Modify System Process: Windows Service",
    reference: "https://attack.mitre.org/techniques/T1543/003/",
};
