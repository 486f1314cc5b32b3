//! `Access denied for user 'root'@'192.0.2.1' (using password: YES)`: the one message a
//! password guesser leaves in MySQL's error log (and, for a refused `Connect`, its general
//! log). The user name is the attacker's to choose and may hold quotes and `@`, so the host
//! is taken from the right, and the message must end where the server's text ends: a line
//! that goes on after it is somebody's text pretending to be this message.

/// The account and the client's host a refused login names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct AccessDenied<'a> {
    /// The user name tried.
    pub user: &'a str,
    /// The client: an address or a host name.
    pub host: &'a str,
    /// Whether a password was sent (`None`: MariaDB 10.3 does not say).
    pub with_password: Option<bool>,
}

/// Reads the message; `None` if it is not exactly this message.
pub(super) fn access_denied(message: &str) -> Option<AccessDenied<'_>> {
    let body = message.trim_end().strip_prefix("Access denied for user '")?;
    let (body, with_password) = if let Some(body) = body.strip_suffix("' (using password: YES)") {
        (body, Some(true))
    } else if let Some(body) = body.strip_suffix("' (using password: NO)") {
        (body, Some(false))
    } else {
        (body.strip_suffix('\'')?, None)
    };
    let (user, host) = body.rsplit_once("'@'")?;
    if host.is_empty() || host.contains(['\'', ' ']) {
        return None;
    }
    Some(AccessDenied {
        user,
        host,
        with_password,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forms_servers_write() {
        assert_eq!(
            access_denied("Access denied for user 'root'@'192.0.2.1' (using password: YES)"),
            Some(AccessDenied {
                user: "root",
                host: "192.0.2.1",
                with_password: Some(true)
            })
        );
        let mariadb = access_denied("Access denied for user 'root'@'192.0.2.1'").expect("MariaDB 10.3");
        assert_eq!((mariadb.host, mariadb.with_password), ("192.0.2.1", None));
        let named = access_denied("Access denied for user 'nobody'@'localhost' (using password: NO)");
        assert_eq!(named.map(|denied| denied.host), Some("localhost"));
    }

    #[test]
    fn injected_text_is_not_a_login_failure() {
        // fail2ban's "paranoid" sample: the server's message with more text after it.
        assert_eq!(
            access_denied(
                "Access denied for user 'root'@'localhost' (using password: YES) condition lead to a hypothetical failure"
            ),
            None
        );
        // A user name that carries a fake host: the real one is the last.
        let denied = access_denied(
            "Access denied for user 'x'@'6.6.6.6' (using password: YES)'@'192.0.2.7' (using password: NO)",
        )
        .expect("the server's own suffix");
        assert_eq!(denied.host, "192.0.2.7");
        assert_eq!(
            access_denied("Access denied for user 'x'@'a b' (using password: NO)"),
            None
        );
        assert_eq!(access_denied("Access denied for user root"), None);
    }
}
