//! Reading header values: parameters (`;tag=`, `;branch=`), name-addr URIs, lists split on commas
//! outside quotes and angle brackets, quoted strings with escapes. Lenient where rsipstack is strict
//! and strict where it is lenient (`tag = x` spacing is accepted; `\"` inside quotes is kept).

/// The full header name for a compact form, otherwise the name as written.
pub(crate) fn canonical_name(name: &str) -> String {
    let full = match name {
        "i" | "I" => "Call-ID",
        "m" | "M" => "Contact",
        "f" | "F" => "From",
        "t" | "T" => "To",
        "v" | "V" => "Via",
        "l" | "L" => "Content-Length",
        "c" | "C" => "Content-Type",
        "k" | "K" => "Supported",
        "e" | "E" => "Content-Encoding",
        "s" | "S" => "Subject",
        "r" | "R" => "Refer-To",
        "o" | "O" => "Event",
        _ => name,
    };
    full.to_owned()
}

/// Splits a list header on commas outside quotes and `<…>`.
pub(crate) fn split_list(value: &str) -> impl Iterator<Item = &str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut angle, mut escaped) = (0, false, false, false);
    for (i, c) in value.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            ',' if !quoted && !angle => {
                parts.push(value[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(value[start..].trim());
    parts.into_iter().filter(|p| !p.is_empty())
}

/// The part of a header value after the URI (after `>` when there are brackets), where header
/// parameters live.
fn header_params(value: &str) -> &str {
    match value.rfind('>') {
        Some(p) => &value[p + 1..],
        None => value.find(';').map_or("", |p| &value[p..]),
    }
}

/// A header parameter's value (`;tag=abc`, `;branch = z9hG4bK1`); `Some("")` for a flag (`;lr`).
pub fn param<'a>(value: &'a str, name: &str) -> Option<&'a str> {
    header_params(value).split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=').unwrap_or((p, ""));
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim().trim_matches('"'))
    })
}

/// The URI of a name-addr (`"Bob" <sip:bob@h>;tag=1` → `sip:bob@h`) or addr-spec (`sip:bob@h;tag=1`).
pub fn name_addr_uri(value: &str) -> &str {
    if let (Some(a), Some(b)) = (value.find('<'), value.rfind('>'))
        && a < b
    {
        return value[a + 1..b].trim();
    }
    value.split(';').next().unwrap_or_default().trim()
}

/// The user part of a SIP URI (`sip:1000@host` → `1000`), empty when none.
pub fn uri_user(uri: &str) -> &str {
    let rest = uri.split_once(':').map_or(uri, |(_, r)| r);
    match rest.split_once('@') {
        Some((user, _)) => user.split([';', ':']).next().unwrap_or_default(),
        None => "",
    }
}

/// Host and port of a SIP URI (`sip:1000@127.0.0.1:5062;transport=udp` → `("127.0.0.1", Some(5062))`).
pub fn uri_host_port(uri: &str) -> (&str, Option<u16>) {
    let rest = uri.split_once(':').map_or(uri, |(_, r)| r);
    let hostport = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    let hostport = hostport.split([';', '?', '>']).next().unwrap_or_default();
    if let Some(v6) = hostport.strip_prefix('[') {
        let (host, after) = v6.split_once(']').unwrap_or((v6, ""));
        return (host, after.strip_prefix(':').and_then(|p| p.parse().ok()));
    }
    match hostport.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().ok()),
        None => (hostport, None),
    }
}

/// A display name or auth value: the content of a quoted string with `\x` escapes resolved, or the
/// token as written.
pub fn quoted_or_token(value: &str) -> String {
    let v = value.trim();
    let Some(inner) = v.strip_prefix('"') else { return v.to_owned() };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            '"' => break,
            c => out.push(c),
        }
    }
    out
}
