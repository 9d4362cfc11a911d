//! [`OntapClient`]: typed requests to an ONTAP cluster's REST API on one `lsm-rest` client
//! (one kept-alive HTTPS connection, Basic auth, the call timeout on every request).
//!
//! Listings follow `_links.next` until the last page; an error reply becomes an LSM error
//! through [`OntapError`], given what the request was about; a request ONTAP refuses because
//! another operation on the object is running is retried with backoff within the call's
//! deadline.

use std::time::Duration;

use lsm_core::plugin::{Call, Registration};
use lsm_core::{ErrorNumber, LsmError};
use lsm_rest::{
    Deadline, Method, NextPage, Page, Request, Response, RestClient, RestConfig, RestError,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::models::{self, Collection, JobLink};
use crate::error::{ObjectKind, OntapError};

/// The port of ONTAP's cluster management LIF.
pub const DEFAULT_PORT: u16 = 443;

/// How many records one page of a listing asks for.
pub const PAGE_SIZE: usize = 1000;

/// What a create, change or delete did: finished at once, or an ONTAP job to follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Done (200/201); the `Location` header of a 201, when ONTAP gave one.
    Done(Option<String>),
    /// Accepted (202): the uuid of the ONTAP job doing it.
    Job(String),
}

/// A change that failed: the LSM error, and whether the cluster may have made the change
/// all the same (the request went out and no answer of ONTAP's was read: a dropped
/// connection, no answer in time, a body cut short or not JSON), which a create undoes.
#[derive(Debug)]
pub struct FailedChange {
    /// The error the call answers.
    pub error: LsmError,
    /// The cluster may have made the change.
    pub maybe_made: bool,
    /// The cluster accepted the change (202) but its job cannot be followed (the answer
    /// did not decode): the change is likely made a moment later.
    pub accepted: bool,
}

/// A session with one ONTAP cluster.
pub struct OntapClient {
    rest: RestClient,
    /// The deadline of the LSM call being answered ([`OntapClient::begin_call`]): every
    /// request, page, retry and job poll of the call fits before it.
    call: std::sync::Mutex<Deadline>,
}

/// How long before the client's own timer the plugin answers: the call timeout's tenth,
/// between 50 ms and 1 s, so a timed-out call is the plugin's `TIMEOUT`, not the client
/// giving up on the session.
fn answer_margin(timeout: Duration) -> Duration {
    (timeout / 10).clamp(Duration::from_millis(50), Duration::from_secs(1))
}

impl std::fmt::Debug for OntapClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OntapClient")
            .field("base_url", &self.rest.base_url().as_str())
            .finish()
    }
}

/// An error of `lsm-rest` as an LSM error: ONTAP's error JSON for a status reply (about
/// `kind`), the transport's own mapping otherwise.
fn lsm_error(error: RestError, kind: ObjectKind) -> LsmError {
    match error.http() {
        Some(http) => OntapError::from_reply(http.status, &http.body).to_lsm(kind),
        None => LsmError::from(error),
    }
}

fn is_busy(error: &RestError) -> bool {
    error
        .http()
        .is_some_and(|http| OntapError::from_reply(http.status, &http.body).is_retryable())
}

impl OntapClient {
    /// The client for the cluster named by the registration's URI (`ontap://user@host[:port]`,
    /// `ca_cert`, `no_ssl_verify`), authenticating with its password.
    pub fn connect(registration: &Registration) -> Result<OntapClient, LsmError> {
        let config = RestConfig::from_registration(registration, DEFAULT_PORT)
            .map_err(LsmError::from)?
            .with_header("Accept", "application/json");
        let rest = RestClient::new(config).map_err(LsmError::from)?;
        let call = std::sync::Mutex::new(rest.deadline());
        Ok(OntapClient { rest, call })
    }

    /// The per-request timeout.
    pub fn set_timeout(&mut self, timeout: std::time::Duration) {
        self.rest.set_timeout(timeout);
    }

    /// An LSM call starts: its deadline is the call's (from the SDK's context), less the margin
    /// that lets the answer reach the client first.
    pub fn begin_call(&self, call: &Call) {
        let deadline = call.deadline();
        let deadline = Deadline::at(
            deadline
                .checked_sub(answer_margin(call.timeout()))
                .unwrap_or(deadline),
        );
        *self
            .call
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = deadline;
    }

    /// A half-made change is being undone after the call failed: the undo may run half the
    /// answer margin past the call's deadline, so that a call that ran out of time still
    /// removes what it made, and its answer still beats the client's timer.
    pub fn begin_undo(&self) {
        let spare = answer_margin(self.rest.timeout()) / 2;
        let mut call = self
            .call
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let end = call.instant().max(std::time::Instant::now() + spare);
        *call = Deadline::at(end);
    }

    /// Send `request`, retrying while ONTAP says the object is busy, within the deadline.
    fn send(&self, request: &Request, kind: ObjectKind) -> Result<Response, LsmError> {
        self.send_rest(request)
            .map_err(|error| lsm_error(error, kind))
    }

