//! Sample-rate conversion to the internal 8 kHz: a box low-pass (average of the input samples each
//! output sample covers) when going down, linear interpolation when going up. Good enough for voice
//! prompts, dependency-free and cheap to build (rubato's FFT stack was left out for build time).

/// Converts mono `input` at `from_hz` to `to_hz`.
pub fn resample(input: &[i16], from_hz: u32, to_hz: u32) -> Vec<i16> {
    if from_hz == to_hz || input.is_empty() || from_hz == 0 || to_hz == 0 {
        return input.to_vec();
    }
    let out_len = (input.len() as u64 * u64::from(to_hz) / u64::from(from_hz)) as usize;
    let ratio = f64::from(from_hz) / f64::from(to_hz);
    (0..out_len)
        .map(
            |i| {
                if ratio > 1.0 { average(input, i as f64 * ratio, ratio) } else { interpolate(input, i as f64 * ratio) }
            },
        )
        .collect()
}

fn average(input: &[i16], start: f64, width: f64) -> i16 {
    let lo = start.floor() as usize;
    let hi = ((start + width).ceil() as usize).clamp(lo + 1, input.len());
    let lo = lo.min(hi - 1);
    let sum: i64 = input[lo..hi].iter().map(|s| i64::from(*s)).sum();
    (sum / (hi - lo) as i64) as i16
}

fn interpolate(input: &[i16], pos: f64) -> i16 {
    let i = pos.floor() as usize;
    let frac = pos - i as f64;
    let a = f64::from(input[i.min(input.len() - 1)]);
    let b = f64::from(input[(i + 1).min(input.len() - 1)]);
    (a + (b - a) * frac).round() as i16
}

/// Mixes interleaved `channels`-channel audio down to mono by averaging.
pub fn downmix(interleaved: &[i16], channels: usize) -> Vec<i16> {
    if channels <= 1 {
        return interleaved.to_vec();
    }
    interleaved
        .chunks_exact(channels)
        .map(|frame| (frame.iter().map(|s| i32::from(*s)).sum::<i32>() / channels as i32) as i16)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tone(rate: u32, hz: f64, secs: f64) -> Vec<i16> {
        let n = (f64::from(rate) * secs) as usize;
        (0..n).map(|i| (8000.0 * (2.0 * std::f64::consts::PI * hz * i as f64 / f64::from(rate)).sin()) as i16).collect()
    }

    #[test]
    fn keeps_duration_when_converting() {
        assert_eq!(resample(&tone(16000, 440.0, 1.0), 16000, 8000).len(), 8000);
        assert_eq!(resample(&tone(44100, 440.0, 0.5), 44100, 8000).len(), 4000);
        assert_eq!(resample(&tone(4000, 440.0, 1.0), 4000, 8000).len(), 8000);
    }

    #[test]
    fn a_tone_keeps_its_shape_after_downsampling() {
        let out = resample(&tone(16000, 400.0, 0.1), 16000, 8000);
        let expected = tone(8000, 400.0, 0.1);
        for (o, e) in out.iter().zip(&expected).skip(1) {
            assert!((i32::from(*o) - i32::from(*e)).abs() < 800, "{o} vs {e}");
        }
    }

    #[test]
    fn downmix_averages_channels() {
        assert_eq!(downmix(&[100, 300, -50, 50], 2), vec![200, 0]);
    }

    proptest! {
        #[test]
        fn output_stays_within_input_range(input in proptest::collection::vec(any::<i16>(), 1..500),
                                           from in 4000u32..48000, to in 4000u32..48000) {
            let out = resample(&input, from, to);
            let (lo, hi) = (input.iter().min().unwrap(), input.iter().max().unwrap());
            prop_assert!(out.iter().all(|s| s >= lo && s <= hi));
        }
    }
}
