//! HTTP digest authentication for SIP (RFC 2617 / RFC 8760: MD5 and SHA-256, qop=auth): challenges with
//! nonces that carry their own issue time and a keyed check (so no nonce table is kept), parsing of
//! the Authorization header (quoted values with escapes, spaces around `=`), and a constant-time check.

use md5::{Digest, Md5};
use sha2::Sha256;

/// A digest algorithm (RFC 8760 names).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    /// `MD5` (also when the `algorithm` parameter is absent).
    Md5,
    /// `SHA-256`.
    Sha256,
}

impl Algorithm {
    /// The algorithm of an `algorithm=` parameter; `None` for ones we do not support (e.g. `-sess`).
    pub fn parse(name: &str) -> Option<Self> {
        match name.trim() {
            "" => Some(Self::Md5),
            n if n.eq_ignore_ascii_case("md5") => Some(Self::Md5),
            n if n.eq_ignore_ascii_case("sha-256") => Some(Self::Sha256),
            _ => None,
        }
    }

    /// The name as it goes on the wire.
    pub fn name(self) -> &'static str {
        match self {
            Self::Md5 => "MD5",
            Self::Sha256 => "SHA-256",
        }
    }

    /// Lowercase hex of `parts` joined by `:`.
    fn hash_hex(self, parts: &[&str]) -> String {
        match self {
            Self::Md5 => joined_hex::<Md5>(parts),
            Self::Sha256 => joined_hex::<Sha256>(parts),
        }
    }
}

/// How long a nonce stays valid; after that the UA is challenged again with `stale=true`.
pub const NONCE_LIFETIME_SECS: u64 = 300;

/// The parsed `Authorization: Digest …` header.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Credentials {
    /// `username`.
    pub username: String,
    /// `realm`.
    pub realm: String,
    /// `nonce`.
    pub nonce: String,
    /// `uri`.
    pub uri: String,
    /// `response`.
    pub response: String,
    /// `algorithm` (MD5 when absent).
    pub algorithm: String,
    /// `qop` (empty for RFC 2069 style).
    pub qop: String,
    /// `nc`.
    pub nc: String,
    /// `cnonce`.
    pub cnonce: String,
}

/// Why credentials were not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Good.
    Ok,
    /// The nonce is ours but too old: challenge again with `stale=true`.
    Stale,
    /// The nonce is not one we issued, or the realm is wrong.
    BadNonce,
    /// The response does not match the password.
    WrongPassword,
}

/// Parses an `Authorization` or `Proxy-Authorization` value; `None` when it is not Digest.
pub fn parse_authorization(value: &str) -> Option<Credentials> {
    let rest = value.trim();
    let (scheme, rest) = rest.split_at(rest.find(char::is_whitespace)?);
    if !scheme.eq_ignore_ascii_case("digest") {
        return None;
    }
    let mut creds = Credentials::default();
    for (k, v) in auth_params(rest) {
        let slot = match k.to_ascii_lowercase().as_str() {
            "username" => &mut creds.username,
            "realm" => &mut creds.realm,
            "nonce" => &mut creds.nonce,
            "uri" => &mut creds.uri,
            "response" => &mut creds.response,
            "algorithm" => &mut creds.algorithm,
            "qop" => &mut creds.qop,
            "nc" => &mut creds.nc,
            "cnonce" => &mut creds.cnonce,
            _ => continue,
        };
        *slot = v;
    }
    Some(creds)
}

/// `k=v, k="v"` pairs; quoted values may contain commas and `\"`.
fn auth_params(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace() || *c == ',').is_some() {}
        let key: String = std::iter::from_fn(|| chars.next_if(|c| *c != '=' && *c != ',')).collect();
        if key.trim().is_empty() {
            break;
        }
        if chars.next() != Some('=') {
            break;
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut value = String::new();
        if chars.next_if_eq(&'"').is_some() {
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next()),
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            value = std::iter::from_fn(|| chars.next_if(|c| *c != ',')).collect::<String>().trim().to_owned();
        }
        out.push((key.trim().to_owned(), value));
    }
    out
}

fn joined_hex<D: Digest>(parts: &[&str]) -> String {
    let mut h = D::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h.update(b":");
        }
        h.update(p.as_bytes());
    }
    hex::encode(h.finalize())
}

fn md5_hex(parts: &[&str]) -> String {
    joined_hex::<Md5>(parts)
}

