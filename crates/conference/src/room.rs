//! The conference table: rooms by name, each with its members (newest first, as FreeSWITCH lists
//! them), created on first join and destroyed when the last member leaves.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use parking_lot::Mutex;
use switchyard_core::{ChannelHandle, Switch};
use switchyard_media::prompts::Library;
use tokio::sync::mpsc;

use crate::args::JoinRequest;
use crate::events;
use crate::files::{FilePlay, Stop};
use crate::floor;
use crate::member::{DEFAULT_ENERGY, MemberState};
use crate::mix::{MixBus, TickReport};

/// Why a member's application is told to leave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leave {
    /// `conference <name> kick`.
    Kicked,
    /// `conference <name> hup`.
    Hup,
    /// The conference ended (its last `endconf` member left).
    Ended,
}

/// One conference room.
#[derive(Debug)]
pub(crate) struct Room {
    pub(crate) name: String,
    pub(crate) uuid: String,
    pub(crate) profile: String,
    pub(crate) domain: Option<String>,
    pub(crate) locked: bool,
    /// Newest first.
    pub(crate) members: Vec<MemberState>,
    pub(crate) floor: Option<u32>,
    end_count: usize,
    /// Audio of the members whose channels carry media.
    pub(crate) mix: MixBus,
    /// Whether the mixing task runs.
    mixing: bool,
}

impl Room {
    pub(crate) fn member(&self, id: u32) -> Option<&MemberState> {
        self.members.iter().find(|m| m.id == id)
    }

    pub(crate) fn member_mut(&mut self, id: u32) -> Option<&mut MemberState> {
        self.members.iter_mut().find(|m| m.id == id)
    }

    /// Tells the mixer what member `id` may hear and say now.
    pub(crate) fn sync_mix(&self, id: u32) {
        if let Some(m) = self.member(id) {
            self.mix.set_flags(id, m.can_hear, m.can_speak);
        }
    }
}

struct Inner {
    switch: Switch,
    /// Where `conference <name> play` finds its files (the prompts directory).
    sounds: Library,
    rooms: Mutex<BTreeMap<String, Room>>,
    /// Member ids are unique across all conferences, from 1 (FreeSWITCH's `id_pool`).
    next_id: AtomicU32,
}

/// All conferences of a switch. Cheap to clone.
#[derive(Clone)]
pub struct Conferences(Arc<Inner>);

/// A channel's place in a conference; leaving (drop) removes it and may destroy the room.
pub(crate) struct Membership {
    conferences: Conferences,
    pub(crate) name: String,
    pub(crate) id: u32,
    pub(crate) uuid: String,
    pub(crate) leave: mpsc::UnboundedReceiver<Leave>,
}

impl Drop for Membership {
    fn drop(&mut self) {
        self.conferences.remove(&self.name, self.id);
    }
}

/// The conference is locked and the channel is not a moderator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Locked;

impl Conferences {
    /// An empty table for `switch`, playing files found by `sounds`.
    pub fn new(switch: Switch, sounds: Library) -> Self {
        Self(Arc::new(Inner { switch, sounds, rooms: Mutex::new(BTreeMap::new()), next_id: AtomicU32::new(0) }))
    }

    /// The switch.
    pub fn switch(&self) -> &Switch {
        &self.0.switch
    }

    /// Where files are found.
    pub(crate) fn sounds(&self) -> &Library {
        &self.0.sounds
    }

    /// Names of the live conferences, sorted.
    pub fn names(&self) -> Vec<String> {
        self.0.rooms.lock().keys().cloned().collect()
    }

    /// Members of conference `name`, or None when it does not exist.
    pub fn member_count(&self, name: &str) -> Option<usize> {
        self.0.rooms.lock().get(name).map(|r| r.members.len())
    }

    /// Runs `f` on room `name` under the table's lock (events are published inside, so their order
    /// follows the changes).
    pub(crate) fn with_room<R>(&self, name: &str, f: impl FnOnce(&mut Room, &Switch) -> R) -> Option<R> {
        let mut rooms = self.0.rooms.lock();
        rooms.get_mut(name).map(|room| f(room, &self.0.switch))
    }

    /// Runs `f` on every room, in name order.
    pub(crate) fn each_room(&self, mut f: impl FnMut(&Room)) {
        for room in self.0.rooms.lock().values() {
            f(room);
        }
    }

