//! Unity's error reply and the LSM error it becomes.
//!
//! Unisphere answers an error with an HTTP status and
//! `{"error": {"errorCode": <int>, "httpStatusCode": <int>, "messages": [{"en-US": "..."}]}}`
//! (vendor-apis.md §3.4; storops `exception.py` names the codes). [`UnityError::from_reply`]
//! reads it; [`UnityError::to_lsm`] picks the LSM code from the error code, the HTTP status
//! and what the request was doing ([`Context`]): a missing object is the `NOT_FOUND_*` of
//! what was asked for, a name in use is `NAME_CONFLICT`, a LUN shrink is `NO_SUPPORT`.
//!
//! Codes storops names are Unity's own; where storops names none (marked *no capture*), the
//! code is the one `lsm-arraysim` chose, and the HTTP status decides on a real array.

use lsm_core::{ErrorNumber, LsmError};
use serde::Deserialize;

/// Unity error codes the plugin tells apart.
pub mod code {
    /// The requested resource does not exist (0x7d13005).
    pub const NOT_FOUND: u64 = 131_149_829;
    /// LUN name in use (0x6701140).
    pub const LUN_NAME_IN_USE: u64 = 108_007_744;
    /// Storage resource name in use (0x6701210).
    pub const RESOURCE_NAME_IN_USE: u64 = 108_007_952;
    /// Shrinking a LUN is not supported (0x6701130).
    pub const LUN_SHRINK: u64 = 108_007_728;
    /// Nothing to modify (0x6701020).
    pub const NOTHING_TO_MODIFY: u64 = 108_007_456;
    /// File system name in use (0x6701410).
    pub const FS_NAME_IN_USE: u64 = 108_008_464;
    /// File system too small (0x6701401).
    pub const FS_TOO_SMALL: u64 = 108_008_449;
    /// NFS share name in use (0x900a104).
    pub const NFS_SHARE_NAME_IN_USE: u64 = 151_036_164;
    /// SMB share name in use.
    pub const SMB_SHARE_NAME_IN_USE: u64 = 151_036_420;
    /// NAS server name in use (0x6702024).
    pub const NAS_SERVER_NAME_IN_USE: u64 = 108_011_556;
    /// A NAS server with file systems cannot be deleted.
    pub const NAS_SERVER_HAS_FS: u64 = 108_011_564;
    /// A LUN with thin clones cannot be deleted (0x6701673).
    pub const BASE_HAS_THIN_CLONES: u64 = 108_009_075;
    /// Snapshot name in use (0x716d8005).
    pub const SNAP_NAME_IN_USE: u64 = 1_903_001_605;
    /// The host initiator exists already (0x60000f3).
    pub const INITIATOR_EXISTS: u64 = 100_663_539;
    /// Too many LUNs or snaps attached.
    pub const TOO_MANY_ATTACHED: u64 = 108_008_750;
    /// *No capture*: host name in use.
    pub const HOST_NAME_IN_USE: u64 = 100_663_519;
    /// *No capture*: a host with LUN access cannot be deleted.
    pub const HOST_IN_USE: u64 = 100_663_540;
    /// *No capture*: the pool has not enough free space.
    pub const POOL_FULL: u64 = 108_007_747;
    /// A LUN or file system with snaps, deleted without `forceSnapDeletion` (storops'
    /// `UnityDeleteStorageResourceHasSnapError`; 108007750 is compression of a thick LUN).
    pub const HAS_SNAPS: u64 = 100_666_391;
    /// *No capture*: thin clones are made of thin LUNs only.
    pub const THIN_CLONE_OF_THICK: u64 = 108_009_078;
    /// *No capture*: a file system cannot shrink that far (or at all, when thick).
    pub const FS_SHRINK: u64 = 108_008_450;
    /// *No capture*: no valid credentials or session.
    pub const UNAUTHORIZED: u64 = 131_149_828;
    /// *No capture*: POST/DELETE without the session's CSRF token.
    pub const CSRF_TOKEN: u64 = 131_149_830;
}

/// What a request was about, to pick the right `NOT_FOUND_*` code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    /// The array.
    System,
    /// A pool.
    Pool,
    /// A LUN.
    Volume,
    /// A file system.
    FileSystem,
    /// A snap of a file system.
    Snapshot,
    /// A host.
    AccessGroup,
    /// A host initiator.
    Initiator,
    /// An NFS share.
    NfsExport,
    /// A disk.
    Disk,
    /// A NAS server.
    NasServer,
    /// A job.
    Job,
    /// Anything else.
    Other,
}