/// The expected `response` for these credentials and password (the credentials' algorithm, MD5 when
/// absent or unknown; qop=auth or none).
pub fn expected_response(c: &Credentials, method: &str, password: &str) -> String {
    let alg = Algorithm::parse(&c.algorithm).unwrap_or(Algorithm::Md5);
    let ha1 = alg.hash_hex(&[&c.username, &c.realm, password]);
    let ha2 = alg.hash_hex(&[method, &c.uri]);
    if c.qop.is_empty() {
        alg.hash_hex(&[&ha1, &c.nonce, &ha2])
    } else {
        alg.hash_hex(&[&ha1, &c.nonce, &c.nc, &c.cnonce, &c.qop, &ha2])
    }
}

/// The challenge to answer among several `WWW-Authenticate`/`Proxy-Authenticate` values: the first
/// Digest one whose algorithm we support (RFC 8760: servers list them in order of preference).
pub fn pick_challenge<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<Credentials> {
    values.into_iter().filter_map(parse_authorization).find(|c| Algorithm::parse(&c.algorithm).is_some())
}

/// The `Authorization` value answering challenge `ch` (parsed from `WWW-Authenticate`) as a client,
/// with the challenge's algorithm (MD5 or SHA-256).
pub fn answer_challenge(ch: &Credentials, method: &str, uri: &str, user: &str, password: &str) -> String {
    let qop = if ch.qop.split(',').any(|q| q.trim().eq_ignore_ascii_case("auth")) { "auth" } else { "" };
    let alg = Algorithm::parse(&ch.algorithm).unwrap_or(Algorithm::Md5);
    let c = Credentials {
        username: user.to_owned(),
        realm: ch.realm.clone(),
        nonce: ch.nonce.clone(),
        uri: uri.to_owned(),
        qop: qop.to_owned(),
        nc: "00000001".to_owned(),
        cnonce: format!("{:08x}", rand::random::<u32>()),
        algorithm: alg.name().to_owned(),
        ..Default::default()
    };
    let response = expected_response(&c, method, password);
    let mut v = format!(
        "Digest username=\"{user}\", realm=\"{}\", nonce=\"{}\", uri=\"{uri}\", response=\"{response}\", algorithm={}",
        c.realm,
        c.nonce,
        alg.name()
    );
    if !qop.is_empty() {
        v += &format!(", qop=auth, nc={}, cnonce=\"{}\"", c.nc, c.cnonce);
    }
    v
}

/// Compares without leaking where the first difference is.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Issues and checks nonces: `<issued secs hex>.<md5(secret:issued:realm) truncated>`.
#[derive(Clone, Debug)]
pub struct NonceKey {
    secret: String,
    /// The realm we challenge with.
    pub realm: String,
    /// The algorithms offered, in order of preference (one challenge header each); only these are accepted.
    pub algorithms: Vec<Algorithm>,
}

impl NonceKey {
    /// A key with this secret (random per process) and realm, offering MD5.
    pub fn new(secret: impl Into<String>, realm: impl Into<String>) -> Self {
        Self { secret: secret.into(), realm: realm.into(), algorithms: vec![Algorithm::Md5] }
    }

    /// The same key offering these algorithms (in this order; MD5 when the list is empty).
    pub fn with_algorithms(mut self, algorithms: Vec<Algorithm>) -> Self {
        if !algorithms.is_empty() {
            self.algorithms = algorithms;
        }
        self
    }

    /// A nonce issued at `now_secs`.
    pub fn nonce(&self, now_secs: u64) -> String {
        let issued = format!("{now_secs:x}");
        let mac = md5_hex(&[&self.secret, &issued, &self.realm]);
        format!("{issued}.{}", &mac[..16])
    }

    /// The `WWW-Authenticate` values for a new challenge: one per offered algorithm, same nonce.
    pub fn challenges(&self, now_secs: u64, stale: bool) -> Vec<String> {
        let stale = if stale { ", stale=true" } else { "" };
        let nonce = self.nonce(now_secs);
        let realm = &self.realm;
        let one = |a: &Algorithm| {
            format!("Digest realm=\"{realm}\", nonce=\"{nonce}\", algorithm={}, qop=\"auth\"{stale}", a.name())
        };
        self.algorithms.iter().map(one).collect()
    }

