//! Fuzzes the WAV prompt reader (hound plus our conversion to 8 kHz mono): arbitrary file contents
//! give a prompt or an error, never a panic, and a prompt is never longer than its source allows.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(pcm) = switchyard_media::wav::read_prompt_bytes(data) {
        // Upsampling from a rate of at least 1 Hz cannot exceed 8000x the input bytes.
        assert!(pcm.len() <= data.len().saturating_mul(8000));
    }
});
