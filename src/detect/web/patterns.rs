//! The web attack classes and what gives each away in a normalised request. Cheap keyword
//! search (aho-corasick, one pass for all classes) picks the candidates; the regexes, which
//! tell an attack from a word that merely looks like one, run only on those.

use aho_corasick::AhoCorasick;
use regex::{Regex, RegexSet};

/// A web attack class, in the order they are tried: the first that matches wins.
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
}

/// Every class with its keywords (any one makes a candidate) and its confirming patterns.
const CLASSES: [(AttackClass, &[&str], &[&str]); 4] = [
    (
        AttackClass::CommandInjection,
        &[
            ";",
            "|",
            "&",
            "`",
            "$(",
            "/bin/",
            "cmd",
            "powershell",
            "${ifs}",
            "\n",
            "system(",
            "exec",
            "ping",
        ],
        &[
            r"(?:;|\||&|`|\$\()\s*(?:/?(?:usr/)?bin/)?(?:cat|ls|id|whoami|uname|wget|curl|nc|ncat|netcat|bash|sh|zsh|ping|nslookup|dig|sleep|echo|rm|chmod|python[0-9.]*|perl|php|ruby|telnet|ifconfig|ipconfig|netstat|net\s+user|type|dir|systeminfo|tftp|ftp)\b",
            r"/(?:usr/)?bin/(?:id|cat|ls|whoami|uname|wget|curl|nc)\b",
            r"<!--\s*#\s*exec\b",
            r"\b(?:system|passthru|shell_exec|popen|proc_open|exec)\s*\(\s*['\x22]",
            r"\bping(?:\.exe)?\s+-[nic]\s+\d+",
            r"`[^`]*\b(?:cat|ls|id|whoami|uname|wget|curl|sleep|ping|echo)\b[^`]*`",
            r"\$\(\s*(?:cat|ls|id|whoami|uname|wget|curl|sleep|ping|echo)\b",
            r"/bin/(?:ba|z|da)?sh\b",
            r"\bcmd(?:\.exe)?\s*/[ck]\b",
            r"\bpowershell(?:\.exe)?\s+-",
            r"\$\{ifs\}",
        ],
    ),
    (
        AttackClass::SqlInjection,
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
        ],
        &[
            r"\bunion\b(?:\s+(?:all|distinct))?\s*\(?\s*select\b",
            r"\bselect\b.+?\bfrom\b",
            r"\bselect\s+(?:[@(*'\d]|[\w.]+\s*(?:[(=,]|\b(?:where|from|union|into|if|case)\b)|(?:union|if|case|distinct|all|top)\b)",
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
            r"\border\s+by\s+\d+\s*(?:--|#|$|\)|')",
            r"\bhaving\s+\d+\s*=\s*\d+",
            r"\binsert\s+into\b",
            r"\bdelete\s+from\b",
            r"\bdrop\s+(?:table|database|schema|view|procedure|function)\b",
            r"\bupdate\s+\w+\s+set\b",
            r"\bnull\s*,\s*null\b",
        ],
    ),
    (
        AttackClass::Traversal,
        &[
            "..",
            "etc",
            "boot.ini",
            "win.ini",
            "proc/self",
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
        &[
            r"\.{2,}/",
            r"(?:^|[/=])\.{2,}(?:\{|$)",
            // Scanners (DotDotPwn and friends) spell the dots and slashes out in hex.
            r"(?:\.\.|0x2e0x2e)(?:/|\\|0x2f|0x5c)",
            r"0x2e0x2e",
            r"(?:/\.){2,}/",
            // No file or directory name is longer than 255 bytes: a longer one ending in dots
            // is there to push the real path past a length limit that truncates it.
            r"[^/?&=]{256,}\.\.",
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
            r"\bc:/(?:windows|winnt|inetpub|boot\.ini)",
            r"\bwindows/system32\b",
            r"\x{0}|%00",
            r"\bfile:/{2,}",
        ],
    ),
    (
        AttackClass::CrossSiteScripting,
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
        ],
        &[
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
        ],
    ),
];

/// SQL signs that scripts and markup share (a quote before an operator, a tautology): tried
/// after every other class, so a cross-site scripting payload full of quotes is reported as
/// what it is, and SQL injection still catches them when nothing else does.
const WEAK_SQL: &[&str] = &[
    r#"['"`]\s*(?:\|\||&&|--|#|=\s*['"\d(]|\|)"#,
    r"\)\s*(?:\b(?:or|and|xor|union|order|group|having|into|procedure|waitfor)\b|;|--|#)",
    r#"\b(?:or|and|xor)\b\s+[\w'"(]+\s*(?:=|<>|!=|<|>|\blike\b|\bis\b|\bbetween\b|\bin\s*\()"#,
    r"\b(?:or|and)\b\s+(?:not\s+)?(?:true|false)\b",
    r"^\s*-?\d+\s+(?:or|and)\s+-?\d+\s*$",
    r#"^\s*['"]\s*$"#,
    r#"['"]\s*(?:--|#)"#,
    r"\d\s*(?:--|#)\s*$",
];