/// What the request was doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Reading.
    Read,
    /// Making something (a 409 is `NAME_CONFLICT`).
    Create,
    /// Changing something.
    Change,
    /// Destroying something (a 409 is `HAS_CHILD_DEPENDENCY`).
    Delete,
}

/// An error reply of Unity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Unity error {status}{}: {message}", code.map(|c| format!(" (errorCode {c})")).unwrap_or_default())]
pub struct UnityError {
    /// The HTTP status.
    pub status: u16,
    /// `errorCode`, when the body had one.
    pub code: Option<u64>,
    /// The first message, or a description of the status when the body had none.
    pub message: String,
}

#[derive(Deserialize)]
struct Reply {
    error: Option<Body>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Body {
    error_code: Option<u64>,
    #[serde(default)]
    messages: Vec<serde_json::Map<String, serde_json::Value>>,
}

impl Body {
    /// The `en-US` message, else the first of any locale.
    fn message(&self) -> Option<String> {
        let text = |m: &serde_json::Map<String, serde_json::Value>, key: &str| {
            m.get(key).and_then(|v| v.as_str()).map(str::to_string)
        };
        self.messages
            .iter()
            .find_map(|m| text(m, "en-US"))
            .or_else(|| {
                self.messages
                    .iter()
                    .find_map(|m| m.values().find_map(|v| v.as_str().map(str::to_string)))
            })
    }
}

impl UnityError {
    /// The error of a reply with this status and body.
    pub fn from_reply(status: u16, body: &[u8]) -> Self {
        let body = serde_json::from_slice::<Reply>(body)
            .ok()
            .and_then(|reply| reply.error);
        match body {
            Some(body) => UnityError {
                status,
                code: body.error_code,
                message: body
                    .message()
                    .unwrap_or_else(|| format!("HTTP status {status}")),
            },
            None => UnityError {
                status,
                code: None,
                message: format!("HTTP status {status}"),
            },
        }
    }

    /// An error a job reported: its code and message, with no HTTP status of its own.
    pub fn from_job(code: Option<u64>, message: String) -> Self {
        UnityError {
            status: 0,
            code,
            message,
        }
    }

    /// True when the array refused the session or the password (401).
    pub fn is_auth(&self) -> bool {
        self.status == 401
    }

    /// True when the array refused a POST/DELETE for its CSRF token (the session ended).
    pub fn is_csrf(&self) -> bool {
        self.status == 401 && self.code == Some(code::CSRF_TOKEN)
    }

    /// The LSM error number for this error, the request being about `kind` in `context`.
    pub fn lsm_error_number(&self, kind: ObjectKind, context: Context) -> ErrorNumber {
        use code::*;
        match self.code {
            Some(NOT_FOUND) => return not_found_code(kind),
            Some(
                LUN_NAME_IN_USE
                | RESOURCE_NAME_IN_USE
                | FS_NAME_IN_USE
                | NFS_SHARE_NAME_IN_USE
                | SMB_SHARE_NAME_IN_USE
                | NAS_SERVER_NAME_IN_USE
                | SNAP_NAME_IN_USE
                | HOST_NAME_IN_USE,
            ) => return ErrorNumber::NAME_CONFLICT,
            Some(LUN_SHRINK | THIN_CLONE_OF_THICK) => return ErrorNumber::NO_SUPPORT,
            Some(NOTHING_TO_MODIFY) => return ErrorNumber::NO_STATE_CHANGE,
            Some(BASE_HAS_THIN_CLONES | HAS_SNAPS | NAS_SERVER_HAS_FS) => {
                return ErrorNumber::HAS_CHILD_DEPENDENCY;
            }
            Some(HOST_IN_USE) => return ErrorNumber::IS_MASKED,
            Some(INITIATOR_EXISTS) => return ErrorNumber::EXISTS_INITIATOR,
            Some(POOL_FULL) => return ErrorNumber::NOT_ENOUGH_SPACE,
            Some(FS_TOO_SMALL | FS_SHRINK) => return ErrorNumber::INVALID_ARGUMENT,
            _ => {}
        }
        match self.status {
            401 => ErrorNumber::PLUGIN_AUTH_FAILED,
            403 => ErrorNumber::PERMISSION_DENIED,
            404 => not_found_code(kind),
            409 if context == Context::Delete => ErrorNumber::HAS_CHILD_DEPENDENCY,
            409 if context == Context::Create => ErrorNumber::NAME_CONFLICT,
            400 | 422 => ErrorNumber::INVALID_ARGUMENT,
            408 | 504 => ErrorNumber::TIMEOUT,
            429 | 502 | 503 => ErrorNumber::NETWORK_ERROR,
            _ => ErrorNumber::PLUGIN_BUG,
        }
    }

