//! Semantic checks that need more than one value's type: non-empty and unique names, no empty secrets,
//! known AMI class names. Each failure names the line and key it is about.

use std::collections::HashSet;

use super::document::Document;
use super::error::ConfigError;
use super::model::{AmiUser, Config, SipTrunk, SipUser};

/// The manager.conf class names accepted in `read`/`write` (comma separated, any case).
pub const AMI_CLASSES: &[&str] = &[
    "system",
    "call",
    "log",
    "verbose",
    "command",
    "agent",
    "user",
    "config",
    "dtmf",
    "reporting",
    "cdr",
    "dialplan",
    "originate",
    "agi",
    "cc",
    "aoc",
    "test",
    "security",
    "message",
    "all",
    "none",
];

const EMPTY_ESL_PASSWORD: &str = "empty secrets are not allowed; remove the key to have one generated";

/// Checks `cfg` as deserialized from `doc` (before paths are resolved); the first problem found wins.
pub(crate) fn validate(cfg: &Config, doc: &Document<'_>) -> Result<(), ConfigError> {
    if cfg.general.data_dir.as_os_str().is_empty() {
        return Err(doc.invalid("general.data_dir", "must not be empty"));
    }
    validate_ami_users(&cfg.ami.users, doc)?;
    if cfg.esl.password.as_deref() == Some("") {
        return Err(doc.invalid("esl.password", EMPTY_ESL_PASSWORD));
    }
    validate_sip_users(&cfg.sip.users, doc)?;
    validate_sip_trunks(&cfg.sip.trunks, doc)?;
    if cfg.bus.subscriber_queue == 0 {
        return Err(doc.invalid("bus.subscriber_queue", "must be at least 1"));
    }
    Ok(())
}

fn validate_ami_users(users: &[AmiUser], doc: &Document<'_>) -> Result<(), ConfigError> {
    let mut seen = HashSet::new();
    for (i, user) in users.iter().enumerate() {
        let key = |field: &str| format!("ami.users[{i}].{field}");
        check_username(&user.username, &mut seen, "AMI", &key("username"), doc)?;
        if user.secret.is_empty() {
            return Err(doc.invalid(&key("secret"), "empty secrets are not allowed"));
        }
        check_classes(&user.read, &key("read"), doc)?;
        check_classes(&user.write, &key("write"), doc)?;
    }
    Ok(())
}

fn validate_sip_trunks(trunks: &[SipTrunk], doc: &Document<'_>) -> Result<(), ConfigError> {
    for (i, trunk) in trunks.iter().enumerate() {
        let key = |field: &str| format!("sip.trunks[{i}].{field}");
        if trunk.register && (trunk.username.is_none() || trunk.password.is_none()) {
            return Err(doc.invalid(&key("register"), "registering needs username and password"));
        }
        if trunk.register && !(60..=86_400).contains(&trunk.register_expires) {
            return Err(doc.invalid(&key("register_expires"), "must be between 60 and 86400 seconds"));
        }
    }
    Ok(())
}

fn validate_sip_users(users: &[SipUser], doc: &Document<'_>) -> Result<(), ConfigError> {
    let mut seen = HashSet::new();
    for (i, user) in users.iter().enumerate() {
        let key = |field: &str| format!("sip.users[{i}].{field}");
        check_username(&user.username, &mut seen, "SIP", &key("username"), doc)?;
        if user.password.is_empty() {
            return Err(doc.invalid(&key("password"), "empty passwords are not allowed"));
        }
        if user.context.is_empty() {
            return Err(doc.invalid(&key("context"), "must not be empty"));
        }
    }
    Ok(())
}

fn check_username<'a>(
    name: &'a str,
    seen: &mut HashSet<&'a str>,
    kind: &str,
    key: &str,
    doc: &Document<'_>,
) -> Result<(), ConfigError> {
    if name.is_empty() {
        return Err(doc.invalid(key, "must not be empty"));
    }
    if !seen.insert(name) {
        return Err(doc.invalid(key, format!("duplicate {kind} username '{name}'")));
    }
    Ok(())
}

