//! NexentaStor's error reply and the LSM error it becomes.
//!
//! NEF answers an error with an HTTP status and `{"name", "code", "message", "source",
//! "errors"}`, `code` a POSIX-style name (`ENOENT`, `EEXIST`, `EBUSY`, `EBADARG`, `EAUTH`,
//! ...; vendor-apis.md §2.4). [`NefError::from_reply`] reads it; [`NefError::to_lsm`] picks
//! the LSM code from the code and what the request was doing ([`Context`]): `ENOENT` is the
//! `NOT_FOUND_*` of the object asked for, `EEXIST` is `NAME_CONFLICT` on a create and
//! `HAS_CHILD_DEPENDENCY` on a delete (a snapshot with clones).

use lsm_core::{ErrorNumber, LsmError};
use serde::Deserialize;

/// NEF error codes the plugin tells apart.
pub mod code {
    /// No such object.
    pub const ENOENT: &str = "ENOENT";
    /// It exists already, or (on a destroy) clones depend on it.
    pub const EEXIST: &str = "EEXIST";
    /// Busy: retry.
    pub const EBUSY: &str = "EBUSY";
    /// A bad argument.
    pub const EBADARG: &str = "EBADARG";
    /// Invalid (another spelling of a bad argument).
    pub const EINVAL: &str = "EINVAL";
    /// Not logged in, token expired, wrong password.
    pub const EAUTH: &str = "EAUTH";
    /// No space left.
    pub const ENOSPC: &str = "ENOSPC";
    /// Quota exceeded.
    pub const EDQUOT: &str = "EDQUOT";
    /// Not permitted.
    pub const EPERM: &str = "EPERM";
    /// Access denied.
    pub const EACCES: &str = "EACCES";
    /// Not supported by this appliance.
    pub const ENOTSUP: &str = "ENOTSUP";
}

/// What a request was about, to pick the right `NOT_FOUND_*` code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    /// The appliance.
    System,
    /// A pool.
    Pool,
    /// A zvol.
    Volume,
    /// A file system.
    FileSystem,
    /// A snapshot.
    Snapshot,
    /// A host group.
    AccessGroup,
    /// An NFS share.
    NfsExport,
    /// A disk.
    Disk,
    /// A job.
    Job,
    /// Anything else.
    Other,
}

/// What the request was doing, for `EEXIST`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Reading.
    Read,
    /// Making something (a name that exists is `NAME_CONFLICT`).
    Create,
    /// Changing something.
    Change,
    /// Destroying something (dependants are `HAS_CHILD_DEPENDENCY`).
    Delete,
}

/// An error reply of NexentaStor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("NexentaStor error {status}{}: {message}", code.as_ref().map(|c| format!(" ({c})")).unwrap_or_default())]
pub struct NefError {
    /// The HTTP status.
    pub status: u16,
    /// `code`, when the body had one.
    pub code: Option<String>,
    /// `message`, or a description of the status when the body had none.
    pub message: String,
}

#[derive(Deserialize)]
struct Body {
    code: Option<String>,
    message: Option<String>,
    name: Option<String>,
}

impl NefError {
    /// The error of a reply with this status and body.
    pub fn from_reply(status: u16, body: &[u8]) -> Self {
        match serde_json::from_slice::<Body>(body) {
            Ok(body) => NefError {
                status,
                code: body.code,
                message: body
                    .message
                    .or(body.name)
                    .unwrap_or_else(|| format!("HTTP status {status}")),
            },
            Err(_) => NefError {
                status,
                code: None,
                message: format!("HTTP status {status}"),
            },
        }
    }

    fn is(&self, code: &str) -> bool {
        self.code.as_deref() == Some(code)
    }

    /// True for NEF's "busy, try again" (`EBUSY`, as a 500 or any status).
    pub fn is_busy(&self) -> bool {
        self.is(code::EBUSY)
    }

    /// True when the token is missing or has expired (`401` or `EAUTH`).
    pub fn is_auth(&self) -> bool {
        self.status == 401 || self.is(code::EAUTH)
    }

