//! The AMI wire protocol without I/O: bytes in, typed actions out; responses and events to bytes.

pub mod action;
pub mod event;
pub mod frame;
pub mod message;
pub mod parse;
pub mod peer;
pub mod privilege;
pub mod render;
mod render_transfer;
pub mod response;
pub mod rtcp;
pub mod security;
pub mod time;

pub use action::{Action, ActionError, Originate, OriginateDestination, Request};
pub use event::{AmiEvent, channel_block};
pub use frame::{Decoder, FrameError, Limits};
pub use message::Message;
pub use privilege::{Privilege, parse_classes};
pub use render::render;
pub use response::Response;

/// The greeting sent on connect (Asterisk 22 still announces manager protocol 11.0.0).
pub const BANNER: &[u8] = b"Asterisk Call Manager/11.0.0\r\n";

/// MD5 of `challenge` followed by `secret`, in lower-case hex: the `Key` a client sends.
pub fn md5_key(challenge: &str, secret: &str) -> String {
    use md5::Digest;
    let mut h = md5::Md5::new();
    h.update(challenge.as_bytes());
    h.update(secret.as_bytes());
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    #[test]
    fn md5_key_is_lower_case_hex_of_challenge_then_secret() {
        // echo -n "123secret" | md5sum
        assert_eq!(super::md5_key("123", "secret"), "ad4f596c85c6fd9fad1cbd30efb611c2");
    }
}
