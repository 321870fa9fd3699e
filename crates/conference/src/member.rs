//! One conference member: its channel, flags, and the line `conference <name> list` prints for it.

use switchyard_core::ChannelHandle;
use tokio::sync::mpsc;

use crate::room::Leave;

/// FreeSWITCH's `energy-level` of the default profile, copied to each member on join.
pub(crate) const DEFAULT_ENERGY: i32 = 100;

/// A member as the conference table keeps it.
#[derive(Debug)]
pub(crate) struct MemberState {
    pub(crate) id: u32,
    pub(crate) channel: ChannelHandle,
    pub(crate) can_hear: bool,
    pub(crate) can_speak: bool,
    pub(crate) talking: bool,
    pub(crate) moderator: bool,
    pub(crate) endconf: bool,
    pub(crate) volume_in: i32,
    pub(crate) volume_out: i32,
    pub(crate) energy: i32,
    /// The score of its last frame (`Current-Energy`).
    pub(crate) score: u32,
    /// Tells the member's application to leave.
    pub(crate) leave: mpsc::UnboundedSender<Leave>,
}

impl MemberState {
    /// `id;name;uuid;caller-name;caller-num;flags;volume-in;agc-volume-in;volume-out;energy` (mod_conference
    /// `conference_list`, with `;` the default delimiter).
    pub(crate) fn list_line(&self, delim: &str, floor: bool) -> String {
        let snap = self.channel.snapshot();
        let mut flags = Vec::new();
        for (on, word) in [
            (self.can_hear, "hear"),
            (self.can_speak, "speak"),
            (self.talking, "talking"),
            (floor, "floor"),
            (self.moderator, "moderator"),
        ] {
            if on {
                flags.push(word);
            }
        }
        let fields = [
            self.id.to_string(),
            snap.name.as_str().to_owned(),
            snap.id.to_string(),
            snap.caller.name.as_str().to_owned(),
            snap.caller.number.as_str().to_owned(),
            flags.join("|"),
            self.volume_in.to_string(),
            "0".to_owned(),
            self.volume_out.to_string(),
            self.energy.to_string(),
        ];
        format!("{}\n", fields.join(delim))
    }

    /// Headers that follow the channel block in a member event (`conference_member_add_event_data`).
    pub(crate) fn event_headers(&self) -> Vec<(String, String)> {
        let b = |v: bool| if v { "true" } else { "false" }.to_owned();
        let member_type = if self.moderator { "moderator" } else { "member" };
        [
            ("Video", b(false)),
            ("Hear", b(self.can_hear)),
            ("See", b(true)),
            ("Speak", b(self.can_speak)),
            ("Talking", b(self.talking)),
            ("Mute-Detect", b(false)),
            ("Hold", b(false)),
            ("Member-ID", self.id.to_string()),
            ("Member-Type", member_type.to_owned()),
            ("Member-Ghost", b(false)),
            ("Energy-Level", self.energy.to_string()),
            ("Current-Energy", self.score.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }
}
