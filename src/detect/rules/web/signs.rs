//! What gives away the classes that target an engine behind the web server (Log4j, bash,
//! PHP, Java, a template engine), the ones that point it elsewhere (remote inclusion), and
//! the requests that only a scanner makes (sensitive files, known exploit paths). The older
//! classes' signs and the matching machinery are in [`super::patterns`].

/// A `${` lookup; [`is_a_dangerous_lookup`] decides what it resolves to.
pub(super) const LOOKUP_SIGNS: &[&str] = &[r"\$\{\S{0,80}"];

/// How far after `${` a lookup is read, and how many nested lookups are resolved: enough for
/// every obfuscation seen in the wild, bounded for hostile input.
const LOOKUP_WINDOW: usize = 1024;
const MAX_NESTED_LOOKUPS: usize = 64;

/// The lookups that fetch or run something: Log4j's `jndi`, and Commons Text's `script`,
/// `dns` and `url` (Text4Shell).
const DANGEROUS_LOOKUPS: &[&str] = &["jndi:", "script:", "dns:", "url:"];

/// Whether the `${` at `at` resolves to a lookup that fetches or runs something, once the
/// lookups nested inside it to hide the name are resolved as Log4j would: `${lower:j}` and
/// `${upper:j}` are `j`, `${::-j}` and `${env:UNSET:-j}` their default `j`, `${date:'j'}`
/// the quoted text; any other lookup is taken to resolve to nothing.
pub(super) fn is_a_dangerous_lookup(text: &str, at: usize) -> bool {
    let window = text.get(at..).unwrap_or("");
    let mut resolved = crate::text::cut_at_char(window, LOOKUP_WINDOW).to_owned();
    for _ in 0..MAX_NESTED_LOOKUPS {
        let Some(close) = resolved.find('}') else {
            return false;
        };
        let Some(open) = resolved[..close].rfind("${") else {
            return false;
        };
        let inner = resolved[open + 2..close].trim();
        if DANGEROUS_LOOKUPS.iter().any(|name| inner.starts_with(name)) {
            return true;
        }
        let value = if let Some((_, default)) = inner.rsplit_once(":-") {
            default
        } else if let Some(text) = inner.strip_prefix("lower:").or_else(|| inner.strip_prefix("upper:")) {
            text
        } else if let Some(format) = inner.strip_prefix("date:") {
            format.trim_matches('\'')
        } else {
            ""
        }
        .to_owned();
        resolved.replace_range(open..=close, &value);
    }
    false
}

/// A bash function definition, which a vulnerable bash runs the rest of when it imports
/// the variable (`() { :; }; /bin/id`).
pub(super) const SHELLSHOCK_SIGNS: &[&str] = &[r"\(\s*\)\s*\{[^}]{0,64};[^}]{0,16}\}"];

/// Expressions for a template engine to evaluate: the arithmetic probes (`{{7*7}}`,
/// `${7*7}`, `#{7*7}`, `<%= 7*7 %>`), and the objects a Jinja, Freemarker, Velocity,
/// Thymeleaf or Spring EL payload reaches for.
pub(super) const TEMPLATE_SIGNS: &[&str] = &[
    r"\{\{\s*-?\d+\s*[*+/-]\s*['\x22]?-?\d+['\x22]?\s*\}\}",
    r"[$#*@]\{\s*-?\d+\s*[*+/-]\s*-?\d+\s*\}",
    r"<%=?\s*-?\d+\s*[*+/-]\s*-?\d+\s*%>",
    r"\{\{[^}]{0,200}(?:__class__|__mro__|__subclasses__|__globals__|__builtins__|__import__|__init__|config\.items\s*\(|request\.application|self\._templatereference|lipsum\.|cycler\.|joiner\.|namespace\.|\|\s*attr\s*\()",
    r"\{\{\s*(?:config|self|settings)\s*\}\}",
    r"\{%\s*(?:import|include|exec|debug|load|extends)\b[^%]{0,200}%\}",
    r"<#assign\b|freemarker\.template\.utility\.execute|\?new\s*\(\s*\)",
    r"[$#*]\{\s*t\s*\(\s*java\.",
    r"[$#]\{\s*(?:''|\x22\x22|'\w*'|\x22\w*\x22)\s*\.\s*getclass\s*\(",
    r"#set\s*\(\s*\$\w+\s*=",
];

