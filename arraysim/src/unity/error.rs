//! Unity's error body: `{"error": {"errorCode": int, "httpStatusCode": int,
//! "messages": [{"en-US": "..."}], "created": "<time>"}}`, as captured from
//! real arrays (storops `rest_data/*/not_found.json`, `*_name_in_use.json`).
//! Codes marked *chosen* are the simulator's own: the real ones were not
//! captured.

use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::model::now;
use crate::core::state::StoreError;

/// The requested resource does not exist (0x7d13005).
pub const NOT_FOUND: u64 = 131_149_829;
/// *Chosen*: the request (body, query, filter, argument) is invalid.
pub const INVALID_REQUEST: u64 = 131_149_825;
/// *Chosen*: the method is not allowed on this resource.
pub const METHOD_NOT_ALLOWED: u64 = 131_149_827;
/// *Chosen*: no valid credentials or session (401).
pub const UNAUTHORIZED: u64 = 131_149_828;
/// *Chosen*: POST/DELETE without the session's `EMC-CSRF-TOKEN` (401).
pub const CSRF_TOKEN: u64 = 131_149_830;
/// *Chosen*: the simulator could not write its state (500).
pub const INTERNAL: u64 = 131_149_831;
/// LUN name in use (0x6701140).
pub const LUN_NAME_IN_USE: u64 = 108_007_744;
/// Storage resource name in use (0x6701210).
pub const RESOURCE_NAME_IN_USE: u64 = 108_007_952;
/// LUN shrink not supported (0x6701130), HTTP 422.
pub const LUN_SHRINK: u64 = 108_007_728;
/// Nothing to modify (0x6701020).
pub const NOTHING_TO_MODIFY: u64 = 108_007_456;
/// File system name in use (0x6701410).
pub const FS_NAME_IN_USE: u64 = 108_008_464;
/// File system size too small (0x6701401).
pub const FS_TOO_SMALL: u64 = 108_008_449;
/// *Chosen*: file system shrink below its used size / of a thick FS.
pub const FS_SHRINK: u64 = 108_008_450;
/// NFS share name in use (0x900a104).
pub const NFS_SHARE_NAME_IN_USE: u64 = 151_036_164;
/// NAS server name in use (0x6702024).
pub const NAS_SERVER_NAME_IN_USE: u64 = 108_011_556;
/// LUN with thin clones cannot be deleted (0x6701673).
pub const HAS_THIN_CLONES: u64 = 108_009_075;
/// Snapshot name in use (0x716d8005).
pub const SNAP_NAME_IN_USE: u64 = 1_903_001_605;
/// Host initiator already exists (0x60000f3), HTTP 422.
pub const INITIATOR_EXISTS: u64 = 100_663_539;
/// *Chosen*: host name in use.
pub const HOST_NAME_IN_USE: u64 = 100_663_519;
/// *Chosen*: the pool has not enough free space.
pub const POOL_FULL: u64 = 108_007_747;
/// *Chosen*: a host with LUN access or initiators cannot be deleted.
pub const HOST_IN_USE: u64 = 100_663_540;

/// A Unity error reply.
#[derive(Debug, Clone)]
pub struct UnityError {
    /// HTTP status.
    pub status: StatusCode,
    /// `errorCode`.
    pub code: u64,
    /// The `en-US` message.
    pub message: String,
}

/// Handler result.
pub type UnityResult<T> = Result<T, UnityError>;

impl UnityError {
    /// An error with this status, code and message.
    pub fn new(status: StatusCode, code: u64, message: impl Into<String>) -> Self {
        UnityError {
            status,
            code,
            message: message.into(),
        }
    }

    /// 404 `131149829`.
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            NOT_FOUND,
            "The requested resource does not exist. (Error Code:0x7d13005)",
        )
    }

    /// 400, invalid request.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, INVALID_REQUEST, message)
    }

    /// 409 with a NameInUse code.
    pub fn conflict(code: u64, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// 422 with a code.
    pub fn unprocessable(code: u64, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    /// The JSON body.
    pub fn body(&self) -> serde_json::Value {
        json!({"error": {
            "errorCode": self.code,
            "httpStatusCode": self.status.as_u16(),
            "messages": [{"en-US": self.message}],
            "created": now(),
        }})
    }
}

impl From<StoreError> for UnityError {
    fn from(e: StoreError) -> Self {
        UnityError::new(StatusCode::INTERNAL_SERVER_ERROR, INTERNAL, e.to_string())
    }
}

impl IntoResponse for UnityError {
    fn into_response(self) -> Response {
        json_reply(self.status, &self.body())
    }
}

/// A JSON reply with Unity's content type.
pub fn json_reply(status: StatusCode, body: &serde_json::Value) -> Response {
    let mut resp = Response::new(Body::from(body.to_string()));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(CONTENT_TYPE),
    );
    resp
}

/// Unity's reply content type.
pub const CONTENT_TYPE: &str = "application/json; version=5.0;charset=UTF-8";

/// The error body for an injected fault status.
pub fn injected(status: StatusCode, message: &str) -> Response {
    let code = match status {
        StatusCode::NOT_FOUND => NOT_FOUND,
        StatusCode::UNAUTHORIZED => UNAUTHORIZED,
        s if s.is_server_error() => INTERNAL,
        _ => INVALID_REQUEST,
    };
    UnityError::new(status, code, message).into_response()
}
