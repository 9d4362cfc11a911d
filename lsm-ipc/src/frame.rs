//! The frame codec: a 10-digit zero-padded ASCII length, then that many bytes of UTF-8 JSON.
//!
//! [`encode_frame`] and [`parse_header`] are the whole format. `FrameAssembly` is the state of
//! one frame being read, shared by the blocking and the async reader so that both grow the
//! payload buffer the same way (never trusting the claimed length with an up-front allocation)
//! and both can resume a frame after a timeout.

use std::io::Write as _;

use crate::{HARD_MAX_FRAME, HEADER_LEN, IpcError, Result};

/// First payload allocation, and the smallest growth step after it. A frame is read into a
/// buffer that doubles as bytes actually arrive, so a header claiming 2 GB costs 64 KiB until the
/// peer really sends more.
pub(crate) const PAYLOAD_CHUNK: usize = 64 * 1024;

/// Encode header + payload into one buffer, so that a frame goes out in one write.
///
/// Errors ([`IpcError::Serialization`]) when the payload is empty or longer than
/// [`HARD_MAX_FRAME`].
pub fn encode_frame(payload: &[u8]) -> Result<Vec<u8>> {
    if payload.is_empty() {
        return Err(IpcError::Serialization(
            "refusing to send an empty frame: LSM frames carry at least 1 byte".into(),
        ));
    }
    if payload.len() > HARD_MAX_FRAME {
        return Err(IpcError::Serialization(format!(
            "refusing to send a {} byte frame: the limit is {HARD_MAX_FRAME} bytes",
            payload.len()
        )));
    }
    let mut frame = Vec::with_capacity(HEADER_LEN + payload.len());
    write!(frame, "{:010}", payload.len())
        .map_err(|err| IpcError::Serialization(format!("cannot format frame header: {err}")))?;
    frame.extend_from_slice(payload);
    Ok(frame)
}

/// Parse a 10-byte header: exactly 10 ASCII digits (no sign, no spaces), value at least 1 and at
/// most `max` (itself capped at [`HARD_MAX_FRAME`]). Returns the payload length.
pub fn parse_header(header: &[u8; HEADER_LEN], max: usize) -> Result<usize> {
    let mut length: u64 = 0;
    for &byte in header {
        if !byte.is_ascii_digit() {
            return Err(IpcError::Serialization(format!(
                "malformed frame header \"{}\": expected 10 ASCII digits",
                header.escape_ascii()
            )));
        }
        // 10 digits are at most 9_999_999_999, far below u64::MAX.
        length = length * 10 + u64::from(byte - b'0');
    }
    if length == 0 {
        return Err(IpcError::Serialization(
            "frame header announces a zero-length payload".into(),
        ));
    }
    let cap = max.min(HARD_MAX_FRAME);
    match usize::try_from(length) {
        Ok(length) if length <= cap => Ok(length),
        _ => Err(IpcError::Serialization(format!(
            "frame header announces {length} bytes, over the {cap} byte limit"
        ))),
    }
}

/// Where the next bytes of a frame go.
pub(crate) enum NextRead<'a> {
    /// The rest of the header; never empty.
    Header(&'a mut [u8]),
    /// Up to `chunk` more payload bytes (`chunk >= 1`), appended to `bytes`, which already has
    /// spare capacity for all of them.
    Payload {
        bytes: &'a mut Vec<u8>,
        chunk: usize,
    },
}

/// The payload of a frame whose header has been parsed.
#[derive(Debug)]
struct PayloadInProgress {
    expected: usize,
    bytes: Vec<u8>,
}

/// A frame being read: header bytes so far, then the payload so far. Survives a timed-out or
/// cancelled read, so the next read resumes where the last one stopped.
#[derive(Debug, Default)]
pub(crate) struct FrameAssembly {
    header: [u8; HEADER_LEN],
    header_filled: usize,
    payload: Option<PayloadInProgress>,
}

impl FrameAssembly {
    /// Whether no byte of the next frame has been read yet.
    pub(crate) fn is_idle(&self) -> bool {
        self.header_filled == 0 && self.payload.is_none()
    }

