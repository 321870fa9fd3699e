//! The audio codecs Switchyard speaks on RTP (G.711 µ-law and A-law), with their SDP names and
//! static payload types, and frame-level encode/decode.

use crate::g711;

/// A narrowband G.711 codec (8 kHz, one byte per sample).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Codec {
    /// G.711 µ-law, static payload type 0.
    Pcmu,
    /// G.711 A-law, static payload type 8.
    Pcma,
}

impl Codec {
    /// The SDP encoding name (`PCMU`, `PCMA`), also FreeSWITCH's `read_codec`.
    pub fn name(self) -> &'static str {
        match self {
            Codec::Pcmu => "PCMU",
            Codec::Pcma => "PCMA",
        }
    }

    /// The static RTP payload type (RFC 3551).
    pub fn payload_type(self) -> u8 {
        match self {
            Codec::Pcmu => 0,
            Codec::Pcma => 8,
        }
    }

    /// Clock rate in Hz.
    pub fn clock_rate(self) -> u32 {
        8000
    }

    /// The SDP `a=rtpmap` value, e.g. `0 PCMU/8000`.
    pub fn rtpmap(self) -> String {
        format!("{} {}/{}", self.payload_type(), self.name(), self.clock_rate())
    }

    /// The codec with this SDP encoding name (case-insensitive).
    pub fn from_name(name: &str) -> Option<Codec> {
        [Codec::Pcmu, Codec::Pcma].into_iter().find(|c| c.name().eq_ignore_ascii_case(name))
    }

    /// The codec with this static payload type.
    pub fn from_payload_type(pt: u8) -> Option<Codec> {
        match pt {
            0 => Some(Codec::Pcmu),
            8 => Some(Codec::Pcma),
            _ => None,
        }
    }

    /// The encoded byte of a zero sample (comfort silence).
    pub fn silence_byte(self) -> u8 {
        match self {
            Codec::Pcmu => 0xFF,
            Codec::Pcma => 0xD5,
        }
    }

    /// Encodes `pcm` into `out` (one byte per sample); returns the bytes written.
    pub fn encode(self, pcm: &[i16], out: &mut [u8]) -> usize {
        let n = pcm.len().min(out.len());
        let f = match self {
            Codec::Pcmu => g711::ulaw_encode,
            Codec::Pcma => g711::alaw_encode,
        };
        for (o, s) in out[..n].iter_mut().zip(pcm) {
            *o = f(*s);
        }
        n
    }

    /// Decodes `payload` into `out`; returns the samples written.
    pub fn decode(self, payload: &[u8], out: &mut [i16]) -> usize {
        let n = payload.len().min(out.len());
        let f = match self {
            Codec::Pcmu => g711::ulaw_decode,
            Codec::Pcma => g711::alaw_decode,
        };
        for (o, b) in out[..n].iter_mut().zip(payload) {
            *o = f(*b);
        }
        n
    }

    /// Rewrites `payload` in place from `self` to `to` (nothing to do when they are equal).
    pub fn transcode_in_place(self, to: Codec, payload: &mut [u8]) {
        let f = match (self, to) {
            (Codec::Pcmu, Codec::Pcma) => g711::ulaw_to_alaw,
            (Codec::Pcma, Codec::Pcmu) => g711::alaw_to_ulaw,
            _ => return,
        };
        for b in payload {
            *b = f(*b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_payload_types_and_rtpmap() {
        assert_eq!((Codec::Pcmu.name(), Codec::Pcmu.payload_type()), ("PCMU", 0));
        assert_eq!((Codec::Pcma.name(), Codec::Pcma.payload_type()), ("PCMA", 8));
        assert_eq!(Codec::Pcma.rtpmap(), "8 PCMA/8000");
        assert_eq!(Codec::from_name("pcmu"), Some(Codec::Pcmu));
        assert_eq!(Codec::from_payload_type(8), Some(Codec::Pcma));
        assert_eq!(Codec::from_payload_type(18), None);
    }

    #[test]
    fn transcoding_in_place_equals_decode_then_encode() {
        let pcm: Vec<i16> = (0..160).map(|i| ((i * 397) % 20000 - 10000) as i16).collect();
        let mut u = [0u8; 160];
        Codec::Pcmu.encode(&pcm, &mut u);
        let mut via = [0i16; 160];
        Codec::Pcmu.decode(&u, &mut via);
        let mut expected = [0u8; 160];
        Codec::Pcma.encode(&via, &mut expected);
        Codec::Pcmu.transcode_in_place(Codec::Pcma, &mut u);
        assert_eq!(u, expected);
    }
}
