//! NetApp ONTAP 9 REST (`/api/...`), reproducing `vendor-apis.md` §1.6.
//!
//! Layout: `model` (objects and their records), `inventory` (the default
//! cluster), `schema` (each resource's fields, from `netapp-ontap`), `request` (reading
//! a request: path, query, body), `query` (fields, filters, paging), `reply` (creates,
//! jobs), `error` (the error body),
//! and one file per resource family: `cluster` (cluster, nodes, jobs,
//! SVMs), `storage` (aggregates, disks), `volumes` (FlexVols, snapshots),
//! `luns`, `san` (igroups, initiators, LUN maps, iSCSI services), `chap` (iSCSI
//! credentials),
//! `network` (IP and FC interfaces, ethernet ports), `nfs` (export policies and rules), `svm_scope` (the `X-Dot-SVM-*` headers).
//!
//! Requests are read as a cluster reads them: a path with doubled or trailing slashes
//! (`/api//cluster/`, as cinder's client joins `/api/` and `/cluster/`) is the same path,
//! a dotted key in a body (`{"space.size": 1}`) is the nested field, and a number or a
//! boolean may come as a string (`"1073741824"`, `"true"`).

mod chap;
mod cluster;
pub mod error;
pub mod inventory;
mod luns;
pub mod model;
mod network;
mod nfs;
pub mod query;
mod reply;
mod request;
mod san;
pub mod schema;
mod storage;
mod svm_scope;
mod volumes;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use tower::ServiceExt as _;

use self::error::OntapError;
use self::model::{Inventory, STATE_VERSION};
pub use self::reply::{created, job_failure, job_reply, jobs_reply, ok_empty};
use self::request::normalize_path;
pub use self::request::{
    at, body, bool_at, expand_dotted, query, require_filter, size_at, str_at, svm_of, uint_at,
};
use crate::core::jobs;
use crate::core::server::VendorService;
use crate::core::state::{Shared, Store, StoreError};

/// The ONTAP simulator's shared state.
pub struct Ontap {
    /// The cluster.
    pub shared: Arc<Shared<Inventory>>,
    /// Job step duration.
    pub job_step: Duration,
}

/// Handler state.
pub type App = axum::extract::State<Arc<Ontap>>;
/// Raw query pairs.
pub type RawQuery = Query<Vec<(String, String)>>;

/// Load (or create) `DIR/ontap.json` and build the routes.
pub fn service(state_dir: &Path, job_step: Duration) -> Result<VendorService, StoreError> {
    let store = Store::new(state_dir, "ontap.json")?;
    let mut inventory = match store.load::<Inventory>()? {
        Some(inv) if inv.version == STATE_VERSION => inv,
        Some(inv) => {
            return Err(StoreError::Version {
                path: store.path().to_path_buf(),
                found: inv.version,
                expected: STATE_VERSION,
            });
        }
        None => inventory::default_inventory(),
    };
    jobs::fail_interrupted(&mut inventory);
    let shared = Arc::new(Shared::new(inventory, store));
    shared.persist()?;
    let ontap = Arc::new(Ontap { shared, job_step });
    let router = Router::new()
        .merge(cluster::routes())
        .merge(storage::routes())
        .merge(volumes::routes())
        .merge(luns::routes())
        .merge(san::routes())
        .merge(chap::routes())
        .merge(network::routes())
        .merge(nfs::routes())
        .fallback(|| async {
            OntapError::new(StatusCode::NOT_FOUND, error::API_NOT_FOUND, "API not found")
                .into_response()
        })
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&ontap),
            svm_scope::scope,
        ))
        .with_state(ontap);
    // Paths are cleaned before routing, so every route and layer sees the one spelling.
    let router = Router::new().fallback_service(router.map_request(normalize_path));
    Ok(VendorService {
        router,
        error_response: error::injected,
        sessions: None,
    })
}
