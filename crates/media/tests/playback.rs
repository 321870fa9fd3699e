//! Playback and recording over real sockets: a generated WAV arrives as one G.711 packet per 20 ms
//! whose decoded samples match the file; what a far end sends is recorded to a WAV.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{engine, packet, phone, recv};
use switchyard_core::media::{PlayOutcome, RecordLeg};
use switchyard_media::wav::{WavSink, read_prompt};
use switchyard_media::{Codec, g711};

/// One second of a tone that never comes near zero, so no frame of it looks like silence.
fn prompt_samples(rate: u32) -> Vec<i16> {
    (0..rate).map(|i| (6000.0 + 3000.0 * (i as f64 * 0.05).sin()) as i16).collect()
}

fn write_wav(path: &std::path::Path, rate: u32, samples: &[i16]) {
    let spec =
        hound::WavSpec { channels: 1, sample_rate: rate, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    samples.iter().for_each(|s| w.write_sample(*s).unwrap());
    w.finalize().unwrap();
}

#[tokio::test]
async fn a_wav_prompt_is_sent_as_one_packet_per_20ms_matching_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tone.wav");
    let samples = prompt_samples(8000);
    write_wav(&path, 8000, &samples);
    let pcm = read_prompt(&path).unwrap();

    let engine = engine().await;
    let session = engine.open().unwrap();
    let ear = phone().await;
    session.set_remote(ear.local_addr().unwrap(), Codec::Pcmu, 0, None);
    let playing = tokio::spawn(session.port().play(pcm));

    let silence = Codec::Pcmu.silence_byte();
    let mut heard = Vec::new();
    let mut packets = 0;
    let mut seqs = Vec::new();
    loop {
        let (h, payload, _) = recv(&ear).await;
        if payload.iter().all(|b| *b == silence) {
            if packets > 0 {
                break; // comfort silence again: the prompt is over
            }
            continue;
        }
        packets += 1;
        seqs.push(h.seq);
        heard.extend(payload.iter().map(|b| g711::ulaw_decode(*b)));
    }
    assert_eq!(playing.await.unwrap(), PlayOutcome::Finished);
    assert_eq!(packets, 1000 / 20, "one packet per 20 ms of a 1 s prompt");
    assert!(seqs.windows(2).all(|w| w[1] == w[0].wrapping_add(1)));
    assert_eq!(heard.len(), samples.len());
    for (h, s) in heard.iter().zip(&samples) {
        // Exactly the file's sample after G.711 quantisation.
        assert_eq!(*h, g711::ulaw_decode(g711::ulaw_encode(*s)));
    }
}

#[tokio::test]
async fn stop_playback_ends_the_play_as_stopped() {
    let engine = engine().await;
    let session = engine.open().unwrap();
    let ear = phone().await;
    session.set_remote(ear.local_addr().unwrap(), Codec::Pcma, 8, None);
    let long: Arc<[i16]> = vec![5000i16; 8000 * 60].into();
    let playing = tokio::spawn(session.port().play(long));
    let (h, _, _) = recv(&ear).await;
    assert_eq!(h.payload_type, 8);
    session.port().stop_playback();
    assert_eq!(playing.await.unwrap(), PlayOutcome::Stopped);
    session.close();
    assert_eq!(session.port().play(vec![0i16; 160].into()).await, PlayOutcome::Closed);
}

#[tokio::test]
async fn what_the_far_end_says_is_recorded_to_wav() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rec.wav");
    let engine = engine().await;
    let session = engine.open().unwrap();
    let mouth = phone().await;
    session.set_remote(mouth.local_addr().unwrap(), Codec::Pcmu, 0, None);
    let sink = WavSink::create(&path).unwrap();
    let progress = sink.progress();
    session.port().start_record(RecordLeg::Read, Box::new(sink));

    // 25 frames, each a constant level 1000·(i+1): easy to find again in the file.
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    for i in 0..25u16 {
        tick.tick().await;
        let level = g711::ulaw_encode(1000 * (i as i16 + 1));
        mouth.send_to(&packet(0, 100 + i, 160 * u32::from(i), 9, &[level; 160]), session.local_addr()).await.unwrap();
    }
    // Wait until the recording has written past the last frame (with a bound).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while progress.written_ms() < 25 * 20 + 200 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    session.port().stop_record();

    let recorded = read_prompt(&path).unwrap();
    let levels: Vec<i16> = recorded.chunks(160).map(|c| c[0]).filter(|s| *s != 0).collect();
    let expected: Vec<i16> = (0..25).map(|i| g711::ulaw_decode(g711::ulaw_encode(1000 * (i + 1)))).collect();
    assert_eq!(levels, expected, "every frame recorded once, in order");
}

#[tokio::test]
async fn send_dtmf_emits_an_rfc4733_event_with_three_end_packets() {
    let engine = engine().await;
    let session = engine.open().unwrap();
    let ear = phone().await;
    session.set_remote(ear.local_addr().unwrap(), Codec::Pcmu, 0, Some(101));
    session.port().send_dtmf('5', 100);
    let mut events = Vec::new();
    while events.iter().filter(|(_, e): &&(_, switchyard_media::dtmf::TelephoneEvent)| e.end).count() < 3 {
        let (h, payload, _) = recv(&ear).await;
        if h.payload_type == 101 {
            events.push((h, switchyard_media::dtmf::TelephoneEvent::parse(&payload).unwrap()));
        }
    }
    assert!(events[0].0.marker, "the first packet of the event carries the marker");
    assert!(events.iter().all(|(h, e)| h.timestamp == events[0].0.timestamp && e.event == 5));
    assert_eq!(events.last().unwrap().1.duration, 800);
    assert_eq!(events.len(), 5 + 2);
}