    /// Checks credentials for `method` against `password` at `now_secs`.
    pub fn verify(&self, c: &Credentials, method: &str, password: &str, now_secs: u64) -> Verdict {
        let Some((issued, _)) = c.nonce.split_once('.') else { return Verdict::BadNonce };
        let Ok(issued_secs) = u64::from_str_radix(issued, 16) else { return Verdict::BadNonce };
        if c.realm != self.realm || !constant_time_eq(self.nonce(issued_secs).as_bytes(), c.nonce.as_bytes()) {
            return Verdict::BadNonce;
        }
        if !Algorithm::parse(&c.algorithm).is_some_and(|a| self.algorithms.contains(&a)) {
            return Verdict::BadNonce;
        }
        let expected = expected_response(c, method, password);
        if !constant_time_eq(expected.as_bytes(), c.response.to_ascii_lowercase().as_bytes()) {
            return Verdict::WrongPassword;
        }
        if now_secs.saturating_sub(issued_secs) > NONCE_LIFETIME_SECS || issued_secs > now_secs + 5 {
            return Verdict::Stale;
        }
        Verdict::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc2617_example_response() {
        // RFC 2617 §3.5 example (HTTP, but the arithmetic is the same).
        let c = Credentials {
            username: "Mufasa".into(),
            realm: "testrealm@host.com".into(),
            nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093".into(),
            uri: "/dir/index.html".into(),
            qop: "auth".into(),
            nc: "00000001".into(),
            cnonce: "0a4f113b".into(),
            ..Default::default()
        };
        assert_eq!(expected_response(&c, "GET", "Circle Of Life"), "6629fae49393a05397450978507c4ef1");
    }

    #[test]
    fn rfc7616_sha256_example_response() {
        // RFC 7616 §3.9.1 example (HTTP; SIP's RFC 8760 uses the same arithmetic).
        let c = Credentials {
            username: "Mufasa".into(),
            realm: "http-auth@example.org".into(),
            nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v".into(),
            uri: "/dir/index.html".into(),
            algorithm: "SHA-256".into(),
            qop: "auth".into(),
            nc: "00000001".into(),
            cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ".into(),
            ..Default::default()
        };
        assert_eq!(
            expected_response(&c, "GET", "Circle of Life"),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
        );
    }

    #[test]
    fn offered_algorithms_each_get_a_challenge_and_only_they_are_accepted() {
        let key = NonceKey::new("s", "sy").with_algorithms(vec![Algorithm::Sha256, Algorithm::Md5]);
        let values = key.challenges(1000, false);
        assert!(values[0].contains("algorithm=SHA-256") && values[1].contains("algorithm=MD5"));
        let ch = pick_challenge(values.iter().map(String::as_str)).unwrap();
        assert_eq!(ch.algorithm, "SHA-256");
        let answer = answer_challenge(&ch, "REGISTER", "sip:sy", "1000", "pw");
        assert!(answer.contains("algorithm=SHA-256"));
        let creds = parse_authorization(&answer).unwrap();
        assert_eq!(creds.response.len(), 64);
        assert_eq!(key.verify(&creds, "REGISTER", "pw", 1010), Verdict::Ok);
        assert_eq!(key.verify(&creds, "REGISTER", "other", 1010), Verdict::WrongPassword);
        let md5_only = NonceKey::new("s", "sy");
        assert_eq!(md5_only.verify(&creds, "REGISTER", "pw", 1010), Verdict::BadNonce);
        let unknown = ["Digest realm=\"x\", nonce=\"n\", algorithm=SHA-512-256"];
        assert!(pick_challenge(unknown).is_none());
    }

    #[test]
    fn authorization_with_spaces_escapes_and_commas() {
        let v = r#"Digest username = "10\"00", realm="sy", nonce="a,b", uri="sip:x", response="ff", qop=auth, nc=00000001, cnonce="c""#;
        let c = parse_authorization(v).unwrap();
        assert_eq!((c.username.as_str(), c.nonce.as_str(), c.qop.as_str()), ("10\"00", "a,b", "auth"));
        assert!(parse_authorization("Basic abc").is_none());
    }

    #[test]
    fn nonces_expire_and_forgeries_fail() {
        let key = NonceKey::new("s", "sy");
        let mut c = Credentials {
            username: "1000".into(),
            realm: "sy".into(),
            nonce: key.nonce(1000),
            uri: "sip:sy".into(),
            qop: "auth".into(),
            nc: "1".into(),
            cnonce: "x".into(),
            ..Default::default()
        };
        c.response = expected_response(&c, "REGISTER", "pw");
        assert_eq!(key.verify(&c, "REGISTER", "pw", 1010), Verdict::Ok);
        assert_eq!(key.verify(&c, "REGISTER", "bad", 1010), Verdict::WrongPassword);
        assert_eq!(key.verify(&c, "REGISTER", "pw", 1000 + NONCE_LIFETIME_SECS + 1), Verdict::Stale);
        c.nonce = "3e8.0000000000000000".into();
        assert_eq!(key.verify(&c, "REGISTER", "pw", 1010), Verdict::BadNonce);
    }
}
