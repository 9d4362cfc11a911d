//! [`ScriptedStream`]: an in-memory byte stream for code that reads frames from a socket.

use std::io::{self, Read, Write};

/// The most a component under test may write before writes fail (a plugin answering a
/// listing of everything is far below this).
pub const WRITE_LIMIT: usize = 64 * 1024 * 1024;

/// Reads come from `input`; each read returns at most the next of `chunks` bytes (cycling,
/// 0 meaning "as much as asked"), so short reads land anywhere in a frame. Writes are kept
/// in [`ScriptedStream::written`], up to [`WRITE_LIMIT`].
#[derive(Debug, Default)]
pub struct ScriptedStream {
    input: Vec<u8>,
    at: usize,
    chunks: Vec<usize>,
    reads: usize,
    written: Vec<u8>,
}

impl ScriptedStream {
    /// A stream whose reader sees `input`, in reads as large as asked for.
    pub fn new(input: Vec<u8>) -> Self {
        ScriptedStream {
            input,
            ..Default::default()
        }
    }

    /// The same, with reads cut to the sizes of `chunks` in turn.
    pub fn with_chunks(input: Vec<u8>, chunks: Vec<usize>) -> Self {
        ScriptedStream {
            input,
            chunks,
            ..Default::default()
        }
    }

    /// Everything written so far.
    pub fn written(&self) -> &[u8] {
        &self.written
    }
}

impl Read for ScriptedStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = &self.input[self.at..];
        let mut count = buf.len().min(left.len());
        if !self.chunks.is_empty() {
            let chunk = self.chunks[self.reads % self.chunks.len()];
            self.reads += 1;
            if chunk > 0 {
                count = count.min(chunk);
            }
        }
        buf[..count].copy_from_slice(&left[..count]);
        self.at += count;
        Ok(count)
    }
}

impl Write for ScriptedStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.written.len() + buf.len() > WRITE_LIMIT {
            return Err(io::Error::new(
                io::ErrorKind::WriteZero,
                "the component wrote more than the fuzz harness keeps",
            ));
        }
        self.written.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The async reader sees the same bytes in the same chunks; it never waits.
impl tokio::io::AsyncRead for ScriptedStream {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<io::Result<()>> {
        let this = self.get_mut();
        let count = this.read(buf.initialize_unfilled())?;
        buf.advance(count);
        std::task::Poll::Ready(Ok(()))
    }
}

impl tokio::io::AsyncWrite for ScriptedStream {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<io::Result<usize>> {
        std::task::Poll::Ready(self.get_mut().write(buf))
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}

/// Runs a future that never waits (it reads a [`ScriptedStream`]) to its end.
pub fn finish_now<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut context) {
        std::task::Poll::Ready(output) => output,
        std::task::Poll::Pending => panic!("a read of an in-memory stream waited"),
    }
}
