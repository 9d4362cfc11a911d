//! A Unix stream socket that consumes what it read only once it has written its answer.
//!
//! # Why
//!
//! When a reader takes bytes off an `AF_UNIX` stream socket, Linux tells the writer's socket
//! that it has room again, and that wakes every task sleeping on the writer's socket: a task
//! blocked in `recv` on it is woken too, although nothing arrived for it. In a request/reply
//! exchange the peer that sent the request is exactly such a task: it sleeps waiting for the
//! reply. Reading the request at once wakes it for nothing; it runs, finds no reply, sleeps
//! again, and is woken a second time when the reply comes. On a host whose idle CPUs halt,
//! each of those wake-ups costs microseconds: measured through `Client` to the sim plugin,
//! the client slept twice per call instead of once.
//!
//! [`PeekingStream`] reads the first bytes of each message with `MSG_PEEK`, so they stay in
//! the socket, and consumes them at the next [`Write::flush`], after its answer has been
//! written: the peer's spurious wake-up then comes with the reply's own. Both sides of a
//! session can use it; the frame layer above ([`crate::FrameStream`]) flushes after every
//! frame, which is what marks the end of a message here.
//!
//! # Rules
//!
//! - Only the first read after a flush (or after [`PeekingStream::new`]) peeks. A message
//!   longer than that read (a large frame) is consumed before the next read, which is then a
//!   plain one, so a writer blocked on a full socket is never kept waiting.
//! - Peeked bytes are also consumed when the stream is dropped: a socket closed
//!   with unread bytes makes its peer see `ECONNRESET` instead of a clean end of stream.

use std::io::{self, ErrorKind, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;

/// A [`UnixStream`] whose reads peek and whose flushes consume what was peeked (see the
/// module docs).
#[derive(Debug)]
pub struct PeekingStream {
    socket: UnixStream,
    /// Bytes returned by the last peek and still queued in the socket.
    unconsumed: usize,
    /// The next read starts a message: peek it.
    peek_next: bool,
}

impl PeekingStream {
    /// Wrap a connected stream socket.
    pub fn new(socket: UnixStream) -> Self {
        PeekingStream {
            socket,
            unconsumed: 0,
            peek_next: true,
        }
    }

    /// The socket, e.g. to set its timeouts. Reading from it directly breaks the accounting of
    /// peeked bytes.
    pub fn get_ref(&self) -> &UnixStream {
        &self.socket
    }

    /// Bytes read with `MSG_PEEK` that are still queued in the socket.
    pub fn unconsumed(&self) -> usize {
        self.unconsumed
    }

    /// Take the peeked bytes off the socket. They are queued already, so this never waits
    /// (`MSG_DONTWAIT`); should they be gone (another holder of the descriptor read them),
    /// there is nothing left to do.
    fn consume_peeked(&mut self) -> io::Result<()> {
        let mut scratch = [0u8; 4096];
        while self.unconsumed > 0 {
            let want = self.unconsumed.min(scratch.len());
            match recv(&self.socket, &mut scratch[..want], libc::MSG_DONTWAIT) {
                Ok(0) => break,
                Ok(count) => self.unconsumed -= count,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) => return Err(e),
            }
        }
        self.unconsumed = 0;
        Ok(())
    }
}

fn recv(socket: &UnixStream, buf: &mut [u8], flags: libc::c_int) -> io::Result<usize> {
    // SAFETY: `buf` is valid for writes of `buf.len()` bytes for the whole call, and the fd is
    // owned by `socket`, which outlives the call.
    let count = unsafe {
        libc::recv(
            socket.as_raw_fd(),
            buf.as_mut_ptr().cast(),
            buf.len(),
            flags,
        )
    };
    if count < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(count as usize)
    }
}

impl Read for PeekingStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.unconsumed > 0 {
            // The message goes on past the first read: stop holding it in the socket.
            self.consume_peeked()?;
        } else if self.peek_next && !buf.is_empty() {
            let count = recv(&self.socket, buf, libc::MSG_PEEK)?;
            self.peek_next = false;
            self.unconsumed = count;
            return Ok(count);
        }
        (&self.socket).read(buf)
    }
}

impl Write for PeekingStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (&self.socket).write(buf)
    }

    /// The answer is out: consume the message it answers, and peek the next one.
    fn flush(&mut self) -> io::Result<()> {
        self.consume_peeked()?;
        self.peek_next = true;
        Ok(())
    }
}