    /// The LSM error number for this error, the request being about `kind` in `context`.
    pub fn lsm_error_number(&self, kind: ObjectKind, context: Context) -> ErrorNumber {
        let code = self.code.as_deref();
        match (self.status, code) {
            (_, Some(code::EAUTH)) | (401, _) => ErrorNumber::PLUGIN_AUTH_FAILED,
            (_, Some(code::EPERM | code::EACCES)) | (403, _) => ErrorNumber::PERMISSION_DENIED,
            (_, Some(code::ENOENT)) | (404, _) => not_found_code(kind),
            (_, Some(code::EEXIST)) if context == Context::Delete => {
                ErrorNumber::HAS_CHILD_DEPENDENCY
            }
            (_, Some(code::EEXIST)) | (409, None) => ErrorNumber::NAME_CONFLICT,
            (_, Some(code::ENOSPC | code::EDQUOT)) => ErrorNumber::NOT_ENOUGH_SPACE,
            (_, Some(code::EBUSY)) => ErrorNumber::TIMEOUT,
            (_, Some(code::ENOTSUP)) => ErrorNumber::NO_SUPPORT,
            (_, Some(code::EBADARG | code::EINVAL)) | (400, _) => ErrorNumber::INVALID_ARGUMENT,
            (408 | 504, _) => ErrorNumber::TIMEOUT,
            (429 | 502 | 503, _) => ErrorNumber::NETWORK_ERROR,
            _ => ErrorNumber::PLUGIN_BUG,
        }
    }

    /// This error as an LSM error; the message keeps NexentaStor's text and code.
    pub fn to_lsm(&self, kind: ObjectKind, context: Context) -> LsmError {
        LsmError::new(self.lsm_error_number(kind, context), self.to_string())
    }
}

/// The `NOT_FOUND_*` code for a missing object of `kind`.
pub fn not_found_code(kind: ObjectKind) -> ErrorNumber {
    match kind {
        ObjectKind::System => ErrorNumber::NOT_FOUND_SYSTEM,
        ObjectKind::Pool => ErrorNumber::NOT_FOUND_POOL,
        ObjectKind::Volume => ErrorNumber::NOT_FOUND_VOLUME,
        ObjectKind::FileSystem => ErrorNumber::NOT_FOUND_FS,
        ObjectKind::Snapshot => ErrorNumber::NOT_FOUND_FS_SS,
        ObjectKind::AccessGroup => ErrorNumber::NOT_FOUND_ACCESS_GROUP,
        ObjectKind::NfsExport => ErrorNumber::NOT_FOUND_NFS_EXPORT,
        ObjectKind::Disk => ErrorNumber::NOT_FOUND_DISK,
        ObjectKind::Job => ErrorNumber::NOT_FOUND_JOB,
        ObjectKind::Other => ErrorNumber::NOT_FOUND_GENERIC,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_body_is_read() {
        let error = NefError::from_reply(
            404,
            br#"{"name": "NefError", "code": "ENOENT", "message": "no such volume", "source": "x"}"#,
        );
        assert_eq!(error.code.as_deref(), Some("ENOENT"));
        assert_eq!(error.message, "no such volume");
        assert_eq!(
            error.lsm_error_number(ObjectKind::Volume, Context::Read),
            ErrorNumber::NOT_FOUND_VOLUME
        );
        let garbage = NefError::from_reply(502, b"<html>");
        assert_eq!(garbage.code, None);
        assert_eq!(
            garbage.lsm_error_number(ObjectKind::Pool, Context::Read),
            ErrorNumber::NETWORK_ERROR
        );
    }

    #[test]
    fn eexist_depends_on_what_the_request_did() {
        let exists = NefError::from_reply(400, br#"{"code": "EEXIST", "message": "exists"}"#);
        assert_eq!(
            exists.lsm_error_number(ObjectKind::Volume, Context::Create),
            ErrorNumber::NAME_CONFLICT
        );
        assert_eq!(
            exists.lsm_error_number(ObjectKind::Volume, Context::Delete),
            ErrorNumber::HAS_CHILD_DEPENDENCY
        );
    }

    #[test]
    fn codes_map_to_lsm_errors() {
        let of = |status: u16, code: &str| {
            NefError::from_reply(status, format!(r#"{{"code": "{code}"}}"#).as_bytes())
                .lsm_error_number(ObjectKind::FileSystem, Context::Change)
        };
        assert_eq!(of(401, "EAUTH"), ErrorNumber::PLUGIN_AUTH_FAILED);
        assert_eq!(of(400, "EBADARG"), ErrorNumber::INVALID_ARGUMENT);
        assert_eq!(of(400, "EINVAL"), ErrorNumber::INVALID_ARGUMENT);
        assert_eq!(of(400, "ENOSPC"), ErrorNumber::NOT_ENOUGH_SPACE);
        assert_eq!(of(404, "ENOENT"), ErrorNumber::NOT_FOUND_FS);
        assert_eq!(of(500, "EIO"), ErrorNumber::PLUGIN_BUG);
        assert!(NefError::from_reply(500, br#"{"code": "EBUSY"}"#).is_busy());
    }
}
