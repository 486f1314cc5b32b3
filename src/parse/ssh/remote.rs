//! Finding the remote host in an sshd message. The user name sits *before* the host and is
//! chosen by the attacker (`Invalid user x from 6.6.6.6 port 22 from 5.6.7.8`), so the host
//! is taken from the right, where only sshd writes.

/// The remote end of an sshd message, as logged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Remote<'a> {
    /// Address or host name as logged.
    pub host: &'a str,
    /// Port, when logged.
    pub port: Option<u16>,
}

/// Strips a trailing ` [preauth]` (and trailing blanks): sshd's marker that the client never
/// authenticated.
pub fn strip_preauth(text: &str) -> (&str, bool) {
    let trimmed = text.trim_end();
    match trimmed.strip_suffix("[preauth]") {
        Some(rest) => (rest.trim_end(), true),
        None => (trimmed, false),
    }
}

/// Splits `<before> from <host>[ port N][ via H][ sshN][: info]` at the first ` from ` whose
/// continuation is sshd's own suffix. Both sides can carry injected text — the user name
/// before the host, the auth info after it — so a candidate is valid only if its info holds
/// no further ` from ` (sshd's ssh1 `ruser` note excepted): `user x from 6.6.6.6 port 22
/// ssh2 from 5.6.7.8 port 4444 ssh2` names 5.6.7.8, `test from 127.0.0.1 port 58946 ssh2:
/// from 10.10.1.2 ...` names 127.0.0.1, as fail2ban's injection tests require.
pub fn split_from(text: &str) -> Option<(&str, Remote<'_>)> {
    FROM.find_iter(text.as_bytes())
        .find_map(|at| parse_suffix(&text[at + 6..]).map(|remote| (&text[..at], remote)))
}

static FROM: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b" from "));

/// `<host>[ port N][ via H][ sshN][: info]` with nothing else after it.
fn parse_suffix(text: &str) -> Option<Remote<'_>> {
    let (host, mut rest) = match text.bytes().position(|b| b == b' ') {
        Some(space) => (&text[..space], &text[space..]),
        None => (text, ""),
    };
    let host = host.trim_end_matches(':');
    if host.is_empty() {
        return None;
    }
    let mut port = None;
    if let Some(after) = rest.strip_prefix(" port ") {
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        port = Some(after[..digits].parse().ok()?);
        rest = &after[digits..];
    }
    if let Some(after) = rest.strip_prefix(" via ") {
        rest = after
            .bytes()
            .position(|b| b == b' ')
            .map_or("", |space| &after[space..]);
    }
    for protocol in [" ssh2", " ssh1"] {
        if let Some(after) = rest.strip_prefix(protocol) {
            rest = after;
        }
    }
    if let Some(info) = rest.strip_prefix(": ").or_else(|| rest.strip_prefix(':')) {
        // Only sshd's ssh1 `ruser` note may itself contain " from "; any other info that
        // does is a user name pretending to be a suffix.
        if FROM.find(info.as_bytes()).is_some() && !info.starts_with("ruser ") {
            return None;
        }
        rest = "";
    }
    rest.is_empty().then_some(Remote { host, port })
}

/// Splits `<before> <host>[ port N]` (the form of `Connection closed by invalid user x
/// 1.2.3.4 port 22`), taking the host from the right.
pub fn split_trailing(text: &str) -> Option<(&str, Remote<'_>)> {
    let (head, port) = match text.rsplit_once(" port ") {
        Some((head, digits)) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
            (head, Some(digits.parse().ok()?))
        }
        _ => (text, None),
    };
    let (before, host) = match head.rsplit_once(' ') {
        Some((before, host)) => (before, host),
        None => ("", head),
    };
    (!host.is_empty()).then_some((before, Remote { host, port }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remote(host: &str, port: Option<u16>) -> Remote<'_> {
        Remote { host, port }
    }

    #[test]
    fn from_suffix_variants() {
        assert_eq!(
            split_from("for root from 1.2.3.4 port 22 ssh2"),
            Some(("for root", remote("1.2.3.4", Some(22))))
        );
        assert_eq!(
            split_from("for git from 192.0.2.1 port 57904 ssh2: RSA SHA256:abc"),
            Some(("for git", remote("192.0.2.1", Some(57904))))
        );
        assert_eq!(
            split_from("for x from aaaa::1"),
            Some(("for x", remote("aaaa::1", None)))
        );
        assert_eq!(
            split_from("for james from example.com via 192.168.1.201"),
            Some(("for james", remote("example.com", None)))
        );
        assert_eq!(split_from("nothing here"), None);
    }

    #[test]
    fn attacker_controlled_user_cannot_move_the_host() {
        let (before, found) =
            split_from("for invalid user x from 6.6.6.6 port 22 ssh2 from 5.6.7.8 port 4444 ssh2").expect("found");
        assert_eq!(found, remote("5.6.7.8", Some(4444)));
        assert_eq!(before, "for invalid user x from 6.6.6.6 port 22 ssh2");
        let (_, found) = split_from("for invalid user x from 6.6.6.6 port 22 ssh2: y from 5.6.7.8").expect("found");
        assert_eq!(found, remote("5.6.7.8", None));
        let (_, found) =
            split_from("for invalid user test from 127.0.0.1 port 58946 ssh2: from 10.10.1.2 port 55555 ssh2")
                .expect("found");
        assert_eq!(found, remote("127.0.0.1", Some(58946)));
        let (user, found) =
            split_from("for invalid user from 10.10.1.1 from 127.0.0.1 port 58946 ssh2").expect("found");
        assert_eq!(
            (user, found),
            ("for invalid user from 10.10.1.1", remote("127.0.0.1", Some(58946)))
        );
        let (_, found) = split_from("for user from 127.0.0.1 port 20000 ssh1: ruser from 1.2.3.4").expect("found");
        assert_eq!(found, remote("127.0.0.1", Some(20000)));
    }

    #[test]
    fn trailing_host() {
        assert_eq!(
            split_trailing("invalid user  192.0.2.68 port 34916"),
            Some(("invalid user ", remote("192.0.2.68", Some(34916))))
        );
        assert_eq!(split_trailing("61.0.0.1"), Some(("", remote("61.0.0.1", None))));
        assert_eq!(strip_preauth("x [preauth]  "), ("x", true));
        assert_eq!(strip_preauth("x"), ("x", false));
    }
}
