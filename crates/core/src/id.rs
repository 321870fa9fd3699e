//! Channel identifiers: one UUID serves as Asterisk Uniqueid/Linkedid and FreeSWITCH Unique-ID.

use std::fmt;
use std::str::FromStr;

/// A channel's unique id (UUID v4, printed hyphenated lower-case).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChannelId(uuid::Uuid);

impl ChannelId {
    /// A fresh random id.
    pub fn new_v4() -> Self {
        Self(uuid::Uuid::new_v4())
    }
}

impl fmt::Display for ChannelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.hyphenated(), f)
    }
}

/// A string that is not a UUID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a valid channel uuid")]
pub struct BadChannelId(pub String);

impl FromStr for ChannelId {
    type Err = BadChannelId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        uuid::Uuid::parse_str(s).map(Self).map_err(|_| BadChannelId(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_their_text_form() {
        let id = ChannelId::new_v4();
        let text = id.to_string();
        assert_eq!(text.len(), 36);
        assert_eq!(text.parse::<ChannelId>().unwrap(), id);
    }

    #[test]
    fn garbage_is_not_an_id() {
        assert!("not-a-uuid".parse::<ChannelId>().is_err());
    }
}
