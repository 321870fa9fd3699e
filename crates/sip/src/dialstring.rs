//! SIP dial-string resources: `SIP/1000`, `PJSIP/1000` (a registered user), `SIP/1000@host:port`
//! (direct), FreeSWITCH `user/1000[@domain]` and `sofia/<profile>/1000[@host[:port]]`.

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

fn host_port(tech: &str, resource: &str, host: &str) -> Result<SocketAddr, DialStringError> {
    if let Ok(a) = host.parse::<SocketAddr>() {
        return Ok(a);
    }
    let ip: IpAddr = host.trim_matches(['[', ']']).parse().map_err(|_| {
        bad(tech, resource, "host must be an IP address with an optional :port (no DNS, no trunks yet)")
    })?;
    Ok(SocketAddr::new(ip, 5060))
}

/// Parses the resource of a dial string for `tech` (`SIP`, `PJSIP`, `sofia`, `user`).
pub fn parse(tech: &str, resource: &str) -> Result<Route, DialStringError> {
    let rest = match tech.to_ascii_lowercase().as_str() {
        "sofia" => {
            let (_profile, rest) =
                resource.split_once('/').ok_or_else(|| bad(tech, resource, "expected profile/user"))?;
            rest
        }
        "user" => {
            let user = resource.split(['@', '/']).next().unwrap_or_default();
            return match user.is_empty() {
                true => Err(bad(tech, resource, "empty user")),
                false => Ok(Route::Registered { user: user.to_owned() }),
            };
        }
        _ => resource,
    };
    let rest = rest.split('/').next().unwrap_or_default();
    match rest.split_once('@') {
        Some((user, host)) => Ok(Route::Direct { user: user.to_owned(), addr: host_port(tech, resource, host)? }),
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
        assert!(parse("PJSIP", "1000@mytrunk").is_err());
        assert!(parse("sofia", "1000").is_err());
        assert!(parse("user", "").is_err());
    }
}
