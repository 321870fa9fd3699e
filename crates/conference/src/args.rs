//! The `conference` application's data: `<name>[@profile][+flags{mute|deaf|moderator|endconf}]`.

/// Member flags asked for on join.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JoinFlags {
    /// Joins muted (cannot speak).
    pub mute: bool,
    /// Joins deaf (cannot hear).
    pub deaf: bool,
    /// A moderator (may enter a locked conference).
    pub moderator: bool,
    /// The conference ends when the last `endconf` member leaves.
    pub endconf: bool,
}

/// A parsed join request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinRequest {
    /// Conference name.
    pub name: String,
    /// Profile name (`default` when absent).
    pub profile: String,
    /// Flags.
    pub flags: JoinFlags,
}

impl JoinRequest {
    /// Parses the application data; `None` when no name is given.
    pub fn parse(data: &str) -> Option<Self> {
        let data = data.trim();
        let (head, flags) = match data.split_once("+flags{") {
            Some((head, rest)) => (head, parse_flags(rest.trim_end_matches('}'))),
            None => (data, JoinFlags::default()),
        };
        // A `+<pin>` suffix (FreeSWITCH's pin) is not supported and is ignored.
        let head = head.split('+').next().unwrap_or("").trim();
        let (name, profile) = head.split_once('@').unwrap_or((head, "default"));
        let profile = if profile.is_empty() { "default" } else { profile };
        (!name.is_empty()).then(|| Self { name: name.to_owned(), profile: profile.to_owned(), flags })
    }
}

fn parse_flags(list: &str) -> JoinFlags {
    let mut flags = JoinFlags::default();
    for word in list.split(['|', ',']).map(str::trim) {
        match word.to_ascii_lowercase().as_str() {
            "mute" => flags.mute = true,
            "deaf" => flags.deaf = true,
            "moderator" => flags.moderator = true,
            "endconf" => flags.endconf = true,
            "" => {}
            other => tracing::warn!("conference: unknown member flag '{other}' ignored"),
        }
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_profile_and_flags_are_read() {
        let r = JoinRequest::parse("test1@wideband+flags{mute|moderator}").unwrap();
        assert_eq!((r.name.as_str(), r.profile.as_str()), ("test1", "wideband"));
        assert_eq!(r.flags, JoinFlags { mute: true, moderator: true, ..JoinFlags::default() });
        let plain = JoinRequest::parse("test1").unwrap();
        assert_eq!((plain.profile.as_str(), plain.flags), ("default", JoinFlags::default()));
        let endconf = JoinRequest::parse("room+flags{endconf,deaf}").unwrap();
        assert!(endconf.flags.endconf && endconf.flags.deaf);
        assert_eq!(JoinRequest::parse("  "), None);
    }
}
