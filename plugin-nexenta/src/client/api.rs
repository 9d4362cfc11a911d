//! [`NefClient`]: typed requests to a NexentaStor 5 appliance's REST API (NEF) on one
//! `lsm-rest` client (kept-alive HTTPS, the call's deadline on every request).
//!
//! - Login: `POST /auth/login {"username", "password"}` gives a token, sent as
//!   `Authorization: Bearer`; when the appliance answers 401/`EAUTH` (the token expired), the
//!   client logs in once more and sends the request again; a second refusal is
//!   `PLUGIN_AUTH_FAILED`.
//! - Listings follow the `links[rel=next]` of each page until none is left.
//! - `EBUSY` (NEF's "busy", a 500) is retried with backoff within the call's deadline.
//! - A 202 names a job (`links[rel=monitor]`, `/jobStatus/<id>`): polled until it answers
//!   200/201 (done) or an error (the job failed), or handed to the caller to make an LSM job.

use std::sync::{Mutex, RwLock};
use std::time::Duration;

use lsm_core::plugin::{Call, Registration};
use lsm_core::{ErrorNumber, LsmError};
use lsm_rest::{
    Auth, Deadline, Method, NextPage, Page, Request, Response, RestClient, RestConfig, RestError,
    Secret,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::models::{self, Collection, Links, link};
use crate::error::{Context, NefError, ObjectKind};

/// NEF's HTTPS port.
pub const DEFAULT_PORT: u16 = 8443;

/// How many objects one page of a listing asks for.
pub const PAGE_SIZE: usize = 100;

/// What a create, change or delete did: finished, or a job to follow.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Done (200/201/204), with the reply's JSON if it had any.
    Done(Option<Value>),
    /// Accepted (202): the job's monitor path (`/jobStatus/<id>`).
    Job(String),
}

/// What a poll of a job found.
#[derive(Debug, Clone, PartialEq)]
pub enum JobPoll {
    /// Still running.
    Running,
    /// Done.
    Done,
}

/// A dataset path (`pool/vg/v1`, `pool/fs@snap`) as one URL path segment.
pub use lsm_rest::path_segment as segment;

/// How long before the client's own timer the plugin answers (a tenth of the timeout,
/// 50 ms..1 s): a timed-out call is the plugin's `TIMEOUT`, not a lost session.
fn answer_margin(timeout: Duration) -> Duration {
    (timeout / 10).clamp(Duration::from_millis(50), Duration::from_secs(1))
}

/// A session with one appliance.
pub struct NefClient {
    rest: RwLock<RestClient>,
    user: String,
    password: Secret,
    /// The deadline of the LSM call being answered.
    call: Mutex<Deadline>,
}

impl std::fmt::Debug for NefClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NefClient")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

fn nef_error(error: &RestError) -> Option<NefError> {
    error
        .http()
        .map(|http| NefError::from_reply(http.status, &http.body))
}

fn is_busy(error: &RestError) -> bool {
    nef_error(error).is_some_and(|e| e.is_busy())
}

fn is_auth(error: &RestError) -> bool {
    nef_error(error).is_some_and(|e| e.is_auth())
}

/// An `lsm-rest` error as an LSM error: NEF's error JSON for a status reply, the transport's
/// own mapping otherwise.
fn lsm_error(error: RestError, kind: ObjectKind, context: Context) -> LsmError {
    match nef_error(&error) {
        Some(nef) => nef.to_lsm(kind, context),
        None => LsmError::from(error),
    }
}

impl NefClient {
    /// Log in to the appliance the registration's URI names (`nstor://user@host[:port]`,
    /// `ca_cert`, `no_ssl_verify`) with its password.
    pub fn connect(registration: &Registration) -> Result<NefClient, LsmError> {
        let user = registration.uri.username.clone().ok_or_else(|| {
            LsmError::invalid_argument("the URI names no user: use nstor://USER@HOST[:PORT]")
        })?;
        let password = registration.password.clone().unwrap_or_default();
        let config = RestConfig::from_registration(registration, DEFAULT_PORT)
            .map_err(LsmError::from)?
            .with_auth(Auth::None)
            .with_header("Accept", "application/json");
        let mut rest = RestClient::new(config).map_err(LsmError::from)?;
        rest.add_secret(&password);
        let call = Mutex::new(rest.deadline());
        let client = NefClient {
            rest: RwLock::new(rest),
            user,
            password: Secret::new(password),
            call,
        };
        client.login()?;
        Ok(client)
    }

