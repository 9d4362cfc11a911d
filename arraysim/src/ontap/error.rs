//! ONTAP's error body, `{"error": {"message", "code", "target"}}`, with
//! `code` a decimal string. Codes marked *chosen* are the simulator's
//! choice where the public sources are silent.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::core::state::StoreError;

/// "entry doesn't exist".
pub const NOT_FOUND: &str = "4";
/// "duplicate entry".
pub const DUPLICATE: &str = "1";
/// Invalid value / missing required field (*chosen* for missing fields).
pub const INVALID: &str = "2";
/// "Unexpected argument": a query parameter or body field the API does not have (ONTAP's
/// code and message, as clusters answer them).
pub const UNEXPECTED: &str = "262179";
/// A value a parameter does not take: an unknown name in `fields=` (ONTAP's code, message
/// and target, as clusters answer them).
pub const INVALID_FOR_FIELD: &str = "262197";
/// "Field cannot be set in this operation": a known field a POST or PATCH cannot set.
pub const CANNOT_SET: &str = "262196";
/// SVM not found.
pub const SVM_NOT_FOUND: &str = "13434920";
/// Not enough space in the aggregate for a volume (*chosen*).
pub const AGGR_NO_SPACE: u64 = 917_927;
/// Not enough space in the volume for a LUN (*chosen*).
pub const VOL_NO_SPACE: &str = "5374860";
/// LUN is mapped (*chosen*).
pub const LUN_MAPPED: &str = "5374875";
/// igroup is mapped (*chosen*).
pub const IGROUP_MAPPED: &str = "5374852";
/// A volume with FlexClone children cannot be deleted (*chosen*; not ONTAP's
/// "another volume operation is in progress", 13107406, which clients retry).
pub const VOL_HAS_CLONES: u64 = 917_536;
/// Export policy in use (*chosen*).
pub const POLICY_IN_USE: &str = "1703952";
/// "LUN map does not exist": the LUN and the igroup exist, unmapped (cinder's
/// `REST_NO_SUCH_LUN_MAP`).
pub const NO_SUCH_LUN_MAP: &str = "5374922";
/// API path unknown (*chosen*).
pub const API_NOT_FOUND: &str = "3";

/// An ONTAP error reply.
#[derive(Debug, Clone)]
pub struct OntapError {
    /// HTTP status.
    pub status: StatusCode,
    /// ONTAP code.
    pub code: String,
    /// Human text.
    pub message: String,
    /// The field at fault.
    pub target: Option<String>,
}

impl OntapError {
    /// Any error.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        OntapError {
            status,
            code: code.to_string(),
            message: message.into(),
            target: None,
        }
    }

    /// With the field at fault.
    pub fn target(mut self, target: &str) -> Self {
        self.target = Some(target.to_string());
        self
    }

    /// 404 "entry doesn't exist" for a uuid in the path.
    pub fn not_found(target: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, NOT_FOUND, "entry doesn't exist").target(target)
    }

    /// 400 invalid input.
    pub fn invalid(target: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, INVALID, message).target(target)
    }

    /// 400 missing required field.
    pub fn required(target: &str) -> Self {
        Self::invalid(target, format!("Field \"{target}\" is required"))
    }

    /// 400 "Unexpected argument": a query parameter or body field the API lacks.
    pub fn unexpected_argument(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            UNEXPECTED,
            format!("Unexpected argument \"{name}\"."),
        )
        .target(name)
    }

    /// 400: `value` is not one `parameter` takes (`fields=`, `order_by=`).
    pub fn invalid_for(parameter: &str, value: &str) -> Self {
        let form = if parameter == "fields" {
            " (<field,...>)"
        } else {
            ""
        };
        Self::new(
            StatusCode::BAD_REQUEST,
            INVALID_FOR_FIELD,
            format!("The value \"{value}\" is invalid for field \"{parameter}\"{form}"),
        )
        .target(parameter)
    }

    /// 400: a known field this operation cannot set.
    pub fn cannot_set(field: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            CANNOT_SET,
            format!("Field \"{field}\" cannot be set in this operation."),
        )
        .target(field)
    }

    /// 409 duplicate.
    pub fn duplicate(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, DUPLICATE, message)
    }
}

impl From<StoreError> for OntapError {
    fn from(e: StoreError) -> Self {
        tracing::error!("{e}");
        OntapError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "8",
            "internal error: state not saved",
        )
    }
}

impl IntoResponse for OntapError {
    fn into_response(self) -> Response {
        let mut error = json!({"message": self.message, "code": self.code});
        if let Some(t) = self.target {
            error["target"] = json!(t);
        }
        (self.status, Json(json!({"error": error}))).into_response()
    }
}

/// The body the server sends for an injected `status=` fault.
pub fn injected(status: StatusCode, message: &str) -> Response {
    OntapError::new(status, &status.as_u16().to_string(), message).into_response()
}

/// Result of a handler.
pub type OntapResult<T> = Result<T, OntapError>;
