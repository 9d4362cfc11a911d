//! Frames over a blocking byte stream (`std::os::unix::net::UnixStream` in practice).
//!
//! Reading a small frame costs one `read`: the header is read with up to
//! [`READ_AHEAD`] bytes more, which normally holds the whole payload. Larger payloads are
//! read straight into their buffer. Bytes read past the end of a frame (a peer that sends
//! the next frame before the reply) are kept for the next [`FrameStream::read_frame`];
//! [`FrameStream::into_inner`] and reading through [`FrameStream::get_mut`] do not see them.
//! Writing a frame is one `write`.

use std::io::{ErrorKind, Read, Write};

use crate::frame::{FrameAssembly, NextRead, encode_frame};
use crate::{DEFAULT_MAX_FRAME, HARD_MAX_FRAME, IpcError, Result};

/// How much a header read asks for: the header and the payload of every ordinary request
/// and reply.
pub const READ_AHEAD: usize = 4096;

/// A byte stream that reads and writes LSM frames.
#[derive(Debug)]
pub struct FrameStream<S> {
    stream: S,
    max_frame: usize,
    assembly: FrameAssembly,
    /// The read-ahead buffer, [`READ_AHEAD`] bytes once first used (and never zero-filled
    /// again); bytes read but not yet used are `ahead[ahead_at..ahead_len]`.
    ahead: Vec<u8>,
    ahead_at: usize,
    ahead_len: usize,
}

impl<S: Read + Write> FrameStream<S> {
    /// Wrap `stream`, accepting frames up to [`DEFAULT_MAX_FRAME`] bytes.
    pub fn new(stream: S) -> Self {
        Self::with_max_frame(stream, DEFAULT_MAX_FRAME)
    }

    /// Wrap `stream`, accepting frames up to `max` bytes (clamped to `1..=HARD_MAX_FRAME`).
    pub fn with_max_frame(stream: S, max: usize) -> Self {
        FrameStream {
            stream,
            max_frame: max.clamp(1, HARD_MAX_FRAME),
            assembly: FrameAssembly::default(),
            ahead: Vec::new(),
            ahead_at: 0,
            ahead_len: 0,
        }
    }

    /// The largest payload this stream accepts.
    pub fn max_frame(&self) -> usize {
        self.max_frame
    }

    /// Read the next frame's payload (UTF-8 checked, header stripped).
    ///
    /// `Ok(None)` is a clean end of stream exactly on a frame boundary. End of stream inside a
    /// frame is [`IpcError::Communication`]; a bad header, a length over the cap or a payload that
    /// is not UTF-8 is [`IpcError::Serialization`]; both leave the stream out of sync, so close it.
    /// Short reads are looped over, `EINTR` is retried, and the payload buffer grows as bytes
    /// arrive rather than by the length the header claims.
    ///
    /// If the underlying stream has a read timeout (`UnixStream::set_read_timeout`) and it
    /// expires, the result is [`IpcError::Timeout`] and the bytes read so far are kept: the next
    /// call resumes the same frame.
    pub fn read_frame(&mut self) -> Result<Option<Vec<u8>>> {
        loop {
            match self.assembly.next_read() {
                NextRead::Header(slot) => {
                    if self.ahead_at == self.ahead_len {
                        if self.ahead.is_empty() {
                            self.ahead = vec![0; READ_AHEAD];
                        }
                        self.ahead_at = 0;
                        self.ahead_len = 0;
                        self.ahead_len = read_retrying(&mut self.stream, &mut self.ahead)?;
                    }
                    let ahead = &self.ahead[..self.ahead_len];
                    let taken = take_ahead(ahead, &mut self.ahead_at, slot.len());
                    if taken.is_empty() {
                        return self.assembly.end_of_stream();
                    }
                    slot[..taken.len()].copy_from_slice(taken);
                    self.assembly.header_received(taken.len(), self.max_frame)?;
                }
                NextRead::Payload { bytes, chunk } => {
                    if self.ahead_at < self.ahead_len {
                        let ahead = &self.ahead[..self.ahead_len];
                        bytes.extend_from_slice(take_ahead(ahead, &mut self.ahead_at, chunk));
                    } else {
                        // `take(..).read_to_end` loops over short reads, retries EINTR and
                        // appends into the capacity reserved for this chunk without
                        // zero-filling it.
                        let count = (&mut self.stream)
                            .take(chunk as u64)
                            .read_to_end(bytes)
                            .map_err(read_error)?;
                        if count < chunk {
                            return self.assembly.end_of_stream();
                        }
                    }
                    if let Some(payload) = self.assembly.take_complete()? {
                        return Ok(Some(payload));
                    }
                }
            }
        }
    }

