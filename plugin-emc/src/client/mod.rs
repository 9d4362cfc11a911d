//! The Unity side of the plugin. It knows nothing of LSM types.
//!
//! - [`api`]: [`UnityClient`], typed requests over one `lsm-rest` HTTPS client: the session
//!   (cookie and CSRF token, renewed when the array ends it), `fields=`/`filter=` queries,
//!   paging and `?timeout=0` jobs.
//! - [`models`]: the REST objects, as serde structs.

pub mod api;
pub mod models;

pub use api::{Outcome, UnityClient};
