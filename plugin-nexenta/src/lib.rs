//! `nstor_lsmplugin` (`nstor://user@host`): NexentaStor 5 appliances through their REST API
//! (NEF), laid out like every lsm-rs plugin (ARCHITECTURE.md, "How a plugin is laid out").
//!
//! # Design
//! - URI `nstor://user@host[:port]` (HTTPS, default port 8443), `?no_ssl_verify=yes`,
//!   `?ca_cert=PATH`; where new objects go: `?pool=NAME` (the pool when a call names none:
//!   a COPY's target; checked at registration), `?volume_group=NAME` (the volume group in the
//!   call's pool that new zvols go in; default: the pool's only one), `?fs_parent=PATH` (the
//!   file system new file systems go under when it is in the call's pool; default: the
//!   pool's root), `?target_group=NAME` (the target group LUN mappings use; default `All`).
//!   The password from `plugin_register` is sent once to `/auth/login`; the token it gives
//!   is renewed once when the appliance refuses it (expired).
//! - Everything is a ZFS dataset addressed by its path, which is the LSM id of volumes,
//!   file systems, snapshots and exports: a call asks the appliance about that path, and
//!   nothing is kept between calls.
//! - NexentaStor jobs (202 + `/jobStatus/<id>`) become LSM jobs whose id is a
//!   [`mapping::JobToken`]: `job_status` polls the appliance, and fetches the made object
//!   once the job is done.
//!
//! # Layout
//! - [`client`]: the NexentaStor side: [`client::models`], the REST objects as serde structs;
//!   [`client::api`], the requests; knows nothing of LSM types.
//! - [`error`]: [`error::NefError`], NEF's error JSON, and the LSM error each one becomes.
//! - [`mapping`]: NexentaStor object → LSM object, and the LSM job ids.
//! - [`plugin`]: the SDK's traits.

pub mod client;
pub mod error;
pub mod mapping;
pub mod plugin;
