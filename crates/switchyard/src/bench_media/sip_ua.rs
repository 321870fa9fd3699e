//! The SIP side of `bench media`: a calling UA that places N calls (INVITE with an SDP offer naming the
//! A-side media socket, ACK, later BYE, retransmitting over UDP as RFC 3261 asks) and a called UA that
//! answers every INVITE the switch sends it with 200 and an SDP answer naming the B-side media socket.
//! Messages are parsed with the switch's own wire module; they are written here by hand.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use parking_lot::Mutex;
use switchyard_sip::sdp;
use switchyard_sip::wire::{self, Message, Transport};
use tokio::net::UdpSocket;

const RETRANSMIT: Duration = Duration::from_millis(500);
const MAX_TRIES: u32 = 7;

/// A call the calling UA placed.
struct UacCall {
    n: usize,
    request: Bytes,
    sent: Instant,
    tries: u32,
    provisional: bool,
    answered: Option<Answered>,
    failed: bool,
    bye: Option<(Bytes, Instant, u32)>,
    bye_done: bool,
}

#[derive(Clone)]
struct Answered {
    to_tag: String,
    contact: String,
    rtp: SocketAddr,
}

/// The calling UA.
pub struct Uac {
    sock: UdpSocket,
    switch: SocketAddr,
    media: SocketAddr,
    exten: String,
    calls: HashMap<String, UacCall>,
}

/// Outcome of placing the calls.
pub struct Placed {
    /// The switch's A-leg RTP address per answered call.
    pub rtp: Vec<SocketAddr>,
    /// Calls refused or never answered.
    pub failed: usize,
    /// INVITE retransmissions.
    pub retransmits: u64,
}

impl Uac {
    /// A UA on a fresh loopback port calling `exten` at `switch`, offering media at `media`.
    pub async fn new(switch: SocketAddr, media: SocketAddr, exten: &str) -> std::io::Result<Uac> {
        let sock = UdpSocket::bind("127.0.0.1:0").await?;
        Ok(Uac { sock, switch, media, exten: exten.to_owned(), calls: HashMap::new() })
    }

    /// Places `count` calls at `rate` per second and waits until each is answered or failed.
    pub async fn place(&mut self, count: usize, rate: u32, deadline: Duration) -> std::io::Result<Placed> {
        let start = Instant::now();
        let (mut placed, mut retransmits) = (0usize, 0u64);
        let mut buf = vec![0u8; 65_536];
        let mut tick = tokio::time::interval(Duration::from_millis(5));
        while start.elapsed() < deadline {
            tokio::select! {
                r = self.sock.recv_from(&mut buf) => {
                    let (n, _) = r?;
                    self.on_response(&buf[..n]).await?;
                }
                _ = tick.tick() => {
                    let due = ((start.elapsed().as_secs_f64() * f64::from(rate)) as usize).min(count);
                    while placed < due {
                        self.invite(placed).await?;
                        placed += 1;
                    }
                    retransmits += self.retransmit_invites().await?;
                }
            }
            if placed == count && self.calls.values().all(|c| c.answered.is_some() || c.failed) {
                break;
            }
        }
        let mut answered: Vec<_> = self.calls.values().filter_map(|c| c.answered.clone().map(|a| (c.n, a))).collect();
        answered.sort_by_key(|(n, _)| *n);
        let failed = count - answered.len();
        Ok(Placed { rtp: answered.into_iter().map(|(_, a)| a.rtp).collect(), failed, retransmits })
    }