/// Java the server would load or run: class names from the packages payloads use, the
/// calls that start a process, OGNL's context (Struts), Spring's class loader (Spring4Shell)
/// and a serialized object's magic bytes, in hex or base64.
pub(super) const JAVA_SIGNS: &[&str] = &[
    r"\bjavax?\.(?:lang|io|util|net|nio|beans|rmi|script|naming|management|xml|security)\.[a-z]",
    r"\b(?:org\.apache\.(?:commons|xalan|catalina|tomcat|struts)|com\.opensymphony\.xwork2|org\.springframework\.|org\.codehaus\.groovy|com\.sun\.(?:rowset|org\.apache)|sun\.misc\.|bsh\.interpreter)",
    r"\b(?:processbuilder|scriptenginemanager|objectinputstream|getdeclaredmethod|getdeclaredfield)\b|\bruntime\s*\.\s*getruntime\b|\bgetruntime\s*\(|\bclass\s*\.\s*forname\s*\(",
    r"\bclass\.(?:module\.)?classloader\b",
    r"#_?memberaccess\b|@ognl|\bognlcontext\b|#context\s*\[|\(\s*#[a-z_]+\s*=",
    r"(?:^|[=\s'\x22])(?:ro0ab|aced0005)",
    r"\.getclass\s*\(\s*\)\s*\.",
];

/// Call syntax after a PHP function name, a comment allowed before the bracket.
macro_rules! php_call {
    () => {
        r"\s*(?:(?://|#)[^\n]*\n\s*)?\("
    };
}

/// PHP the server would run: open tags, the stream wrappers an include reads code through,
/// superglobals, variable functions (`$f(`, `${'a'}(`), and calls to the functions payloads
/// use. Functions whose names are also words or SQL (`copy`, `range`, `substr`) are left
/// out; the ones that are only PHP count when called with what PHP code passes them.
pub(super) const PHP_SIGNS: &[&str] = &[
    r"<\?\s*(?:php\b|=|$|&)|<\?\s+(?:echo|print|system|eval|include|require|\$)",
    r"\[/?php\]|\{/?php\}",
    r"\bphp://(?:input|filter|stdin|memory|temp|fd)\b",
    r"(?:^|[=\s'\x22(])(?:data|expect|phar|zip|glob|compress\.(?:zlib|bzip2)|zlib|ogg|rar|ssh2\.\w+)://",
    r"\$_(?:get|post|request|cookie|server|files|env|session)\b|\$globals\b|\$http_raw_post_data\b",
    concat!(
        r"(?:^|[^\w$])@?\$+(?:\{[^}]{1,40}\}|[a-z_]\w*)(?:\s*\[[^\]]{0,20}\]|\s*\{[^}]{0,20}\}|\s*->\s*\w+)*",
        php_call!()
    ),
    r"\$\s*\{\s*(?:['\x22]|\$)|\$\s+\{",
    // `eval` and `assert` run their argument; prose mentions them with empty brackets and
    // script in a page calls `eval` on strings, so only PHP's arguments count.
    concat!(
        r"\b(?:eval|assert)",
        php_call!(),
        r"\s*(?:\$|base64_decode|gzinflate|gzuncompress|str_rot13|hex2bin|urldecode|stripslashes)"
    ),
    concat!(
        r"\b(?:passthru|shell_exec|popen|proc_open|pcntl_exec|base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|create_function|call_user_func(?:_array)?|file_get_contents|file_put_contents|phpinfo|unserialize|highlight_file|show_source|fsockopen|pfsockopen|assert_options|move_uploaded_file|preg_replace|array_map|array_filter|array_walk|register_shutdown_function|ob_start|posix_\w+|ini_set|ini_get|putenv|getenv|readfile|fpassthru|parse_ini_file|stream_socket_client|curl_exec|curl_init|mb_ereg_replace|get_defined_vars)",
        php_call!()
    ),
    concat!(
        r"\b(?:system|exec|include|require|include_once|require_once|fopen|fwrite|fputs|fread|unlink|rmdir|mkdir|chmod|symlink|touch|rename|strrev|printf|sprintf|print_r|var_dump|var_export|intval|crypt|serialize|strip_tags|unpack|filegroup|fileowner|checkdate|array_diff|date_add|ldap_\w+|parse_str|compact|implode|explode|str_replace|preg_match|setcookie|phpversion|php_uname|getcwd|scandir|opendir|readdir|file_exists|get_defined_functions)",
        php_call!(),
        r"\s*(?:\$|['\x22]|\)|[a-z_]\w*\s*[(),])"
    ),
];

