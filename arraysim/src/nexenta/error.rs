//! NEF's error body: a bare JSON object `{"name", "code", "message",
//! "source"}` with `code` a POSIX-style errno name (`ENOENT`, `EEXIST`,
//! `EBUSY`, `EBADARG`, `EAUTH`, `ENOSPC`, ...). The statuses chosen where
//! the sources are silent are listed in the crate README.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::core::jobs::{INJECTED_FAILURE_CODE, JobFailure};
use crate::core::state::StoreError;

/// A NEF error reply.
#[derive(Debug, Clone)]
pub struct NefError {
    /// HTTP status.
    pub status: StatusCode,
    /// `name` (`NefError`, or `ValidationError` for bad input).
    pub name: String,
    /// errno-style code.
    pub code: String,
    /// Human text.
    pub message: String,
}

/// Result of a handler.
pub type NefResult<T> = Result<T, NefError>;

impl NefError {
    /// Any error (`name: NefError`).
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        NefError {
            status,
            name: "NefError".into(),
            code: code.into(),
            message: message.into(),
        }
    }

    /// 404 `ENOENT`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "ENOENT", message)
    }

    /// 400 `EEXIST` (already exists, or dependants exist).
    pub fn exists(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "EEXIST", message)
    }

    /// 400 `EBADARG` (`name: ValidationError`).
    pub fn bad_arg(message: impl Into<String>) -> Self {
        let mut e = Self::new(StatusCode::BAD_REQUEST, "EBADARG", message);
        e.name = "ValidationError".into();
        e
    }

    /// 400 `EBUSY`: in use, not worth retrying (mapped, member of a group).
    pub fn in_use(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "EBUSY", message)
    }

    /// 500 `EBUSY`: busy for now, retry (a job holds the dataset).
    pub fn busy(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "EBUSY", message)
    }

    /// 400 `ENOSPC`.
    pub fn no_space(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "ENOSPC", message)
    }

    /// 401 `EAUTH`.
    pub fn auth(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "EAUTH", message)
    }

    /// The body.
    pub fn body(&self) -> Value {
        json!({"name": self.name, "code": self.code, "message": self.message, "source": "NEF"})
    }

    /// As a job's failure: the status in `code`, the body as `message`.
    pub fn into_job_failure(self) -> JobFailure {
        JobFailure {
            code: u64::from(self.status.as_u16()),
            message: self.body().to_string(),
        }
    }

    /// The error a failed job reports (see [`NefError::into_job_failure`]);
    /// an injected or interrupted job is a 500 `EIO`.
    pub fn from_job(code: u64, message: &str) -> Self {
        if code != INJECTED_FAILURE_CODE
            && let Ok(status) = StatusCode::from_u16(code as u16)
            && (400..600).contains(&code)
            && let Ok(body) = serde_json::from_str::<Value>(message)
        {
            let text = |k: &str| body[k].as_str().unwrap_or_default().to_string();
            return NefError {
                status,
                name: text("name"),
                code: text("code"),
                message: text("message"),
            };
        }
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "EIO", message)
    }
}

impl From<StoreError> for NefError {
    fn from(e: StoreError) -> Self {
        tracing::error!("{e}");
        NefError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "EIO",
            "internal error: state not saved",
        )
    }
}

impl IntoResponse for NefError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body())).into_response()
    }
}

/// The body the server sends for an injected `status=` fault: 401 `EAUTH`,
/// 404 `ENOENT`, 400/422 `EBADARG`, 409 `EEXIST`, 500/503 `EBUSY` (so that
/// a 500 is the retryable busy answer clients back off on), else `EIO`.
pub fn injected(status: StatusCode, message: &str) -> Response {
    let code = match status.as_u16() {
        401 => "EAUTH",
        404 => "ENOENT",
        400 | 422 => "EBADARG",
        409 => "EEXIST",
        500 | 503 => "EBUSY",
        _ => "EIO",
    };
    NefError::new(status, code, message).into_response()
}