    async fn invite(&mut self, n: usize) -> std::io::Result<()> {
        let local = self.sock.local_addr()?;
        let call_id = format!("bench-{n}-{}@{local}", std::process::id());
        let body = sdp_offer(self.media, n as u64);
        let request = Bytes::from(format!(
            "INVITE sip:{exten}@{sw} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bK-i{n};rport\r\n\
             From: <sip:bench{n}@{local}>;tag=a{n}\r\nTo: <sip:{exten}@{sw}>\r\nCall-ID: {call_id}\r\n\
             CSeq: 1 INVITE\r\nContact: <sip:bench{n}@{local}>\r\nMax-Forwards: 70\r\n\
             Content-Type: application/sdp\r\nContent-Length: {len}\r\n\r\n{body}",
            exten = self.exten,
            sw = self.switch,
            len = body.len()
        ));
        self.sock.send_to(&request, self.switch).await?;
        let call = UacCall {
            n,
            request,
            sent: Instant::now(),
            tries: 1,
            provisional: false,
            answered: None,
            failed: false,
            bye: None,
            bye_done: false,
        };
        self.calls.insert(call_id, call);
        Ok(())
    }

    async fn retransmit_invites(&mut self) -> std::io::Result<u64> {
        let mut resent = 0;
        for call in self.calls.values_mut() {
            let waiting = call.answered.is_none() && !call.failed && !call.provisional;
            if waiting && call.sent.elapsed() >= RETRANSMIT * (1 << call.tries.min(3)) / 2 {
                if call.tries >= MAX_TRIES {
                    call.failed = true;
                    continue;
                }
                self.sock.send_to(&call.request, self.switch).await?;
                (call.sent, call.tries, resent) = (Instant::now(), call.tries + 1, resent + 1);
            }
        }
        Ok(resent)
    }

    async fn on_response(&mut self, data: &[u8]) -> std::io::Result<()> {
        let Ok(msg) = Message::parse(data, Transport::Udp) else { return Ok(()) };
        let (Some(code), (_, method)) = (msg.code(), msg.cseq()) else { return Ok(()) };
        let method = method.to_owned();
        let Some(call) = self.calls.get_mut(msg.call_id()) else { return Ok(()) };
        if method == "BYE" {
            call.bye_done = code >= 200;
            return Ok(());
        }
        match code {
            100..=199 => call.provisional = true,
            200..=299 => {
                if call.answered.is_none() {
                    let contact = msg.header("Contact").map(wire::name_addr_uri).unwrap_or_default().to_owned();
                    match sdp::negotiate(&msg.body) {
                        Ok(n) => {
                            call.answered = Some(Answered { to_tag: msg.to_tag().to_owned(), contact, rtp: n.remote })
                        }
                        Err(_) => call.failed = true,
                    }
                }
            }
            _ => call.failed = true,
        }
        if code >= 200 {
            let ack = ack_for(call, msg.call_id(), msg.to_tag(), self.sock.local_addr()?, &self.exten, self.switch);
            self.sock.send_to(&ack, self.switch).await?;
        }
        Ok(())
    }

    /// Sends BYE on every answered call and waits (retransmitting) until each has a final answer.
    pub async fn hang_up(&mut self, deadline: Duration) -> std::io::Result<usize> {
        let local = self.sock.local_addr()?;
        for (call_id, call) in &mut self.calls {
            if let Some(a) = &call.answered {
                let bye = request_in_dialog("BYE", 2, call.n, call_id, a, local, &self.exten, self.switch);
                self.sock.send_to(&bye, self.switch).await?;
                call.bye = Some((bye, Instant::now(), 1));
            }
        }
        let start = Instant::now();
        let mut buf = vec![0u8; 65_536];
        while start.elapsed() < deadline && self.calls.values().any(|c| c.bye.is_some() && !c.bye_done) {
            match tokio::time::timeout(Duration::from_millis(100), self.sock.recv_from(&mut buf)).await {
                Ok(r) => self.on_response(&buf[..r?.0]).await?,
                Err(_) => self.retransmit_byes().await?,
            }
        }
        Ok(self.calls.values().filter(|c| c.bye_done).count())
    }

