//! SIP dial-string resources: `SIP/1000`, `PJSIP/1000` (a registered user), `SIP/1000@host:port`
//! (direct), trunks (`PJSIP/1000@trunk`, `SIP/trunk/1000`, `sofia/gateway/trunk/1000`), FreeSWITCH
//! `user/1000[@domain]` and `sofia/<profile>/1000[@host[:port]]`. A host is an IP literal or a DNS
//! name; `user@name` without a port is a trunk when a trunk has that name (as chan_sip looks up a
//! peer before DNS), else a host.

use switchyard_core::tech::DialStringError;

use crate::host::{Host, parse_host_port};

/// Where a dialed resource goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// A registered user's contacts.
    Registered {
        /// User name.
        user: String,
    },
    /// A number through a configured trunk.
    Trunk {
        /// Request-URI user.
        user: String,
        /// Trunk name.
        trunk: String,
    },
    /// A user at a host.
    Direct {
        /// User part of the Request-URI (may be empty).
        user: String,
        /// Where (a name is resolved before the INVITE and kept in the Request-URI).
        host: Host,
        /// Port (5060 when not given).
        port: u16,
    },
}

fn bad(tech: &str, resource: &str, why: &str) -> DialStringError {
    DialStringError::BadValue { option: "resource".into(), dial: format!("{tech}/{resource}"), reason: why.into() }
}

/// `user@host`: a trunk when `is_trunk(host)`, else a host with an optional port.
fn at_host(
    tech: &str,
    resource: &str,
    user: &str,
    host: &str,
    is_trunk: &dyn Fn(&str) -> bool,
) -> Result<Route, DialStringError> {
    if is_trunk(host) {
        return Ok(Route::Trunk { user: user.to_owned(), trunk: host.to_owned() });
    }
    let (host, port) = parse_host_port(host).map_err(|e| bad(tech, resource, &format!("not a trunk name, and {e}")))?;
    Ok(Route::Direct { user: user.to_owned(), host, port: port.unwrap_or(5060) })
}

/// Parses the resource of a dial string for `tech` (`SIP`, `PJSIP`, `sofia`, `user`); `is_trunk` says
/// whether a name is a configured trunk.
pub fn parse(tech: &str, resource: &str, is_trunk: &dyn Fn(&str) -> bool) -> Result<Route, DialStringError> {
    let trunk = |trunk: &str, user: &str| Ok(Route::Trunk { user: user.to_owned(), trunk: trunk.to_owned() });
    let rest = match tech.to_ascii_lowercase().as_str() {
        "sofia" => {
            let (profile, rest) =
                resource.split_once('/').ok_or_else(|| bad(tech, resource, "expected profile/user"))?;
            if profile == "gateway" {
                let (name, user) =
                    rest.split_once('/').ok_or_else(|| bad(tech, resource, "expected gateway/name/number"))?;
                return trunk(name, user);
            }
            rest
        }
        "user" => {
            let user = resource.split(['@', '/']).next().unwrap_or_default();
            return match user.is_empty() {
                true => Err(bad(tech, resource, "empty user")),
                false => Ok(Route::Registered { user: user.to_owned() }),
            };
        }
        _ => match resource.split_once('/') {
            Some((name, user)) => return trunk(name, user),
            None => resource,
        },
    };
    let rest = rest.split('/').next().unwrap_or_default();
    match rest.split_once('@') {
        Some((user, host)) => at_host(tech, resource, user, host, is_trunk),
        None if rest.is_empty() => Err(bad(tech, resource, "empty user")),
        None => Ok(Route::Registered { user: rest.to_owned() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(tech: &str, resource: &str) -> Result<Route, DialStringError> {
        super::parse(tech, resource, &|name| name == "carrier")
    }

    fn direct(user: &str, host: &str, port: u16) -> Route {
        Route::Direct { user: user.into(), host: Host::parse(host).unwrap(), port }
    }

    #[test]
    fn forms() {
        let reg = |u: &str| Route::Registered { user: u.into() };
        assert_eq!(parse("SIP", "1000").unwrap(), reg("1000"));
        assert_eq!(parse("PJSIP", "1000").unwrap(), reg("1000"));
        assert_eq!(parse("user", "1000@example.com").unwrap(), reg("1000"));
        assert_eq!(parse("sofia", "internal/1000").unwrap(), reg("1000"));
        let ip = direct("1000", "127.0.0.1", 5062);
        assert_eq!(parse("SIP", "1000@127.0.0.1:5062").unwrap(), ip);
        assert_eq!(parse("sofia", "internal/1000@127.0.0.1:5062").unwrap(), ip);
        assert_eq!(parse("SIP", "bob@10.0.0.1").unwrap(), direct("bob", "10.0.0.1", 5060));
        let trunk = Route::Trunk { user: "5551234".into(), trunk: "carrier".into() };
        assert_eq!(parse("PJSIP", "5551234@carrier").unwrap(), trunk);
        assert_eq!(parse("SIP", "carrier/5551234").unwrap(), trunk);
        assert_eq!(parse("sofia", "gateway/carrier/5551234").unwrap(), trunk);
        assert!(parse("sofia", "1000").is_err());
        assert_eq!(parse("SIP", "1000@[::1]:5062").unwrap(), direct("1000", "::1", 5062));
        assert!(parse("user", "").is_err());
    }

    #[test]
    fn host_names_are_hosts_unless_a_trunk_has_that_name() {
        let named = direct("1000", "localhost", 5099);
        assert_eq!(parse("SIP", "1000@localhost:5099").unwrap(), named);
        assert_eq!(parse("PJSIP", "1000@localhost:5099").unwrap(), named);
        assert_eq!(parse("sofia", "internal/1000@localhost:5099").unwrap(), named);
        assert_eq!(parse("SIP", "1000@pbx.example").unwrap(), direct("1000", "pbx.example", 5060));
        assert_eq!(
            parse("SIP", "1000@carrier").unwrap(),
            Route::Trunk { user: "1000".into(), trunk: "carrier".into() }
        );
        let err = parse("SIP", "1000@bad_host").unwrap_err().to_string();
        assert!(err.contains("not a trunk name") && err.contains("bad_host"), "{err}");
        assert!(parse("SIP", "1000@localhost:99999").is_err());
    }
}
