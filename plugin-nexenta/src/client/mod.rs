//! The NexentaStor side of the plugin. It knows nothing of LSM types.
//!
//! - [`api`]: [`NefClient`], typed requests over one `lsm-rest` HTTPS client: the token
//!   login (and the one re-login when the token expires), paging, `EBUSY` retries and
//!   202 jobs.
//! - [`models`]: the REST objects, as serde structs.

pub mod api;
pub mod models;

pub use api::{NefClient, Outcome};
