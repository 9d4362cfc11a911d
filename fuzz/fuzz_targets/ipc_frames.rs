//! `lsm-ipc`'s frame readers, blocking and async, on arbitrary bytes.
//!
//! Input: one byte choosing the frame cap (0: the default; n: n × 64 bytes, so that the
//! over-the-cap path is reached), four read sizes (0: as large as asked), then the stream.
//! Both readers must agree, every frame read must be exactly the next frame of the input,
//! and each payload goes through the request and reply parsers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lsm_fuzz::stream::{ScriptedStream, finish_now};
use lsm_ipc::{AsyncFrameStream, DEFAULT_MAX_FRAME, FrameStream, HEADER_LEN, IpcError};

fn outcome(result: &Result<Option<Vec<u8>>, IpcError>) -> Result<Option<&[u8]>, i32> {
    match result {
        Ok(frame) => Ok(frame.as_deref()),
        Err(error) => Err(error.code()),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&cap, rest)) = data.split_first() else {
        return;
    };
    let (chunks, bytes) = rest.split_at(rest.len().min(4));
    let max = match cap {
        0 => DEFAULT_MAX_FRAME,
        n => usize::from(n) * 64,
    };
    let chunks: Vec<usize> = chunks.iter().map(|size| usize::from(*size)).collect();
    let mut blocking = FrameStream::with_max_frame(
        ScriptedStream::with_chunks(bytes.to_vec(), chunks.clone()),
        max,
    );
    let mut nonblocking =
        AsyncFrameStream::with_max_frame(ScriptedStream::with_chunks(bytes.to_vec(), chunks), max);
    let mut offset = 0;
    loop {
        let read = blocking.read_frame();
        let read_async = finish_now(nonblocking.read_frame());
        assert_eq!(
            outcome(&read),
            outcome(&read_async),
            "the two readers differ"
        );
        match read {
            Ok(Some(payload)) => {
                let end = offset + HEADER_LEN + payload.len();
                assert!(payload.len() <= max, "a frame over the cap was read");
                assert_eq!(
                    lsm_ipc::encode_frame(&payload).ok().as_deref(),
                    bytes.get(offset..end),
                    "the frame read is not the next frame of the stream"
                );
                offset = end;
                if let Ok(request) = lsm_ipc::parse_request(&payload) {
                    assert!(request.params.is_none_or(|raw| raw.get() != "null"));
                }
                if let Ok(reply) = lsm_ipc::parse_reply(&payload) {
                    let _ = reply.id();
                }
                let _ = lsm_ipc::compact_result(&payload);
            }
            Ok(None) => {
                assert_eq!(offset, bytes.len(), "a clean end inside a frame");
                return;
            }
            Err(error) => {
                assert!(matches!(error.code(), 400 | 401), "{error}");
                return;
            }
        }
    }
});