    /// This error as an LSM error; the message keeps Unity's text and code.
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
        ObjectKind::Initiator | ObjectKind::NasServer | ObjectKind::Other => {
            ErrorNumber::NOT_FOUND_GENERIC
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_captured_not_found_body_is_read() {
        let error = UnityError::from_reply(
            404,
            br#"{"error": {"errorCode": 131149829, "httpStatusCode": 404, "messages": [{"en-US": "The requested resource does not exist. (Error Code:0x7d13005)"}], "created": "2016-03-16T08:58:21.183Z"}}"#,
        );
        assert_eq!(error.code, Some(code::NOT_FOUND));
        assert!(
            error.message.starts_with("The requested resource"),
            "{error}"
        );
        assert_eq!(
            error.lsm_error_number(ObjectKind::Volume, Context::Read),
            ErrorNumber::NOT_FOUND_VOLUME
        );
        assert_eq!(
            error.lsm_error_number(ObjectKind::Snapshot, Context::Delete),
            ErrorNumber::NOT_FOUND_FS_SS
        );
        let garbage = UnityError::from_reply(502, b"<html>");
        assert_eq!(garbage.code, None);
        assert_eq!(
            garbage.lsm_error_number(ObjectKind::Pool, Context::Read),
            ErrorNumber::NETWORK_ERROR
        );
    }

    #[test]
    fn codes_map_to_lsm_errors() {
        let of = |status: u16, code: u64, context: Context| {
            UnityError::from_reply(
                status,
                format!(r#"{{"error": {{"errorCode": {code}, "messages": [{{"en-US": "m"}}]}}}}"#)
                    .as_bytes(),
            )
            .lsm_error_number(ObjectKind::Volume, context)
        };
        use Context::*;
        assert_eq!(
            of(409, code::LUN_NAME_IN_USE, Create),
            ErrorNumber::NAME_CONFLICT
        );
        assert_eq!(
            of(409, code::FS_NAME_IN_USE, Create),
            ErrorNumber::NAME_CONFLICT
        );
        assert_eq!(of(422, code::LUN_SHRINK, Change), ErrorNumber::NO_SUPPORT);
        assert_eq!(
            of(409, code::NOTHING_TO_MODIFY, Change),
            ErrorNumber::NO_STATE_CHANGE
        );
        assert_eq!(
            of(409, code::BASE_HAS_THIN_CLONES, Delete),
            ErrorNumber::HAS_CHILD_DEPENDENCY
        );
        assert_eq!(
            of(422, code::INITIATOR_EXISTS, Create),
            ErrorNumber::EXISTS_INITIATOR
        );
        assert_eq!(
            of(422, code::POOL_FULL, Create),
            ErrorNumber::NOT_ENOUGH_SPACE
        );
        assert_eq!(of(409, 1, Create), ErrorNumber::NAME_CONFLICT);
        assert_eq!(of(409, 1, Delete), ErrorNumber::HAS_CHILD_DEPENDENCY);
        assert_eq!(of(422, 1, Change), ErrorNumber::INVALID_ARGUMENT);
        assert_eq!(of(500, 131_149_831, Read), ErrorNumber::PLUGIN_BUG);
        assert_eq!(
            of(401, code::UNAUTHORIZED, Read),
            ErrorNumber::PLUGIN_AUTH_FAILED
        );
        assert!(UnityError::from_reply(401, br#"{"error": {"errorCode": 131149830}}"#).is_csrf());
    }

    #[test]
    fn a_message_in_another_locale_is_kept() {
        let error =
            UnityError::from_reply(400, br#"{"error": {"messages": [{"de-DE": "falsch"}]}}"#);
        assert_eq!(error.message, "falsch");
        assert_eq!(error.code, None);
    }
}
