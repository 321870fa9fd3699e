//! An event as FreeSWITCH serialises it: an ordered list of headers and an optional body, rendered in
//! `text/event-plain`, `text/event-json` or `text/event-xml`.

use std::borrow::Cow;

use bytes::{BufMut, Bytes, BytesMut};

use super::command::EventFormat;
use super::urlenc;

/// One ESL event: headers in FreeSWITCH order and an optional body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EslEvent {
    /// Headers in order; names may repeat.
    pub headers: Vec<(Cow<'static, str>, String)>,
    /// Body.
    pub body: Option<String>,
}

impl EslEvent {
    /// Appends a header; an empty value is never added (as FreeSWITCH).
    pub fn push(&mut self, name: impl Into<Cow<'static, str>>, value: impl Into<String>) {
        let value = value.into();
        if !value.is_empty() {
            self.headers.push((name.into(), value));
        }
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// `Event-Name`.
    pub fn name(&self) -> &str {
        self.header("Event-Name").unwrap_or("")
    }

    /// Serialises the whole frame (outer `Content-Length`/`Content-Type` and the event) in `format`.
    pub fn to_frame(&self, format: EventFormat) -> Bytes {
        let inner = match format {
            EventFormat::Plain => self.to_plain(),
            EventFormat::Json => self.to_json(),
            EventFormat::Xml => self.to_xml(),
        };
        let mut out = BytesMut::with_capacity(inner.len() + 64);
        out.put_slice(
            format!("Content-Length: {}\nContent-Type: {}\n\n", inner.len(), format.content_type()).as_bytes(),
        );
        out.put_slice(&inner);
        out.freeze()
    }

    /// `text/event-plain` serialisation (the part inside the outer frame).
    pub fn to_plain(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 * self.headers.len());
        self.plain_headers(&mut out);
        match self.body.as_deref().filter(|b| !b.is_empty()) {
            Some(body) => {
                out.extend_from_slice(format!("Content-Length: {}\n\n", body.len()).as_bytes());
                out.extend_from_slice(body.as_bytes());
            }
            None => out.push(b'\n'),
        }
        out
    }

    /// The plain header lines (URL-encoded values), without the blank line.
    pub fn plain_headers(&self, out: &mut Vec<u8>) {
        for (name, value) in &self.headers {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            urlenc::encode_into(value, out);
            out.push(b'\n');
        }
    }

    /// `text/event-json`: one flat object of strings, body as `Content-Length` and `_body`.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = String::with_capacity(64 * self.headers.len());
        out.push('{');
        let body = self.body.as_deref().filter(|b| !b.is_empty());
        let len = body.map(|b| b.len().to_string());
        let extra = len.as_deref().map(|l| ("Content-Length", l)).into_iter().chain(body.map(|b| ("_body", b)));
        let pairs = self.headers.iter().map(|(k, v)| (k.as_ref(), v.as_str())).chain(extra);
        for (i, (k, v)) in pairs.enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&serde_json::Value::from(k).to_string());
            out.push(':');
            out.push_str(&serde_json::Value::from(v).to_string());
        }
        out.push('}');
        out.into_bytes()
    }

    /// `text/event-xml`: `<event><headers>…</headers>[<Content-Length>…<body>…]</event>`.
    pub fn to_xml(&self) -> Vec<u8> {
        let mut out = String::from("<event>\n  <headers>\n");
        for (k, v) in &self.headers {
            let name = xml_name(k);
            out.push_str(&format!("    <{name}>{}</{name}>\n", xml_escape(&urlenc::encode(v))));
        }
        out.push_str("  </headers>\n");
        if let Some(body) = self.body.as_deref().filter(|b| !b.is_empty()) {
            out.push_str(&format!("  <Content-Length>{}</Content-Length>\n", body.len()));
            out.push_str(&format!("  <body>{}</body>\n", xml_escape(body)));
        }
        out.push_str("</event>\n");
        out.into_bytes()
    }
}

fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Header names become element names: characters XML does not allow in a name are replaced by `_`.
fn xml_name(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(body: Option<&str>) -> EslEvent {
        let mut e = EslEvent::default();
        e.push("Event-Name", "BACKGROUND_JOB");
        e.push("Job-Command-Arg", "loopback/1000/default &park");
        e.push("Empty", "");
        e.body = body.map(str::to_owned);
        e
    }

    #[test]
    fn plain_values_are_url_encoded_and_empty_headers_are_dropped() {
        assert_eq!(
            String::from_utf8(sample(None).to_plain()).unwrap(),
            "Event-Name: BACKGROUND_JOB\nJob-Command-Arg: loopback/1000/default%20%26park\n\n"
        );
    }

    #[test]
    fn a_plain_body_is_announced_by_an_inner_content_length() {
        let plain = String::from_utf8(sample(Some("+OK x\n")).to_plain()).unwrap();
        assert!(plain.ends_with("%26park\nContent-Length: 6\n\n+OK x\n"), "{plain}");
    }

    #[test]
    fn the_outer_frame_puts_content_length_first() {
        let frame = sample(None).to_frame(EventFormat::Plain);
        let inner = sample(None).to_plain();
        let head = format!("Content-Length: {}\nContent-Type: text/event-plain\n\n", inner.len());
        assert_eq!(&frame[..head.len()], head.as_bytes());
    }

    #[test]
    fn json_is_a_flat_map_with_the_body_last() {
        let json = String::from_utf8(sample(Some("ok")).to_json()).unwrap();
        assert_eq!(
            json,
            r#"{"Event-Name":"BACKGROUND_JOB","Job-Command-Arg":"loopback/1000/default &park","Content-Length":"2","_body":"ok"}"#
        );
    }

    #[test]
    fn xml_nests_headers_and_escapes_the_body() {
        let xml = String::from_utf8(sample(Some("<a>")).to_xml()).unwrap();
        assert_eq!(
            xml,
            "<event>\n  <headers>\n    <Event-Name>BACKGROUND_JOB</Event-Name>\n    \
             <Job-Command-Arg>loopback/1000/default%20%26park</Job-Command-Arg>\n  </headers>\n  \
             <Content-Length>3</Content-Length>\n  <body>&lt;a&gt;</body>\n</event>\n"
        );
    }
}
