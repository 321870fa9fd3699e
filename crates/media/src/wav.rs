//! WAV files: prompts read (any PCM/float WAV hound understands) and converted to 8 kHz mono 16-bit,
//! and recordings written as 8 kHz mono 16-bit WAV through a [`RecordSink`].

use std::fs::File;
use std::io::{BufWriter, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use switchyard_core::media::{RecordSink, SAMPLE_RATE};

use crate::resample::{downmix, resample};

/// Longest prompt read, in source samples (one hour at 48 kHz stereo): a bound against bogus headers.
const MAX_SOURCE_SAMPLES: usize = 48_000 * 2 * 3600;

/// Why a WAV file could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WavError {
    /// Opening, reading or decoding failed.
    #[error("{path}: {source}")]
    Hound {
        /// The file.
        path: PathBuf,
        /// What hound said.
        source: hound::Error,
    },
    /// The file holds more audio than Switchyard plays.
    #[error("{0}: longer than one hour")]
    TooLong(PathBuf),
}

/// Reads a WAV prompt as 8 kHz mono 16-bit samples.
pub fn read_prompt(path: &Path) -> Result<Arc<[i16]>, WavError> {
    let err = |source| WavError::Hound { path: path.to_owned(), source };
    let reader = hound::WavReader::open(path).map_err(err)?;
    decode(reader).map_err(|e| match e {
        Decode::Hound(source) => err(source),
        Decode::TooLong => WavError::TooLong(path.to_owned()),
    })
}

/// Reads a WAV image held in memory (for tests and fuzzing).
pub fn read_prompt_bytes(bytes: &[u8]) -> Result<Arc<[i16]>, WavError> {
    let path = PathBuf::from("<memory>");
    let reader = hound::WavReader::new(bytes).map_err(|source| WavError::Hound { path: path.clone(), source })?;
    decode(reader).map_err(|e| match e {
        Decode::Hound(source) => WavError::Hound { path: path.clone(), source },
        Decode::TooLong => WavError::TooLong(path.clone()),
    })
}

enum Decode {
    Hound(hound::Error),
    TooLong,
}

fn decode<R: Read>(mut reader: hound::WavReader<R>) -> Result<Arc<[i16]>, Decode> {
    let spec = reader.spec();
    if reader.len() as usize > MAX_SOURCE_SAMPLES {
        return Err(Decode::TooLong);
    }
    let samples: Vec<i16> = match (spec.sample_format, spec.bits_per_sample) {
        (hound::SampleFormat::Float, _) => reader
            .samples::<f32>()
            .map(|s| s.map(|v| (v.clamp(-1.0, 1.0) * 32767.0) as i16))
            .collect::<Result<_, _>>()
            .map_err(Decode::Hound)?,
        (hound::SampleFormat::Int, bits) => {
            let shift = u32::from(bits.saturating_sub(16));
            let up = u32::from(16u16.saturating_sub(bits));
            reader
                .samples::<i32>()
                .map(|s| s.map(|v| ((v >> shift) << up).clamp(-32768, 32767) as i16))
                .collect::<Result<_, _>>()
                .map_err(Decode::Hound)?
        }
    };
    let mono = downmix(&samples, usize::from(spec.channels.max(1)));
    Ok(resample(&mono, spec.sample_rate, SAMPLE_RATE).into())
}

/// How far a recording has got, shared between the sink and whoever waits on it.
#[derive(Debug, Default)]
pub struct RecordProgress {
    frames: AtomicU64,
    silent_run: AtomicU64,
}

impl RecordProgress {
    /// Milliseconds of audio written so far.
    pub fn written_ms(&self) -> u64 {
        self.frames.load(Ordering::Relaxed) * 20
    }

    /// Milliseconds of silence at the end of what was written.
    pub fn trailing_silence_ms(&self) -> u64 {
        self.silent_run.load(Ordering::Relaxed) * 20
    }
}

