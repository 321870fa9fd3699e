//! Paths in a config file are relative to that file: resolving them after loading, and (for
//! `switchyard check`) making sure the dialplan files they name are there.

use std::path::{Component, Path, PathBuf};

use super::document::Document;
use super::error::ConfigError;
use super::model::{Config, default_store_url};
use super::scalars::{SQLITE_IN_MEMORY, StoreUrl};

/// Makes every relative path in `cfg` relative to `base` and fills in the default store URL.
/// `base` is the config file's directory; an empty `base` leaves paths relative to the working directory.
pub(crate) fn resolve_paths(cfg: &mut Config, base: &Path) {
    cfg.general.data_dir = base.join(&cfg.general.data_dir);
    for path in cfg.dialplan.asterisk.iter_mut().chain(&mut cfg.dialplan.freeswitch) {
        *path = base.join(&*path);
    }
    if let Some(path) = cfg.dialplan.features.as_mut() {
        *path = base.join(&*path);
    }
    for dir in
        [&mut cfg.media.prompts_dir, &mut cfg.media.moh_dir, &mut cfg.media.recordings_dir, &mut cfg.lua.scripts_dir]
    {
        *dir = base.join(&*dir);
    }
    cfg.store.url = Some(match cfg.store.url.take() {
        None => default_store_url(&cfg.general.data_dir),
        Some(StoreUrl::Sqlite(path)) if path != Path::new(SQLITE_IN_MEMORY) => StoreUrl::Sqlite(base.join(path)),
        Some(other) => other,
    });
}

/// Checks that each `dialplan.asterisk` file exists, and that each `dialplan.freeswitch` pattern's
/// fixed leading directory exists (the file itself when the pattern has no wildcard).
pub(crate) fn check_dialplan_files(cfg: &Config, doc: &Document<'_>) -> Result<(), ConfigError> {
    for (i, path) in cfg.dialplan.asterisk.iter().enumerate() {
        if !path.is_file() {
            let reason = format!("file not found: {}", path.display());
            return Err(doc.invalid(&format!("dialplan.asterisk[{i}]"), reason));
        }
    }
    if let Some(path) = cfg.dialplan.features.as_ref().filter(|p| !p.is_file()) {
        return Err(doc.invalid("dialplan.features", format!("file not found: {}", path.display())));
    }
    for (i, pattern) in cfg.dialplan.freeswitch.iter().enumerate() {
        let key = format!("dialplan.freeswitch[{i}]");
        match fixed_prefix(pattern) {
            None if !pattern.is_file() => {
                return Err(doc.invalid(&key, format!("file not found: {}", pattern.display())));
            }
            Some(dir) if !dir.as_os_str().is_empty() && !dir.is_dir() => {
                return Err(doc.invalid(&key, format!("directory not found: {}", dir.display())));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The components of a glob pattern before its first wildcard; `None` when it has no wildcard.
fn fixed_prefix(pattern: &Path) -> Option<PathBuf> {
    let is_glob = |c: &Component<'_>| c.as_os_str().to_string_lossy().contains(['*', '?', '[']);
    let first_glob = pattern.components().position(|c| is_glob(&c))?;
    Some(pattern.components().take(first_glob).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_prefix_stops_at_the_first_wildcard() {
        assert_eq!(fixed_prefix(Path::new("/etc/fs/dialplan/*.xml")), Some("/etc/fs/dialplan".into()));
        assert_eq!(fixed_prefix(Path::new("a/*/b/[ab].xml")), Some("a".into()));
        assert_eq!(fixed_prefix(Path::new("*.xml")), Some(PathBuf::new()));
        assert_eq!(fixed_prefix(Path::new("dialplan/public.xml")), None);
    }

    #[test]
    fn relative_paths_are_joined_to_the_base_and_absolute_ones_kept() {
        let mut cfg = Config::default();
        cfg.dialplan.asterisk = vec!["extensions.conf".into(), "/etc/asterisk/x.conf".into()];
        resolve_paths(&mut cfg, Path::new("/srv/sy"));
        assert_eq!(cfg.general.data_dir, Path::new("/srv/sy/switchyard-data"));
        assert_eq!(cfg.dialplan.asterisk[0], Path::new("/srv/sy/extensions.conf"));
        assert_eq!(cfg.dialplan.asterisk[1], Path::new("/etc/asterisk/x.conf"));
    }

    #[test]
    fn default_store_is_sqlite_in_the_resolved_data_dir() {
        let mut cfg = Config::default();
        resolve_paths(&mut cfg, Path::new("/srv/sy"));
        let expected = StoreUrl::Sqlite("/srv/sy/switchyard-data/switchyard.db".into());
        assert_eq!(cfg.store.url, Some(expected));
    }

    #[test]
    fn in_memory_and_postgres_stores_are_not_resolved() {
        for url in ["sqlite::memory:", "postgres://u@h/db"] {
            let mut cfg = Config::default();
            cfg.store.url = Some(url.parse().unwrap());
            resolve_paths(&mut cfg, Path::new("/srv/sy"));
            assert_eq!(cfg.store.url.unwrap().to_string(), url);
        }
    }
}