/// A quote, then an SQL operator or clause with something SQL after it: `' OR 1`,
/// `'or'1'='1`, `' AND col LIKE '`, `' GROUP BY 2`. Prose in quotes reads the same way
/// (`"wood" and "sign"`, `dancin' like a robot`), so the operator must be followed by an
/// operand (a quote, a number, a bracket, a sign, or a name with an operator after it) and
/// the quote must be one the request opens rather than closes ([`breaks_out_of_a_string`]).
const QUOTED_SQL: &[&str] = &[
    r#"['"`]\s*\b(?:or|and|xor|div|like|rlike|regexp)\b\s*(?:binary\s+)?(?:['"`\d(@!~+-]|[\w.@]+\s*(?:[=<>!^*&|+/%(~-]|\b(?:like|rlike|regexp|is|in|between|xor|div|not)\b))"#,
    r#"['"`]\s*(?:\bunion\b\s*(?:/\*|\(|!|\b(?:all|distinct|select)\b)|\b(?:group|order)\s+by\b|\bhaving\b|\blimit\s+\d|\binto\s+(?:out|dump)file\b|\bprocedure\s+analyse\b|\bwaitfor\s+delay\b|\+\s*['"`\d(@]|;\s*(?:[a-z_]\w*\s*[(:=]|\b(?:if|while|begin|declare|goto|exec|execute|shutdown|select|drop|insert|update|delete|waitfor|set|create|alter|truncate|union)\b))"#,
];

/// Whether the quote at `at` leaves the text of its parameter value inside an SQL string
/// literal, as an injection's first quote does: the value before it holds an even number of
/// the same quote mark. After an odd number it closes a phrase the request itself quoted
/// (`q="sweater dress" and "christmas"`), which is a search, not an escape.
fn breaks_out_of_a_string(text: &str, at: usize) -> bool {
    let Some(&quote) = text.as_bytes().get(at) else {
        return false;
    };
    let before = text.get(..at).unwrap_or("");
    let value_start = before.rfind(['&', '?']).map_or(0, |separator| separator + 1);
    before.as_bytes()[value_start..]
        .iter()
        .filter(|&&byte| byte == quote)
        .count()
        % 2
        == 0
}

/// All classes' matchers, built once.
pub struct Patterns {
    keywords: AhoCorasick,
    /// For each keyword, the class it belongs to.
    keyword_class: Vec<AttackClass>,
    confirm: Vec<Confirming>,
}

/// What a match must also satisfy, given the text and where the match starts.
type Guard = fn(&str, usize) -> bool;

/// One class's confirming patterns: all of them tried in one pass, and the first that
/// matched run again alone for the text it matched (only attacks pay for that).
struct Confirming {
    class: AttackClass,
    any: RegexSet,
    each: Vec<(Regex, Option<Guard>)>,
}

impl Confirming {
    /// `groups` in order of preference, each a list of patterns with the guard its matches
    /// must pass, if any.
    fn new(class: AttackClass, groups: &[(&[&str], Option<Guard>)]) -> Self {
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
        Confirming { class, any, each }
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
        let mut keywords = Vec::new();
        let mut keyword_class = Vec::new();
        let mut confirm = Vec::new();
        for (class, words, regexes) in CLASSES {
            for word in words {
                keywords.push(*word);
                keyword_class.push(class);
            }
            confirm.push(Confirming::new(class, &[(regexes, None)]));
        }
        confirm.push(Confirming::new(
            AttackClass::SqlInjection,
            &[(WEAK_SQL, None), (QUOTED_SQL, Some(breaks_out_of_a_string))],
        ));
        Patterns {
            // A few dozen constant keywords always build.
            keywords: AhoCorasick::new(&keywords).expect("constant keywords build"),
            keyword_class,
            confirm,
        }
    }

    /// The first class whose patterns match `normalized`, with the matched text.
    pub fn classify<'t>(&self, normalized: &'t str) -> Option<(AttackClass, &'t str)> {
        let mut candidates = [false; 4];
        for found in self.keywords.find_overlapping_iter(normalized) {
            if let Some(class) = self.keyword_class.get(found.pattern().as_usize()) {
                candidates[*class as usize] = true;
            }
        }
        self.confirm
            .iter()
            .filter(|confirming| candidates[confirming.class as usize])
            .find_map(|confirming| {
                confirming
                    .first_match(normalized)
                    .map(|found| (confirming.class, found))
            })
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

    fn class_of(raw: &str) -> Option<AttackClass> {
        let mut normalized = String::new();
        normalize(raw, &mut normalized);
        Patterns::new().classify(&normalized).map(|(class, _)| class)
    }

    #[test]
    fn every_pattern_compiles() {
        let total: usize =
            CLASSES.iter().map(|(_, _, regexes)| regexes.len()).sum::<usize>() + WEAK_SQL.len() + QUOTED_SQL.len();
        assert_eq!(Patterns::new().compiled(), total);
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
