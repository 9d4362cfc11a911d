//! Round-trip cost of a framed request/reply compared with a bare socket ping-pong.
//!
//! Timing on a shared machine is noisy, so this is `#[ignore]`d; run it with
//! `cargo test -p lsm-ipc --release --test round_trip_speed -- --ignored --nocapture`.
//! The target is a framed round trip (encode, frame, parse, reply) within 3x of the bare one.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::thread;
use std::time::{Duration, Instant};

use lsm_ipc::{
    FrameStream, RawReply, STANDARD_ID, encode_request, encode_result, parse_reply, parse_request,
};

const ROUND_TRIPS: usize = 20_000;

fn bare_ping_pong() -> Duration {
    let (mut client, mut server) = UnixStream::pair().unwrap();
    let message = [b'x'; 80];
    let echo = thread::spawn(move || {
        let mut buffer = [0u8; 80];
        for _ in 0..ROUND_TRIPS {
            server.read_exact(&mut buffer).unwrap();
            server.write_all(&buffer).unwrap();
        }
    });
    let mut buffer = [0u8; 80];
    let start = Instant::now();
    for _ in 0..ROUND_TRIPS {
        client.write_all(&message).unwrap();
        client.read_exact(&mut buffer).unwrap();
    }
    let elapsed = start.elapsed();
    echo.join().unwrap();
    elapsed
}

fn framed_round_trips() -> Duration {
    let (client, server) = UnixStream::pair().unwrap();
    let plugin = thread::spawn(move || {
        let mut server = FrameStream::new(server);
        while let Some(payload) = server.read_frame().unwrap() {
            let request = parse_request(&payload).unwrap();
            assert_eq!(request.method, "time_out_get");
            let reply = encode_result(STANDARD_ID, &30_000).unwrap();
            server.write_frame(&reply).unwrap();
        }
    });
    let mut client = FrameStream::new(client);
    let params = serde_json::json!({ "flags": 0 });
    let start = Instant::now();
    for _ in 0..ROUND_TRIPS {
        let request = encode_request("time_out_get", STANDARD_ID, &params).unwrap();
        client.write_frame(&request).unwrap();
        let payload = client.read_frame().unwrap().unwrap();
        let RawReply::Result { result, .. } = parse_reply(&payload).unwrap() else {
            panic!("expected a result");
        };
        assert_eq!(result.get(), "30000");
    }
    let elapsed = start.elapsed();
    drop(client);
    plugin.join().unwrap();
    elapsed
}

#[test]
#[ignore = "timing; run explicitly in release mode"]
fn framed_round_trip_is_within_3x_of_a_bare_ping_pong() {
    // Warm up, then take the best of three for each to damp scheduler noise.
    bare_ping_pong();
    framed_round_trips();
    let bare = (0..3).map(|_| bare_ping_pong()).min().unwrap();
    let framed = (0..3).map(|_| framed_round_trips()).min().unwrap();
    let ratio = framed.as_secs_f64() / bare.as_secs_f64();
    println!(
        "bare: {:.2} us/round trip, framed: {:.2} us/round trip, ratio {ratio:.2}",
        bare.as_secs_f64() * 1e6 / ROUND_TRIPS as f64,
        framed.as_secs_f64() * 1e6 / ROUND_TRIPS as f64,
    );
    assert!(
        ratio < 3.0,
        "framed round trip is {ratio:.2}x a bare ping-pong"
    );
}
