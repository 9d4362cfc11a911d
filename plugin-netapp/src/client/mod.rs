//! The ONTAP side of the plugin. It knows nothing of LSM types.
//!
//! - [`api`]: [`OntapClient`], typed requests over one `lsm-rest` HTTPS client.
//! - [`models`]: the REST objects read from `/api/...`, as serde structs.

pub mod api;
pub mod models;

pub use api::{OntapClient, Outcome};
