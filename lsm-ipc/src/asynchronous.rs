//! Frames over a tokio byte stream (`tokio::net::UnixStream` in practice).
//!
//! [`AsyncFrameStream::read_frame`] is cancel-safe: the bytes of a partly read frame live in the
//! stream object, so dropping the future (in `tokio::select!` or on a timeout) loses nothing and
//! the next call resumes the same frame. [`AsyncFrameStream::read_frame_timeout`] builds on that.
//! Writing is not cancel-safe: a cancelled [`AsyncFrameStream::write_frame`] may leave half a
//! frame on the wire.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::frame::{FrameAssembly, NextRead, encode_frame};
use crate::{DEFAULT_MAX_FRAME, HARD_MAX_FRAME, IpcError, Result};

/// An async byte stream that reads and writes LSM frames.
#[derive(Debug)]
pub struct AsyncFrameStream<S> {
    stream: S,
    max_frame: usize,
    assembly: FrameAssembly,
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncFrameStream<S> {
    /// Wrap `stream`, accepting frames up to [`DEFAULT_MAX_FRAME`] bytes.
    pub fn new(stream: S) -> Self {
        Self::with_max_frame(stream, DEFAULT_MAX_FRAME)
    }

    /// Wrap `stream`, accepting frames up to `max` bytes (clamped to `1..=HARD_MAX_FRAME`).
    pub fn with_max_frame(stream: S, max: usize) -> Self {
        AsyncFrameStream {
            stream,
            max_frame: max.clamp(1, HARD_MAX_FRAME),
            assembly: FrameAssembly::default(),
        }
    }

    /// The largest payload this stream accepts.
    pub fn max_frame(&self) -> usize {
        self.max_frame
    }

    /// Read the next frame's payload (UTF-8 checked, header stripped). Cancel-safe.
    ///
    /// `Ok(None)` is a clean end of stream exactly on a frame boundary. End of stream inside a
    /// frame is [`IpcError::Communication`]; a bad header, a length over the cap or a payload that
    /// is not UTF-8 is [`IpcError::Serialization`]; both leave the stream out of sync, so close it.
    /// The payload buffer grows as bytes arrive rather than by the length the header claims.
    pub async fn read_frame(&mut self) -> Result<Option<Vec<u8>>> {
        loop {
            match self.assembly.next_read() {
                NextRead::Header(slot) => {
                    let count = self.stream.read(slot).await.map_err(read_error)?;
                    if count == 0 {
                        return self.assembly.end_of_stream();
                    }
                    self.assembly.header_received(count, self.max_frame)?;
                }
                NextRead::Payload { bytes, chunk } => {
                    // One read into the capacity reserved for this chunk; `read_buf` appends
                    // without zero-filling and is cancel-safe.
                    let count = (&mut self.stream)
                        .take(chunk as u64)
                        .read_buf(bytes)
                        .await
                        .map_err(read_error)?;
                    if count == 0 {
                        return self.assembly.end_of_stream();
                    }
                    if let Some(payload) = self.assembly.take_complete()? {
                        return Ok(Some(payload));
                    }
                }
            }
        }
    }

    /// [`Self::read_frame`], giving up with [`IpcError::Timeout`] (LSM code 11) when no complete
    /// frame arrived within `timeout`. A frame that was partly read when the time ran out is
    /// kept and finished by the next read.
    pub async fn read_frame_timeout(&mut self, timeout: Duration) -> Result<Option<Vec<u8>>> {
        match tokio::time::timeout(timeout, self.read_frame()).await {
            Ok(outcome) => outcome,
            Err(_) => Err(IpcError::Timeout(format!(
                "no frame received within {} ms",
                timeout.as_millis()
            ))),
        }
    }

    /// Write one frame (header + payload) with a single `write_all`, then flush.
    ///
    /// A closed peer or any other I/O error is [`IpcError::Communication`]; an empty or
    /// oversized payload is [`IpcError::Serialization`].
    pub async fn write_frame(&mut self, payload: &[u8]) -> Result<()> {
        let frame = encode_frame(payload)?;
        self.stream.write_all(&frame).await.map_err(write_error)?;
        self.stream.flush().await.map_err(write_error)
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

    /// Unwrap the stream. Bytes of a frame that was only partly read are lost.
    pub fn into_inner(self) -> S {
        self.stream
    }
}

fn read_error(err: std::io::Error) -> IpcError {
    IpcError::Communication(format!("failed to read frame: {err}"))
}

fn write_error(err: std::io::Error) -> IpcError {
    IpcError::Communication(format!("failed to write frame: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::duplex;
    use tokio::net::UnixStream;

    #[tokio::test]
    async fn round_trips_frames_over_a_unix_socket_pair() {
        let (left, right) = UnixStream::pair().unwrap();
        let mut client = AsyncFrameStream::new(left);
        let mut plugin = AsyncFrameStream::new(right);
        client
            .write_frame(br#"{"method":"systems","id":100,"params":{"flags":0}}"#)
            .await
            .unwrap();
        let request = plugin.read_frame().await.unwrap();
        assert_eq!(
            request.as_deref(),
            Some(&br#"{"method":"systems","id":100,"params":{"flags":0}}"#[..])
        );
        plugin
            .write_frame(br#"{"id":100,"result":[]}"#)
            .await
            .unwrap();
        assert_eq!(
            client.read_frame().await.unwrap().as_deref(),
            Some(&br#"{"id":100,"result":[]}"#[..])
        );
        drop(client);
        assert_eq!(plugin.read_frame().await.unwrap(), None);
    }

    #[tokio::test]
    async fn reads_frames_through_a_one_byte_pipe() {
        let (writer_end, reader_end) = duplex(1);
        let writer = tokio::spawn(async move {
            let mut writer = AsyncFrameStream::new(writer_end);
            writer.write_frame(b"{\"a\":1}").await.unwrap();
            writer.write_frame("[\"é\"]".as_bytes()).await.unwrap();
        });
        let mut reader = AsyncFrameStream::new(reader_end);
        assert_eq!(
            reader.read_frame().await.unwrap().as_deref(),
            Some(&b"{\"a\":1}"[..])
        );
        assert_eq!(
            reader.read_frame().await.unwrap().as_deref(),
            Some("[\"é\"]".as_bytes())
        );
        writer.await.unwrap();
        assert_eq!(reader.read_frame().await.unwrap(), None);
    }

    #[tokio::test]
    async fn end_of_stream_inside_a_frame_is_a_communication_error() {
        for partial in [&b"000000"[..], b"0000000009{\"a\":"] {
            let (mut writer, reader) = duplex(64);
            writer.write_all(partial).await.unwrap();
            drop(writer);
            let mut reader = AsyncFrameStream::new(reader);
            assert_eq!(reader.read_frame().await.unwrap_err().code(), 400);
        }
    }

    #[tokio::test]
    async fn bad_header_and_bad_utf8_are_serialization_errors() {
        for input in [&b"00000000x1{}"[..], b"0000000000", b"0000000002\xff\xfe"] {
            let (mut writer, reader) = duplex(64);
            writer.write_all(input).await.unwrap();
            let mut reader = AsyncFrameStream::new(reader);
            assert_eq!(
                reader.read_frame().await.unwrap_err().code(),
                401,
                "{input:?}"
            );
        }
        let (mut writer, reader) = duplex(64);
        writer.write_all(b"0000000005{}{}{").await.unwrap();
        let mut capped = AsyncFrameStream::with_max_frame(reader, 4);
        assert_eq!(capped.read_frame().await.unwrap_err().code(), 401);
    }

    #[tokio::test]
    async fn huge_claimed_length_then_eof_fails_without_allocating_it() {
        let (mut writer, reader) = duplex(1024);
        writer.write_all(b"2000000000{\"x\":1").await.unwrap();
        drop(writer);
        let mut reader = AsyncFrameStream::with_max_frame(reader, HARD_MAX_FRAME);
        let err = reader.read_frame().await.unwrap_err();
        assert_eq!(err.code(), 400, "{err}");
        assert!(err.to_string().contains("6 of 2000000000"), "{err}");
    }

    #[tokio::test]
    async fn timeout_is_code_11_and_the_frame_resumes() {
        let (mut writer, reader) = duplex(64);
        let mut reader = AsyncFrameStream::new(reader);
        let err = reader
            .read_frame_timeout(Duration::from_millis(10))
            .await
            .unwrap_err();
        assert_eq!(err.code(), 11, "{err}");

        writer.write_all(b"0000000008{\"a").await.unwrap();
        let err = reader
            .read_frame_timeout(Duration::from_millis(10))
            .await
            .unwrap_err();
        assert_eq!(err.code(), 11, "{err}");

        writer.write_all(b"\":12}").await.unwrap();
        let payload = reader
            .read_frame_timeout(Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(payload.as_deref(), Some(&b"{\"a\":12}"[..]));
    }

    #[tokio::test]
    async fn writing_to_a_closed_peer_is_a_communication_error() {
        let (left, right) = UnixStream::pair().unwrap();
        drop(right);
        let mut stream = AsyncFrameStream::new(left);
        assert_eq!(stream.write_frame(b"{}").await.unwrap_err().code(), 400);
    }

    #[tokio::test]
    async fn large_frame_round_trips() {
        let (left, right) = UnixStream::pair().unwrap();
        let payload = vec![b'7'; 3 * 1024 * 1024 + 5];
        let expected = payload.clone();
        let writer = tokio::spawn(async move {
            let mut writer = AsyncFrameStream::new(left);
            writer.write_frame(&payload).await.unwrap();
            writer
        });
        let mut reader = AsyncFrameStream::new(right);
        let read = reader.read_frame().await.unwrap().unwrap();
        assert_eq!(read.len(), expected.len());
        assert!(read == expected);
        let writer = writer.await.unwrap();
        assert_eq!(writer.max_frame(), DEFAULT_MAX_FRAME);
        let _inner: UnixStream = writer.into_inner();
    }
}
