//! `ontap_lsmplugin` (`ontap://user@host`): NetApp ONTAP clusters through the ONTAP REST API
//! (9.6+), laid out like every lsm-rs plugin (ARCHITECTURE.md, "How a plugin is laid out").
//!
//! Work in progress: this crate holds the ONTAP JSON the plugin reads (`client::models`),
//! the ONTAP error body and its LSM codes (`error`), and the pure mapping from ONTAP objects
//! to LSM objects and of LSM job ids (`mapping`). The HTTP client (on `lsm-rest`) and the
//! trait impls come next.
//!
//! # Layout
//! - [`client`]: the ONTAP side: [`client::models`], the REST objects as serde structs
//!   (field names and enum values from NetApp's `netapp-ontap` library); knows nothing of
//!   LSM types.
//! - [`error`]: [`OntapError`], ONTAP's error JSON with its HTTP status, and the LSM
//!   error each one becomes.
//! - [`mapping`]: ONTAP object → LSM object (ids, vpd83 from the LUN serial, sizes,
//!   statuses) and the LSM job id that carries an ONTAP job with what to fetch when it ends.

pub mod client;
pub mod error;
pub mod mapping;

pub use error::OntapError;