    /// The per-request timeout.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.rest_mut().set_timeout(timeout);
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
        *self.call.lock().unwrap_or_else(|p| p.into_inner()) = deadline;
    }

    /// The deadline of the LSM call being answered.
    pub fn deadline(&self) -> Deadline {
        *self.call.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn rest(&self) -> std::sync::RwLockReadGuard<'_, RestClient> {
        self.rest.read().unwrap_or_else(|p| p.into_inner())
    }

    fn rest_mut(&self) -> std::sync::RwLockWriteGuard<'_, RestClient> {
        self.rest.write().unwrap_or_else(|p| p.into_inner())
    }

    /// `POST /auth/login`; the token becomes the `Authorization: Bearer` of what follows.
    /// A refused password is `PLUGIN_AUTH_FAILED`.
    pub fn login(&self) -> Result<(), LsmError> {
        let mut rest = self.rest_mut();
        rest.set_auth(Auth::None);
        let request = Request::post("/auth/login")
            .json(&json!({"username": self.user, "password": self.password.expose()}))
            .deadline(self.deadline());
        let reply: models::Token = rest.send_json(&request).map_err(|error| {
            let lsm = lsm_error(error, ObjectKind::System, Context::Read);
            if lsm.code == ErrorNumber::PLUGIN_BUG || lsm.code == ErrorNumber::NOT_FOUND_SYSTEM {
                LsmError::new(ErrorNumber::PLUGIN_AUTH_FAILED, lsm.message)
            } else {
                lsm
            }
        })?;
        let token = reply
            .token
            .filter(|token| !token.is_empty())
            .ok_or_else(|| LsmError::plugin_bug("NexentaStor's /auth/login gave no token"))?;
        rest.set_bearer_token(&token);
        tracing::debug!("logged in to NexentaStor as {}", self.user);
        Ok(())
    }

    /// `op` on the client, logging in again once if the token was refused; `EBUSY` retried
    /// within the deadline.
    fn with_session<T>(
        &self,
        deadline: Deadline,
        mut op: impl FnMut(&RestClient) -> lsm_rest::Result<T>,
    ) -> Result<lsm_rest::Result<T>, LsmError> {
        let mut attempt = || lsm_rest::retry(deadline, is_busy, || op(&self.rest()));
        let first = attempt();
        match first {
            Err(error) if is_auth(&error) => {
                tracing::debug!("NexentaStor refused the token: logging in again");
                self.login()?;
                Ok(attempt())
            }
            other => Ok(other),
        }
    }

    /// Sends `request` within the call's deadline (re-login, `EBUSY` retries).
    pub fn send(
        &self,
        request: &Request,
        kind: ObjectKind,
        context: Context,
    ) -> Result<Response, LsmError> {
        let deadline = self.deadline();
        let request = request.clone().deadline(deadline);
        self.with_session(deadline, |rest| rest.send(&request))?
            .map_err(|error| lsm_error(error, kind, context))
    }

    /// Every object of a collection, page after page (`limit`/`offset`, `links[rel=next]`).
    pub fn list<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
        kind: ObjectKind,
    ) -> Result<Vec<T>, LsmError> {
        let deadline = self.deadline();
        let mut first = Request::get(path)
            .query("limit", PAGE_SIZE)
            .query("offset", 0)
            .deadline(deadline);
        for (key, value) in query {
            first = first.query(key, value);
        }
        self.with_session(deadline, |rest| {
            rest.collect_pages(first.clone(), deadline, |response: &Response| {
                let page: Collection<T> = response.json()?;
                let next = match link(&page.links, "next") {
                    Some(href) => NextPage::Href(href.to_string()),
                    None => NextPage::Done,
                };
                Ok(Page {
                    records: page.data,
                    next,
                })
            })
        })?
        .map_err(|error| lsm_error(error, kind, Context::Read))
    }

    /// One object (`/<collection>/<key>`).
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
        self.send(&request, kind, Context::Read)?
            .json()
            .map_err(|error| lsm_error(error, kind, Context::Read))
    }

    /// One object, or `None` when the appliance says `ENOENT`.
    pub fn find<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
        kind: ObjectKind,
    ) -> Result<Option<T>, LsmError> {
        match self.get(path, query, kind) {
            Ok(found) => Ok(Some(found)),
            Err(error) if error.code == crate::error::not_found_code(kind) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// POST, PUT or DELETE, with a JSON body or none (a DELETE's options in `query`).
    pub fn change<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&B>,
        kind: ObjectKind,
        context: Context,
    ) -> Result<Outcome, LsmError> {
        let mut request = Request::new(method, path);
        for (key, value) in query {
            request = request.query(key, value);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = self.send(&request, kind, context)?;
        if response.status() == 202 {
            return monitor_of(&response).map(Outcome::Job);
        }
        Ok(Outcome::Done(serde_json::from_slice(response.body()).ok()))
    }

    /// [`NefClient::change`], then, if the appliance answered with a job, wait for it (until
    /// `deadline`).
    pub fn change_and_wait<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&B>,
        kind: ObjectKind,
        context: Context,
    ) -> Result<(), LsmError> {
        match self.change(method, path, query, body, kind, context)? {
            Outcome::Done(_) => Ok(()),
            Outcome::Job(monitor) => self.wait_job(&monitor, kind, context, self.deadline()),
        }
    }

    /// Poll a job once: running (202), done (200/201), or its failure as an LSM error.
    pub fn poll_job(
        &self,
        monitor: &str,
        kind: ObjectKind,
        context: Context,
    ) -> Result<JobPoll, LsmError> {
        let response = self.send(&Request::get(monitor), kind, context)?;
        Ok(if response.status() == 202 {
            JobPoll::Running
        } else {
            JobPoll::Done
        })
    }

    /// Poll a job until it ends or `deadline` passes (`TIMEOUT`: the appliance goes on).
    pub fn wait_job(
        &self,
        monitor: &str,
        kind: ObjectKind,
        context: Context,
        deadline: Deadline,
    ) -> Result<(), LsmError> {
        let mut pause = Duration::from_millis(5);
        loop {
            if self.poll_job(monitor, kind, context)? == JobPoll::Done {
                return Ok(());
            }
            match deadline.remaining() {
                Some(left) if left > pause => std::thread::sleep(pause),
                _ => {
                    return Err(LsmError::new(
                        ErrorNumber::TIMEOUT,
                        format!(
                            "NexentaStor job {monitor} was still running when the call's \
                             timeout ran out; it goes on running on the appliance"
                        ),
                    ));
                }
            }
            pause = (pause * 2).min(Duration::from_millis(250));
        }
    }
}

impl NefClient {
    /// A settings property's value (`GET /settings/properties/<name>`), or `None` when the
    /// appliance has no such property.
    pub fn property(&self, name: &str) -> Result<Option<String>, LsmError> {
        let path = format!("/settings/properties/{}", segment(name));
        Ok(self
            .find::<models::Property>(&path, &[], ObjectKind::Other)?
            .and_then(|property| property.text()))
    }
}

/// The monitor path of a 202 reply.
fn monitor_of(response: &Response) -> Result<String, LsmError> {
    let body: Links = response.json().unwrap_or_default();
    link(&body.links, "monitor")
        .or_else(|| body.links.first().and_then(|l| l.href.as_deref()))
        .map(str::to_string)
        .ok_or_else(|| {
            LsmError::plugin_bug(format!(
                "{}: 202 without a monitor link",
                response.request()
            ))
        })
}
