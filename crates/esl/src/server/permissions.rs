//! `userauth` accounts and what a restricted connection may do (FreeSWITCH's `esl-allowed-events`,
//! `esl-allowed-api`, `esl-allowed-log` directory params).

use std::collections::HashSet;

use super::auth::constant_time_eq;

/// One `userauth` account.
#[derive(Clone, Debug)]
pub struct EslUser {
    /// `user@domain`.
    pub user: String,
    /// Password.
    pub password: String,
    /// Allowed event names (upper case); None = all.
    pub allowed_events: Option<HashSet<String>>,
    /// Allowed API commands (lower case); None = all.
    pub allowed_api: Option<HashSet<String>>,
    /// Whether `log` is allowed.
    pub allowed_log: bool,
}

/// API commands whose argument is itself a command, checked too (FreeSWITCH's "sneaky" commands).
const WRAPPERS: [&str; 5] = ["bgapi", "sched_api", "eval", "expand", "xml_wrap"];

impl EslUser {
    /// Parses the lists as written in config: `all`, or names separated by spaces or commas.
    pub fn new(user: &str, password: &str, events: &str, api: &str, log: bool) -> Self {
        let list = |text: &str, upper: bool| -> Option<HashSet<String>> {
            let words: HashSet<String> = text
                .split([' ', ','])
                .filter(|w| !w.is_empty())
                .map(|w| if upper { w.to_ascii_uppercase() } else { w.to_ascii_lowercase() })
                .collect();
            (!words.contains("ALL") && !words.contains("all")).then_some(words)
        };
        Self {
            user: user.to_owned(),
            password: password.to_owned(),
            allowed_events: list(events, true),
            allowed_api: list(api, false),
            allowed_log: log,
        }
    }

    /// The account `user@domain` with this password, if any.
    pub fn find<'a>(users: &'a [EslUser], user: &str, domain: &str, password: &str) -> Option<&'a EslUser> {
        let name = format!("{user}@{domain}");
        users.iter().find(|u| u.user == name && constant_time_eq(u.password.as_bytes(), password.as_bytes()))
    }

    /// The reply headers after a successful `userauth`.
    pub fn reply_headers(&self) -> [(&'static str, String); 3] {
        let show = |set: &Option<HashSet<String>>| {
            set.as_ref().map_or("all".to_owned(), |s| {
                let mut v: Vec<&str> = s.iter().map(String::as_str).collect();
                v.sort_unstable();
                v.join(" ")
            })
        };
        [
            ("Allowed-Events", show(&self.allowed_events)),
            ("Allowed-API", show(&self.allowed_api)),
            ("Allowed-LOG", self.allowed_log.to_string()),
        ]
    }

    /// Whether every named event may be subscribed.
    pub fn may_subscribe<'a>(&self, mut names: impl Iterator<Item = &'a String>) -> bool {
        self.allowed_events.as_ref().is_none_or(|set| names.all(|n| set.contains(n)))
    }

    /// Whether the API line may run (wrappers are checked on their inner command too).
    pub fn may_run(&self, line: &str) -> bool {
        let Some(set) = &self.allowed_api else { return true };
        let mut words = line.split_whitespace();
        let Some(first) = words.next().map(str::to_ascii_lowercase) else { return true };
        if !set.contains(&first) {
            return false;
        }
        match WRAPPERS.contains(&first.as_str()) {
            true => self.may_run(&words.collect::<Vec<_>>().join(" ")),
            false => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restricted_accounts_are_checked_per_name_and_inside_wrappers() {
        let u = EslUser::new("ops@example", "pw", "CHANNEL_CREATE, HEARTBEAT", "status bgapi", false);
        assert!(u.may_run("status"));
        assert!(u.may_run("bgapi status"));
        assert!(!u.may_run("bgapi originate sim/a &park"));
        assert!(!u.may_run("uuid_kill x"));
        assert!(u.may_subscribe(["HEARTBEAT".to_owned()].iter()));
        assert!(!u.may_subscribe(["ALL".to_owned()].iter()));
        assert_eq!(u.reply_headers()[0].1, "CHANNEL_CREATE HEARTBEAT");
        let all = EslUser::new("a@b", "pw", "all", "all", true);
        assert!(all.may_run("anything") && all.may_subscribe(["ALL".to_owned()].iter()));
        assert_eq!(all.reply_headers()[1].1, "all");
    }

    #[test]
    fn accounts_are_found_by_user_domain_and_password() {
        let users = [EslUser::new("ops@example", "pw", "all", "all", true)];
        assert!(EslUser::find(&users, "ops", "example", "pw").is_some());
        assert!(EslUser::find(&users, "ops", "example", "nope").is_none());
        assert!(EslUser::find(&users, "ops", "other", "pw").is_none());
    }
}