/// A parameter naming a file to include ends in one of these (`page=`, `phpbb_root_path=`,
/// `config[template_path]=`).
macro_rules! inclusion_parameter {
    () => {
        r"(?:^|[?&])[\w\[\]'.-]*(?:file|page|include|inc|path|dir|root|template|tpl|conf|config|mod|module|lang|language|load|document|doc|folder|style|theme|skin|layout|prefix|script|pg|main|globals)['\]]*\s*=\s*"
    };
}

/// A parameter that points the server at a remote file or an internal service. A URL in a
/// parameter is also how redirects, share links and sign-ins work, so a plain `https://`
/// value counts only with a sign of inclusion: a trailing `?` that turns the rest of the
/// server's path into a query, an address or a port instead of a name, userinfo, a script
/// or text file for a parameter that names a file; schemes no browser link uses
/// (`gopher://`, `dict://`, `ldap://`, `jar:`) always count.
pub(super) const REMOTE_INCLUSION_SIGNS: &[&str] = &[
    r"(?:^|[?&=])\s*(?:https?|ftps?)://[^&\s]*\?\s*(?:&|$)",
    r"=\s*(?:https?|ftps?)://(?:\d{1,3}(?:\.\d{1,3}){3}|localhost|\[[0-9a-f:]+\])(?:[:/?&]|$)",
    r"=\s*(?:https?|ftps?)://[^&/?@\s]*@",
    r"=\s*(?:https?|ftps?)://[^&/?\s]+:\d+",
    r"=\s*ftps?://",
    r"(?:^|[=\s'\x22])(?:gopher|dict|ldaps?|tftp|netdoc|local_file|rmi)://",
    r"\bjar:(?:https?|file|ftp):",
    // Nikto's database writes the remote file it includes as this placeholder.
    r"=\s*(?:xxpathxx|@rfiurl)\b",
    concat!(
        inclusion_parameter!(),
        r"(?:https?|ftps?)://[^&\s?]*(?:\.(?:txt|php\d?|inc|sh|pl|py|cgi)\b[^&\s]*|/[^&\s.]*)(?:&|$)"
    ),
];

/// A hidden file or directory in the path ([`is_not_a_well_known_uri`]).
pub(super) const HIDDEN_FILE_SIGNS: &[&str] = &[r"^[^?]*/\.[a-z0-9_-][\w.-]*"];

/// Files no site serves on purpose, in the path (not the query): WordPress's configuration
/// and its editor copies, backups and editor leftovers, database dumps, status pages, logs
/// and keys.
pub(super) const SENSITIVE_FILE_SIGNS: &[&str] = &[
    r"^[^?]*/wp-config\b",
    r"^[^?]*[^/]\.(?:bak|backup|old|orig|original|save|sav|swp|swo)(?:$|\?)",
    r"^[^?]*[^/]~(?:$|\?)",
    r"^/[^/?]*\.(?:sql|sqlite3?|mdb|dump|db)(?:\.(?:gz|zip|bz2|xz|tar|tgz|7z|rar))?(?:$|\?)",
    r"^[^?]*/(?:backups?|dump|database|db|site|www|wwwroot|htdocs|public_html|web|data|export|sql|mysql|localhost|wordpress|wp)(?:[_.-]?\d[\d_.-]*)?\.(?:sql|zip|tar|tgz|gz|rar|7z|bz2|xz|bak)(?:\.(?:gz|zip|bz2|xz))?(?:$|\?)",
    r"^/(?:server-status|server-info)(?:$|[/?])",
    r"^[^?]*/(?:phpinfo|info)\.php(?:$|\?)",
    r"^[^?]*/actuator(?:/(?:env|heapdump|threaddump|mappings|configprops|beans|trace|httptrace|logfile|jolokia|gateway))?(?:$|[/?])",
    r"^[^?]*/(?:debug|error|errors|php_errors?)[_.-]?log(?:\.txt)?(?:$|\?)",
    r"^[^?]*/(?:id_rsa|id_dsa|id_ecdsa|id_ed25519)(?:\.pub)?(?:$|\?)",
    r"^[^?]*/web\.config(?:$|\?)",
    r"^[^?]*/(?:htpasswd|htaccess|ws_ftp\.ini|\.?passwd\.(?:txt|bak))\b",
];

