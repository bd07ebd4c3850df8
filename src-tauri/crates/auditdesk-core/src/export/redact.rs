//! `--redact`: e-mail addresses and IP addresses masked wherever they occur
//! in a value (a user column, a description, a string inside details).

pub const EMAIL: &str = "[redacted email]";
pub const IP: &str = "[redacted ip]";

/// `text` with every e-mail address and IPv4/IPv6 address masked.
pub fn text(text: &str) -> String {
    ips(&emails(text))
}

fn is_local(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-')
}

fn is_domain(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-')
}

fn emails(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut done = 0; // chars[..done] are in `out`
    while i < chars.len() {
        if chars[i] != '@' {
            i += 1;
            continue;
        }
        let mut start = i;
        while start > done && is_local(chars[start - 1]) {
            start -= 1;
        }
        let mut end = i + 1;
        while end < chars.len() && is_domain(chars[end]) {
            end += 1;
        }
        // A trailing dot ends the sentence, not the domain.
        while end > i + 1 && matches!(chars[end - 1], '.' | '-') {
            end -= 1;
        }
        let domain: String = chars[i + 1..end].iter().collect();
        let valid = start < i
            && domain.contains('.')
            && domain
                .rsplit('.')
                .next()
                .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
        if valid {
            out.extend(&chars[done..start]);
            out.push_str(EMAIL);
            done = end;
            i = end;
        } else {
            i += 1;
        }
    }
    out.extend(&chars[done..]);
    out
}

fn is_ip_char(c: char) -> bool {
    c.is_ascii_hexdigit() || c == '.' || c == ':'
}

fn ips(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        // A run starts at a boundary: not in the middle of a word.
        let boundary = i == 0 || !(chars[i - 1].is_ascii_alphanumeric() || chars[i - 1] == '_');
        if !(boundary && is_ip_char(chars[i])) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let mut end = i;
        while end < chars.len() && is_ip_char(chars[end]) {
            end += 1;
        }
        let followed_by_word =
            end < chars.len() && (chars[end].is_ascii_alphanumeric() || chars[end] == '_');
        // Trim what punctuation may trail an address (`at 10.0.0.1.`).
        let mut stop = end;
        let mut found = None;
        while stop > i && !followed_by_word {
            let candidate: String = chars[i..stop].iter().collect();
            if candidate.parse::<std::net::IpAddr>().is_ok() {
                found = Some(stop);
                break;
            }
            if matches!(chars[stop - 1], '.' | ':') {
                stop -= 1;
            } else {
                break;
            }
        }
        match found {
            Some(stop) => {
                out.push_str(IP);
                i = stop;
            }
            None => {
                out.extend(&chars[i..end]);
                i = end;
            }
        }
    }
    out
}

/// Every string inside a JSON value, masked.
pub fn json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) => *s = text(s),
        serde_json::Value::Array(items) => items.iter_mut().for_each(json),
        serde_json::Value::Object(map) => map.values_mut().for_each(json),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_emails_and_addresses_in_text() {
        assert_eq!(
            text("ann.lee+x@example.co.uk logged in from 10.1.2.3."),
            "[redacted email] logged in from [redacted ip]."
        );
        assert_eq!(
            text("fe80::1 and 2001:db8::ff00:42:8329"),
            "[redacted ip] and [redacted ip]"
        );
        assert_eq!(text("::ffff:10.0.0.1"), "[redacted ip]");
        // Not addresses: versions, times, ids, hex words, a bare @.
        for keep in [
            "v1.2.3",
            "10:30",
            "1.2",
            "deadbeef",
            "@home",
            "a@b",
            "id-10.0.0.1x",
            "abc:def",
        ] {
            assert_eq!(text(keep), keep);
        }
    }

    #[test]
    fn masks_strings_inside_json() {
        let mut v = serde_json::json!({"a": ["x@y.org", 3], "b": {"ip": "192.168.0.1"}});
        json(&mut v);
        assert_eq!(v, serde_json::json!({"a": [EMAIL, 3], "b": {"ip": IP}}));
    }
}
