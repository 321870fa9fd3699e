//! G.711 µ-law and A-law companding (ITU-T G.711, as in the G.191 reference implementation), and
//! byte-to-byte µ-law↔A-law transcoding tables for the relay path.

/// Encodes one 16-bit linear sample as µ-law.
pub fn ulaw_encode(pcm: i16) -> u8 {
    // 14-bit magnitude plus the bias of 33, clipped to 13 bits (G.191 `ulaw_compress`).
    let x = i32::from(pcm);
    let magnitude = if x < 0 { ((!x) >> 2) + 33 } else { (x >> 2) + 33 };
    let magnitude = magnitude.min(0x1FFF);
    let segment = 32 - ((magnitude >> 6) as u32).leading_zeros() + 1; // 1..=8
    let high = 8 - segment as i32;
    let low = 0x0F - ((magnitude >> segment) & 0x0F);
    let code = (high << 4) | low;
    (if x >= 0 { code | 0x80 } else { code }) as u8
}

/// Decodes one µ-law byte to 16-bit linear.
pub fn ulaw_decode(code: u8) -> i16 {
    let inverted = !code;
    let exponent = i32::from((inverted >> 4) & 0x07);
    let mantissa = i32::from(inverted & 0x0F);
    let step = 4 << (exponent + 1);
    let magnitude = (0x80 << exponent) + step * mantissa + step / 2 - 4 * 33;
    (if code < 0x80 { -magnitude } else { magnitude }) as i16
}

/// Encodes one 16-bit linear sample as A-law.
pub fn alaw_encode(pcm: i16) -> u8 {
    let x = i32::from(pcm);
    let mut ix = if x < 0 { (!x) >> 4 } else { x >> 4 };
    if ix > 15 {
        let mut exponent = 1;
        while ix > 16 + 15 {
            ix >>= 1;
            exponent += 1;
        }
        ix -= 16;
        ix += exponent << 4;
    }
    if x >= 0 {
        ix |= 0x80;
    }
    (ix ^ 0x55) as u8
}

/// Decodes one A-law byte to 16-bit linear.
pub fn alaw_decode(code: u8) -> i16 {
    let ix = i32::from((code ^ 0x55) & 0x7F);
    let exponent = ix >> 4;
    let mut mantissa = ix & 0x0F;
    if exponent > 0 {
        mantissa += 16;
    }
    mantissa = (mantissa << 4) + 8;
    if exponent > 1 {
        mantissa <<= exponent - 1;
    }
    (if code > 127 { mantissa } else { -mantissa }) as i16
}

/// µ-law byte → A-law byte, through linear.
pub fn ulaw_to_alaw(code: u8) -> u8 {
    TABLES.ulaw_to_alaw[code as usize]
}

/// A-law byte → µ-law byte, through linear.
pub fn alaw_to_ulaw(code: u8) -> u8 {
    TABLES.alaw_to_ulaw[code as usize]
}

struct Tables {
    ulaw_to_alaw: [u8; 256],
    alaw_to_ulaw: [u8; 256],
}

static TABLES: std::sync::LazyLock<Tables> = std::sync::LazyLock::new(|| {
    let mut t = Tables { ulaw_to_alaw: [0; 256], alaw_to_ulaw: [0; 256] };
    for code in 0..=255u8 {
        t.ulaw_to_alaw[code as usize] = alaw_encode(ulaw_decode(code));
        t.alaw_to_ulaw[code as usize] = ulaw_encode(alaw_decode(code));
    }
    t
});

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Decoder outputs from the G.711 tables (µ-law: G.711 Table 2a; A-law: Table 1a), as printed in
    /// the widely reproduced `ulaw2linear`/`alaw2linear` tables of the ITU reference software.
    #[test]
    fn decoders_match_itu_table_values() {
        let ulaw = [(0x00, -32124), (0x01, -31100), (0x0F, -16764), (0x10, -15996), (0x7E, -8), (0x7F, 0)];
        for (code, value) in ulaw {
            assert_eq!(ulaw_decode(code), value, "µ-law {code:#04x}");
            assert_eq!(ulaw_decode(code | 0x80), -value, "µ-law {:#04x}", code | 0x80);
        }
        let alaw = [(0x00, -5504), (0x55, -8), (0x54, -24), (0x2A, -32256), (0xD5, 8), (0xAA, 32256), (0x80, 5504)];
        for (code, value) in alaw {
            assert_eq!(alaw_decode(code), value, "A-law {code:#04x}");
        }
    }

    #[test]
    fn encoders_match_itu_table_values() {
        assert_eq!(ulaw_encode(0), 0xFF);
        assert_eq!(ulaw_encode(-1), 0x7F);
        assert_eq!(ulaw_encode(i16::MAX), 0x80);
        assert_eq!(ulaw_encode(i16::MIN), 0x00);
        assert_eq!(alaw_encode(0), 0xD5);
        assert_eq!(alaw_encode(-1), 0x55);
        assert_eq!(alaw_encode(i16::MAX), 0xAA);
        assert_eq!(alaw_encode(i16::MIN), 0x2A);
    }

    #[test]
    fn every_code_survives_decode_then_encode() {
        for code in 0..=255u8 {
            assert_eq!(alaw_encode(alaw_decode(code)), code, "A-law {code:#04x}");
            if code != 0x7F {
                // 0x7F is µ-law's negative zero; it decodes to 0, which encodes as 0xFF.
                assert_eq!(ulaw_encode(ulaw_decode(code)), code, "µ-law {code:#04x}");
            }
        }
    }

    #[test]
    fn transcoding_tables_keep_silence_and_sign() {
        assert_eq!(ulaw_to_alaw(0xFF), 0xD5);
        assert_eq!(ulaw_decode(alaw_to_ulaw(0xD5)), 8); // A-law's smallest step is exact in µ-law
        assert!(alaw_decode(ulaw_to_alaw(0x00)) < 0);
    }

    fn quantisation_error_ok(x: i16, y: i16) -> bool {
        let (x, y) = (i32::from(x), i32::from(y));
        // The step at the top segment is 1024 (µ-law) / 1024 (A-law): half a step plus clipping.
        (x - y).abs() <= (x.abs() / 16).max(16) + 132
    }

    proptest! {
        #[test]
        fn ulaw_round_trip_is_within_one_step(x in any::<i16>()) {
            prop_assert!(quantisation_error_ok(x, ulaw_decode(ulaw_encode(x))));
        }

        #[test]
        fn alaw_round_trip_is_within_one_step(x in any::<i16>()) {
            prop_assert!(quantisation_error_ok(x, alaw_decode(alaw_encode(x))));
        }

        #[test]
        fn encoding_is_monotonic(a in any::<i16>(), b in any::<i16>()) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(ulaw_decode(ulaw_encode(lo)) <= ulaw_decode(ulaw_encode(hi)));
            prop_assert!(alaw_decode(alaw_encode(lo)) <= alaw_decode(alaw_encode(hi)));
        }
    }
}
