//! Store URLs from the config (`sqlite:<path>`, `sqlite::memory:`, `postgres://…`).

use std::fmt;
use std::path::PathBuf;

/// Where the store lives, as written in `[store] url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreUrl {
    /// An SQLite database file. A relative path stays relative; the binary resolves it.
    Sqlite(PathBuf),
    /// A private in-memory SQLite database (tests, throwaway runs).
    SqliteMemory,
    /// A PostgreSQL connection URL, kept verbatim.
    Postgres(String),
}

/// A store URL that is not one of the accepted forms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid store URL {url:?}: {reason}; expected sqlite:<path>, sqlite::memory: or postgres://user:pass@host/db")]
pub struct UrlError {
    /// The URL, with any password removed.
    pub url: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

const MEMORY: &str = "sqlite::memory:";
const SQLITE_PREFIXES: [&str; 2] = ["sqlite://", "sqlite:"];
const POSTGRES_PREFIXES: [&str; 2] = ["postgres://", "postgresql://"];

impl StoreUrl {
    /// Parses a store URL.
    ///
    /// `sqlite:<path>` and `sqlite://<path>` name a file (`sqlite:///abs.db` is absolute),
    /// `sqlite::memory:` an in-memory database, `postgres://…`/`postgresql://…` a PostgreSQL server.
    pub fn parse(url: &str) -> Result<StoreUrl, UrlError> {
        if url == MEMORY || url == "sqlite://:memory:" {
            return Ok(StoreUrl::SqliteMemory);
        }
        if let Some(rest) = strip_any(url, &POSTGRES_PREFIXES) {
            if rest.is_empty() {
                return Err(invalid(url, "the PostgreSQL URL names no host or database"));
            }
            return Ok(StoreUrl::Postgres(url.to_owned()));
        }
        match strip_any(url, &SQLITE_PREFIXES) {
            Some("") => Err(invalid(url, "the sqlite URL has no path")),
            Some(path) => Ok(StoreUrl::Sqlite(PathBuf::from(path))),
            None => Err(invalid(url, "unknown scheme")),
        }
    }
}

impl fmt::Display for StoreUrl {
    /// Renders the URL back, with any PostgreSQL password replaced by `***`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreUrl::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
            StoreUrl::SqliteMemory => f.write_str(MEMORY),
            StoreUrl::Postgres(url) => f.write_str(&redact_password(url)),
        }
    }
}

fn strip_any<'a>(url: &'a str, prefixes: &[&str]) -> Option<&'a str> {
    prefixes.iter().find_map(|p| url.strip_prefix(p))
}

fn invalid(url: &str, reason: &'static str) -> UrlError {
    UrlError { url: redact_password(url), reason }
}

/// Replaces the password in `scheme://user:password@host…` so URLs can be logged and shown.
fn redact_password(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let authority_end = url[scheme_end..].find(['/', '?', '#']).map_or(url.len(), |i| scheme_end + i);
    let authority = &url[scheme_end..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_owned();
    };
    match authority[..at].find(':') {
        Some(colon) => format!("{}***{}", &url[..scheme_end + colon + 1], &url[scheme_end + at..]),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(url: &str) -> StoreUrl {
        StoreUrl::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    #[test]
    fn sqlite_relative_path_stays_relative() {
        assert_eq!(
            parsed("sqlite:switchyard-data/switchyard.db"),
            StoreUrl::Sqlite("switchyard-data/switchyard.db".into())
        );
    }

    #[test]
    fn sqlite_double_slash_form_follows_the_sqlx_convention() {
        assert_eq!(parsed("sqlite://rel.db"), StoreUrl::Sqlite("rel.db".into()));
        assert_eq!(parsed("sqlite:///abs/x.db"), StoreUrl::Sqlite("/abs/x.db".into()));
        assert_eq!(parsed("sqlite:/abs/x.db"), StoreUrl::Sqlite("/abs/x.db".into()));
    }

    #[test]
    fn sqlite_memory_forms_are_in_memory() {
        assert_eq!(parsed("sqlite::memory:"), StoreUrl::SqliteMemory);
        assert_eq!(parsed("sqlite://:memory:"), StoreUrl::SqliteMemory);
    }

    #[test]
    fn postgres_urls_are_kept_verbatim() {
        let url = "postgres://u:p@db.example/switchyard";
        assert_eq!(parsed(url), StoreUrl::Postgres(url.into()));
        let url = "postgresql://db.example/switchyard";
        assert_eq!(parsed(url), StoreUrl::Postgres(url.into()));
    }

    #[test]
    fn unknown_scheme_is_rejected_naming_url_and_expected_forms() {
        let err = StoreUrl::parse("mysql://h/db").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("\"mysql://h/db\""), "{msg}");
        assert!(msg.contains("sqlite:<path>"), "{msg}");
        assert!(msg.contains("postgres://"), "{msg}");
    }

    #[test]
    fn empty_or_bare_urls_are_rejected() {
        for url in ["", "sqlite:", "sqlite://", "postgres://", "switchyard.db"] {
            assert!(StoreUrl::parse(url).is_err(), "{url:?} accepted");
        }
    }

    #[test]
    fn passwords_never_appear_in_errors_or_display() {
        let err = StoreUrl::parse("postgress://u:hunter2@h/db").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
        assert_eq!(err.url, "postgress://u:***@h/db");
        let url = parsed("postgres://u:hunter2@h/db");
        assert_eq!(url.to_string(), "postgres://u:***@h/db");
    }

    #[test]
    fn display_round_trips_sqlite_urls() {
        for url in ["sqlite:a/b.db", "sqlite:/abs.db", "sqlite::memory:"] {
            assert_eq!(parsed(url).to_string(), url);
        }
    }
}
