//! `conference <name> play <file> [async|<member_id> [nomux]]` and `conference <name> stop
//! [current|all|async] [<member_id>]`, with mod_conference's reply texts (conference_api.c) and its
//! `play-file` / `play-file-member` events. Files are found as the `playback` application finds them
//! (absolute, or in the prompts directory, `.wav` added when the name has none).

use std::sync::Arc;

use crate::events;
use crate::files::{FilePlay, Stop};
use crate::room::{Conferences, Room};

pub(crate) const PLAY_SYNTAX: &str = "play <file_path> [async|<member_id> [nomux]]";
pub(crate) const STOP_SYNTAX: &str = "stop <[current|all|async|last]> [<member_id>]";

/// What `play` was asked, once its words are read.
struct PlayRequest<'a> {
    file: &'a str,
    is_async: bool,
    /// `<member_id>` (or `last`) and whether the file is mixed with the conference.
    member: Option<(&'a str, bool)>,
}

/// Reads `<file> [async|<member_id> [nomux]]` as mod_conference does (a trailing `async` after a
/// member id is dropped); None when the file is missing.
fn parse_play(args: &[String]) -> Option<PlayRequest<'_>> {
    let mut words: Vec<&str> = args.iter().map(String::as_str).collect();
    let trailing_async = matches!(words.len(), 2 | 3) && words.last().is_some_and(|w| w.eq_ignore_ascii_case("async"));
    if trailing_async {
        words.pop();
    }
    let file = *words.first()?;
    let member = words.get(1).map(|id| (*id, !words.get(2).is_some_and(|w| w.eq_ignore_ascii_case("nomux"))));
    Some(PlayRequest { file, is_async: trailing_async && member.is_none(), member })
}

/// The member a word names: its id, or `last` (the newest).
fn member_by_word(room: &Room, word: &str) -> Option<u32> {
    match word.parse::<u32>() {
        Ok(id) => room.member(id).map(|m| m.id),
        Err(_) if word.eq_ignore_ascii_case("last") => room.members.iter().map(|m| m.id).max(),
        Err(_) => None,
    }
}

/// Decodes `file` off the async threads.
async fn load(conf: &Conferences, file: &str) -> Option<Arc<[i16]>> {
    let (conf, name) = (conf.clone(), file.to_owned());
    let job = tokio::task::spawn_blocking(move || {
        let sounds = conf.sounds();
        sounds.resolve(&name).and_then(|s| sounds.load(&s)).map_err(|e| tracing::warn!("conference play: {e}"))
    });
    job.await.ok()?.ok()
}

/// `conference <name> play …`.
pub(crate) async fn play(conf: &Conferences, name: &str, args: &[String]) -> String {
    let Some(req) = parse_play(args) else { return PLAY_SYNTAX.to_owned() };
    let Some((word, mux)) = req.member else { return play_to_all(conf, name, req.file, req.is_async).await };
    let Some(id) = conf.with_room(name, |room, _| member_by_word(room, word)).flatten() else {
        return format!("-ERR Member: {word} not found.\n{PLAY_SYNTAX}");
    };
    let Some(pcm) = load(conf, req.file).await else { return not_found(req.file) };
    if !conf.play(name, FilePlay::new(req.file, pcm, false, Some(id), mux)) {
        return format!("-ERR Member: {word} not found.\n{PLAY_SYNTAX}");
    }
    conf.with_room(name, |room, switch| {
        events::member_event(switch, room, id, "play-file-member", vec![("File".to_owned(), req.file.to_owned())]);
    });
    format!("+OK (play) Playing file {} to member {id}\n", req.file)
}

async fn play_to_all(conf: &Conferences, name: &str, file: &str, is_async: bool) -> String {
    let queued = match load(conf, file).await {
        Some(pcm) => conf.play(name, FilePlay::new(file, pcm, is_async, None, true)),
        None => false,
    };
    let mut extra = vec![("File".to_owned(), file.to_owned()), ("Async".to_owned(), is_async.to_string())];
    if !queued {
        extra.push(("Error".to_owned(), "File could not be played".to_owned()));
    }
    conf.with_room(name, |room, switch| events::room_event(switch, room, "play-file", extra));
    if queued { format!("+OK (play) Playing file {file}\n") } else { not_found(file) }
}

fn not_found(file: &str) -> String {
    format!("-ERR (play) File: {file} not found.\n")
}

/// `conference <name> stop [current|all|async] [<member_id>]`: `+OK Stopped <n> files.`
pub(crate) fn stop(conf: &Conferences, name: &str, args: &[String]) -> String {
    let Some(which) = Stop::parse(args.first().map(String::as_str)) else { return STOP_SYNTAX.to_owned() };
    let Some(word) = args.get(1) else {
        return format!("+OK Stopped {} files.\n", conf.stop(name, which, None));
    };
    match conf.with_room(name, |room, _| member_by_word(room, word)).flatten() {
        Some(id) => format!("+OK Stopped {} files.\n", conf.stop(name, which, Some(id))),
        None => format!("-ERR Member: {word} not found.\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn play_words_are_read_as_mod_conference_reads_them() {
        let w = words("a.wav async");
        let r = parse_play(&w).unwrap();
        assert!(r.is_async && r.member.is_none());
        let w = words("a.wav 3 nomux");
        let r = parse_play(&w).unwrap();
        assert_eq!((r.file, r.is_async, r.member), ("a.wav", false, Some(("3", false))));
        let w = words("a.wav 3 async");
        assert_eq!(parse_play(&w).unwrap().member, Some(("3", true)));
        assert!(parse_play(&[]).is_none());
    }
}