impl Drop for PeekingStream {
    fn drop(&mut self) {
        let _ = self.consume_peeked();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FrameStream;
    use std::time::Duration;

    /// Bytes queued for reading in `socket` (`FIONREAD`).
    fn queued(socket: &UnixStream) -> usize {
        let mut count: libc::c_int = 0;
        // SAFETY: FIONREAD writes one int through the pointer, which is valid.
        let rc = unsafe { libc::ioctl(socket.as_raw_fd(), libc::FIONREAD, &mut count) };
        assert_eq!(rc, 0, "FIONREAD: {}", io::Error::last_os_error());
        count as usize
    }

    fn frame_of(payload: &[u8]) -> Vec<u8> {
        crate::encode_frame(payload).unwrap()
    }

    #[test]
    fn a_request_stays_queued_until_the_reply_is_written() {
        let (client, plugin) = UnixStream::pair().unwrap();
        let mut client = FrameStream::new(client);
        let mut plugin = FrameStream::new(PeekingStream::new(plugin));

        client.write_frame(br#"{"method":"systems"}"#).unwrap();
        let request = plugin.read_frame().unwrap().unwrap();
        assert_eq!(request, br#"{"method":"systems"}"#);
        let frame_len = frame_of(&request).len();
        assert_eq!(queued(plugin.get_ref().get_ref()), frame_len);
        assert_eq!(plugin.get_ref().unconsumed(), frame_len);

        plugin.write_frame(br#"{"result":[]}"#).unwrap();
        assert_eq!(queued(plugin.get_ref().get_ref()), 0);
        assert_eq!(plugin.get_ref().unconsumed(), 0);
        assert_eq!(client.read_frame().unwrap().unwrap(), br#"{"result":[]}"#);
    }

    #[test]
    fn frames_larger_than_the_socket_buffer_pass_both_ways() {
        let (a, b) = UnixStream::pair().unwrap();
        let big: Vec<u8> = (0..3_000_000u32).map(|i| b'a' + (i % 26) as u8).collect();
        let expected = big.clone();
        let peer = std::thread::spawn(move || {
            let mut b = FrameStream::new(PeekingStream::new(b));
            let got = b.read_frame().unwrap().unwrap();
            assert_eq!(got.len(), expected.len());
            assert!(got == expected);
            b.write_frame(&got).unwrap();
            // The next message is small again: peeked, and held until the answer.
            let small = b.read_frame().unwrap().unwrap();
            assert_eq!(small, b"small");
            assert_eq!(b.get_ref().unconsumed(), frame_of(b"small").len());
            b.write_frame(b"done").unwrap();
            assert_eq!(b.get_ref().unconsumed(), 0);
        });
        let mut a = FrameStream::new(PeekingStream::new(a));
        a.write_frame(&big).unwrap();
        let echoed = a.read_frame().unwrap().unwrap();
        assert!(echoed == big);
        a.write_frame(b"small").unwrap();
        assert_eq!(a.read_frame().unwrap().unwrap(), b"done");
        peer.join().unwrap();
    }

    #[test]
    fn frames_sent_back_to_back_are_all_read_once() {
        let (a, b) = UnixStream::pair().unwrap();
        let mut writer = FrameStream::new(a);
        for payload in [&b"one"[..], b"two", b"three"] {
            writer.write_frame(payload).unwrap();
        }
        let mut reader = FrameStream::new(PeekingStream::new(b));
        assert_eq!(reader.read_frame().unwrap().unwrap(), b"one");
        reader.write_frame(b"1").unwrap();
        assert_eq!(queued(reader.get_ref().get_ref()), 0);
        assert_eq!(reader.read_frame().unwrap().unwrap(), b"two");
        reader.write_frame(b"2").unwrap();
        assert_eq!(reader.read_frame().unwrap().unwrap(), b"three");
        writer.write_frame(b"four").unwrap();
        reader.write_frame(b"3").unwrap();
        assert_eq!(reader.read_frame().unwrap().unwrap(), b"four");
        reader.write_frame(b"4").unwrap();
        for reply in [&b"1"[..], b"2", b"3", b"4"] {
            assert_eq!(writer.read_frame().unwrap().unwrap(), reply);
        }
        drop(writer);
        assert!(reader.read_frame().unwrap().is_none());
    }

    #[test]
    fn dropping_with_a_peeked_reply_gives_the_peer_a_clean_end_of_stream() {
        let (client, plugin) = UnixStream::pair().unwrap();
        let mut client = FrameStream::new(PeekingStream::new(client));
        let mut plugin = FrameStream::new(plugin);
        client.write_frame(b"bye").unwrap();
        assert_eq!(plugin.read_frame().unwrap().unwrap(), b"bye");
        plugin.write_frame(b"ok").unwrap();
        assert_eq!(client.read_frame().unwrap().unwrap(), b"ok");
        assert!(client.get_ref().unconsumed() > 0);
        drop(client);
        // Unread bytes at close would be ECONNRESET here.
        assert!(plugin.read_frame().unwrap().is_none());
    }

    #[test]
    fn a_timeout_mid_frame_resumes_with_the_same_frame() {
        let (mut a, b) = UnixStream::pair().unwrap();
        b.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
        let mut b = FrameStream::new(PeekingStream::new(b));
        let frame = frame_of(b"0123456789abcdef");
        a.write_all(&frame[..14]).unwrap();
        assert!(matches!(b.read_frame(), Err(crate::IpcError::Timeout(_))));
        a.write_all(&frame[14..]).unwrap();
        assert_eq!(b.read_frame().unwrap().unwrap(), b"0123456789abcdef");
        assert!(matches!(b.read_frame(), Err(crate::IpcError::Timeout(_))));
        assert_eq!(queued(b.get_ref().get_ref()), 0);
    }
}