    /// Where to put the next bytes read from the stream. For the payload, makes sure the buffer
    /// has room for the returned chunk: `min(remaining, max(received, 64 KiB))`, so the buffer
    /// at most doubles per step and never exceeds the frame's length.
    pub(crate) fn next_read(&mut self) -> NextRead<'_> {
        match &mut self.payload {
            None => NextRead::Header(&mut self.header[self.header_filled..]),
            Some(payload) => {
                let remaining = payload.expected - payload.bytes.len();
                let chunk = remaining.min(payload.bytes.len().max(PAYLOAD_CHUNK));
                payload.bytes.reserve_exact(chunk);
                NextRead::Payload {
                    bytes: &mut payload.bytes,
                    chunk,
                }
            }
        }
    }

    /// Record `count` header bytes just read into the slice from [`Self::next_read`]. When the
    /// header is complete, parse it; on a bad header the assembly resets and the error is
    /// returned (the stream is out of sync after that and should be closed).
    pub(crate) fn header_received(&mut self, count: usize, max: usize) -> Result<()> {
        self.header_filled += count;
        if self.header_filled < HEADER_LEN {
            return Ok(());
        }
        let header = self.header;
        self.header_filled = 0;
        let expected = parse_header(&header, max)?;
        self.payload = Some(PayloadInProgress {
            expected,
            bytes: Vec::new(),
        });
        Ok(())
    }

    /// Take the payload if all of it has arrived, checking that it is UTF-8.
    pub(crate) fn take_complete(&mut self) -> Result<Option<Vec<u8>>> {
        let complete = self
            .payload
            .as_ref()
            .is_some_and(|payload| payload.bytes.len() >= payload.expected);
        if !complete {
            return Ok(None);
        }
        let Some(payload) = self.payload.take() else {
            return Ok(None);
        };
        if let Err(err) = std::str::from_utf8(&payload.bytes) {
            return Err(IpcError::Serialization(format!(
                "frame payload is not valid UTF-8: {err}"
            )));
        }
        Ok(Some(payload.bytes))
    }

    /// The stream ended. `Ok(None)` on a frame boundary; otherwise a communication error
    /// describing how far the frame got. Resets the assembly either way.
    pub(crate) fn end_of_stream(&mut self) -> Result<Option<Vec<u8>>> {
        if self.is_idle() {
            return Ok(None);
        }
        let message = match self.payload.take() {
            Some(payload) => format!(
                "connection closed after {} of {} payload bytes",
                payload.bytes.len(),
                payload.expected
            ),
            None => format!(
                "connection closed after {} of {HEADER_LEN} frame header bytes",
                self.header_filled
            ),
        };
        self.header_filled = 0;
        Err(IpcError::Communication(message))
    }

    /// Capacity of the payload buffer in progress, for tests of the allocation policy.
    #[cfg(test)]
    pub(crate) fn payload_capacity(&self) -> usize {
        self.payload
            .as_ref()
            .map_or(0, |payload| payload.bytes.capacity())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DEFAULT_MAX_FRAME;
    use proptest::prelude::*;

    fn header(text: &[u8]) -> [u8; HEADER_LEN] {
        let mut header = [0u8; HEADER_LEN];
        header.copy_from_slice(text);
        header
    }

    fn assert_serialization(result: Result<usize>) {
        match result {
            Err(err @ IpcError::Serialization(_)) => assert_eq!(err.code(), 401),
            other => panic!("expected a serialization error, got {other:?}"),
        }
    }

    #[test]
    fn parses_zero_padded_lengths() {
        assert_eq!(
            parse_header(b"0000000027", DEFAULT_MAX_FRAME).ok(),
            Some(27)
        );
        assert_eq!(parse_header(b"0000000001", DEFAULT_MAX_FRAME).ok(), Some(1));
        assert_eq!(
            parse_header(b"2147483647", HARD_MAX_FRAME).ok(),
            Some(HARD_MAX_FRAME)
        );
    }

    #[test]
    fn rejects_nine_or_eleven_digit_headers() {
        // A 9-digit header is followed by '{': the tenth byte is not a digit.
        assert_serialization(parse_header(b"000000027{", DEFAULT_MAX_FRAME));
        // With 11 digits on the wire only the first 10 are the header; an extra leading zero
        // turns a short length into zero, which is refused. (The stream-level test is in
        // `blocking`.)
        assert_serialization(parse_header(
            &header(&b"00000000007"[..10]),
            DEFAULT_MAX_FRAME,
        ));
    }

    #[test]
    fn rejects_non_digits_signs_and_spaces() {
        assert_serialization(parse_header(b"00000000a7", DEFAULT_MAX_FRAME));
        assert_serialization(parse_header(b"+000000001", DEFAULT_MAX_FRAME));
        assert_serialization(parse_header(b"-000000001", DEFAULT_MAX_FRAME));
        assert_serialization(parse_header(b"        27", DEFAULT_MAX_FRAME));
        assert_serialization(parse_header(b"27        ", DEFAULT_MAX_FRAME));
        assert_serialization(parse_header(b"0000\x0000027", DEFAULT_MAX_FRAME));
    }

    #[test]
    fn rejects_zero_length() {
        assert_serialization(parse_header(b"0000000000", DEFAULT_MAX_FRAME));
    }

    #[test]
    fn rejects_lengths_over_the_cap() {
        assert_serialization(parse_header(b"0000000101", 100));
        assert_eq!(parse_header(b"0000000100", 100).ok(), Some(100));
        // 2^31 is refused even when the caller asks for a larger cap.
        assert_serialization(parse_header(b"2147483648", usize::MAX));
        assert_serialization(parse_header(b"9999999999", usize::MAX));
        assert_serialization(parse_header(b"0268435457", DEFAULT_MAX_FRAME));
    }

    #[test]
    fn encodes_header_and_payload_in_one_buffer() {
        let frame = encode_frame(br#"{"id":100,"result":null}"#).ok();
        assert_eq!(
            frame.as_deref(),
            Some(&b"0000000024{\"id\":100,\"result\":null}"[..])
        );
    }

    #[test]
    fn refuses_to_encode_an_empty_payload() {
        assert!(matches!(encode_frame(b""), Err(IpcError::Serialization(_))));
    }

    #[test]
    fn assembly_grows_the_payload_buffer_by_what_arrives() {
        let mut assembly = FrameAssembly::default();
        let NextRead::Header(slot) = assembly.next_read() else {
            panic!("a fresh assembly reads a header first");
        };
        slot.copy_from_slice(b"2000000000");
        assert!(assembly.header_received(HEADER_LEN, HARD_MAX_FRAME).is_ok());
        let NextRead::Payload { chunk, .. } = assembly.next_read() else {
            panic!("after a header comes the payload");
        };
        assert_eq!(chunk, PAYLOAD_CHUNK);
        assert!(assembly.payload_capacity() < 2 * PAYLOAD_CHUNK);
        assert!(matches!(
            assembly.end_of_stream(),
            Err(IpcError::Communication(_))
        ));
        assert!(assembly.is_idle());
    }

    proptest! {
        #[test]
        fn any_header_bytes_parse_or_fail_cleanly(bytes in proptest::array::uniform10(any::<u8>())) {
            let all_digits = bytes.iter().all(u8::is_ascii_digit);
            match parse_header(&bytes, DEFAULT_MAX_FRAME) {
                Ok(length) => {
                    prop_assert!(all_digits);
                    prop_assert!((1..=DEFAULT_MAX_FRAME).contains(&length));
                    let text = String::from_utf8_lossy(&bytes).into_owned();
                    prop_assert_eq!(text.parse::<usize>().ok(), Some(length));
                }
                Err(err) => prop_assert_eq!(err.code(), 401),
            }
        }

        #[test]
        fn encoded_headers_parse_back(length in 1usize..=HARD_MAX_FRAME) {
            let text = format!("{length:010}");
            let header = header(text.as_bytes());
            prop_assert_eq!(parse_header(&header, HARD_MAX_FRAME).ok(), Some(length));
        }
    }
}

/// A buffer for building a frame in place: [`HEADER_LEN`] placeholder bytes
/// to which the payload is appended, then [`finish_frame`] fills the header.
/// This saves copying a large payload into a separate frame buffer.
pub fn frame_buffer(payload_capacity: usize) -> Vec<u8> {
    let mut buf = Vec::with_capacity(HEADER_LEN + payload_capacity);
    buf.extend_from_slice(&[b'0'; HEADER_LEN]);
    buf
}

/// Write the header of a buffer made by [`frame_buffer`] for the payload
/// appended to it. Errors like [`encode_frame`] on an empty or oversized payload.
pub fn finish_frame(buf: &mut [u8]) -> Result<()> {
    let len = buf
        .len()
        .checked_sub(HEADER_LEN)
        .ok_or_else(|| IpcError::Serialization("frame buffer shorter than its header".into()))?;
    if len == 0 || len > HARD_MAX_FRAME {
        return Err(IpcError::Serialization(format!(
            "payload of {len} bytes cannot be framed (1..={HARD_MAX_FRAME})"
        )));
    }
    let header = format!("{len:010}");
    buf[..HEADER_LEN].copy_from_slice(header.as_bytes());
    Ok(())
}

#[cfg(test)]
mod in_place_tests {
    use super::*;

    #[test]
    fn in_place_frame_equals_encoded_frame() {
        let mut buf = frame_buffer(4);
        buf.extend_from_slice(b"{\"a\":1}");
        finish_frame(&mut buf).unwrap();
        assert_eq!(buf, encode_frame(b"{\"a\":1}").unwrap());
        let mut empty = frame_buffer(0);
        assert!(finish_frame(&mut empty).is_err());
        assert!(finish_frame(&mut [b'0'; 3]).is_err());
    }
}
