//! SDP offer/answer for one audio stream: PCMU/PCMA at 8 kHz plus RFC 4733 telephone-event.
//! Parsing reads only what negotiation needs; anything unknown is ignored.

use std::net::{IpAddr, SocketAddr};

/// A G.711 codec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Codec {
    /// µ-law, payload type 0.
    Pcmu,
    /// A-law, payload type 8.
    Pcma,
}

impl Codec {
    /// The encoding name.
    pub fn name(self) -> &'static str {
        match self {
            Codec::Pcmu => "PCMU",
            Codec::Pcma => "PCMA",
        }
    }
}

/// The media direction attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// `sendrecv` (default).
    SendRecv,
    /// `sendonly` (the peer puts us on hold).
    SendOnly,
    /// `recvonly`.
    RecvOnly,
    /// `inactive`.
    Inactive,
}

impl Direction {
    fn attr(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    /// The direction of an answer to an offer with this direction.
    pub fn answer(self) -> Direction {
        match self {
            Direction::SendOnly => Direction::RecvOnly,
            Direction::RecvOnly => Direction::SendOnly,
            d => d,
        }
    }
}

/// What was negotiated from a remote description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Negotiated {
    /// Where to send RTP.
    pub remote: SocketAddr,
    /// Chosen codec.
    pub codec: Codec,
    /// Its payload type.
    pub payload_type: u8,
    /// telephone-event payload type, when offered.
    pub dtmf_pt: Option<u8>,
    /// The remote's direction.
    pub direction: Direction,
}

/// Why an SDP could not be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SdpError {
    /// No `m=audio` line, or no address.
    #[error("no audio stream or connection address in SDP")]
    NoAudio,
    /// Neither PCMU nor PCMA offered.
    #[error("no common codec (PCMU/PCMA) in SDP")]
    NoCodec,
}

/// Reads a remote offer or answer.
pub fn negotiate(sdp: &[u8]) -> Result<Negotiated, SdpError> {
    let text = String::from_utf8_lossy(sdp);
    let (mut session_ip, mut media_ip, mut port, mut pts) = (None, None, None, Vec::new());
    let (mut in_audio, mut direction, mut rtpmap) = (false, Direction::SendRecv, Vec::new());
    for line in text.lines().map(str::trim) {
        if let Some(c) = line.strip_prefix("c=") {
            let ip = c.split_whitespace().nth(2).and_then(|a| a.split('/').next()?.parse::<IpAddr>().ok());
            if in_audio { media_ip = ip } else { session_ip = ip }
        } else if let Some(m) = line.strip_prefix("m=") {
            let mut f = m.split_whitespace();
            in_audio = f.next() == Some("audio") && port.is_none();
            if in_audio {
                port = f.next().and_then(|p| p.split('/').next()?.parse::<u16>().ok());
                pts = f.skip(1).filter_map(|p| p.parse::<u8>().ok()).collect();
            }
        } else if let Some(a) = line.strip_prefix("a=") {
            match a {
                "sendonly" => direction = Direction::SendOnly,
                "recvonly" => direction = Direction::RecvOnly,
                "inactive" => direction = Direction::Inactive,
                "sendrecv" => direction = Direction::SendRecv,
                _ => {
                    if let Some((pt, name)) = a.strip_prefix("rtpmap:").and_then(|r| r.split_once(' ')) {
                        let pt = pt.parse::<u8>().ok();
                        rtpmap.extend(pt.map(|pt| (pt, name.to_ascii_lowercase())));
                    }
                }
            }
        }
    }
    let ip = media_ip.or(session_ip).ok_or(SdpError::NoAudio)?;
    let port = port.ok_or(SdpError::NoAudio)?;
    let name_of = |pt: u8| rtpmap.iter().find(|(p, _)| *p == pt).map(|(_, n)| n.as_str());
    let codec = pts.iter().find_map(|&pt| match (pt, name_of(pt)) {
        (0, _) => Some((Codec::Pcmu, 0)),
        (8, _) => Some((Codec::Pcma, 8)),
        (_, Some(n)) if n.starts_with("pcmu/8000") => Some((Codec::Pcmu, pt)),
        (_, Some(n)) if n.starts_with("pcma/8000") => Some((Codec::Pcma, pt)),
        _ => None,
    });
    let (codec, payload_type) = codec.ok_or(SdpError::NoCodec)?;
    let dtmf_pt = pts.iter().copied().find(|&pt| name_of(pt).is_some_and(|n| n.starts_with("telephone-event/8000")));
    Ok(Negotiated { remote: SocketAddr::new(ip, port), codec, payload_type, dtmf_pt, direction })
}

fn header(local: SocketAddr, session_id: u64) -> String {
    versioned_header(local, session_id, session_id)
}