    /// [`OntapClient::send`], keeping `lsm-rest`'s error.
    fn send_rest(&self, request: &Request) -> Result<Response, RestError> {
        let deadline = self.deadline();
        let request = request.clone().deadline(deadline);
        lsm_rest::retry(deadline, is_busy, || self.rest.send(&request))
    }

    /// Every record of a collection, page after page (`max_records` per page).
    pub fn list<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
        kind: ObjectKind,
    ) -> Result<Vec<T>, LsmError> {
        let deadline = self.deadline();
        let mut first = Request::get(path)
            .query("max_records", PAGE_SIZE)
            .deadline(deadline);
        for (key, value) in query {
            first = first.query(key, value);
        }
        // A busy cluster is asked again for the whole listing (pages are not resumable
        // across a refused one), within the call's deadline.
        lsm_rest::retry(deadline, is_busy, || {
            self.rest
                .collect_pages(first.clone(), deadline, |response: &Response| {
                    let page: Collection<T> = response.json()?;
                    let next = match page.next_href() {
                        Some(href) => NextPage::Href(href.to_string()),
                        None => NextPage::Done,
                    };
                    Ok(Page {
                        records: page.records,
                        next,
                    })
                })
        })
        .map_err(|error| lsm_error(error, kind))
    }

    /// One object (`/api/<collection>/{uuid}`).
    pub fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
        kind: ObjectKind,
    ) -> Result<T, LsmError> {
        let mut request = Request::get(path);
        for (key, value) in query {
            request = request.query(key, value);
        }
        self.send(&request, kind)?
            .json()
            .map_err(|error| lsm_error(error, kind))
    }

    /// POST, PATCH or DELETE, with a JSON body or none.
    pub fn change<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&B>,
        kind: ObjectKind,
    ) -> Result<Outcome, LsmError> {
        self.try_change(method, path, query, body, kind)
            .map_err(|failed| failed.error)
    }

    /// [`OntapClient::change`], saying when it fails whether the cluster may have made the
    /// change all the same.
    pub fn try_change<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&B>,
        kind: ObjectKind,
    ) -> Result<Outcome, FailedChange> {
        let failed = |error: RestError| FailedChange {
            // Anything but ONTAP's own answer (a status reply) or a request that never
            // left (refused connection, bad options) leaves the outcome unknown.
            maybe_made: error.http().is_none()
                && !matches!(
                    error,
                    RestError::Config(_)
                        | RestError::ConnectionRefused(_)
                        | RestError::HostDown(_)
                        | RestError::UntrustedCertificate(_)
                ),
            error: lsm_error(error, kind),
            accepted: false,
        };
        let mut request = Request::new(method, path);
        for (key, value) in query {
            request = request.query(key, value);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = self.send_rest(&request).map_err(failed)?;
        if response.status() == 202 {
            let link: JobLink = response.json().map_err(|error| FailedChange {
                accepted: true,
                ..failed(error)
            })?;
            return Ok(Outcome::Job(link.job.uuid));
        }
        Ok(Outcome::Done(
            response.header("Location").map(str::to_string),
        ))
    }

    /// The deadline of the LSM call being answered.
    pub fn deadline(&self) -> Deadline {
        *self
            .call
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// [`OntapClient::change`], then, when ONTAP answered with a job, wait for it to end
    /// (until `deadline`): `Ok` once the change is done, the job's failure as an LSM error
    /// about `kind` otherwise. The `Location` of a 201, when ONTAP gave one.
    pub fn change_and_wait<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        kind: ObjectKind,
        deadline: Deadline,
    ) -> Result<Option<String>, LsmError> {
        match self.change(method, path, &[], body, kind)? {
            Outcome::Done(location) => Ok(location),
            Outcome::Job(uuid) => self.wait_job(&uuid, kind, deadline).map(|()| None),
        }
    }

    /// Poll an ONTAP job until it ends or `deadline` passes (`TIMEOUT`, naming the job, which
    /// ONTAP goes on running); its failure as an LSM error about `kind`.
    pub fn wait_job(
        &self,
        uuid: &str,
        kind: ObjectKind,
        deadline: Deadline,
    ) -> Result<(), LsmError> {
        let mut pause = Duration::from_millis(5);
        loop {
            let job = self.job(uuid)?;
            match job.state.as_deref() {
                Some("success") => return Ok(()),
                Some("failure") => return Err(OntapError::from_failed_job(&job).to_lsm(kind)),
                _ => {}
            }
            match deadline.remaining() {
                Some(left) if left > pause => std::thread::sleep(pause),
                _ => {
                    return Err(LsmError::new(
                        ErrorNumber::TIMEOUT,
                        format!(
                            "ONTAP job {uuid} ({}) was still {} when the call's timeout ran out; \
                             it goes on running on the cluster",
                            job.description.as_deref().unwrap_or("no description"),
                            job.state.as_deref().unwrap_or("queued")
                        ),
                    ));
                }
            }
            pause = (pause * 2).min(Duration::from_millis(250));
        }
    }

    /// An ONTAP job.
    pub fn job(&self, uuid: &str) -> Result<models::Job, LsmError> {
        self.get(
            &format!("/api/cluster/jobs/{uuid}"),
            &[("fields", "uuid,state,message,code,error,description")],
            ObjectKind::Job,
        )
    }

    // ---------------------------------------------------------------- reads

    /// The cluster's name, uuid and version.
    pub fn cluster(&self) -> Result<models::Cluster, LsmError> {
        self.get(
            "/api/cluster",
            &[("fields", "name,uuid,version")],
            ObjectKind::System,
        )
    }

    /// The cluster's nodes with their state.
    pub fn nodes(&self) -> Result<Vec<models::Node>, LsmError> {
        self.list(
            "/api/cluster/nodes",
            &[("fields", "name,uuid,state,model,serial_number")],
            ObjectKind::System,
        )
    }

    /// The aggregates, with space and state.
    pub fn aggregates(&self) -> Result<Vec<models::Aggregate>, LsmError> {
        self.list(
            "/api/storage/aggregates",
            &[("fields", "name,uuid,state,space,node,block_storage")],
            ObjectKind::Pool,
        )
    }

    /// The SVMs.
    pub fn svms(&self) -> Result<Vec<models::Svm>, LsmError> {
        self.list(
            "/api/svm/svms",
            &[("fields", "name,uuid,state,subtype")],
            ObjectKind::System,
        )
    }

    /// The FlexVols of an SVM.
    pub fn flexvols(&self, svm: &str) -> Result<Vec<models::FlexVol>, LsmError> {
        self.list(
            "/api/storage/volumes",
            &[
                ("svm.name", svm),
                (
                    "fields",
                    "name,uuid,svm,aggregates,size,space,guarantee,state,type,style,nas,clone,comment",
                ),
            ],
            ObjectKind::FileSystem,
        )
    }

    /// The LUNs of an SVM.
    pub fn luns(&self, svm: &str) -> Result<Vec<models::Lun>, LsmError> {
        self.list(
            "/api/storage/luns",
            &[
                ("svm.name", svm),
                (
                    "fields",
                    "name,uuid,svm,location,os_type,serial_number,space,status,enabled,lun_maps",
                ),
            ],
            ObjectKind::Volume,
        )
    }

    /// The igroups of an SVM with their initiators.
    pub fn igroups(&self, svm: &str) -> Result<Vec<models::Igroup>, LsmError> {
        self.list(
            "/api/protocols/san/igroups",
            &[
                ("svm.name", svm),
                ("fields", "name,uuid,svm,protocol,os_type,initiators"),
            ],
            ObjectKind::AccessGroup,
        )
    }

    /// The iSCSI credentials entry of `initiator` in an SVM, if it has one of its own.
    pub fn iscsi_credentials(
        &self,
        svm: &str,
        initiator: &str,
    ) -> Result<Option<models::IscsiCredentials>, LsmError> {
        let entries: Vec<models::IscsiCredentials> = self.list(
            "/api/protocols/san/iscsi/credentials",
            &[
                ("svm.name", svm),
                ("initiator", initiator),
                ("fields", "svm,initiator,authentication_type"),
            ],
            ObjectKind::Other,
        )?;
        Ok(entries.into_iter().find(|entry| {
            entry
                .initiator
                .as_deref()
                .is_some_and(|name| name.eq_ignore_ascii_case(initiator))
        }))
    }

    /// The LUN maps of an SVM.
    pub fn lun_maps(&self, svm: &str) -> Result<Vec<models::LunMap>, LsmError> {
        self.list(
            "/api/protocols/san/lun-maps",
            &[
                ("svm.name", svm),
                ("fields", "lun,igroup,svm,logical_unit_number"),
            ],
            ObjectKind::Other,
        )
    }

    /// The iSCSI service (target IQN) of an SVM, if it has one.
    pub fn iscsi_service(&self, svm: &str) -> Result<Option<models::IscsiService>, LsmError> {
        Ok(self
            .list(
                "/api/protocols/san/iscsi/services",
                &[("svm.name", svm), ("fields", "svm,enabled,target")],
                ObjectKind::Other,
            )?
            .into_iter()
            .next())
    }

    /// The IP interfaces (LIFs) of an SVM serving `service` (`data_iscsi`, `data_nfs`).
    pub fn ip_interfaces(
        &self,
        svm: &str,
        service: &str,
    ) -> Result<Vec<models::IpInterface>, LsmError> {
        self.list(
            "/api/network/ip/interfaces",
            &[
                ("svm.name", svm),
                ("services", service),
                ("fields", "name,uuid,svm,ip,enabled,state,location,services"),
            ],
            ObjectKind::Other,
        )
    }

    /// The FC interfaces of an SVM.
    pub fn fc_interfaces(&self, svm: &str) -> Result<Vec<models::FcInterface>, LsmError> {
        self.list(
            "/api/network/fc/interfaces",
            &[
                ("svm.name", svm),
                (
                    "fields",
                    "name,uuid,svm,wwpn,wwnn,state,data_protocol,location",
                ),
            ],
            ObjectKind::Other,
        )
    }

    /// The cluster's disks.
    pub fn disks(&self) -> Result<Vec<models::Disk>, LsmError> {
        self.list("/api/storage/disks", &[("fields", "*")], ObjectKind::Disk)
    }
}