/// Frames whose peak stays under this are silence (about -42 dBFS).
const SILENCE_PEAK: i16 = 256;

/// Writes a recording as 8 kHz mono 16-bit WAV.
pub struct WavSink {
    writer: Option<hound::WavWriter<BufWriter<File>>>,
    path: PathBuf,
    progress: Arc<RecordProgress>,
}

impl WavSink {
    /// Creates (truncating) `path`; parent directories are created.
    pub fn create(path: &Path) -> Result<Self, WavError> {
        let err = |source| WavError::Hound { path: path.to_owned(), source };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| err(hound::Error::IoError(e)))?;
        }
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: SAMPLE_RATE,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let writer = hound::WavWriter::create(path, spec).map_err(err)?;
        Ok(Self { writer: Some(writer), path: path.to_owned(), progress: Arc::default() })
    }

    /// The progress counters of this recording.
    pub fn progress(&self) -> Arc<RecordProgress> {
        self.progress.clone()
    }
}

impl RecordSink for WavSink {
    fn frame(&mut self, pcm: &[i16]) {
        let Some(w) = self.writer.as_mut() else { return };
        if let Err(e) = pcm.iter().try_for_each(|s| w.write_sample(*s)) {
            tracing::warn!("recording {}: {e}", self.path.display());
            self.writer = None;
            return;
        }
        self.progress.frames.fetch_add(1, Ordering::Relaxed);
        let silent = pcm.iter().all(|s| s.unsigned_abs() < SILENCE_PEAK as u16);
        if silent {
            self.progress.silent_run.fetch_add(1, Ordering::Relaxed);
        } else {
            self.progress.silent_run.store(0, Ordering::Relaxed);
        }
    }

    fn finish(&mut self) {
        if let Some(w) = self.writer.take()
            && let Err(e) = w.finalize()
        {
            tracing::warn!("recording {}: {e}", self.path.display());
        }
    }
}

impl Drop for WavSink {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_wav(path: &Path, rate: u32, channels: u16, samples: &[i16]) {
        let spec = hound::WavSpec {
            channels,
            sample_rate: rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(path, spec).unwrap();
        for s in samples {
            w.write_sample(*s).unwrap();
        }
        w.finalize().unwrap();
    }

    #[test]
    fn reads_an_8khz_mono_prompt_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.wav");
        let samples: Vec<i16> = (0..800).map(|i| (i * 13 % 2000) as i16).collect();
        write_wav(&p, 8000, 1, &samples);
        assert_eq!(&read_prompt(&p).unwrap()[..], &samples[..]);
    }

    #[test]
    fn converts_stereo_16khz_to_8khz_mono() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("b.wav");
        let samples: Vec<i16> = (0..3200).map(|i| if i % 2 == 0 { 1000 } else { 3000 }).collect();
        write_wav(&p, 16000, 2, &samples);
        let out = read_prompt(&p).unwrap();
        assert_eq!(out.len(), 800);
        assert!(out.iter().all(|s| *s == 2000));
    }

    #[test]
    fn a_missing_or_broken_file_names_the_path() {
        let e = read_prompt(Path::new("/nonexistent/x.wav")).unwrap_err();
        assert!(e.to_string().starts_with("/nonexistent/x.wav:"), "{e}");
        assert!(read_prompt_bytes(b"RIFF\x04\0\0\0WAVE").is_err());
    }

    #[test]
    fn the_sink_writes_a_wav_and_tracks_silence() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/rec.wav");
        let mut sink = WavSink::create(&p).unwrap();
        let progress = sink.progress();
        sink.frame(&[1000; 160]);
        sink.frame(&[0; 160]);
        sink.frame(&[10; 160]);
        sink.finish();
        assert_eq!((progress.written_ms(), progress.trailing_silence_ms()), (60, 40));
        let back = read_prompt(&p).unwrap();
        assert_eq!(back.len(), 480);
        assert_eq!(back[0], 1000);
    }
}
