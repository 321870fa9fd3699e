//! Hanging channels up from the console: Asterisk `channel request hangup`, FreeSWITCH `uuid_kill`
//! and `hupall`.

use std::sync::Arc;

use super::{Command, CommandOutput, CommandRegistry, CommandSpec, Flavor};
use crate::app::BoxFuture;
use crate::cause::HangupCause;
use crate::switch::Switch;

pub(super) fn register(reg: &CommandRegistry) {
    reg.register(Arc::new(RequestHangup));
    reg.register(Arc::new(UuidKill));
    reg.register(Arc::new(HupAll));
}

static REQUEST_HANGUP: CommandSpec = CommandSpec {
    name: "channel request hangup",
    syntax: "channel request hangup <all>|<channel> [<channel> ...]",
    summary: "Request a hangup on a given channel",
    usage: "Usage: channel request hangup <all>|<channel> [<channel> ...]\n       Request that one or more \
            channels be hung up. The hangup takes\n       effect the next time the driver reads or writes from \
            the channel.\n\n       If 'all' is specified instead of a channel name, all channels\n       will see \
            the hangup request.\n\n       A POSIX Extended Regular Expression can be provided in the place\n       \
            of a fixed channel name by wrapping it in forward slashes\n       (e.g. /^PJSIP.*/). Note that the \
            expression will match any part\n       of the channel name unless anchored explicitly by ^ and/or $.\n\n\
            \x20      Finally, wildcards (*) and other glob-like characters can also\n       be used to match more \
            than one channel. Similar to how path globs\n       behave, a forward slash cannot be matched with a \
            wildcard or\n       bracket expression. In other words, if you want to hangup all\n       Local \
            channels, you must specify Local/* and not Loc*.\n",
    flavor: Flavor::Asterisk,
};

/// How one argument of `channel request hangup` selects channels.
enum Selector {
    All,
    Regex(regex::Regex),
    Glob(String),
}

impl Selector {
    fn parse(arg: &str) -> Result<Self, String> {
        if arg.eq_ignore_ascii_case("all") {
            return Ok(Self::All);
        }
        if let Some(re) = arg.strip_prefix('/').and_then(|a| a.strip_suffix('/')) {
            return regex::Regex::new(re).map(Self::Regex).map_err(|e| format!("Invalid regex '{re}': {e}\n"));
        }
        Ok(Self::Glob(arg.to_owned()))
    }

    fn matches(&self, name: &str) -> bool {
        match self {
            Self::All => true,
            Self::Regex(re) => re.is_match(name),
            Self::Glob(g) => glob_match(&g.to_ascii_lowercase(), &name.to_ascii_lowercase()),
        }
    }
}

/// fnmatch with FNM_PATHNAME: `*`, `?` and `[...]` never match `/`.
fn glob_match(pat: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pat.chars().collect(), text.chars().collect());
    glob_at(&p, &t)
}

fn glob_at(p: &[char], t: &[char]) -> bool {
    match p.first() {
        None => t.is_empty(),
        Some('*') => (0..=t.len()).take_while(|&i| i == 0 || t[i - 1] != '/').any(|i| glob_at(&p[1..], &t[i..])),
        Some('?') => t.first().is_some_and(|&c| c != '/') && glob_at(&p[1..], &t[1..]),
        Some('[') => match (p.iter().position(|&c| c == ']'), t.first()) {
            (Some(end), Some(&c)) if end > 1 && c != '/' => in_class(&p[1..end], c) && glob_at(&p[end + 1..], &t[1..]),
            _ => t.first() == Some(&'[') && glob_at(&p[1..], &t[1..]),
        },
        Some(&c) => t.first() == Some(&c) && glob_at(&p[1..], &t[1..]),
    }
}

fn in_class(class: &[char], c: char) -> bool {
    let (negate, class) = match class.first() {
        Some('!') | Some('^') => (true, &class[1..]),
        _ => (false, class),
    };
    let mut i = 0;
    let mut hit = false;
    while i < class.len() {
        if i + 2 < class.len() && class[i + 1] == '-' {
            hit |= (class[i]..=class[i + 2]).contains(&c);
            i += 3;
        } else {
            hit |= class[i] == c;
            i += 1;
        }
    }
    hit != negate
}

