//! ONTAP's error reply and the LSM error it becomes.
//!
//! ONTAP answers an error with an HTTP status and
//! `{"error": {"message", "code" (a decimal number as a string), "target"}}` (a 401 may carry
//! no JSON at all). [`OntapError::from_reply`] reads it; [`OntapError::lsm_error_number`]
//! picks the LSM code, given what kind of object the request was about, so a missing LUN is
//! `NOT_FOUND_VOLUME` and a missing igroup `NOT_FOUND_ACCESS_GROUP`.

use lsm_core::{ErrorNumber, LsmError};
use serde::Deserialize;

/// ONTAP error codes the plugin tells apart (vendor-apis.md §1.4).
pub mod code {
    /// "entry doesn't exist".
    pub const NOT_FOUND: &str = "4";
    /// "duplicate entry".
    pub const DUPLICATE: &str = "1";
    /// Not authorized for this operation.
    pub const NOT_AUTHORIZED: &str = "6";
    /// The SVM does not exist.
    pub const SVM_NOT_FOUND: &str = "13434920";
    /// Another volume operation is in progress: retry.
    pub const VOLUME_BUSY: &str = "13107406";
    /// The volume is offline.
    pub const VOLUME_OFFLINE: &str = "917533";
    /// A volume size below ONTAP's minimum (20 MB) or below what it holds.
    pub const VOLUME_TOO_SMALL: &str = "917534";
    /// Not enough space in the aggregate for a volume (lsm-arraysim's choice, documented in
    /// its README: the public sources give no code).
    pub const AGGREGATE_NO_SPACE: &str = "917927";
    /// Not enough space in the volume for a space-reserved LUN (lsm-arraysim's choice).
    pub const VOLUME_NO_SPACE: &str = "5374860";
    /// The LUN is mapped (lsm-arraysim's choice).
    pub const LUN_MAPPED: &str = "5374875";
    /// The igroup is mapped (lsm-arraysim's choice).
    pub const IGROUP_MAPPED: &str = "5374852";
    /// The export policy is in use (lsm-arraysim's choice).
    pub const POLICY_IN_USE: &str = "1703952";
    /// The volume has FlexClone children (lsm-arraysim's choice).
    pub const VOLUME_HAS_CLONES: &str = "917536";
    /// The snapshot backs a FlexClone (lsm-arraysim's choice).
    pub const SNAPSHOT_IN_USE: &str = "1638555";
}

/// What a request was about, to pick the right `NOT_FOUND_*` code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    /// The cluster or an SVM.
    System,
    /// An aggregate.
    Pool,
    /// A LUN.
    Volume,
    /// A FlexVol.
    FileSystem,
    /// A snapshot of a FlexVol.
    Snapshot,
    /// An igroup.
    AccessGroup,
    /// An export policy.
    NfsExport,
    /// A disk.
    Disk,
    /// A job.
    Job,
    /// Anything else.
    Other,
}

/// An error reply of ONTAP.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ONTAP error {status}{}: {message}", code.as_ref().map(|c| format!(" (code {c})")).unwrap_or_default())]
pub struct OntapError {
    /// The HTTP status.
    pub status: u16,
    /// `error.code`, when the body had one.
    pub code: Option<String>,
    /// `error.message`, or a description of the status when the body had none.
    pub message: String,
    /// `error.target`: the field the error is about.
    pub target: Option<String>,
}

#[derive(Deserialize)]
struct Envelope {
    error: Body,
}

#[derive(Deserialize)]
struct Body {
    message: Option<String>,
    code: Option<String>,
    target: Option<String>,
}

impl OntapError {
    /// The error of a reply with this status and body; a body that is not ONTAP's error
    /// JSON gives a message naming the status.
    pub fn from_reply(status: u16, body: &[u8]) -> Self {
        match serde_json::from_slice::<Envelope>(body) {
            Ok(Envelope { error }) => OntapError {
                status,
                code: error.code,
                message: error
                    .message
                    .unwrap_or_else(|| format!("HTTP status {status}")),
                target: error.target,
            },
            Err(_) => OntapError {
                status,
                code: None,
                message: format!("HTTP status {status}"),
                target: None,
            },
        }
    }

    /// The error of a failed ONTAP job (its `error.code` / `code` and message).
    pub fn from_job(code: Option<String>, message: Option<String>) -> Self {
        OntapError {
            status: 200,
            code,
            message: message.unwrap_or_else(|| "the ONTAP job failed".to_string()),
            target: None,
        }
    }

    /// The error of a job whose state is `failure`: `error.code`/`error.message`, else the
    /// job's own `code` and `message`.
    pub fn from_failed_job(job: &crate::client::models::Job) -> Self {
        let error = job.error.clone().unwrap_or_default();
        OntapError::from_job(
            error.code.or_else(|| job.code.map(|code| code.to_string())),
            error.message.or_else(|| job.message.clone()),
        )
    }

    /// True when the request may succeed if sent again (ONTAP is busy with the object).
    pub fn is_retryable(&self) -> bool {
        self.code.as_deref() == Some(code::VOLUME_BUSY) || self.status == 503
    }

