//! SIP dial-string resources: `SIP/1000`, `PJSIP/1000` (a registered user), `SIP/1000@host:port`
//! (direct), trunks (`PJSIP/1000@trunk`, `SIP/trunk/1000`, `sofia/gateway/trunk/1000`), FreeSWITCH
//! `user/1000[@domain]` and `sofia/<profile>/1000[@host[:port]]`.

use std::net::{IpAddr, SocketAddr};

use switchyard_core::tech::DialStringError;

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
    /// A user at an address.
    Direct {
        /// User part of the Request-URI (may be empty).
        user: String,
        /// Where.
        addr: SocketAddr,
    },
}

fn bad(tech: &str, resource: &str, why: &str) -> DialStringError {
    DialStringError::BadValue { option: "resource".into(), dial: format!("{tech}/{resource}"), reason: why.into() }
}

/// An IP address with an optional port, or `None` for a name (a trunk).
fn host_port(host: &str) -> Option<SocketAddr> {
    if let Ok(a) = host.parse::<SocketAddr>() {
        return Some(a);
    }
    let ip: IpAddr = host.trim_matches(['[', ']']).parse().ok()?;
    Some(SocketAddr::new(ip, 5060))
}

/// Parses the resource of a dial string for `tech` (`SIP`, `PJSIP`, `sofia`, `user`).
pub fn parse(tech: &str, resource: &str) -> Result<Route, DialStringError> {
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
        Some((user, host)) => match host_port(host) {
            Some(addr) => Ok(Route::Direct { user: user.to_owned(), addr }),
            None => trunk(host, user),
        },
        None if rest.is_empty() => Err(bad(tech, resource, "empty user")),
        None => Ok(Route::Registered { user: rest.to_owned() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let reg = |u: &str| Route::Registered { user: u.into() };
        assert_eq!(parse("SIP", "1000").unwrap(), reg("1000"));
        assert_eq!(parse("PJSIP", "1000").unwrap(), reg("1000"));
        assert_eq!(parse("user", "1000@example.com").unwrap(), reg("1000"));
        assert_eq!(parse("sofia", "internal/1000").unwrap(), reg("1000"));
        let direct = Route::Direct { user: "1000".into(), addr: "127.0.0.1:5062".parse().unwrap() };
        assert_eq!(parse("SIP", "1000@127.0.0.1:5062").unwrap(), direct);
        assert_eq!(parse("sofia", "internal/1000@127.0.0.1:5062").unwrap(), direct);
        let default_port = Route::Direct { user: "bob".into(), addr: "10.0.0.1:5060".parse().unwrap() };
        assert_eq!(parse("SIP", "bob@10.0.0.1").unwrap(), default_port);
        let trunk = Route::Trunk { user: "5551234".into(), trunk: "carrier".into() };
        assert_eq!(parse("PJSIP", "5551234@carrier").unwrap(), trunk);
        assert_eq!(parse("SIP", "carrier/5551234").unwrap(), trunk);
        assert_eq!(parse("sofia", "gateway/carrier/5551234").unwrap(), trunk);
        assert!(parse("sofia", "1000").is_err());
        assert!(parse("user", "").is_err());
    }
}
