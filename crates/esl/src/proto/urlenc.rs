//! FreeSWITCH's URL encoding of plain-event header values (`switch_url_encode`).

/// Appends `value` URL-encoded as FreeSWITCH does: unsafe bytes become `%XX` (upper-case hex); an
/// existing `%XX` with upper-case hex digits is passed through; space is `%20`, never `+`.
pub fn encode_into(value: &str, out: &mut Vec<u8>) {
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' && is_upper_hex(bytes.get(i + 1)) && is_upper_hex(bytes.get(i + 2)) {
            out.extend_from_slice(&bytes[i..i + 3]);
            i += 3;
            continue;
        }
        if is_unsafe(b) {
            out.extend_from_slice(&[b'%', HEX[(b >> 4) as usize], HEX[(b & 15) as usize]]);
        } else {
            out.push(b);
        }
        i += 1;
    }
}

/// `value` URL-encoded, as a string.
pub fn encode(value: &str) -> String {
    let mut out = Vec::with_capacity(value.len());
    encode_into(value, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Decodes `%XX` sequences (malformed ones are kept as they are); used by tests and clients.
pub fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

fn is_upper_hex(b: Option<&u8>) -> bool {
    matches!(b, Some(b'0'..=b'9' | b'A'..=b'F'))
}

fn is_unsafe(b: u8) -> bool {
    !(0x20..=0x7e).contains(&b) || b" #%&+:;<=>?@[\\]^`{|}\"".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn dates_and_addresses_are_encoded_as_freeswitch_prints_them() {
        assert_eq!(encode("2015-07-04 15:18:14"), "2015-07-04%2015%3A18%3A14");
        assert_eq!(encode("::1"), "%3A%3A1");
        assert_eq!(encode("Mon, 23 Nov 2026"), "Mon,%2023%20Nov%202026");
    }

    #[test]
    fn an_existing_upper_case_escape_is_not_encoded_twice() {
        assert_eq!(encode("a%20b%2fc"), "a%20b%252fc");
    }

    #[test]
    fn safe_punctuation_is_left_alone() {
        assert_eq!(encode("!$'()*,-./_~"), "!$'()*,-./_~");
    }

    proptest! {
        #[test]
        fn encoded_values_are_printable_ascii_without_separators(s in ".*") {
            let e = encode(&s);
            prop_assert!(e.bytes().all(|b| (0x21..=0x7e).contains(&b) && b != b':'));
        }

        #[test]
        fn decoding_undoes_encoding_when_no_escape_was_present(s in "[^%]*") {
            prop_assert_eq!(decode(&encode(&s)), s);
        }
    }
}
