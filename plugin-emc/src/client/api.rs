//! [`UnityClient`]: typed requests to a Unity array's Unisphere Management REST API on one
//! `lsm-rest` client (kept-alive HTTPS, the call's deadline on every request).
//!
//! - Session: the login request (`GET /api/types/loginSessionInfo/instances`) carries HTTP
//!   Basic auth; the array's answer sets the session cookie (kept by `lsm-rest`'s jar) and
//!   names the `EMC-CSRF-TOKEN`, sent on every later request. Later requests carry no
//!   password. When the array answers 401 (the session expired, the array restarted, or a
//!   POST/DELETE's token was refused), the client logs in once more and sends the request
//!   again; a second refusal is `PLUGIN_AUTH_FAILED`.
//! - Every request sends `X-EMC-REST-CLIENT: true` and `compact=true`; reads name their
//!   `fields=` (Unisphere shows only the id otherwise); searches use `filter=`.
//! - Listings ask `per_page` objects a page and follow the `next` link's `page=N`.
//! - A change sent with `?timeout=0` answers 202 and a job at once ([`Outcome::Job`]);
//!   [`UnityClient::wait_job`] polls it.

use std::sync::{Mutex, RwLock};
use std::time::Duration;

use lsm_core::plugin::{Call, Registration};
use lsm_core::{ErrorNumber, LsmError};
use lsm_rest::{
    Auth, Deadline, Method, NextPage, Page, Request, Response, RestClient, RestConfig, RestError,
    Secret, path_segment,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::models::{self, Collection, Instance, job_state};
use crate::error::{Context, ObjectKind, UnityError};

/// Unisphere's HTTPS port.
pub const DEFAULT_PORT: u16 = 443;

/// Objects per page of a listing, unless the URI says `per_page=` (Unisphere's default and
/// largest page).
pub const DEFAULT_PAGE_SIZE: usize = 2000;

/// The CSRF header.
pub const CSRF_HEADER: &str = "EMC-CSRF-TOKEN";

/// What a create, change or delete did.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Done: the reply's `content`, if it had one.
    Done(Option<Value>),
    /// Accepted (202): the Unity job's id.
    Job(String),
}

/// What a poll of a job found.
#[derive(Debug, Clone, PartialEq)]
pub enum JobPoll {
    /// Queued or running, with its progress.
    Running(u8),
    /// Completed: the action's answer (`parametersOut`).
    Done(Option<Value>),
}

/// A string as a `filter=` value: in double quotes. Unisphere's grammar has no escape for
/// a quote inside one, so such a value is refused (`INVALID_ARGUMENT`).
pub fn quoted(value: &str) -> Result<String, LsmError> {
    if value.contains('"') || value.contains('\\') {
        return Err(LsmError::invalid_argument(format!(
            "{value:?}: Unity cannot search for a name with '\"' or '\\' in it"
        )));
    }
    Ok(format!("\"{value}\""))
}

/// How long before the client's own timer the plugin answers (a tenth of the timeout,
/// 50 ms..1 s): a timed-out call is the plugin's `TIMEOUT`, not a lost session.
fn answer_margin(timeout: Duration) -> Duration {
    (timeout / 10).clamp(Duration::from_millis(50), Duration::from_secs(1))
}

fn unity_error(error: &RestError) -> Option<UnityError> {
    error
        .http()
        .map(|http| UnityError::from_reply(http.status, &http.body))
}

fn is_auth(error: &RestError) -> bool {
    unity_error(error).is_some_and(|e| e.is_auth())
}

/// An `lsm-rest` error as an LSM error: Unity's error JSON for a status reply, the
/// transport's own mapping otherwise.
fn lsm_error(error: RestError, kind: ObjectKind, context: Context) -> LsmError {
    match unity_error(&error) {
        Some(unity) => unity.to_lsm(kind, context),
        None => LsmError::from(error),
    }
}

/// A session with one array.
pub struct UnityClient {
    rest: RwLock<RestClient>,
    user: String,
    password: Secret,
    page_size: usize,
    /// The deadline of the LSM call being answered.
    call: Mutex<Deadline>,
}

impl std::fmt::Debug for UnityClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnityClient")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

