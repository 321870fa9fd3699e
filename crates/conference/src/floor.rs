//! Who holds the floor, as mod_conference decides it every mixing period: with nobody holding it, the
//! first member (newest first) takes it; otherwise a member whose smoothed score is above
//! `SCORE_IIR_SPEAKING_MAX` takes it from a holder whose smoothed score fell below
//! `SCORE_IIR_SPEAKING_MIN`. Each change publishes `floor-change` (`Old-ID`, `New-ID`, `none` when
//! there is no holder).

use switchyard_core::Switch;

use crate::events;
use crate::room::Room;

/// The smoothed score above which a member is loud enough to take the floor.
pub(crate) const SCORE_IIR_SPEAKING_MAX: u32 = 300;
/// The holder's smoothed score below which it cedes the floor to a loud member.
pub(crate) const SCORE_IIR_SPEAKING_MIN: u32 = 100;

/// The floor after one period: `members` are (id, smoothed score), newest first. A new holder's
/// score counts as 0 for the rest of the period (mod_conference resets it when the floor moves).
pub(crate) fn next_holder(current: Option<u32>, members: &[(u32, u32)]) -> Option<u32> {
    let mut holder = current.filter(|id| members.iter().any(|(m, _)| m == id));
    let mut holder_iir = holder.and_then(|h| members.iter().find(|(m, _)| *m == h)).map_or(0, |(_, s)| *s);
    for &(id, iir) in members {
        let take = match holder {
            None => true,
            Some(h) => id != h && iir > SCORE_IIR_SPEAKING_MAX && holder_iir < SCORE_IIR_SPEAKING_MIN,
        };
        if take {
            holder = Some(id);
            holder_iir = 0;
        }
    }
    holder
}

/// Moves the floor of `room` to `new`, publishing `floor-change` when it changes.
pub(crate) fn set_holder(switch: &Switch, room: &mut Room, new: Option<u32>) {
    let old = std::mem::replace(&mut room.floor, new);
    if old == new {
        return;
    }
    let id_text = |id: Option<u32>| id.map_or_else(|| "none".to_owned(), |i| i.to_string());
    let extra = vec![("Old-ID".to_owned(), id_text(old)), ("New-ID".to_owned(), id_text(new))];
    match new.and_then(|id| room.member(id)) {
        Some(_) => events::member_event(switch, room, new.unwrap_or(0), "floor-change", extra),
        None => events::room_event(switch, room, "floor-change", extra),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nobody_holding_gives_the_floor_to_the_newest() {
        assert_eq!(next_holder(None, &[(3, 0), (2, 0), (1, 0)]), Some(3));
        assert_eq!(next_holder(Some(9), &[(3, 0), (2, 0)]), Some(3), "the holder left");
        assert_eq!(next_holder(None, &[]), None);
    }

    #[test]
    fn a_loud_member_takes_the_floor_only_from_a_quiet_holder() {
        assert_eq!(next_holder(Some(1), &[(2, 301), (1, 99)]), Some(2));
        assert_eq!(next_holder(Some(1), &[(2, 301), (1, 100)]), Some(1), "holder still speaking");
        assert_eq!(next_holder(Some(1), &[(2, 300), (1, 0)]), Some(1), "not loud enough");
        // Two loud members: the floor moves to the first, whose score then counts as 0, then on.
        assert_eq!(next_holder(Some(1), &[(3, 900), (2, 800), (1, 0)]), Some(2));
    }
}