    /// The LSM error number for this error, the request being about `kind`.
    pub fn lsm_error_number(&self, kind: ObjectKind) -> ErrorNumber {
        match (self.status, self.code.as_deref()) {
            (401, _) => ErrorNumber::PLUGIN_AUTH_FAILED,
            (403, _) | (_, Some(code::NOT_AUTHORIZED)) => ErrorNumber::PERMISSION_DENIED,
            (_, Some(code::SVM_NOT_FOUND)) => ErrorNumber::NOT_FOUND_SYSTEM,
            (404, _) | (_, Some(code::NOT_FOUND)) => not_found_code(kind),
            (_, Some(code::DUPLICATE)) | (409, None) => ErrorNumber::NAME_CONFLICT,
            (_, Some(code::VOLUME_BUSY)) => ErrorNumber::TIMEOUT,
            (_, Some(code::AGGREGATE_NO_SPACE | code::VOLUME_NO_SPACE)) => {
                ErrorNumber::NOT_ENOUGH_SPACE
            }
            (_, Some(code::LUN_MAPPED | code::IGROUP_MAPPED)) => ErrorNumber::IS_MASKED,
            (_, Some(code::VOLUME_HAS_CLONES | code::SNAPSHOT_IN_USE | code::POLICY_IN_USE)) => {
                ErrorNumber::HAS_CHILD_DEPENDENCY
            }
            (_, Some(code::VOLUME_TOO_SMALL)) => ErrorNumber::INVALID_ARGUMENT,
            (400, _) => ErrorNumber::INVALID_ARGUMENT,
            (408 | 504, _) => ErrorNumber::TIMEOUT,
            (429 | 502 | 503, _) => ErrorNumber::NETWORK_ERROR,
            _ => ErrorNumber::PLUGIN_BUG,
        }
    }

    /// This error as an LSM error, the request being about `kind`; the message keeps
    /// ONTAP's text and code.
    pub fn to_lsm(&self, kind: ObjectKind) -> LsmError {
        LsmError::new(self.lsm_error_number(kind), self.to_string())
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
    fn the_error_body_is_read_with_its_string_code() {
        let error = OntapError::from_reply(
            404,
            br#"{"error": {"message": "entry doesn't exist", "code": "4", "target": "uuid"}}"#,
        );
        assert_eq!(error.code.as_deref(), Some("4"));
        assert_eq!(error.target.as_deref(), Some("uuid"));
        assert_eq!(
            error.lsm_error_number(ObjectKind::Volume),
            ErrorNumber::NOT_FOUND_VOLUME
        );
        assert_eq!(
            error.lsm_error_number(ObjectKind::AccessGroup),
            ErrorNumber::NOT_FOUND_ACCESS_GROUP
        );
        let lsm = error.to_lsm(ObjectKind::FileSystem);
        assert_eq!(lsm.code, ErrorNumber::NOT_FOUND_FS);
        assert!(lsm.message.contains("entry doesn't exist"), "{lsm}");
        assert!(lsm.message.contains("code 4"), "{lsm}");
    }

    #[test]
    fn statuses_and_codes_map_to_lsm_codes() {
        let cases = [
            (401, "", ErrorNumber::PLUGIN_AUTH_FAILED),
            (
                403,
                r#"{"error": {"message": "not authorized", "code": "6"}}"#,
                ErrorNumber::PERMISSION_DENIED,
            ),
            (
                409,
                r#"{"error": {"message": "duplicate entry", "code": "1"}}"#,
                ErrorNumber::NAME_CONFLICT,
            ),
            (
                400,
                r#"{"error": {"message": "Unexpected argument", "code": "262179"}}"#,
                ErrorNumber::INVALID_ARGUMENT,
            ),
            (
                404,
                r#"{"error": {"message": "SVM not found", "code": "13434920"}}"#,
                ErrorNumber::NOT_FOUND_SYSTEM,
            ),
            (500, "<html>oops</html>", ErrorNumber::PLUGIN_BUG),
            (503, "", ErrorNumber::NETWORK_ERROR),
            (502, "", ErrorNumber::NETWORK_ERROR),
            (504, "", ErrorNumber::TIMEOUT),
        ];
        for (status, body, expected) in cases {
            let error = OntapError::from_reply(status, body.as_bytes());
            assert_eq!(
                error.lsm_error_number(ObjectKind::Other),
                expected,
                "{status} {body}"
            );
        }
        assert_eq!(
            OntapError::from_reply(500, b"").message,
            "HTTP status 500",
            "a body without JSON names the status"
        );
    }

    #[test]
    fn a_busy_volume_is_retryable() {
        let busy = OntapError::from_reply(
            409,
            br#"{"error": {"message": "Another volume operation is in progress", "code": "13107406"}}"#,
        );
        assert!(busy.is_retryable());
        assert!(!OntapError::from_reply(400, b"{}").is_retryable());
    }

    #[test]
    fn a_failed_job_keeps_its_code_and_message() {
        let error = OntapError::from_job(Some("1".into()), Some("duplicate entry".into()));
        assert_eq!(
            error.lsm_error_number(ObjectKind::FileSystem),
            ErrorNumber::NAME_CONFLICT
        );
        assert!(error.to_string().contains("duplicate entry"));
    }
}
