//! The harness the fuzz targets of `fuzz_targets/` share. It knows how to turn a fuzz input
//! into what a component reads (frames on a stream, canned HTTP answers) and what must hold
//! of what the component writes back; the targets themselves are a few lines each.
//!
//! # Layout
//! - [`stream`]: [`stream::ScriptedStream`], an in-memory `Read + Write` whose reads come
//!   back in chunks the input chooses, and whose writes are kept.
//! - [`session`]: a session as text (one request per line, framed by the harness) and the
//!   plugin runner driven with it, in process; the replies it wrote are checked.
//! - [`sim`]: a fresh `sim://` state file per input, copied from one made at start.
//! - [`rest`]: a vendor REST plugin driven with LSM requests while canned HTTP answers
//!   from the input stand in for the array.

pub mod rest;
pub mod session;
pub mod sim;
pub mod stream;
