//! `features.conf` (Asterisk's in-call features): `[general]` transfer settings and `[featuremap]`
//! codes into the core's `FeatureConfig`. An option this switch does not know is an error at its
//! file:line:column; sections it does not act on (`[applicationmap]`, feature groups, parking lots)
//! are read and reported as warnings.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use switchyard_core::features::FeatureConfig;

use super::lines::{LineKind, lines};
use crate::error::DialplanError;

/// `[general]` options read and kept without effect (sounds, pickup, callbacks, the parking options
/// older files keep there).
const KEPT_GENERAL: &[&str] = &[
    "courtesytone",
    "recordingfailsound",
    "atxferloopdelay",
    "atxfercallbackretries",
    "xfersound",
    "xferfailsound",
    "transferdialattempts",
    "transferretrysound",
    "transferinvalidsound",
    "transferannouncesound",
    "pickupexten",
    "pickupsound",
    "pickupfailsound",
    "parkext",
    "parkpos",
    "context",
    "parkinghints",
    "parkingtime",
    "comebacktoorigin",
    "parkedplay",
    "parkedcalltransfers",
    "parkedcallreparking",
    "parkedcallhangup",
    "parkedcallrecording",
    "parkeddynamic",
    "adsipark",
    "findslot",
    "parkedmusicclass",
];

/// `[featuremap]` entries read and kept without effect.
const KEPT_FEATUREMAP: &[&str] = &["automon", "automixmon", "parkcall"];

/// Reads `path` (following `#include`, relative to the including file).
pub fn load_features(path: &Path) -> Result<(FeatureConfig, Vec<String>), DialplanError> {
    let mut p = Parser { cfg: FeatureConfig::default(), warnings: Vec::new(), section: None };
    p.file(path, 0)?;
    Ok((p.cfg, p.warnings))
}

/// Parses one file's text (`#include` refused: there is no directory to resolve it against).
pub fn parse_features(name: &str, text: &str) -> Result<(FeatureConfig, Vec<String>), DialplanError> {
    let mut p = Parser { cfg: FeatureConfig::default(), warnings: Vec::new(), section: None };
    p.text(name, text, None, 0)?;
    Ok((p.cfg, p.warnings))
}

struct Parser {
    cfg: FeatureConfig,
    warnings: Vec<String>,
    section: Option<String>,
}

impl Parser {
    fn file(&mut self, path: &Path, depth: usize) -> Result<(), DialplanError> {
        let text = std::fs::read_to_string(path).map_err(|source| DialplanError::Io { file: path.into(), source })?;
        self.text(&path.display().to_string(), &text, path.parent(), depth)
    }

    fn text(&mut self, name: &str, text: &str, base: Option<&Path>, depth: usize) -> Result<(), DialplanError> {
        let file: Arc<str> = name.into();
        for line in lines(&file, text)? {
            let at = |col: usize, what: String| DialplanError::parse(name, line.number, col, what);
            match line.kind {
                LineKind::Header { name, .. } => self.section = Some(name.to_ascii_lowercase()),
                LineKind::Include(target) => {
                    let Some(dir) = base.filter(|_| depth < 16) else {
                        return Err(at(1, "no #include here (no directory, or nested too deep)".into()));
                    };
                    self.file(&dir.join(target), depth + 1)?;
                }
                LineKind::Item { key, value, value_col } => {
                    let key = key.to_ascii_lowercase();
                    self.item(&key, &value).map_err(|what| at(value_col, what))?;
                    if let Some(w) = self.ignored(&key) {
                        self.warnings.push(format!("{name}:{}: {w}", line.number));
                    }
                }
            }
        }
        Ok(())
    }

    /// Applies one option of the current section; Err says what was expected.
    fn item(&mut self, key: &str, value: &str) -> Result<(), String> {
        match self.section.as_deref() {
            None => Err(format!("a [general] or [featuremap] section before '{key}'")),
            Some("general") => general(&mut self.cfg, key, value),
            Some("featuremap") => featuremap(&mut self.cfg, key, value),
            Some(_) => Ok(()),
        }
    }

    /// The warning for an option read without effect.
    fn ignored(&self, key: &str) -> Option<String> {
        match self.section.as_deref()? {
            "general" if KEPT_GENERAL.contains(&key) => Some(format!("features.conf option '{key}' has no effect yet")),
            "featuremap" if KEPT_FEATUREMAP.contains(&key) => Some(format!("feature '{key}' is not supported")),
            "general" | "featuremap" => None,
            other => Some(format!("[{other}] '{key}' is not supported (applicationmap, groups, parking)")),
        }
    }
}