    /// Write one frame (header + payload) with a single `write_all`, then flush.
    ///
    /// A closed peer (`EPIPE`, `ECONNRESET`) or any other I/O error is
    /// [`IpcError::Communication`]; an empty or oversized payload is [`IpcError::Serialization`].
    pub fn write_frame(&mut self, payload: &[u8]) -> Result<()> {
        let frame = encode_frame(payload)?;
        self.stream.write_all(&frame).map_err(write_error)?;
        self.stream.flush().map_err(write_error)
    }

    /// Write a complete frame (header included) built in place with
    /// [`crate::frame_buffer`]/[`crate::finish_frame`] or
    /// [`crate::begin_result_frame`]/[`crate::end_result_frame`].
    pub fn write_encoded_frame(&mut self, frame: &[u8]) -> Result<()> {
        self.stream.write_all(frame).map_err(write_error)?;
        self.stream.flush().map_err(write_error)
    }

    /// The wrapped stream.
    pub fn get_ref(&self) -> &S {
        &self.stream
    }

    /// The wrapped stream, mutably. Reading from it directly while a frame is half read breaks
    /// the framing.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.stream
    }

    /// Unwrap the stream. Bytes of a frame that was only partly read (after a timeout) are lost.
    pub fn into_inner(self) -> S {
        self.stream
    }
}

/// One `read` into `slot`, retrying `EINTR`.
/// Consumes and returns up to `want` bytes of `ahead[*at..]`.
fn take_ahead<'a>(ahead: &'a [u8], at: &mut usize, want: usize) -> &'a [u8] {
    let start = *at;
    *at += want.min(ahead.len() - start);
    &ahead[start..*at]
}

fn read_retrying<S: Read>(stream: &mut S, slot: &mut [u8]) -> Result<usize> {
    loop {
        match stream.read(slot) {
            Ok(count) => return Ok(count),
            Err(err) if err.kind() == ErrorKind::Interrupted => continue,
            Err(err) => return Err(read_error(err)),
        }
    }
}

/// Map a read error: an expired socket read timeout is [`IpcError::Timeout`], anything else is
/// [`IpcError::Communication`].
fn read_error(err: std::io::Error) -> IpcError {
    match err.kind() {
        ErrorKind::WouldBlock | ErrorKind::TimedOut => {
            IpcError::Timeout(format!("timed out waiting for a frame: {err}"))
        }
        _ => IpcError::Communication(format!("failed to read frame: {err}")),
    }
}

