//! What every simulated vendor shares: the HTTPS server and its admin
//! endpoints, TLS material, persisted state, the job engine, fault
//! injection, request statistics and collection helpers.

pub mod auth;
pub mod faults;
pub mod jobs;
pub mod paging;
pub mod server;
pub mod state;
pub mod stats;
pub mod time;
pub mod tls;
