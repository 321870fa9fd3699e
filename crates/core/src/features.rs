//! In-call DTMF features as Asterisk's features.conf sets them: the feature map (blind and attended
//! transfer, disconnect) and the timing of feature digits and transfers. The dialplan's bridges act on
//! them; the AMI `Atxfer` action needs the attended transfer code. Parsing the file is not done here.

use std::time::Duration;

/// `[featuremap]`: the DTMF sequence of each built-in feature; empty = the feature is off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeatureMap {
    /// `blindxfer` (Asterisk's built-in default `#`).
    pub blindxfer: String,
    /// `atxfer` (no built-in default: Asterisk ships it commented out as `*2`).
    pub atxfer: String,
    /// `disconnect` (built-in default `*`; the sample features.conf suggests `*0`).
    pub disconnect: String,
    /// `automon`, `automixmon`, `parkcall`: read and kept, not acted on.
    pub other: Vec<(String, String)>,
}

impl Default for FeatureMap {
    /// The defaults compiled into Asterisk (main/features_config.c `DEFAULT_FEATUREMAP_*`).
    fn default() -> Self {
        Self { blindxfer: "#".into(), atxfer: String::new(), disconnect: "*".into(), other: Vec::new() }
    }
}

/// The features a party of a bridge may use (Dial `t`/`T` give transfers, `h`/`H` disconnect).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Allowed {
    /// Blind and attended transfer.
    pub transfer: bool,
    /// Disconnect.
    pub disconnect: bool,
}

/// A built-in feature a DTMF sequence can start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feature {
    /// `blindxfer`.
    BlindTransfer,
    /// `atxfer`.
    AttendedTransfer,
    /// `disconnect`.
    Disconnect,
}

impl FeatureMap {
    /// The codes this party may use, with their feature (empty codes are left out).
    pub fn codes(&self, allowed: Allowed) -> Vec<(&str, Feature)> {
        let mut out = Vec::new();
        if allowed.transfer {
            out.push((self.blindxfer.as_str(), Feature::BlindTransfer));
            out.push((self.atxfer.as_str(), Feature::AttendedTransfer));
        }
        if allowed.disconnect {
            out.push((self.disconnect.as_str(), Feature::Disconnect));
        }
        out.retain(|(code, _)| !code.is_empty());
        out
    }
}

/// The `[general]` transfer settings and the feature map.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeatureConfig {
    /// `[featuremap]`.
    pub featuremap: FeatureMap,
    /// `featuredigittimeout`: how long to wait for the next digit of a feature code (1000 ms).
    pub feature_digit_timeout: Duration,
    /// `transferdigittimeout`: how long to wait between the digits of a transfer's extension (3 s).
    pub transfer_digit_timeout: Duration,
    /// `atxfernoanswertimeout`: how long the target of an attended transfer may ring (15 s).
    pub atxfer_no_answer_timeout: Duration,
    /// `atxferdropcall`: when the target does not answer, hang up the transferee instead of calling
    /// the transferer back (Switchyard returns the transferer to the transferee when this is off).
    pub atxfer_drop_call: bool,
    /// `atxferabort` (`*1`): during the consultation, drop the target and return to the transferee.
    pub atxfer_abort: String,
    /// `atxfercomplete` (`*2`): complete the transfer and leave.
    pub atxfer_complete: String,
    /// `atxferthreeway` (`*3`): read, not supported (three-party bridges do not exist yet).
    pub atxfer_threeway: String,
    /// `atxferswap` (`*4`): read, not supported.
    pub atxfer_swap: String,
    /// Settings read and kept without effect here (sounds, pickup, callback retries), in file order.
    pub other: Vec<(String, String)>,
}

impl Default for FeatureConfig {
    /// Asterisk's compiled-in defaults (main/features_config.c).
    fn default() -> Self {
        Self {
            featuremap: FeatureMap::default(),
            feature_digit_timeout: Duration::from_millis(1000),
            transfer_digit_timeout: Duration::from_secs(3),
            atxfer_no_answer_timeout: Duration::from_secs(15),
            atxfer_drop_call: false,
            atxfer_abort: "*1".into(),
            atxfer_complete: "*2".into(),
            atxfer_threeway: "*3".into(),
            atxfer_swap: "*4".into(),
            other: Vec::new(),
        }
    }
}

/// Where a sequence of digits stands against a set of codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeMatch<T> {
    /// The digits are a code and no longer code starts with them.
    Exact(T),
    /// More digits could still make a code (with `T` when the digits are already one).
    Partial(Option<T>),
    /// No code starts with these digits.
    None,
}

/// Matches `digits` against `codes` as Asterisk's bridge DTMF hooks do: a code that is also the
/// start of a longer one waits for the feature digit timeout.
pub fn match_code<T: Copy>(digits: &str, codes: &[(&str, T)]) -> CodeMatch<T> {
    let exact = codes.iter().find(|(c, _)| *c == digits).map(|(_, t)| *t);
    let longer = codes.iter().any(|(c, _)| c.len() > digits.len() && c.starts_with(digits));
    match (exact, longer) {
        (Some(t), false) => CodeMatch::Exact(t),
        (exact, true) => CodeMatch::Partial(exact),
        (None, false) => CodeMatch::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_what_the_party_may_do() {
        let map = FeatureMap { atxfer: "*2".into(), ..FeatureMap::default() };
        let both = Allowed { transfer: true, disconnect: true };
        let codes: Vec<_> = map.codes(both).into_iter().map(|(c, _)| c).collect();
        assert_eq!(codes, ["#", "*2", "*"]);
        assert!(FeatureMap::default().codes(Allowed::default()).is_empty());
        let default = FeatureMap::default();
        let transfers = default.codes(Allowed { transfer: true, disconnect: false });
        assert_eq!(transfers, [("#", Feature::BlindTransfer)], "an empty atxfer is off");
    }

    #[test]
    fn a_code_that_starts_a_longer_one_waits() {
        let codes = [("*", 1), ("*2", 2), ("#", 3)];
        assert_eq!(match_code("#", &codes), CodeMatch::Exact(3));
        assert_eq!(match_code("*", &codes), CodeMatch::Partial(Some(1)));
        assert_eq!(match_code("*2", &codes), CodeMatch::Exact(2));
        assert_eq!(match_code("*3", &codes), CodeMatch::None);
        assert_eq!(match_code("5", &codes), CodeMatch::None);
        assert_eq!(match_code("*", &[("*0", 0)]), CodeMatch::Partial(None));
    }
}
