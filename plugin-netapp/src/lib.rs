//! `ontap_lsmplugin` (`ontap://user@host`): NetApp ONTAP clusters through the ONTAP REST API
//! (9.6+), laid out like every lsm-rs plugin (ARCHITECTURE.md, "How a plugin is laid out").
//!
//! It lists everything (systems, pools, volumes, disks, access groups and masking, target
//! ports, file systems, snapshots, NFS exports) from a live cluster and makes every change
//! ONTAP does (LUNs, LUN clones, igroups, LUN maps, iSCSI CHAP, FlexVols, FlexClones,
//! snapshots, export policies); the rest is `NO_SUPPORT`, and its capabilities say exactly
//! what works.
//!
//! # Design
//! - URI `ontap://user@host[:port]` (HTTPS, default port 443; `ontap+ssl` accepted),
//!   `?svm=NAME` (default: the only data SVM, else `INVALID_ARGUMENT` naming the choices),
//!   `?no_ssl_verify=yes`, `?ca_cert=PATH`; the password from `plugin_register`, sent as
//!   Basic auth on every request.
//! - Every SVM-scoped request filters `svm.name=<svm>`; listings follow `_links.next`.
//! - A LUN lives in a FlexVol of its own, made for it on the aggregate the LSM pool names
//!   (thin: `guarantee.type=none` and `space.guarantee.requested=false`; thick: `volume`
//!   and `true`), so its space is the aggregate's, as LSM pools account it, and resize and
//!   delete act on one object. Those FlexVols carry a marker in their `comment` and are not
//!   listed as file systems.
//! - ONTAP jobs (202 + `/api/cluster/jobs/{uuid}`) become LSM jobs whose id is a
//!   [`mapping::JobToken`]: `job_status` asks ONTAP, and fetches the made object once the
//!   job has succeeded; nothing is kept in the plugin.
//!
//! # Layout
//! - [`client`]: the ONTAP side: [`client::models`], the REST objects as serde structs
//!   (field names and enum values from NetApp's `netapp-ontap` library); knows nothing of
//!   LSM types.
//! - [`error`]: [`OntapError`], ONTAP's error JSON with its HTTP status, and the LSM
//!   error each one becomes.
//! - [`mapping`]: ONTAP object → LSM object (ids, vpd83 from the LUN serial, sizes,
//!   statuses) and the LSM job id that carries an ONTAP job with what to fetch when it ends.
//! - [`plugin`]: the SDK trait impls (`OntapPlugin`); `src/bin/ontap_lsmplugin.rs` runs it.

pub mod client;
pub mod error;
pub mod mapping;
pub mod plugin;

pub use error::OntapError;