/// Whether the hidden file matched at `at` is something other than `/.well-known/`, where
/// sites publish what they mean clients to fetch (RFC 8615).
pub(super) fn is_not_a_well_known_uri(text: &str, _at: usize) -> bool {
    let path = text.split('?').next().unwrap_or(text);
    path.split('/')
        .filter(|segment| segment.starts_with('.') && !matches!(*segment, "." | ".."))
        .any(|segment| segment != ".well-known")
}

/// Words that make a request a candidate for [`EXPLOIT_PROBE_SIGNS`].
pub(super) const EXPLOIT_PROBE_KEYWORDS: &[&str] = &[
    "telerik",
    "htmlawed",
    "/api/v2/cmdb",
    "setupadministrator",
    "server-info.action",
    "setup-restore",
    "createremoteappwebsession",
    "getphpinfo",
    "/tmui/",
    "_ignition",
    "setup.cgi",
    "networkdiag",
    "videoconfiguration",
    "/crx/",
    "+csco",
    "fgt_lang",
    "dana-na",
    "eval-stdin",
    "boaform",
    "hnap1",
    "gponform",
    "/mgmt/tm/",
    "wls-wsat",
    "_async",
    "autodiscover",
    "/sap/",
    "/nwa",
    "/vpns/",
    "shell",
    "c99",
    "r57",
    "wso",
    "b374k",
    "/cgi-bin/",
    "/druid/",
    "/solr/",
    "/owa/",
    "/console/",
    "/hudson",
    "/remote/",
    ".exe",
    ".bat",
    "nessus",
    ".nasl",
];

/// Paths only a known exploit or its scanner asks for (the CVE each belongs to is in the
/// comment), and web shells by their names.
pub(super) const EXPLOIT_PROBE_SIGNS: &[&str] = &[
    // CVE-2019-18935 Telerik UI, CVE-2022-35914 htmLawed (GLPI), CVE-2022-40684 FortiOS.
    r"telerik\.web\.ui\.webresource\.axd\?type=rau|/htmlawedtest\.php|/api/v2/cmdb/system/admin",
    // CVE-2023-22515 and CVE-2023-22518 Confluence.
    r"/setup/setupadministrator\.action|/server-info\.action|/setup-restore(?:-local)?\.action",
    // CVE-2024-9474 PAN-OS, CVE-2023-49103 ownCloud graphapi, CVE-2020-5902 F5 TMUI.
    r"/php/utils/createremoteappwebsession\.php|/getphpinfo\.php|/tmui/(?:login\.jsp/\.\.;|locallb/workspace/)",
    // CVE-2021-3129 Laravel Ignition, Netgear setup.cgi and networkDiag.cgi, camera CGIs.
    r"/_ignition/execute-solution|/setup\.cgi(?:$|\?)|/networkdiag\.cgi|/videoconfiguration\.cgi|/crx/packmgr",
    // Cisco ASA/AnyConnect, CVE-2018-13379 FortiOS, CVE-2019-11510 Pulse Secure.
    r"/\+csco[et]\+/|/remote/fgt_lang|/dana-na/|/dana-cached/",
    // CVE-2017-9841 PHPUnit, Realtek/Boa routers, HNAP, GPON, CVE-2022-1388 F5 iControl.
    r"/vendor/phpunit/.*eval-stdin\.php|/boaform/|/hnap1(?:$|[/?])|/gponform/|/mgmt/tm/util/bash",
    // WebLogic (CVE-2017-10271, CVE-2019-2725), ProxyShell, SAP, Citrix (CVE-2019-19781).
    r"/wls-wsat/|/_async/asyncresponseservice|/autodiscover/autodiscover\.json\?.*@|/sap/bc/gui/sap/its/webgui|^/nwa(?:$|[/?])|/vpns?/\.\./vpns/",
    // Windows programs in a script directory, where old IIS and CGI exploits found them,
    // and Nessus naming its own plugin in a probe.
    r"^/(?:javascript|scripts|[\w-]*cgi[\w-]*|htbin|_vti_bin|msadc|iisadmpwd|iissamples|bin)/[^?]*\.(?:exe|com|bat)(?:$|[/?])",
    r"\bnessus[_-]?\d|\.nasl\b",
    // Web shells by name.
    r"/[\w.-]*(?:_shell|-shell|shell_|webshell|c99|r57|wso|b374k|alfa)[\w.-]*\.(?:php\d?|asp|aspx|jsp)(?:$|\?)",
];