    async fn retransmit_byes(&mut self) -> std::io::Result<()> {
        for call in self.calls.values_mut().filter(|c| !c.bye_done) {
            if let Some((bye, sent, tries)) = call.bye.as_mut()
                && sent.elapsed() >= RETRANSMIT
                && *tries < MAX_TRIES
            {
                self.sock.send_to(bye, self.switch).await?;
                (*sent, *tries) = (Instant::now(), *tries + 1);
            }
        }
        Ok(())
    }
}

fn sdp_offer(media: SocketAddr, id: u64) -> String {
    let ip = media.ip();
    format!(
        "v=0\r\no=bench {id} {id} IN IP4 {ip}\r\ns=bench\r\nc=IN IP4 {ip}\r\nt=0 0\r\n\
         m=audio {} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\na=sendrecv\r\n",
        media.port()
    )
}

fn ack_for(call: &UacCall, call_id: &str, to_tag: &str, local: SocketAddr, exten: &str, sw: SocketAddr) -> Bytes {
    let n = call.n;
    let uri = call.answered.as_ref().map_or_else(|| format!("sip:{exten}@{sw}"), |a| a.contact.clone());
    Bytes::from(format!(
        "ACK {uri} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bK-k{n};rport\r\n\
         From: <sip:bench{n}@{local}>;tag=a{n}\r\nTo: <sip:{exten}@{sw}>;tag={to_tag}\r\nCall-ID: {call_id}\r\n\
         CSeq: 1 ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
    ))
}

#[allow(clippy::too_many_arguments)]
fn request_in_dialog(
    method: &str,
    cseq: u32,
    n: usize,
    call_id: &str,
    a: &Answered,
    local: SocketAddr,
    exten: &str,
    sw: SocketAddr,
) -> Bytes {
    Bytes::from(format!(
        "{method} {uri} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bK-b{n};rport\r\n\
         From: <sip:bench{n}@{local}>;tag=a{n}\r\nTo: <sip:{exten}@{sw}>;tag={tag}\r\nCall-ID: {call_id}\r\n\
         CSeq: {cseq} {method}\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
        uri = a.contact,
        tag = a.to_tag
    ))
}

/// What the called UA saw.
#[derive(Default)]
pub struct UasTally {
    /// The switch's B-leg RTP address per answered INVITE, in arrival order.
    pub rtp: Vec<SocketAddr>,
    /// BYEs answered.
    pub byes: usize,
}

/// The called UA: answers every INVITE with 200 + SDP (media at `media`), every BYE/CANCEL with 200.
pub async fn run_uas(sock: UdpSocket, media: SocketAddr, tally: Arc<Mutex<UasTally>>) -> std::io::Result<()> {
    let local = sock.local_addr()?;
    let mut answers: HashMap<String, Bytes> = HashMap::new();
    let mut buf = vec![0u8; 65_536];
    loop {
        let (n, from) = sock.recv_from(&mut buf).await?;
        let Ok(msg) = Message::parse(&buf[..n], Transport::Udp) else { continue };
        let Some(method) = msg.method().map(str::to_owned) else { continue };
        let reply = match method.as_str() {
            "ACK" => continue,
            "INVITE" => match answers.get(msg.call_id()) {
                Some(sent) => sent.clone(),
                None => {
                    let Ok(offer) = sdp::negotiate(&msg.body) else { continue };
                    let tag = format!("b{}", answers.len());
                    let body = sdp::answer(media, answers.len() as u64, &offer);
                    let ok = wire::response_to(&msg, 200, Some(&tag))
                        .header("Contact", format!("<sip:bench@{local}>"))
                        .body("application/sdp", body)
                        .finish();
                    tally.lock().rtp.push(offer.remote);
                    answers.insert(msg.call_id().to_owned(), ok.clone());
                    ok
                }
            },
            "BYE" => {
                tally.lock().byes += 1;
                wire::response_to(&msg, 200, None).finish()
            }
            _ => wire::response_to(&msg, 200, None).finish(),
        };
        sock.send_to(&reply, from).await?;
    }
}
