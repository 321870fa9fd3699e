//! Finding and loading sound files: names resolved against the prompts directory (extension-less names
//! tried as `.wav`), FreeSWITCH `silence_stream://` and `local_stream://`, and a small cache of decoded
//! prompts so a busy prompt is read from disk once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use parking_lot::Mutex;
use switchyard_core::media::SAMPLE_RATE;

use crate::wav::{WavError, read_prompt};

/// Decoded prompts kept at most (the cache is emptied when it grows past this).
const CACHE_ENTRIES: usize = 256;

/// A decoded file and the modification time it was read at.
type Cached = (Option<SystemTime>, Arc<[i16]>);

/// What a sound name designates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sound {
    /// A WAV file.
    File(PathBuf),
    /// Silence of this many milliseconds (FreeSWITCH `silence_stream://ms`).
    Silence(u32),
    /// Music on hold of a class (`local_stream://class`, Asterisk MOH class).
    Moh(String),
}

/// Why a sound could not be played.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SoundError {
    /// No file matched the name.
    #[error("sound '{name}' not found (looked in {dir})")]
    NotFound {
        /// The name asked for.
        name: String,
        /// Where it was looked for.
        dir: String,
    },
    /// The file exists but cannot be decoded.
    #[error(transparent)]
    Wav(#[from] WavError),
}

/// Resolves names and loads sounds.
#[derive(Debug)]
pub struct Library {
    prompts_dir: PathBuf,
    moh_dir: PathBuf,
    cache: Mutex<HashMap<PathBuf, Cached>>,
}

impl Library {
    /// A library over these directories.
    pub fn new(prompts_dir: PathBuf, moh_dir: PathBuf) -> Self {
        Self { prompts_dir, moh_dir, cache: Mutex::default() }
    }

    /// What `name` designates: a stream URL, or an existing file (absolute, or relative to the prompts
    /// directory; `.wav` appended when the name has no extension).
    pub fn resolve(&self, name: &str) -> Result<Sound, SoundError> {
        let name = name.trim();
        if let Some(ms) = name.strip_prefix("silence_stream://") {
            let ms: i64 = ms.split(',').next().unwrap_or("").trim().parse().unwrap_or(0);
            return Ok(Sound::Silence(if ms < 0 { u32::MAX } else { ms.min(i64::from(u32::MAX)) as u32 }));
        }
        if let Some(class) = name.strip_prefix("local_stream://") {
            return Ok(Sound::Moh(class.to_owned()));
        }
        let base = Path::new(name);
        let base = if base.is_absolute() { base.to_owned() } else { self.prompts_dir.join(base) };
        let with_wav = base.with_file_name(format!("{}.wav", base.file_name().unwrap_or_default().to_string_lossy()));
        let candidates = if base.extension().is_some() { vec![base, with_wav] } else { vec![with_wav, base] };
        candidates
            .into_iter()
            .find(|p| p.is_file())
            .map(Sound::File)
            .ok_or_else(|| SoundError::NotFound { name: name.to_owned(), dir: self.prompts_dir.display().to_string() })
    }

    /// The 8 kHz samples of a sound (blocking: call from `spawn_blocking`). MOH classes yield their
    /// first file; use [`Library::moh_files`] to loop over all.
    pub fn load(&self, sound: &Sound) -> Result<Arc<[i16]>, SoundError> {
        match sound {
            Sound::Silence(ms) => {
                let samples = (u64::from((*ms).min(3_600_000)) * u64::from(SAMPLE_RATE) / 1000) as usize;
                Ok(vec![0i16; samples].into())
            }
            Sound::File(path) => self.load_file(path),
            Sound::Moh(class) => {
                let first = self.moh_files(class).into_iter().next();
                let path = first.ok_or_else(|| SoundError::NotFound {
                    name: format!("local_stream://{class}"),
                    dir: self.moh_dir.display().to_string(),
                })?;
                self.load_file(&path)
            }
        }
    }

    /// Loads a WAV file through the cache (re-read when its modification time changes).
    pub fn load_file(&self, path: &Path) -> Result<Arc<[i16]>, SoundError> {
        let mtime = std::fs::metadata(path).and_then(|m| m.modified()).ok();
        if let Some((t, pcm)) = self.cache.lock().get(path)
            && *t == mtime
        {
            return Ok(pcm.clone());
        }
        let pcm = read_prompt(path)?;
        let mut cache = self.cache.lock();
        if cache.len() >= CACHE_ENTRIES {
            cache.clear();
        }
        cache.insert(path.to_owned(), (mtime, pcm.clone()));
        Ok(pcm)
    }

    /// The WAV files of a music-on-hold class, sorted: `moh_dir/<class>/` when it exists, else the
    /// files directly in `moh_dir` (class `default`, `moh` and the empty class name).
    pub fn moh_files(&self, class: &str) -> Vec<PathBuf> {
        let class = class.trim().trim_matches('/');
        let sub = self.moh_dir.join(class);
        let dir = if !class.is_empty() && sub.is_dir() { sub } else { self.moh_dir.clone() };
        let mut files: Vec<PathBuf> =
            std::fs::read_dir(&dir).map(|rd| rd.flatten().map(|e| e.path()).collect()).unwrap_or_default();
        files.retain(|p| p.is_file() && p.extension().is_some_and(|e| e.eq_ignore_ascii_case("wav")));
        files.sort();
        files
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(p: &Path) {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, b"x").unwrap();
    }

    #[test]
    fn names_resolve_in_the_prompts_dir_with_or_without_extension() {
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::new(dir.path().join("sounds"), dir.path().join("moh"));
        touch(&dir.path().join("sounds/hello-world.wav"));
        touch(&dir.path().join("sounds/digits/1.wav"));
        let file = |p: &str| Sound::File(dir.path().join(p));
        assert_eq!(lib.resolve("hello-world").unwrap(), file("sounds/hello-world.wav"));
        assert_eq!(lib.resolve("hello-world.wav").unwrap(), file("sounds/hello-world.wav"));
        assert_eq!(lib.resolve("digits/1").unwrap(), file("sounds/digits/1.wav"));
        let abs = dir.path().join("sounds/digits/1.wav");
        assert_eq!(lib.resolve(abs.to_str().unwrap()).unwrap(), Sound::File(abs));
        let missing = lib.resolve("nope").unwrap_err().to_string();
        assert!(missing.contains("'nope' not found"), "{missing}");
    }

    #[test]
    fn streams_resolve_without_files() {
        let lib = Library::new("/nonexistent".into(), "/nonexistent".into());
        assert_eq!(lib.resolve("silence_stream://500").unwrap(), Sound::Silence(500));
        assert_eq!(lib.resolve("silence_stream://-1").unwrap(), Sound::Silence(u32::MAX));
        assert_eq!(lib.resolve("local_stream://moh").unwrap(), Sound::Moh("moh".into()));
        assert_eq!(lib.load(&Sound::Silence(100)).unwrap().len(), 800);
    }

    #[test]
    fn moh_classes_are_subdirectories_or_the_whole_dir() {
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::new(dir.path().into(), dir.path().join("moh"));
        touch(&dir.path().join("moh/b.wav"));
        touch(&dir.path().join("moh/a.wav"));
        touch(&dir.path().join("moh/notes.txt"));
        touch(&dir.path().join("moh/jazz/x.wav"));
        let names = |v: Vec<PathBuf>| {
            v.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect::<Vec<_>>()
        };
        assert_eq!(names(lib.moh_files("default")), ["a.wav", "b.wav"]);
        assert_eq!(names(lib.moh_files("jazz")), ["x.wav"]);
    }
}
