//! The libStorageMgmt (LSM) wire: framing, JSON-RPC envelopes and the Unix socket plumbing
//! that lsm-rs clients, `lsmd` and plugins share.
//!
//! Every LSM message, in both directions, is a 10-byte zero-padded ASCII decimal length followed
//! by exactly that many bytes of UTF-8 JSON (`0000000027{"id": 100, "result": null}`). This crate
//! turns byte streams into such frames and frames into request / reply envelopes. It knows
//! nothing about storage objects: params and results stay raw JSON for the layers above.
//!
//! # Layout
//!
//! - [`frame`]: the codec for one frame header ([`encode_frame`], [`parse_header`]) and the
//!   resumable frame assembly shared by both readers.
//! - [`blocking`]: [`FrameStream`], frames over any `std::io::Read + Write` (a
//!   `std::os::unix::net::UnixStream` in practice).
//! - [`peeking`]: [`PeekingStream`], a Unix socket that consumes a message only once it has
//!   written the answer, which spares the peer a spurious wake-up per exchange.
//! - [`asynchronous`]: [`AsyncFrameStream`], the same over tokio's `AsyncRead + AsyncWrite`,
//!   with a cancel-safe reader and a timeout helper.
//! - [`envelope`]: JSON-RPC envelopes. Strict when writing (exact keys, exact order, compact
//!   JSON), lenient when reading (extra keys ignored, `null` tolerated where LSM peers send it).
//! - [`spawn`]: embedded mode, a socketpair plus a child process that receives one end as
//!   `argv[1]`, and the plugin-side [`stream_from_fd_arg`].
//!
//! # Errors
//!
//! One error type, [`IpcError`], whose variants map onto LSM error numbers through
//! [`IpcError::code`]: 401 (`TRANSPORT_SERIALIZATION`), 400 (`TRANSPORT_COMMUNICATION`) and
//! 11 (`TIMEOUT`).

#![warn(missing_docs)]

#[cfg(feature = "tokio")]
pub mod asynchronous;
pub mod blocking;
pub mod envelope;
pub mod frame;
pub mod peeking;
pub mod spawn;

#[cfg(feature = "tokio")]
pub use asynchronous::AsyncFrameStream;
pub use blocking::FrameStream;
pub use envelope::{
    RawReply, RawRequest, WireError, begin_result_frame, compact_result, encode_error,
    encode_request, encode_result, end_result_frame, parse_reply, parse_request,
};
pub use frame::{encode_frame, finish_frame, frame_buffer, parse_header};
pub use peeking::PeekingStream;
pub use spawn::{PluginChild, SpawnOptions, socketpair, spawn_with_fd, stream_from_fd_arg};

/// Default cap on one frame's payload: 256 MiB. Configurable per stream with `with_max_frame`.
pub const DEFAULT_MAX_FRAME: usize = 256 * 1024 * 1024;
/// Cap on one request's payload: what a plugin reads ([`FrameStream::with_max_frame`] in the
/// SDK's runner) and what a client sends. Requests carry parameters (names, ids, lists of
/// initiators or disks), far below 16 MiB; a frame claiming more is refused at its header,
/// before a byte of it is held, so a hostile client cannot make a plugin hold (and parse)
/// hundreds of MiB. Replies (listings) keep [`DEFAULT_MAX_FRAME`].
pub const MAX_REQUEST_FRAME: usize = 16 * 1024 * 1024;
/// Absolute cap on one frame's payload, 2^31 - 1 bytes, as the reference C library enforces.
pub const HARD_MAX_FRAME: usize = 0x7fff_ffff;
/// Length of the ASCII decimal frame header.
pub const HEADER_LEN: usize = 10;
/// The request id both reference clients always send, and the id plugins answer with.
pub const STANDARD_ID: i64 = 100;

/// LSM error number `TRANSPORT_SERIALIZATION`.
pub const CODE_TRANSPORT_SERIALIZATION: i32 = 401;
/// LSM error number `TRANSPORT_COMMUNICATION`.
pub const CODE_TRANSPORT_COMMUNICATION: i32 = 400;
/// LSM error number `TIMEOUT`.
pub const CODE_TIMEOUT: i32 = 11;

/// Everything that can go wrong on the wire.
#[derive(Debug, thiserror::Error)]
pub enum IpcError {
    /// Malformed header, zero length, length over the cap, invalid UTF-8 or JSON, or an envelope
    /// of the wrong shape. LSM code 401.
    #[error("{0}")]
    Serialization(String),
    /// An I/O error, or end of stream inside a frame (header or payload started but not
    /// finished). LSM code 400.
    #[error("{0}")]
    Communication(String),
    /// The timeout expired while waiting for a frame. LSM code 11. The stream stays usable: a
    /// frame that was partly read when the timeout hit is resumed by the next read.
    #[error("{0}")]
    Timeout(String),
}

impl IpcError {
    /// The LSM error number for this error: 401, 400 or 11.
    pub fn code(&self) -> i32 {
        match self {
            IpcError::Serialization(_) => CODE_TRANSPORT_SERIALIZATION,
            IpcError::Communication(_) => CODE_TRANSPORT_COMMUNICATION,
            IpcError::Timeout(_) => CODE_TIMEOUT,
        }
    }
}

/// Result with [`IpcError`].
pub type Result<T> = std::result::Result<T, IpcError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_match_lsm_error_numbers() {
        assert_eq!(IpcError::Serialization("x".into()).code(), 401);
        assert_eq!(IpcError::Communication("x".into()).code(), 400);
        assert_eq!(IpcError::Timeout("x".into()).code(), 11);
    }

    #[test]
    fn error_display_is_the_message() {
        assert_eq!(
            IpcError::Communication("connection closed".into()).to_string(),
            "connection closed"
        );
    }
}