fn write_error(err: std::io::Error) -> IpcError {
    IpcError::Communication(format!("failed to write frame: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HEADER_LEN;
    use crate::frame::PAYLOAD_CHUNK;
    use proptest::prelude::*;
    use std::io::Cursor;
    use std::os::unix::net::UnixStream;
    use std::time::Duration;

    /// A read-only stream that hands out at most `step` bytes per `read`, with an `EINTR` before
    /// every real read when `interrupt` is set. Writes are discarded.
    struct TricklingReader {
        data: Vec<u8>,
        position: usize,
        step: usize,
        interrupt: bool,
        interrupt_next: bool,
        largest_read_request: usize,
        reads: usize,
    }

    impl TricklingReader {
        fn new(data: &[u8], step: usize) -> Self {
            TricklingReader {
                data: data.to_vec(),
                position: 0,
                step,
                interrupt: false,
                interrupt_next: false,
                largest_read_request: 0,
                reads: 0,
            }
        }
    }

    impl Read for TricklingReader {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.largest_read_request = self.largest_read_request.max(buf.len());
            self.reads += 1;
            if self.interrupt {
                self.interrupt_next = !self.interrupt_next;
                if self.interrupt_next {
                    return Err(std::io::Error::from(ErrorKind::Interrupted));
                }
            }
            let count = buf
                .len()
                .min(self.step)
                .min(self.data.len() - self.position);
            buf[..count].copy_from_slice(&self.data[self.position..self.position + count]);
            self.position += count;
            Ok(count)
        }
    }

    impl Write for TricklingReader {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// An in-memory duplex: reads from `input`, writes into `output`.
    struct MemoryStream {
        input: Cursor<Vec<u8>>,
        output: Vec<u8>,
    }

    impl MemoryStream {
        fn reading(input: &[u8]) -> Self {
            MemoryStream {
                input: Cursor::new(input.to_vec()),
                output: Vec::new(),
            }
        }
    }

    impl Read for MemoryStream {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.input.read(buf)
        }
    }

    impl Write for MemoryStream {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.output.write(buf)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn frames(payloads: &[&[u8]]) -> Vec<u8> {
        let mut bytes = Vec::new();
        for payload in payloads {
            bytes.extend(encode_frame(payload).unwrap());
        }
        bytes
    }

    /// Read frames until `None` or an error; returns the frames and the final outcome.
    fn read_all<S: Read + Write>(
        stream: &mut FrameStream<S>,
    ) -> (Vec<Vec<u8>>, Result<Option<Vec<u8>>>) {
        let mut payloads = Vec::new();
        loop {
            match stream.read_frame() {
                Ok(Some(payload)) => payloads.push(payload),
                other => return (payloads, other),
            }
        }
    }

    #[test]
    fn round_trips_frames_through_a_unix_socket() {
        let (left, right) = UnixStream::pair().unwrap();
        let mut writer = FrameStream::new(left);
        let mut reader = FrameStream::new(right);
        writer.write_frame(br#"{"id":100,"result":null}"#).unwrap();
        writer.write_frame("{\"name\":\"卷\"}".as_bytes()).unwrap();
        assert_eq!(
            reader.read_frame().unwrap().as_deref(),
            Some(&br#"{"id":100,"result":null}"#[..])
        );
        assert_eq!(
            reader.read_frame().unwrap().as_deref(),
            Some("{\"name\":\"卷\"}".as_bytes())
        );
        drop(writer);
        assert_eq!(reader.read_frame().unwrap(), None);
    }

    #[test]
    fn a_small_frame_is_one_read_and_read_ahead_bytes_start_the_next_frame() {
        // Two frames arriving together (a peer that does not wait for the reply).
        let input = frames(&[br#"{"method":"systems"}"#, b"[1]"]);
        let mut stream = FrameStream::new(TricklingReader::new(&input, usize::MAX));
        assert_eq!(
            stream.read_frame().unwrap().as_deref(),
            Some(&br#"{"method":"systems"}"#[..])
        );
        assert_eq!(stream.get_ref().reads, 1);
        assert_eq!(stream.read_frame().unwrap().as_deref(), Some(&b"[1]"[..]));
        assert_eq!(
            stream.get_ref().reads,
            1,
            "the second frame was already read"
        );
        assert!(matches!(stream.read_frame(), Ok(None)));
    }

    #[test]
    fn a_frame_larger_than_the_read_ahead_continues_straight_into_its_buffer() {
        let big = vec![b'y'; 3 * READ_AHEAD + 5];
        let input = frames(&[&big, b"{}"]);
        let mut stream = FrameStream::new(TricklingReader::new(&input, usize::MAX));
        assert_eq!(stream.read_frame().unwrap().unwrap(), big);
        assert_eq!(stream.read_frame().unwrap().as_deref(), Some(&b"{}"[..]));
        assert!(matches!(stream.read_frame(), Ok(None)));
    }

    #[test]
    fn writes_header_and_payload() {
        let mut stream = FrameStream::new(MemoryStream::reading(b""));
        stream.write_frame(b"{}").unwrap();
        assert_eq!(stream.get_ref().output, b"0000000002{}");
    }

    #[test]
    fn reads_a_frame_delivered_one_byte_at_a_time() {
        let input = frames(&[br#"{"method":"systems"}"#, b"[1]"]);
        let mut stream = FrameStream::new(TricklingReader::new(&input, 1));
        let (payloads, end) = read_all(&mut stream);
        assert_eq!(
            payloads,
            vec![br#"{"method":"systems"}"#.to_vec(), b"[1]".to_vec()]
        );
        assert!(matches!(end, Ok(None)));
    }

    #[test]
    fn retries_interrupted_reads() {
        let input = frames(&[b"{\"a\":1}"]);
        let mut reader = TricklingReader::new(&input, 3);
        reader.interrupt = true;
        let mut stream = FrameStream::new(reader);
        assert_eq!(
            stream.read_frame().unwrap().as_deref(),
            Some(&b"{\"a\":1}"[..])
        );
        assert_eq!(stream.read_frame().unwrap(), None);
    }

    #[test]
    fn end_of_stream_on_a_boundary_is_none() {
        let mut stream = FrameStream::new(MemoryStream::reading(b""));
        assert_eq!(stream.read_frame().unwrap(), None);
        // And stays so.
        assert_eq!(stream.read_frame().unwrap(), None);
    }

    #[test]
    fn end_of_stream_inside_the_header_is_a_communication_error() {
        let mut stream = FrameStream::new(MemoryStream::reading(b"00000"));
        let err = stream.read_frame().unwrap_err();
        assert_eq!(err.code(), 400, "{err}");
        assert!(err.to_string().contains("5 of 10"), "{err}");
    }

    #[test]
    fn end_of_stream_inside_the_payload_is_a_communication_error() {
        let mut stream = FrameStream::new(MemoryStream::reading(b"0000000010{\"id\":"));
        let err = stream.read_frame().unwrap_err();
        assert_eq!(err.code(), 400, "{err}");
        assert!(err.to_string().contains("6 of 10"), "{err}");
    }

    #[test]
    fn invalid_utf8_payload_is_a_serialization_error() {
        let mut stream = FrameStream::new(MemoryStream::reading(b"0000000003\"\xff\""));
        assert_eq!(stream.read_frame().unwrap_err().code(), 401);
    }

    #[test]
    fn malformed_and_oversized_headers_are_serialization_errors() {
        let inputs = [
            &b"00000000x1{}"[..],
            b"0000000000",
            b"+000000001x",
            b"2147483648",
            // 9 and 11 digit headers
            b"000000007{\"a\":1}",
            b"00000000007{\"a\":1}",
        ];
        for input in inputs {
            let mut stream = FrameStream::new(MemoryStream::reading(input));
            assert_eq!(stream.read_frame().unwrap_err().code(), 401, "{input:?}");
        }
        let mut capped = FrameStream::with_max_frame(MemoryStream::reading(b"0000000005{}{}{"), 4);
        assert_eq!(capped.read_frame().unwrap_err().code(), 401);
    }

    #[test]
    fn max_frame_is_clamped() {
        let stream = FrameStream::with_max_frame(MemoryStream::reading(b""), usize::MAX);
        assert_eq!(stream.max_frame(), HARD_MAX_FRAME);
        let stream = FrameStream::with_max_frame(MemoryStream::reading(b""), 0);
        assert_eq!(stream.max_frame(), 1);
        assert_eq!(
            FrameStream::new(MemoryStream::reading(b"")).max_frame(),
            DEFAULT_MAX_FRAME
        );
    }

    #[test]
    fn huge_claimed_length_then_eof_does_not_allocate_it() {
        let mut input = b"2000000000".to_vec();
        input.extend_from_slice(b"{\"partial\":");
        let mut stream =
            FrameStream::with_max_frame(TricklingReader::new(&input, 4096), HARD_MAX_FRAME);
        let err = stream.read_frame().unwrap_err();
        assert_eq!(err.code(), 400, "{err}");
        // The reader was never asked to fill more than one growth chunk at once.
        assert!(stream.get_ref().largest_read_request <= PAYLOAD_CHUNK);
    }

    #[test]
    fn large_frames_grow_the_buffer_in_chunks() {
        let payload = vec![b'x'; 5 * PAYLOAD_CHUNK + 17];
        let input = frames(&[&payload]);
        let mut stream = FrameStream::new(TricklingReader::new(&input, usize::MAX));
        let read = stream.read_frame().unwrap().unwrap();
        assert_eq!(read.len(), payload.len());
        assert_eq!(read.capacity(), payload.len());
        assert!(stream.get_ref().largest_read_request <= 4 * PAYLOAD_CHUNK);
    }

    #[test]
    fn writing_to_a_closed_peer_is_a_communication_error() {
        let (left, right) = UnixStream::pair().unwrap();
        drop(right);
        let mut stream = FrameStream::new(left);
        let err = stream.write_frame(b"{}").unwrap_err();
        assert_eq!(err.code(), 400, "{err}");
    }

    #[test]
    fn read_timeout_is_resumable() {
        let (left, right) = UnixStream::pair().unwrap();
        right
            .set_read_timeout(Some(Duration::from_millis(20)))
            .unwrap();
        let mut writer = left;
        let mut reader = FrameStream::new(right);

        let err = reader.read_frame().unwrap_err();
        assert_eq!(err.code(), 11, "{err}");

        writer.write_all(b"0000000008{\"a\"").unwrap();
        let err = reader.read_frame().unwrap_err();
        assert_eq!(err.code(), 11, "{err}");

        writer.write_all(b":12}").unwrap();
        assert_eq!(
            reader.read_frame().unwrap().as_deref(),
            Some(&b"{\"a\":12}"[..])
        );
    }

    #[test]
    fn into_inner_returns_the_stream() {
        let stream = FrameStream::new(MemoryStream::reading(b"abc"));
        let mut inner = stream.into_inner();
        let mut rest = String::new();
        inner.read_to_string(&mut rest).unwrap();
        assert_eq!(rest, "abc");
    }

    proptest! {
        #[test]
        fn arbitrary_input_never_panics(input in proptest::collection::vec(any::<u8>(), 0..256)) {
            let mut from_cursor = FrameStream::new(MemoryStream::reading(&input));
            let (cursor_frames, cursor_end) = read_all(&mut from_cursor);
            let mut trickled = FrameStream::new(TricklingReader::new(&input, 1));
            let (trickled_frames, trickled_end) = read_all(&mut trickled);
            prop_assert_eq!(&cursor_frames, &trickled_frames);
            prop_assert_eq!(
                cursor_end.map_err(|err| err.code()),
                trickled_end.map_err(|err| err.code())
            );
        }

        #[test]
        fn headers_with_arbitrary_tails_never_panic(
            length in 1usize..64,
            tail in proptest::collection::vec(any::<u8>(), 0..80),
        ) {
            let mut input = format!("{length:010}").into_bytes();
            input.extend(tail);
            let mut stream = FrameStream::new(TricklingReader::new(&input, 1));
            let _ = read_all(&mut stream);
        }

        #[test]
        fn utf8_payloads_round_trip(payloads in proptest::collection::vec(".{1,64}", 1..4)) {
            let mut stream = FrameStream::new(MemoryStream::reading(b""));
            for payload in &payloads {
                stream.write_frame(payload.as_bytes()).unwrap();
            }
            let written = std::mem::take(&mut stream.get_mut().output);
            let mut reader = FrameStream::new(TricklingReader::new(&written, 7));
            let (read, end) = read_all(&mut reader);
            let expected: Vec<Vec<u8>> = payloads.iter().map(|p| p.as_bytes().to_vec()).collect();
            prop_assert_eq!(read, expected);
            prop_assert!(matches!(end, Ok(None)));
        }
    }

    #[test]
    fn header_len_constant_matches_the_format() {
        assert_eq!(encode_frame(b"x").unwrap().len(), HEADER_LEN + 1);
    }
}
