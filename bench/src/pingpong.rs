//! A bare request/reply ping-pong on a Unix socketpair: the baseline of every round trip.
//! The peer answers each request frame with a fixed reply frame of the real call's sizes,
//! from a forked process (like a plugin) or a thread; [`pin`] places either end on a CPU.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

/// A bare ping-pong peer on a Unix socketpair, answering every request
/// frame with a fixed reply frame of the real call's sizes. `process`: the
/// peer is a forked process (like a plugin) instead of a thread of this
/// process.
pub struct BarePeer {
    socket: UnixStream,
    request: Vec<u8>,
    reply_buf: Vec<u8>,
    thread: Option<std::thread::JoinHandle<()>>,
    child_pid: libc::pid_t,
}

impl BarePeer {
    pub fn start(request: &[u8], reply: &[u8], process: bool, cpu: Option<usize>) -> BarePeer {
        let (a, mut b) = UnixStream::pair().expect("pair");
        let mut req_buf = vec![0u8; request.len()];
        let reply_copy = reply.to_vec();
        // Serve until the other end closes.
        let serve = move |b: &mut UnixStream, buf: &mut [u8]| {
            while b.read_exact(buf).is_ok() && b.write_all(&reply_copy).is_ok() {}
        };
        let mut peer = BarePeer {
            socket: a,
            request: request.to_vec(),
            reply_buf: vec![0u8; reply.len()],
            thread: None,
            child_pid: 0,
        };
        if process {
            // SAFETY: the child only reads and writes the socket with buffers
            // allocated before the fork, then leaves with _exit.
            let pid = unsafe { libc::fork() };
            assert!(pid >= 0, "fork failed");
            if pid == 0 {
                // Our copy of the other end would keep the peer from ever seeing
                // end of stream.
                drop(peer);
                pin(0, cpu);
                serve(&mut b, &mut req_buf);
                unsafe { libc::_exit(0) };
            }
            peer.child_pid = pid;
        } else {
            peer.thread = Some(std::thread::spawn(move || {
                pin(0, cpu);
                serve(&mut b, &mut req_buf)
            }));
        }
        peer
    }

    pub fn round(&mut self) -> Duration {
        let t = Instant::now();
        self.socket.write_all(&self.request).expect("write");
        self.socket.read_exact(&mut self.reply_buf).expect("read");
        t.elapsed()
    }

    pub fn stop(self) {
        let BarePeer {
            socket,
            thread,
            child_pid,
            ..
        } = self;
        drop(socket);
        if let Some(t) = thread {
            t.join().expect("peer thread");
        }
        if child_pid > 0 {
            // SAFETY: reaping our own child.
            unsafe { libc::waitpid(child_pid, std::ptr::null_mut(), 0) };
        }
    }
}

pub fn frame(payload: &[u8]) -> Vec<u8> {
    lsm_ipc::encode_frame(payload).expect("frame")
}

/// Pin a thread or process (`0`: the calling thread) to one CPU, or give it
/// back every CPU this bench may use (`None`).
pub fn pin(tid: libc::pid_t, cpu: Option<usize>) {
    let set = match cpu {
        Some(cpu) => {
            // SAFETY: cpu_set_t is plain data; CPU_SET writes inside it.
            let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
            unsafe { libc::CPU_SET(cpu, &mut set) };
            set
        }
        None => *ALLOWED_CPUS.get().expect("allowed CPUs read at start"),
    };
    // SAFETY: `set` is a valid cpu_set_t of the size given.
    let rc = unsafe { libc::sched_setaffinity(tid, std::mem::size_of::<libc::cpu_set_t>(), &set) };
    assert_eq!(
        rc,
        0,
        "sched_setaffinity: {}",
        std::io::Error::last_os_error()
    );
}

static ALLOWED_CPUS: std::sync::OnceLock<libc::cpu_set_t> = std::sync::OnceLock::new();

/// The CPUs this bench may run on, in order.
pub fn allowed_cpus() -> Vec<usize> {
    let set = ALLOWED_CPUS.get_or_init(|| {
        // SAFETY: sched_getaffinity fills the cpu_set_t it is given.
        let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
        let rc =
            unsafe { libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) };
        assert_eq!(
            rc,
            0,
            "sched_getaffinity: {}",
            std::io::Error::last_os_error()
        );
        set
    });
    // SAFETY: CPU_ISSET only reads the set.
    (0..libc::CPU_SETSIZE as usize)
        .filter(|cpu| unsafe { libc::CPU_ISSET(*cpu, set) })
        .collect()
}
