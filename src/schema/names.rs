//! How record values are named in a sentence (messages of alerts and incidents).

/// How a module is named in a sentence: `ssh` → `SSH`, `windows` → `Windows`.
pub fn module_title(module: &str) -> String {
    match module {
        "ssh" => "SSH".to_owned(),
        "mysql" => "MySQL".to_owned(),
        "web" => "web".to_owned(),
        other => {
            let mut chars = other.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        }
    }
}

/// `a`, `a and b`, `a, b and c`.
pub fn and_list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [only] => only.as_ref().to_owned(),
        [first @ .., last] => {
            let first: Vec<&str> = first.iter().map(AsRef::as_ref).collect();
            format!("{} and {}", first.join(", "), last.as_ref())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_and_lists_read_as_english() {
        assert_eq!(module_title("ssh"), "SSH");
        assert_eq!(module_title("windows"), "Windows");
        assert_eq!(and_list::<&str>(&[]), "");
        assert_eq!(and_list(&["web"]), "web");
        assert_eq!(and_list(&["web", "SSH"]), "web and SSH");
        assert_eq!(and_list(&["web", "MySQL", "SSH"]), "web, MySQL and SSH");
    }
}
