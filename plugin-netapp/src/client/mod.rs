//! The ONTAP side of the plugin. It knows nothing of LSM types.
//!
//! - [`models`]: the REST objects read from `/api/...`, as serde structs.

pub mod models;