fn versioned_header(local: SocketAddr, session_id: u64, version: u64) -> String {
    let family = if local.is_ipv4() { "IP4" } else { "IP6" };
    let ip = local.ip();
    format!(
        "v=0\r\no=switchyard {session_id} {version} IN {family} {ip}\r\ns=switchyard\r\nc=IN {family} {ip}\r\nt=0 0\r\n"
    )
}

/// A new offer inside a call (re-INVITE): media at `addr` (ours, or the bridged peer's for media
/// bypass) with the codec of `n`; `version` must grow with each offer (RFC 3264 §8), or the far end
/// may keep the old description.
pub fn reoffer(addr: SocketAddr, session_id: u64, version: u64, n: &Negotiated) -> String {
    let mut s = versioned_header(addr, session_id, version);
    let dtmf = n.dtmf_pt.map(|pt| format!(" {pt}")).unwrap_or_default();
    s += &format!("m=audio {} RTP/AVP {}{dtmf}\r\n", addr.port(), n.payload_type);
    s += &format!("a=rtpmap:{} {}/8000\r\n", n.payload_type, n.codec.name());
    if let Some(pt) = n.dtmf_pt {
        s += &format!("a=rtpmap:{pt} telephone-event/8000\r\na=fmtp:{pt} 0-16\r\n");
    }
    s += "a=ptime:20\r\na=sendrecv\r\n";
    s
}

/// Our answer to a negotiated offer, with media at `local`.
pub fn answer(local: SocketAddr, session_id: u64, n: &Negotiated) -> String {
    answer_versioned(local, session_id, session_id, n)
}

/// [`answer`] with the `o=` version given (it grows with each of our offers in the call).
pub fn answer_versioned(local: SocketAddr, session_id: u64, version: u64, n: &Negotiated) -> String {
    let mut s = versioned_header(local, session_id, version);
    let dtmf = n.dtmf_pt.map(|pt| format!(" {pt}")).unwrap_or_default();
    s += &format!("m=audio {} RTP/AVP {}{dtmf}\r\n", local.port(), n.payload_type);
    s += &format!("a=rtpmap:{} {}/8000\r\n", n.payload_type, n.codec.name());
    if let Some(pt) = n.dtmf_pt {
        s += &format!("a=rtpmap:{pt} telephone-event/8000\r\na=fmtp:{pt} 0-16\r\n");
    }
    s += &format!("a=ptime:20\r\na={}\r\n", n.direction.answer().attr());
    s
}

/// Our offer for an outgoing call: PCMU, PCMA, telephone-event 101.
pub fn offer(local: SocketAddr, session_id: u64) -> String {
    let mut s = header(local, session_id);
    s += &format!("m=audio {} RTP/AVP 0 8 101\r\n", local.port());
    s += "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n";
    s += "a=ptime:20\r\na=sendrecv\r\n";
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const BARESIP: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
        m=audio 10000 RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n\
        a=rtpmap:101 telephone-event/8000\r\na=sendonly\r\n";

    #[test]
    fn first_offered_g711_wins_and_dtmf_is_found() {
        let n = negotiate(BARESIP.as_bytes()).unwrap();
        assert_eq!((n.codec, n.payload_type, n.dtmf_pt), (Codec::Pcma, 8, Some(101)));
        assert_eq!(n.remote, "127.0.0.1:10000".parse().unwrap());
        assert_eq!(n.direction, Direction::SendOnly);
        let a = answer("127.0.0.1:20000".parse().unwrap(), 7, &n);
        assert!(a.contains("m=audio 20000 RTP/AVP 8 101\r\n") && a.contains("a=recvonly"), "{a}");
    }

    #[test]
    fn reoffer_points_at_the_given_address_with_a_new_version() {
        let n = negotiate(BARESIP.as_bytes()).unwrap();
        let o = reoffer("127.0.0.1:30000".parse().unwrap(), 7, 9, &n);
        assert!(o.contains("o=switchyard 7 9 IN IP4 127.0.0.1\r\n"), "{o}");
        assert!(o.contains("m=audio 30000 RTP/AVP 8 101\r\n") && o.contains("a=sendrecv"), "{o}");
        let back = negotiate(o.as_bytes()).unwrap();
        assert_eq!(
            (back.remote, back.codec, back.dtmf_pt),
            ("127.0.0.1:30000".parse().unwrap(), Codec::Pcma, Some(101))
        );
    }

    #[test]
    fn no_g711_is_refused() {
        let sdp = "v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 1 RTP/AVP 9\r\n";
        assert_eq!(negotiate(sdp.as_bytes()), Err(SdpError::NoCodec));
        assert_eq!(negotiate(b"v=0\r\n"), Err(SdpError::NoAudio));
    }
}
