//! A registered session: the cluster's client, the SVM the plugin works in, and the
//! cluster's uuid (the LSM system id).

use lsm_core::plugin::Registration;
use lsm_core::types::*;
use lsm_core::{ErrorNumber, LsmError, Result};

use crate::client::OntapClient;
use crate::mapping;

/// The `comment` of the FlexVols the plugin makes to hold one LUN each: they are not
/// listed as file systems.
pub(super) const LUN_CONTAINER_COMMENT: &str = "lsm-rs LUN container";

pub(super) struct Session {
    pub(super) client: OntapClient,
    pub(super) svm: String,
    pub(super) system_id: String,
    /// The LSM job ids this session's client has freed: ONTAP keeps its job records (they
    /// cannot be deleted), so a freed id is refused here, for this client only.
    pub(super) freed_jobs: std::collections::HashSet<String>,
}

impl Session {
    /// Connect, find the cluster, and choose the SVM: `?svm=NAME`, else the only one.
    pub(super) fn open(registration: &Registration) -> Result<Session> {
        let client = OntapClient::connect(registration)?;
        let cluster = client.cluster()?;
        let system_id = cluster
            .uuid
            .or(cluster.name)
            .ok_or_else(|| LsmError::plugin_bug("ONTAP's /api/cluster has no uuid"))?;
        let svms: Vec<String> = client
            .svms()?
            .into_iter()
            .filter_map(|svm| svm.name)
            .collect();
        let svm = choose_svm(registration.uri.query_param("svm"), &svms)?;
        Ok(Session {
            client,
            svm,
            system_id,
            freed_jobs: Default::default(),
        })
    }

    /// `NOT_FOUND_SYSTEM` unless `system` is this cluster.
    pub(super) fn check_system(&self, system: &System) -> Result<()> {
        if system.id == self.system_id {
            Ok(())
        } else {
            Err(LsmError::new(
                ErrorNumber::NOT_FOUND_SYSTEM,
                format!("System {} not found", system.id),
            ))
        }
    }

    /// The cluster as the LSM system. Its name and version (`/api/cluster`) and its nodes'
    /// states (`/api/cluster/nodes`) are two requests, sent at the same time on two
    /// kept-alive connections, so the call takes about as long as the slower one.
    pub(super) fn system(&self) -> Result<System> {
        let (cluster, nodes) = std::thread::scope(|scope| {
            let nodes = scope.spawn(|| self.client.nodes());
            let cluster = self.client.cluster();
            let nodes = nodes
                .join()
                .unwrap_or_else(|_| Err(LsmError::plugin_bug("listing the nodes panicked")));
            (cluster, nodes)
        });
        Ok(mapping::cluster_to_system(&cluster?, &nodes?))
    }
}

/// The SVM a session works in: the one the URI names (which must exist), else the only
/// one; with several and none named, an error naming the choices.
fn choose_svm(asked: Option<&str>, svms: &[String]) -> Result<String> {
    let choices = || svms.join(", ");
    match (asked, svms) {
        (Some(name), _) if svms.iter().any(|svm| svm == name) => Ok(name.to_string()),
        (Some(name), _) => Err(LsmError::invalid_argument(format!(
            "no SVM named {name:?} on this cluster; its SVMs: {}",
            choices()
        ))),
        (None, [only]) => Ok(only.clone()),
        (None, []) => Err(LsmError::invalid_argument(
            "this cluster has no data SVM to manage",
        )),
        (None, _) => Err(LsmError::invalid_argument(format!(
            "this cluster has several SVMs: add ?svm=NAME to the URI, one of {}",
            choices()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_svm_is_the_named_one_or_the_only_one() {
        let one = ["vs0".to_string()];
        let two = ["vs0".to_string(), "vs1".to_string()];
        assert_eq!(choose_svm(None, &one).unwrap(), "vs0");
        assert_eq!(choose_svm(Some("vs1"), &two).unwrap(), "vs1");
        let ambiguous = choose_svm(None, &two).unwrap_err();
        assert_eq!(ambiguous.code, ErrorNumber::INVALID_ARGUMENT);
        assert!(ambiguous.message.contains("?svm=NAME"), "{ambiguous}");
        assert!(ambiguous.message.contains("vs0, vs1"), "{ambiguous}");
        let missing = choose_svm(Some("nope"), &two).unwrap_err();
        assert!(missing.message.contains("vs0, vs1"), "{missing}");
        assert_eq!(
            choose_svm(None, &[]).unwrap_err().code,
            ErrorNumber::INVALID_ARGUMENT
        );
    }
}