fn check_classes(list: &str, key: &str, doc: &Document<'_>) -> Result<(), ConfigError> {
    let names = list.split(',').map(str::trim).filter(|name| !name.is_empty());
    for name in names {
        if !AMI_CLASSES.iter().any(|class| class.eq_ignore_ascii_case(name)) {
            let known = AMI_CLASSES.join(", ");
            return Err(doc.invalid(key, format!("unknown AMI class '{name}' (known: {known})")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::config::load::parse_str;

    fn refusal(text: &str) -> String {
        parse_str(text, "switchyard.toml").unwrap_err().to_string()
    }

    const AMI_ADMIN: &str = "[[ami.users]]\nusername = \"admin\"\nsecret = \"s\"\n";

    #[test]
    fn empty_esl_password_asks_to_remove_the_key() {
        assert_eq!(
            refusal("[esl]\nlisten = \"127.0.0.1:8021\"\npassword = \"\"\n"),
            "switchyard.toml:3: key 'esl.password': empty secrets are not allowed; remove the key to \
             have one generated"
        );
    }

    #[test]
    fn empty_ami_secret_is_refused() {
        assert_eq!(
            refusal("[[ami.users]]\nusername = \"admin\"\nsecret = \"\"\n"),
            "switchyard.toml:3: key 'ami.users[0].secret': empty secrets are not allowed"
        );
    }

    #[test]
    fn ami_usernames_must_be_unique() {
        let text = format!("{AMI_ADMIN}{AMI_ADMIN}");
        assert_eq!(refusal(&text), "switchyard.toml:5: key 'ami.users[1].username': duplicate AMI username 'admin'");
    }

    #[test]
    fn ami_usernames_must_not_be_empty() {
        assert_eq!(
            refusal("[[ami.users]]\nusername = \"\"\nsecret = \"s\"\n"),
            "switchyard.toml:2: key 'ami.users[0].username': must not be empty"
        );
    }

    #[test]
    fn class_lists_accept_known_classes_in_any_case() {
        let text = format!("{AMI_ADMIN}read = \"System, CALL,log\"\nwrite = \"none\"\n");
        assert!(parse_str(&text, "t.toml").is_ok());
    }

    #[test]
    fn unknown_class_is_refused_with_the_known_ones() {
        let text = format!("{AMI_ADMIN}write = \"call,everything\"\n");
        assert_eq!(
            refusal(&text),
            "switchyard.toml:4: key 'ami.users[0].write': unknown AMI class 'everything' (known: \
             system, call, log, verbose, command, agent, user, config, dtmf, reporting, cdr, dialplan, \
             originate, agi, cc, aoc, test, security, message, all, none)"
        );
    }

    #[test]
    fn sip_users_need_unique_names_and_non_empty_passwords() {
        let user = "[[sip.users]]\nusername = \"1000\"\npassword = \"p\"\n";
        assert_eq!(
            refusal(&format!("{user}{user}")),
            "switchyard.toml:5: key 'sip.users[1].username': duplicate SIP username '1000'"
        );
        assert_eq!(
            refusal("[[sip.users]]\nusername = \"1000\"\npassword = \"\"\n"),
            "switchyard.toml:3: key 'sip.users[0].password': empty passwords are not allowed"
        );
    }

    #[test]
    fn empty_data_dir_and_zero_subscriber_queue_are_refused() {
        assert_eq!(
            refusal("[general]\ndata_dir = \"\"\n"),
            "switchyard.toml:2: key 'general.data_dir': must not be empty"
        );
        assert_eq!(
            refusal("[bus]\nsubscriber_queue = 0\n"),
            "switchyard.toml:2: key 'bus.subscriber_queue': must be at least 1"
        );
    }
}
