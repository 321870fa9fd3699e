//! Turns a serde/toml deserialization error (a message and a byte span) into a `ConfigError` that names
//! the line and full key path, in words a config author uses (table, array, key).

use super::document::{Document, Segment};
use super::error::ConfigError;

/// Classifies `err` by its serde message and locates it by its span in `doc`.
pub(crate) fn diagnose(doc: &Document<'_>, err: &toml::de::Error) -> ConfigError {
    let span = err.span().unwrap_or(0..0);
    let mut path = doc.path_at(&span);
    let (line, col) = doc.position(span.start);
    let file = doc.file.clone();
    let message = err.message();
    if let Some((field, expected)) = unknown_field(message) {
        if !path.ends_with_key(&field) {
            path.0.push(Segment::Key(field));
        }
        return ConfigError::UnknownKey { file, line, col, key: path.to_string(), expected };
    }
    if let Some(field) = missing_field(message) {
        path.0.push(Segment::Key(field));
        return ConfigError::MissingKey { file, line, key: path.to_string() };
    }
    ConfigError::InvalidValue { file, line, key: path.to_string(), reason: plain_words(message) }
}

/// Parses serde's "unknown field `x`, expected one of `a`, `b`" (or "expected `a` or `b`").
fn unknown_field(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (field, rest) = rest.split_once('`')?;
    let expected = rest.split('`').skip(1).step_by(2).map(str::to_string).collect();
    Some((field.to_string(), expected))
}

/// Parses serde's "missing field `x`".
fn missing_field(message: &str) -> Option<String> {
    let field = message.strip_prefix("missing field `")?.strip_suffix('`')?;
    Some(field.to_string())
}

