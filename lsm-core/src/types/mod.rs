//! The LSM data model: the objects that travel on the wire (`System`, `Pool`, `Volume`, ...),
//! their enums and bitfields, and [`LsmObject`] for "any object". Plain serde types, no I/O.
//!
//! # Layout
//! - [`enums`]: open integer newtypes with named constants (`DiskType::SAS`,
//!   `PoolElementType::SYS_RESERVED`, ...). Unknown values from a newer peer are kept.
//! - [`objects`]: the object structs, serialized as `{"class": "<Name>", ...}` with the
//!   reference's key order, deserialized strictly (exact class, no unknown key, required
//!   fields present, optional fields defaulted as the reference does).
//! - [`lsm_object`]: [`LsmObject`], one enum over every object class (job results).

pub(crate) mod macros;

pub mod enums;
pub mod lsm_object;
pub mod objects;

pub use enums::*;
pub use lsm_object::LsmObject;
pub use objects::*;

/// A data object that travels as `{"class": CLASS, ...}`.
pub trait WireObject {
    /// The wire `class` name, e.g. `"Volume"`.
    const CLASS: &'static str;
}