impl UnityClient {
    /// Log in to the array the registration's URI names (`emc://user@host[:port]`,
    /// `ca_cert`, `no_ssl_verify`) with its password; `page_size` objects per listing page.
    pub fn connect(registration: &Registration, page_size: usize) -> Result<Self, LsmError> {
        let user = registration.uri.username.clone().ok_or_else(|| {
            LsmError::invalid_argument("the URI names no user: use emc://USER@HOST[:PORT]")
        })?;
        let password = registration.password.clone().unwrap_or_default();
        let config = RestConfig::from_registration(registration, DEFAULT_PORT)
            .map_err(LsmError::from)?
            .with_auth(Auth::None)
            .with_header("X-EMC-REST-CLIENT", "true");
        let mut rest = RestClient::new(config).map_err(LsmError::from)?;
        rest.add_secret(&password);
        let call = Mutex::new(rest.deadline());
        let client = UnityClient {
            rest: RwLock::new(rest),
            user,
            password: Secret::new(password),
            page_size,
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

    /// Opens a session: one GET with Basic auth, whose answer sets the cookie and names the
    /// CSRF token. A refused password is `PLUGIN_AUTH_FAILED`.
    pub fn login(&self) -> Result<(), LsmError> {
        let mut rest = self.rest_mut();
        rest.remove_header(CSRF_HEADER);
        rest.set_auth(Auth::Basic {
            user: self.user.clone(),
            password: self.password.clone(),
        });
        let request = Request::get("/api/types/loginSessionInfo/instances")
            .query("compact", "true")
            .query("fields", "id")
            .deadline(self.deadline());
        let answer = rest.send(&request);
        // Whatever happened, later requests carry the cookie, not the password.
        rest.set_auth(Auth::None);
        let response = answer.map_err(|error| {
            let lsm = lsm_error(error, ObjectKind::System, Context::Read);
            if lsm.code == ErrorNumber::PLUGIN_BUG || lsm.code == ErrorNumber::NOT_FOUND_SYSTEM {
                LsmError::new(ErrorNumber::PLUGIN_AUTH_FAILED, lsm.message)
            } else {
                lsm
            }
        })?;
        let token = response
            .header(CSRF_HEADER)
            .filter(|token| !token.is_empty())
            .ok_or_else(|| {
                LsmError::plugin_bug(format!(
                    "{}: the array named no {CSRF_HEADER}",
                    response.request()
                ))
            })?
            .to_string();
        rest.set_header(CSRF_HEADER, &token)
            .map_err(LsmError::from)?;
        tracing::debug!("logged in to Unity as {}", self.user);
        Ok(())
    }

    /// Ends the session (`loginSessionInfo/action/logout`), within `timeout`; errors are
    /// only logged: the array ends an idle session by itself.
    pub fn logout(&self, timeout: Duration) {
        let request = Request::post("/api/types/loginSessionInfo/action/logout")
            .json(&serde_json::json!({}))
            .deadline(Deadline::after(timeout));
        if let Err(error) = self.rest().send(&request) {
            tracing::debug!("logout: {error}");
        }
    }

    /// `op` on the client; a refused session is renewed once and `op` sent again.
    fn with_session<T>(
        &self,
        mut op: impl FnMut(&RestClient) -> lsm_rest::Result<T>,
    ) -> Result<lsm_rest::Result<T>, LsmError> {
        let first = op(&self.rest());
        match first {
            Err(error) if is_auth(&error) => {
                tracing::debug!("Unity refused the session: logging in again");
                self.login()?;
                Ok(op(&self.rest()))
            }
            other => Ok(other),
        }
    }

    /// Sends `request` within the call's deadline (with a session renewal).
    pub fn send(
        &self,
        request: &Request,
        kind: ObjectKind,
        context: Context,
    ) -> Result<Response, LsmError> {
        let request = request.clone().deadline(self.deadline());
        self.with_session(|rest| rest.send(&request))?
            .map_err(|error| lsm_error(error, kind, context))
    }

    /// Every object of type `kind_name` (`lun`, `host`, ...) the `filter` keeps (all without
    /// one), with `fields`, page after page.
    pub fn list<T: DeserializeOwned>(
        &self,
        type_name: &str,
        fields: &str,
        filter: Option<&str>,
        kind: ObjectKind,
    ) -> Result<Vec<T>, LsmError> {
        let deadline = self.deadline();
        let mut first = Request::get(format!("/api/types/{}/instances", path_segment(type_name)))
            .query("compact", "true")
            .query("fields", fields)
            .query("per_page", self.page_size)
            .deadline(deadline);
        if let Some(filter) = filter {
            first = first.query("filter", filter);
        }
        self.with_session(|rest| {
            rest.collect_pages(first.clone(), deadline, |response: &Response| {
                let page: Collection<T> = response.json()?;
                let next = match page.next_page() {
                    Some(n) => NextPage::Query(vec![("page".to_string(), n.to_string())]),
                    None => NextPage::Done,
                };
                Ok(Page {
                    records: page.entries.into_iter().map(|e| e.content).collect(),
                    next,
                })
            })
        })?
        .map_err(|error| lsm_error(error, kind, Context::Read))
    }

    /// One object (`/api/instances/<type>/<id>`) with `fields`.
    pub fn get<T: DeserializeOwned>(
        &self,
        type_name: &str,
        id: &str,
        fields: &str,
        kind: ObjectKind,
    ) -> Result<T, LsmError> {
        let request = Request::get(instance_path(type_name, id))
            .query("compact", "true")
            .query("fields", fields);
        let reply: Instance<T> = self
            .send(&request, kind, Context::Read)?
            .json()
            .map_err(|error| lsm_error(error, kind, Context::Read))?;
        Ok(reply.content)
    }

    /// One object, or `None` when the array has no such id.
    pub fn find<T: DeserializeOwned>(
        &self,
        type_name: &str,
        id: &str,
        fields: &str,
        kind: ObjectKind,
    ) -> Result<Option<T>, LsmError> {
        match self.get(type_name, id, fields, kind) {
            Ok(found) => Ok(Some(found)),
            Err(error) if error.code == crate::error::not_found_code(kind) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// A POST or DELETE to `path` with `body`; with `job`, sent `?timeout=0` so that the
    /// array answers with a job at once.
    pub fn change<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        job: bool,
        kind: ObjectKind,
        context: Context,
    ) -> Result<Outcome, LsmError> {
        let mut request = Request::new(method, path).query("compact", "true");
        if job {
            request = request.query("timeout", 0);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = self.send(&request, kind, context)?;
        let body: Option<Value> = serde_json::from_slice(response.body()).ok();
        if response.status() == 202 {
            let id = body
                .as_ref()
                .and_then(|b| b.get("id").or_else(|| b.pointer("/content/id")))
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    LsmError::plugin_bug(format!("{}: 202 without a job id", response.request()))
                })?;
            return Ok(Outcome::Job(id.to_string()));
        }
        Ok(Outcome::Done(
            body.and_then(|mut b| b.get_mut("content").map(Value::take)),
        ))
    }

    /// `POST /api/types/<type>/instances` (a create).
    pub fn create<B: Serialize + ?Sized>(
        &self,
        type_name: &str,
        body: &B,
        job: bool,
        kind: ObjectKind,
    ) -> Result<Outcome, LsmError> {
        let path = format!("/api/types/{}/instances", path_segment(type_name));
        self.change(Method::POST, &path, Some(body), job, kind, Context::Create)
    }

    /// `POST /api/types/<type>/action/<verb>`.
    pub fn type_action<B: Serialize + ?Sized>(
        &self,
        type_name: &str,
        verb: &str,
        body: &B,
        job: bool,
        kind: ObjectKind,
        context: Context,
    ) -> Result<Outcome, LsmError> {
        let path = format!(
            "/api/types/{}/action/{}",
            path_segment(type_name),
            path_segment(verb)
        );
        self.change(Method::POST, &path, Some(body), job, kind, context)
    }

    /// `POST /api/instances/<type>/<id>/action/<verb>`.
    #[allow(clippy::too_many_arguments)]
    pub fn action<B: Serialize + ?Sized>(
        &self,
        type_name: &str,
        id: &str,
        verb: &str,
        body: &B,
        job: bool,
        kind: ObjectKind,
        context: Context,
    ) -> Result<Outcome, LsmError> {
        let path = format!(
            "{}/action/{}",
            instance_path(type_name, id),
            path_segment(verb)
        );
        self.change(Method::POST, &path, Some(body), job, kind, context)
    }

    /// `DELETE /api/instances/<type>/<id>`, with `body` (`forceSnapDeletion`) if any.
    pub fn delete(
        &self,
        type_name: &str,
        id: &str,
        body: Option<&Value>,
        job: bool,
        kind: ObjectKind,
    ) -> Result<Outcome, LsmError> {
        let path = instance_path(type_name, id);
        self.change(Method::DELETE, &path, body, job, kind, Context::Delete)
    }

    /// Poll a job once: running, done (with its answer), or its failure as an LSM error
    /// about `kind` in `context`.
    pub fn poll_job(
        &self,
        job: &str,
        kind: ObjectKind,
        context: Context,
    ) -> Result<JobPoll, LsmError> {
        let record: models::Job = self.get("job", job, models::Job::FIELDS, ObjectKind::Job)?;
        match record.state.unwrap_or(job_state::QUEUED) {
            job_state::COMPLETED => Ok(JobPoll::Done(record.parameters_out)),
            job_state::FAILED | job_state::COMPLETED_WITH_ERROR => {
                Err(job_failure(&record).to_lsm(kind, context))
            }
            _ => Ok(JobPoll::Running(
                record.progress_pct.unwrap_or(0).clamp(0, 99) as u8,
            )),
        }
    }

    /// Poll a job until it ends (its answer) or `deadline` passes (`None`: still running).
    pub fn wait_job(
        &self,
        job: &str,
        kind: ObjectKind,
        context: Context,
        deadline: Deadline,
    ) -> Result<Option<Option<Value>>, LsmError> {
        let mut pause = Duration::from_millis(5);
        loop {
            if let JobPoll::Done(out) = self.poll_job(job, kind, context)? {
                return Ok(Some(out));
            }
            match deadline.remaining() {
                Some(left) if left > pause => std::thread::sleep(pause),
                _ => return Ok(None),
            }
            pause = (pause * 2).min(Duration::from_millis(250));
        }
    }
}

/// `/api/instances/<type>/<id>`, the id as one path segment.
fn instance_path(type_name: &str, id: &str) -> String {
    format!(
        "/api/instances/{}/{}",
        path_segment(type_name),
        path_segment(id)
    )
}

/// The error a failed job reports: its `messageOut`, else its tasks' messages.
fn job_failure(job: &models::Job) -> UnityError {
    let messages = job
        .message_out
        .iter()
        .chain(job.tasks.iter().flat_map(|t| t.messages.iter()));
    let mut code = None;
    let mut text = None;
    for message in messages {
        if code.is_none() {
            code = message.error_code.filter(|c| *c != 0);
        }
        if text.is_none() {
            text = message.text();
        }
    }
    UnityError::from_job(
        code,
        text.unwrap_or_else(|| format!("Unity job {} failed", job.id)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_values_are_quoted_and_quotes_refused() {
        assert_eq!(quoted("lun 1").unwrap(), "\"lun 1\"");
        assert_eq!(
            quoted("a\"b").unwrap_err().code,
            ErrorNumber::INVALID_ARGUMENT
        );
    }

    #[test]
    fn a_failed_job_gives_its_code_and_message() {
        let job: models::Job = serde_json::from_str(
            r#"{"id": "N-1", "state": 5, "messageOut": {"errorCode": 108007744,
                "messages": [{"locale": "en_US", "message": "The LUN name is in use."}]}}"#,
        )
        .unwrap();
        let error = job_failure(&job);
        assert_eq!(error.code, Some(crate::error::code::LUN_NAME_IN_USE));
        assert_eq!(
            error.to_lsm(ObjectKind::Volume, Context::Create).code,
            ErrorNumber::NAME_CONFLICT
        );
        let bare: models::Job = serde_json::from_str(r#"{"id": "N-2", "state": 5}"#).unwrap();
        assert!(job_failure(&bare).message.contains("N-2"));
    }
}