/// Rewrites serde's data-model words into TOML's: a "map" is a table, a "sequence" an array, and
/// "struct AmiConfig" is just a table.
fn plain_words(message: &str) -> String {
    let message = message.replacen("invalid type: map,", "invalid type: table,", 1).replacen(
        "invalid type: sequence,",
        "invalid type: array,",
        1,
    );
    match message.split_once("expected struct ") {
        Some((before, _)) => format!("{before}expected a table"),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::load::parse_str;

    /// The message `text` is refused with, as if it were `switchyard.toml`.
    fn refusal(text: &str) -> String {
        parse_str(text, "switchyard.toml").unwrap_err().to_string()
    }

    #[test]
    fn unknown_key_names_line_column_full_key_and_allowed_keys() {
        let text = "# comment\n[general]\ndata_dir = \"d\"\ncolour = \"red\"\n";
        assert_eq!(
            refusal(text),
            "switchyard.toml:4:1: unknown key 'general.colour' (expected one of: data_dir, log_format)"
        );
    }

    #[test]
    fn unknown_section_is_an_unknown_key_at_top_level() {
        assert_eq!(
            refusal("[general]\n\n  [ari]\n"),
            "switchyard.toml:3:4: unknown key 'ari' (expected one of: general, store, dialplan, ami, \
             esl, sip, metrics, bus, core, scheduler, media, lua)"
        );
    }

    #[test]
    fn unknown_key_inside_an_array_of_tables_names_the_element() {
        let text = "[[ami.users]]\nusername = \"a\"\nsecret = \"s\"\n[[ami.users]]\nusername = \"b\"\n\
                    secret = \"s\"\npermits = []\n";
        assert_eq!(
            refusal(text),
            "switchyard.toml:7:1: unknown key 'ami.users[1].permits' (expected one of: username, \
             secret, read, write, permit)"
        );
    }

    #[test]
    fn unknown_dotted_key_is_named_up_to_the_unknown_part() {
        assert_eq!(
            refusal("esl.acl = []\nesl.tls.cert = \"x\"\n"),
            "switchyard.toml:2:5: unknown key 'esl.tls' (expected one of: enabled, listen, password, acl, users)"
        );
    }

    #[test]
    fn bad_socket_address_names_the_key_and_the_expected_form() {
        let text = "[ami]\nenabled = true\nlisten = \"localhost\"\n";
        assert_eq!(
            refusal(text),
            "switchyard.toml:3: key 'ami.listen': expected a socket address like 127.0.0.1:5038, \
             got 'localhost'"
        );
    }

    #[test]
    fn bad_cidr_names_the_array_element() {
        let text = "[ami]\n\n[[ami.users]]\nusername = \"admin\"\nsecret = \"s\"\npermit = [\n\
                    \"127.0.0.1/32\",\n\"10.0.0.300/8\",\n]\n";
        assert_eq!(refusal(text), "switchyard.toml:8: key 'ami.users[0].permit[1]': invalid CIDR '10.0.0.300/8'");
    }

    #[test]
    fn wrong_type_is_reported_in_toml_words() {
        assert_eq!(
            refusal("[esl]\nenabled = \"yes\"\n"),
            "switchyard.toml:2: key 'esl.enabled': invalid type: string \"yes\", expected a boolean"
        );
        assert_eq!(refusal("ami = 5\n"), "switchyard.toml:1: key 'ami': invalid type: integer `5`, expected a table");
        assert_eq!(
            refusal("[core]\nmax_channels = -1\n"),
            "switchyard.toml:2: key 'core.max_channels': invalid value: integer `-1`, expected usize"
        );
    }

    #[test]
    fn unknown_log_format_lists_the_formats() {
        assert_eq!(
            refusal("[general]\nlog_format = \"xml\"\n"),
            "switchyard.toml:2: key 'general.log_format': unknown variant `xml`, expected `human` or `json`"
        );
    }

    #[test]
    fn bad_sip_listen_rtp_ports_and_store_url_name_their_keys() {
        assert_eq!(
            refusal("[sip]\nlisten = [\"udp:127.0.0.1:5060\", \"tls:0.0.0.0:5061\"]\n"),
            "switchyard.toml:2: key 'sip.listen[1]': expected udp:IP:PORT or tcp:IP:PORT, \
             got 'tls:0.0.0.0:5061'"
        );
        assert_eq!(
            refusal("[sip]\nrtp_ports = \"20001-30000\"\n"),
            "switchyard.toml:2: key 'sip.rtp_ports': port range '20001-30000' must start on an even port"
        );
        assert_eq!(
            refusal("[sip]\ndigest_algorithms = [\"SHA-256\", \"SHA-512\"]\n"),
            "switchyard.toml:2: key 'sip.digest_algorithms[1]': expected MD5 or SHA-256, got 'SHA-512'"
        );
        assert_eq!(
            refusal("[[sip.trunks]]\nname = \"c\"\nhost = \"127.0.0.1\"\nregister = true\n"),
            "switchyard.toml:4: key 'sip.trunks[0].register': registering needs username and password"
        );
        assert_eq!(
            refusal("[store]\nurl = \"mysql://db\"\n"),
            "switchyard.toml:2: key 'store.url': unsupported store url 'mysql://db': expected \
             sqlite:PATH or postgres://user:pass@host/db"
        );
    }

    #[test]
    fn bad_trunk_host_names_the_key_and_what_is_wrong() {
        let trunk = |host: &str| format!("[sip]\n\n[[sip.trunks]]\nname = \"c\"\nhost = \"{host}\"\n");
        assert_eq!(
            refusal(&trunk("sip_carrier.example")),
            "switchyard.toml:5: key 'sip.trunks[0].host': 'sip_carrier.example' is neither an IP address nor \
             a valid host name: only letters, digits, '-' and '.' are allowed"
        );
        assert_eq!(
            refusal(&trunk("sip..example")),
            "switchyard.toml:5: key 'sip.trunks[0].host': 'sip..example' is neither an IP address nor a valid \
             host name: empty label (two dots in a row, or a dot at either end)"
        );
        assert_eq!(
            refusal(&trunk("10.0.0.300")),
            "switchyard.toml:5: key 'sip.trunks[0].host': '10.0.0.300' is neither an IP address nor a valid \
             host name: not a valid IP address, and a host name cannot end in a numeric label"
        );
        assert_eq!(
            refusal(&trunk("")),
            "switchyard.toml:5: key 'sip.trunks[0].host': expected an IP address or a host name, got ''"
        );
        for ok in ["sip.carrier.example", "localhost", "192.0.2.10", "2001:db8::1"] {
            assert!(parse_str(&trunk(ok), "switchyard.toml").is_ok(), "{ok}");
        }
    }

    #[test]
    fn missing_required_key_names_the_table_line_and_the_key() {
        let text = "[[ami.users]]\nusername = \"a\"\nsecret = \"s\"\n\n[[ami.users]]\nusername = \"b\"\n";
        assert_eq!(refusal(text), "switchyard.toml:5: key 'ami.users[1].secret' is required but missing");
        assert_eq!(
            refusal("sip.users = [{ username = \"1000\" }]\n"),
            "switchyard.toml:1: key 'sip.users[0].password' is required but missing"
        );
    }

    #[test]
    fn unknown_field_messages_yield_the_field_and_the_allowed_keys() {
        let parsed = unknown_field("unknown field `colour`, expected `data_dir` or `log_format`");
        let expected = vec!["data_dir".to_string(), "log_format".to_string()];
        assert_eq!(parsed, Some(("colour".to_string(), expected)));
        let parsed = unknown_field("unknown field `x`, expected one of `a`, `b`, `c`").unwrap();
        assert_eq!(parsed.1, ["a", "b", "c"]);
    }

    #[test]
    fn missing_field_messages_yield_the_field() {
        assert_eq!(missing_field("missing field `secret`"), Some("secret".to_string()));
        assert_eq!(missing_field("invalid type"), None);
    }

    #[test]
    fn serde_words_become_toml_words() {
        assert_eq!(
            plain_words("invalid type: string \"x\", expected struct AmiConfig"),
            "invalid type: string \"x\", expected a table"
        );
        assert_eq!(plain_words("invalid type: sequence, expected a string"), "invalid type: array, expected a string");
    }
}