    /// Adds `channel` to the conference `req` names, creating it when absent.
    pub(crate) fn join(
        &self,
        channel: ChannelHandle,
        req: &JoinRequest,
        domain: Option<String>,
    ) -> Result<Membership, Locked> {
        let switch = &self.0.switch;
        let mut rooms = self.0.rooms.lock();
        let room = rooms.entry(req.name.clone()).or_insert_with(|| {
            let room = Room {
                name: req.name.clone(),
                uuid: uuid::Uuid::new_v4().to_string(),
                profile: req.profile.clone(),
                domain,
                locked: false,
                members: Vec::new(),
                floor: None,
                end_count: 0,
                mix: MixBus::default(),
                mixing: false,
            };
            events::room_event(switch, &room, "conference-create", vec![]);
            room
        });
        if room.locked && !req.flags.moderator {
            tracing::info!(conference = %room.name, "conference locked: {} refused", channel.snapshot().name);
            return Err(Locked);
        }
        let id = self.0.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let (tx, rx) = mpsc::unbounded_channel();
        let member = MemberState {
            id,
            channel,
            can_hear: !req.flags.deaf,
            can_speak: !req.flags.mute,
            talking: false,
            moderator: req.flags.moderator,
            endconf: req.flags.endconf,
            volume_in: 0,
            volume_out: 0,
            energy: DEFAULT_ENERGY,
            score: 0,
            leave: tx,
        };
        room.end_count += usize::from(member.endconf);
        if let Some(port) = member.channel.media() {
            room.mix.add(id, port, member.energy, member.can_hear, member.can_speak);
            self.ensure_mixing(room);
        }
        room.members.insert(0, member);
        events::member_event(switch, room, id, "add-member", vec![]);
        if room.floor.is_none() {
            floor::set_holder(switch, room, Some(id));
        }
        let uuid = room.uuid.clone();
        Ok(Membership { conferences: self.clone(), name: req.name.clone(), id, uuid, leave: rx })
    }

    /// Starts the mixing task of `room` unless it runs.
    fn ensure_mixing(&self, room: &mut Room) {
        if !std::mem::replace(&mut room.mixing, true) {
            crate::mixing::start(self.clone(), room.name.clone(), room.mix.clone());
        }
    }

    /// Called by the mixing task every period: true when it should stop (the room is gone, or has no
    /// member with media and no file). Checked under the table's lock, so a member joining or a file
    /// queued meanwhile restarts nothing twice.
    pub(crate) fn mixing_idle(&self, name: &str) -> bool {
        let mut rooms = self.0.rooms.lock();
        match rooms.get_mut(name) {
            Some(room) if !room.mix.is_idle() => false,
            Some(room) => {
                room.mixing = false;
                true
            }
            None => true,
        }
    }

    /// Queues `play` in conference `name` (mixing starts if needed); false when there is no such
    /// conference or no such member.
    pub(crate) fn play(&self, name: &str, play: FilePlay) -> bool {
        let mut rooms = self.0.rooms.lock();
        let Some(room) = rooms.get_mut(name) else { return false };
        if play.member.is_some_and(|id| room.member(id).is_none()) {
            return false;
        }
        room.mix.play(play);
        self.ensure_mixing(room);
        true
    }

    /// Ends files of conference `name` (or of one member); how many.
    pub(crate) fn stop(&self, name: &str, which: Stop, member: Option<u32>) -> u32 {
        self.with_room(name, |room, _| room.mix.stop(which, member)).unwrap_or(0)
    }

    /// Applies what a mixing period found: talking changes (`start-talking`/`stop-talking`), each
    /// member's current energy, the floor, and the files that ended (`play-file-done`…).
    pub(crate) fn after_tick(&self, name: &str, report: TickReport) {
        self.with_room(name, |room, switch| {
            for talk in &report.talks {
                if let Some(m) = room.member_mut(talk.id) {
                    m.talking = talk.talking;
                    let action = if talk.talking { "start-talking" } else { "stop-talking" };
                    events::member_event(switch, room, talk.id, action, vec![]);
                }
            }
            for &(id, score, _) in &report.scores {
                if let Some(m) = room.member_mut(id) {
                    m.score = score;
                }
            }
            let smoothed: Vec<(u32, u32)> = room
                .members
                .iter()
                .map(|m| (m.id, report.scores.iter().find(|s| s.0 == m.id).map_or(0, |s| s.2)))
                .collect();
            let holder = floor::next_holder(room.floor, &smoothed);
            if holder != room.floor {
                holder.inspect(|id| room.mix.reset_score(*id));
                floor::set_holder(switch, room, holder);
            }
            for done in &report.ended {
                events::file_done(switch, room, done);
            }
        });
    }

    /// Removes member `id` (publishing `del-member`); ends the room when it is empty, and tells the
    /// others to leave when the last `endconf` member left.
    fn remove(&self, name: &str, id: u32) {
        let switch = &self.0.switch;
        let mut rooms = self.0.rooms.lock();
        let Some(room) = rooms.get_mut(name) else { return };
        let Some(pos) = room.members.iter().position(|m| m.id == id) else { return };
        let member = room.members.remove(pos);
        room.mix.remove(id);
        events::removed_member_event(switch, room, &member);
        if room.floor == Some(id) {
            floor::set_holder(switch, room, None);
            let next = room.members.first().map(|m| m.id);
            floor::set_holder(switch, room, next);
        }
        if member.endconf {
            room.end_count -= 1;
            if room.end_count == 0 {
                for other in &room.members {
                    let _ = other.leave.send(Leave::Ended);
                }
            }
        }
        if room.members.is_empty() {
            events::room_event(switch, room, "conference-destroy", vec![]);
            rooms.remove(name);
        }
    }
}
