//! What every lsm-rs REST plugin (ONTAP, NexentaStor, Unity) shares, and no vendor's API:
//! one blocking HTTPS client per plugin process, built from the LSM URI and the password of
//! `plugin_register`; TLS verified by default (`ca_cert=PATH` adds a CA to the system roots,
//! `no_ssl_verify=yes` turns checks off); the LSM call timeout on every request; transport
//! failures and HTTP statuses mapped to `LsmError`; paging and bounded-retry helpers; logs
//! and error messages that never show a password, token, cookie or CSRF header.
//!
//! The API is blocking because the SDK's plugin traits are: one request at a time per
//! plugin process. The client is reqwest's blocking client over rustls with the `ring`
//! provider (no OpenSSL, no aws-lc-rs); its keep-alive pool and cookie jar live as long as
//! the [`RestClient`], so a plugin builds one in `plugin_register` and keeps it.
//!
//! ```no_run
//! # fn demo(registration: &lsm_core::plugin::Registration) -> Result<(), lsm_core::LsmError> {
//! use lsm_rest::{NextPage, Page, Request, RestClient, RestConfig};
//! let config = RestConfig::from_registration(registration, 443)?;
//! let client = RestClient::new(config)?;
//! let deadline = client.deadline();
//! let names: Vec<String> = client.collect_pages(
//!     Request::get("/api/storage/volumes").query("fields", "name"),
//!     deadline,
//!     |page| {
//!         #[derive(serde::Deserialize)]
//!         struct Volume { name: String }
//!         #[derive(serde::Deserialize)]
//!         struct Href { href: String }
//!         #[derive(serde::Deserialize)]
//!         struct Links { next: Option<Href> }
//!         #[derive(serde::Deserialize)]
//!         struct Collection { records: Vec<Volume>, #[serde(rename = "_links")] links: Links }
//!         let body: Collection = page.json()?;
//!         Ok(Page {
//!             records: body.records.into_iter().map(|v| v.name).collect(),
//!             next: body.links.next.map_or(NextPage::Done, |n| NextPage::Href(n.href)),
//!         })
//!     },
//! )?;
//! # Ok(()) }
//! ```
//!
//! # Layout
//!
//! - `config.rs`: [`RestConfig`] from the URI (base URL, [`TlsOptions`], [`Auth`], timeout);
//! - `client.rs`: [`RestClient`], [`Request`], [`Response`]: sending, auth, headers, logging;
//! - `cookies.rs`: the session cookies the array set, kept per client (never logged);
//! - `error.rs`: [`RestError`] (one variant per kind of failure, each with its
//!   `ErrorNumber`), [`HttpError`] for non-2xx answers, the transport → error mapping;
//! - `hex.rs`: [`hex_encode`] / [`hex_decode`], text carried inside LSM job ids;
//! - `deadline.rs`: [`Deadline`], the instant a call must be answered by;
//! - `paging.rs`: [`RestClient::pages`] / [`RestClient::collect_pages`], [`Page`], [`NextPage`];
//! - `retry.rs`: [`retry`] / [`retry_with`] with [`Backoff`];
//! - `redact.rs`: what is hidden from logs and messages, and how;
//! - `path.rs`: [`path_segment`], an object id as one URL path segment;
//! - `time.rs`: the ISO 8601 timestamps arrays give, as epoch seconds;
//! - `fuzzing.rs` (feature `fuzzing`, for `fuzz/` only): canned answers in place of the
//!   network, and a recorder of real ones.

mod client;
mod config;
mod cookies;
mod deadline;
mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod hex;
mod paging;
mod path;
pub mod redact;
mod retry;
mod time;

pub use client::{Method, Request, Response, RestClient};
pub use config::{Auth, RestConfig, Secret, TlsOptions, read_ca_cert};
pub use deadline::Deadline;
pub use error::{HttpError, RestError, Result};
pub use hex::{hex_decode, hex_encode};
pub use paging::{NextPage, Page, Pages};
pub use path::path_segment;
pub use retry::{Backoff, retry, retry_with};
pub use time::iso8601_to_epoch;