fn general(cfg: &mut FeatureConfig, key: &str, value: &str) -> Result<(), String> {
    match key {
        "featuredigittimeout" => cfg.feature_digit_timeout = Duration::from_millis(number(key, value)?),
        "transferdigittimeout" => cfg.transfer_digit_timeout = Duration::from_secs(number(key, value)?),
        "atxfernoanswertimeout" => cfg.atxfer_no_answer_timeout = Duration::from_secs(number(key, value)?),
        "atxferdropcall" => cfg.atxfer_drop_call = boolean(key, value)?,
        "atxferabort" => cfg.atxfer_abort = code(key, value)?,
        "atxfercomplete" => cfg.atxfer_complete = code(key, value)?,
        "atxferthreeway" => cfg.atxfer_threeway = code(key, value)?,
        "atxferswap" => cfg.atxfer_swap = code(key, value)?,
        k if KEPT_GENERAL.contains(&k) => cfg.other.push((k.to_owned(), value.to_owned())),
        k => return Err(format!("a features.conf [general] option (unknown option '{k}')")),
    }
    Ok(())
}

fn featuremap(cfg: &mut FeatureConfig, key: &str, value: &str) -> Result<(), String> {
    let map = &mut cfg.featuremap;
    match key {
        "blindxfer" => map.blindxfer = code(key, value)?,
        "atxfer" => map.atxfer = code(key, value)?,
        "disconnect" => map.disconnect = code(key, value)?,
        k if KEPT_FEATUREMAP.contains(&k) => map.other.push((k.to_owned(), code(k, value)?)),
        k => return Err(format!("a [featuremap] feature: blindxfer, atxfer, disconnect, … (unknown feature '{k}')")),
    }
    Ok(())
}

fn number(key: &str, value: &str) -> Result<u64, String> {
    value.parse().map_err(|_| format!("a whole number for '{key}' (found '{value}')"))
}

/// Asterisk's `ast_true`/`ast_false` words.
fn boolean(key: &str, value: &str) -> Result<bool, String> {
    match value.to_ascii_lowercase().as_str() {
        "yes" | "true" | "y" | "t" | "1" | "on" => Ok(true),
        "no" | "false" | "n" | "f" | "0" | "off" => Ok(false),
        _ => Err(format!("yes or no for '{key}' (found '{value}')")),
    }
}

/// A DTMF sequence (`0-9 * # A-D`), at most 11 digits as Asterisk's `AST_FEATURE_MAX_LEN` allows.
fn code(key: &str, value: &str) -> Result<String, String> {
    let ok = value.len() <= 11 && value.chars().all(|c| c.is_ascii_digit() || "*#ABCDabcd".contains(c));
    if ok { Ok(value.to_ascii_uppercase()) } else { Err(format!("DTMF digits for '{key}' (found '{value}')")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_feature_codes_and_timeouts_are_read() {
        let text = "[general]\nfeaturedigittimeout = 500 ; ms\ntransferdigittimeout => 5\natxfernoanswertimeout=20\n\
                    atxferdropcall=yes\natxferabort=*9\n[featuremap]\nblindxfer => #1\natxfer => *2\ndisconnect => *0\n";
        let (cfg, warnings) = parse_features("features.conf", text).unwrap();
        assert_eq!(cfg.feature_digit_timeout, Duration::from_millis(500));
        assert_eq!(cfg.transfer_digit_timeout, Duration::from_secs(5));
        assert_eq!(cfg.atxfer_no_answer_timeout, Duration::from_secs(20));
        assert!(cfg.atxfer_drop_call);
        assert_eq!(cfg.atxfer_abort, "*9");
        let map = &cfg.featuremap;
        assert_eq!((map.blindxfer.as_str(), map.atxfer.as_str(), map.disconnect.as_str()), ("#1", "*2", "*0"));
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn an_empty_file_keeps_asterisks_built_in_defaults() {
        let (cfg, _) = parse_features("features.conf", "; nothing\n").unwrap();
        assert_eq!(cfg, FeatureConfig::default());
        assert_eq!(cfg.featuremap.atxfer, "", "atxfer is off unless configured");
    }

    #[test]
    fn unknown_options_and_bad_values_name_file_line_and_column() {
        let err = |t: &str| parse_features("f.conf", t).unwrap_err().to_string();
        assert_eq!(
            err("[general]\nfeaturedigitimeout = 5\n"),
            "f.conf:2:22: expected a features.conf [general] option (unknown option 'featuredigitimeout')"
        );
        assert_eq!(err("[featuremap]\natxfer => *x\n"), "f.conf:2:11: expected DTMF digits for 'atxfer' (found '*x')");
        assert_eq!(
            err("[general]\ntransferdigittimeout = soon\n"),
            "f.conf:2:24: expected a whole number for 'transferdigittimeout' (found 'soon')"
        );
        assert!(err("blindxfer => #\n").starts_with("f.conf:1:14: expected a [general] or [featuremap] section"));
    }

    #[test]
    fn sections_without_effect_are_warnings() {
        let text = "[general]\npickupexten = *8\n[applicationmap]\ntesting => *9,self,Playback(x)\n";
        let (cfg, warnings) = parse_features("f.conf", text).unwrap();
        assert_eq!(cfg.other, [("pickupexten".to_owned(), "*8".to_owned())]);
        assert_eq!(warnings.len(), 2);
        assert!(warnings[1].starts_with("f.conf:4: [applicationmap] 'testing' is not supported"), "{warnings:?}");
    }
}