struct RequestHangup;
impl Command for RequestHangup {
    fn spec(&self) -> &'static CommandSpec {
        &REQUEST_HANGUP
    }
    fn run<'a>(&'a self, sw: &'a Switch, args: &'a [String]) -> BoxFuture<'a, CommandOutput> {
        Box::pin(async move {
            if args.is_empty() {
                return CommandOutput::usage(&REQUEST_HANGUP);
            }
            let mut out = String::new();
            for arg in args {
                out.push_str(&hangup_matching(sw, arg));
            }
            CommandOutput::ok(out)
        })
    }
}

fn hangup_matching(sw: &Switch, arg: &str) -> String {
    if let Some(h) = sw.channels().by_name(arg) {
        let _ = h.hangup(HangupCause::NORMAL_CLEARING, "cli");
        return format!("Requested Hangup on channel '{}'\n", h.snapshot().name);
    }
    let selector = match Selector::parse(arg) {
        Ok(s) => s,
        Err(msg) => return msg,
    };
    let mut out = String::new();
    for snap in sw.channels().snapshots().iter().filter(|s| selector.matches(&s.name)) {
        if let Some(h) = sw.channels().get(snap.id) {
            let _ = h.hangup(HangupCause::NORMAL_CLEARING, "cli");
            out.push_str(&format!("Requested Hangup on channel '{}'\n", snap.name));
        }
    }
    if out.is_empty() && !matches!(selector, Selector::All) {
        out = format!("{arg} is not a known channel\n");
    }
    out
}

static UUID_KILL: CommandSpec = CommandSpec {
    name: "uuid_kill",
    syntax: "<uuid> [cause]",
    summary: "Kill channel",
    usage: "",
    flavor: Flavor::FreeSwitch,
};

struct UuidKill;
impl Command for UuidKill {
    fn spec(&self) -> &'static CommandSpec {
        &UUID_KILL
    }
    fn run<'a>(&'a self, sw: &'a Switch, args: &'a [String]) -> BoxFuture<'a, CommandOutput> {
        Box::pin(async move {
            let (uuid, cause) = match args {
                [uuid] => (uuid, HangupCause::NORMAL_CLEARING),
                [uuid, cause] => (uuid, HangupCause::parse_lenient(cause)),
                _ => return CommandOutput::usage(&UUID_KILL),
            };
            match uuid.parse().ok().and_then(|id| sw.channels().get(id)) {
                Some(h) if h.hangup(cause, "api").is_ok() => CommandOutput::ok("+OK\n"),
                _ => CommandOutput::failure("-ERR No such channel!\n"),
            }
        })
    }
}

static HUPALL: CommandSpec = CommandSpec {
    name: "hupall",
    syntax: "<cause> [<var> <value>] [<var> <value>]",
    summary: "hupall",
    usage: "",
    flavor: Flavor::FreeSwitch,
};

struct HupAll;
impl Command for HupAll {
    fn spec(&self) -> &'static CommandSpec {
        &HUPALL
    }
    fn run<'a>(&'a self, sw: &'a Switch, args: &'a [String]) -> BoxFuture<'a, CommandOutput> {
        Box::pin(async move {
            let cause = args.first().map_or(HangupCause::MANAGER_REQUEST, |c| HangupCause::parse_lenient(c));
            let filter = match &args.get(1..).unwrap_or_default() {
                [] => None,
                [var, value, ..] => Some((var.as_str(), value.as_str())),
                [_] => return CommandOutput::usage(&HUPALL),
            };
            for h in sw.channels().handles() {
                let hit = filter.is_none_or(|(var, value)| h.var(var).as_deref() == Some(value));
                if hit {
                    let _ = h.hangup(cause, "api");
                }
            }
            CommandOutput::ok(match filter {
                None => format!("+OK hangup all channels with cause {cause}\n"),
                Some((var, value)) => {
                    format!("+OK hangup all channels matching [{var}]=[{value}] with cause: {cause}\n")
                }
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_do_not_cross_slashes() {
        assert!(glob_match("sim/*", "sim/alice-00000001"));
        assert!(!glob_match("si*", "sim/alice-00000001"));
        assert!(glob_match("sim/[a-c]lice-*", "sim/alice-1"));
        assert!(!glob_match("sim/[!a]lice-*", "sim/alice-1"));
        assert!(glob_match("sim/alice-0000000?", "sim/alice-00000001"));
    }

    #[test]
    fn slashes_mark_a_regex() {
        let s = Selector::parse("/^sim/.*1$/").unwrap();
        assert!(s.matches("sim/bob-00000001"));
        assert!(Selector::parse("/(/").is_err());
    }
}
