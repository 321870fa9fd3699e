//! Fuzzes the SIP input path: our wire wrapper over rsipstack's parser (datagram and stream framing,
//! the 400 salvage) and the engine fed the same bytes as a UDP packet: never panic.
#![no_main]
#![forbid(unsafe_code)]

use std::time::Instant;

use libfuzzer_sys::fuzz_target;
use switchyard_sip::digest::Algorithm;
use switchyard_sip::engine::trunk_reg::RegistrationSpec;
use switchyard_sip::engine::{Engine, EngineConfig, Input};
use switchyard_sip::registrar::Account;
use switchyard_sip::wire::{Message, Transport, bad_request, frame_stream};

fuzz_target!(|data: &[u8]| {
    let _ = Message::parse(data, Transport::Udp);
    let _ = Message::parse(data, Transport::Tcp);
    let _ = frame_stream(data);
    let _ = bad_request(data, "fuzz");
    let cfg = EngineConfig {
        accounts: vec![Account { username: "1000".into(), password: "p".into(), context: "default".into() }],
        guest_context: Some("public".into()),
        realm: "fuzz".into(),
        digest_algorithms: vec![Algorithm::Sha256, Algorithm::Md5],
        secret: "s".into(),
        local: vec![(Transport::Udp, "127.0.0.1:5060".parse().unwrap())],
        trunk_registrations: vec![RegistrationSpec {
            trunk: "carrier".into(),
            host: "127.0.0.1:5070".into(),
            addr: Some("127.0.0.1:5070".parse().unwrap()),
            transport: Transport::Udp,
            user: "u".into(),
            password: "p".into(),
            expires: 300,
        }],
    };
    let now = Instant::now();
    let mut engine = Engine::new(cfg, now, 0);
    let source = "127.0.0.1:5070".parse().unwrap();
    let packet = Input::Packet { transport: Transport::Udp, source, data: bytes::Bytes::copy_from_slice(data) };
    let _ = engine.handle(now, packet);
    let _ = engine.handle(now, Input::Tick);
});
