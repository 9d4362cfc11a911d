//! `emc_lsmplugin` (`emc://user@host`): Dell EMC Unity arrays through their Unisphere
//! Management REST API, laid out like every lsm-rs plugin (ARCHITECTURE.md, "How a plugin
//! is laid out").
//!
//! # Design
//! - URI `emc://user@host[:port]` (HTTPS, default port 443), `?no_ssl_verify=yes`,
//!   `?ca_cert=PATH`, `?nas_server=NAME` (the NAS server new file systems go on; default:
//!   the array's only one), `?per_page=N` (objects per page of a listing, 1..=2000,
//!   default 2000, Unisphere's own default).
//! - The session: the first request carries HTTP Basic auth and `X-EMC-REST-CLIENT: true`;
//!   the array answers with a session cookie and an `EMC-CSRF-TOKEN`, and every later
//!   request carries the cookie (POST and DELETE the token too) instead of the password.
//!   When the array refuses the session (it expired, or the array restarted) the client
//!   logs in once more and sends the request again.
//! - Every LSM id is the Unity id of the object (`sv_12`, `fs_3`, `Host_2`, ...), except the
//!   system, which is the array's serial number: a call asks the array about that id, and
//!   nothing is kept between calls.
//! - Creates and deletes are sent with `?timeout=0`, so the array answers with a job at
//!   once; the plugin waits a moment for it and answers synchronously when it is done, else
//!   returns an LSM job whose id carries the Unity job's ([`mapping::JobToken`]).
//!
//! # Layout
//! - [`client`]: the Unity side: [`client::models`], the REST objects as serde structs;
//!   [`client::api`], the requests; knows nothing of LSM types.
//! - [`error`]: [`error::UnityError`], Unity's error JSON, and the LSM error each one becomes.
//! - [`mapping`]: Unity object → LSM object, and the LSM job ids.
//! - [`plugin`]: the SDK's traits.

pub mod client;
pub mod error;
pub mod mapping;
pub mod plugin;
