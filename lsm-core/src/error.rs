//! The LSM error model: [`ErrorNumber`] (the 44 wire codes of protocol doc §5, kept open so
//! a newer peer's code survives) and [`LsmError`] `{ code, message, data }`, the one error
//! type that crosses the wire.

use crate::types::macros::wire_enum;

wire_enum! {
    /// An LSM error number (`ErrorNumber` in Python, `LSM_ERR_*` in C). Codes outside the
    /// list (e.g. the Python runner's -32601) are kept as they are.
    pub struct ErrorNumber(i64), default OK {
        OK = 0,
        LIB_BUG = 1,
        PLUGIN_BUG = 2,
        JOB_STARTED = 7,
        TIMEOUT = 11,
        DAEMON_NOT_RUNNING = 12,
        PERMISSION_DENIED = 13,
        NAME_CONFLICT = 50,
        EXISTS_INITIATOR = 52,
        INVALID_ARGUMENT = 101,
        NO_STATE_CHANGE = 125,
        NETWORK_CONNREFUSED = 140,
        NETWORK_HOSTDOWN = 141,
        NETWORK_ERROR = 142,
        NO_MEMORY = 152,
        NO_SUPPORT = 153,
        IS_MASKED = 160,
        HAS_CHILD_DEPENDENCY = 161,
        NOT_FOUND_ACCESS_GROUP = 200,
        NOT_FOUND_FS = 201,
        NOT_FOUND_JOB = 202,
        NOT_FOUND_POOL = 203,
        NOT_FOUND_FS_SS = 204,
        NOT_FOUND_VOLUME = 205,
        NOT_FOUND_NFS_EXPORT = 206,
        NOT_FOUND_GENERIC = 207,
        NOT_FOUND_SYSTEM = 208,
        NOT_FOUND_DISK = 209,
        NOT_LICENSED = 226,
        NO_SUPPORT_ONLINE_CHANGE = 250,
        NO_SUPPORT_OFFLINE_CHANGE = 251,
        PLUGIN_AUTH_FAILED = 300,
        PLUGIN_IPC_FAIL = 301,
        PLUGIN_SOCKET_PERMISSION = 307,
        PLUGIN_NOT_EXIST = 311,
        NOT_ENOUGH_SPACE = 350,
        TRANSPORT_COMMUNICATION = 400,
        TRANSPORT_SERIALIZATION = 401,
        TRANSPORT_INVALID_ARG = 402,
        LAST_INIT_IN_ACCESS_GROUP = 502,
        UNSUPPORTED_SEARCH_KEY = 510,
        EMPTY_ACCESS_GROUP = 511,
        POOL_NOT_READY = 512,
        DISK_NOT_FREE = 513,
    }
}

/// An LSM error as it travels on the wire: `{"code": int, "message": str, "data": str|null}`.
///
/// `Display` follows the Python binding: `NAME(code): message`, plus ` Data: data` when there
/// is data (`NOT_FOUND_VOLUME(205): Volume not found`). A code this crate does not know prints
/// as `ERROR(code): message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct LsmError {
    /// The error number.
    pub code: ErrorNumber,
    /// Human-readable message.
    pub message: String,
    /// Extra detail (Python sends a traceback here for `PLUGIN_BUG`); `None` or `""` = none.
    pub data: Option<String>,
}

/// Result with [`LsmError`].
pub type Result<T> = std::result::Result<T, LsmError>;

impl LsmError {
    /// An error with this code and message, no data.
    pub fn new(code: ErrorNumber, message: impl Into<String>) -> Self {
        LsmError {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// The same error with `data` set.
    pub fn with_data(mut self, data: impl Into<String>) -> Self {
        self.data = Some(data.into());
        self
    }

    /// `INVALID_ARGUMENT` (101).
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(ErrorNumber::INVALID_ARGUMENT, message)
    }

    /// `NO_SUPPORT` (153).
    pub fn no_support(message: impl Into<String>) -> Self {
        Self::new(ErrorNumber::NO_SUPPORT, message)
    }

    /// `PLUGIN_BUG` (2).
    pub fn plugin_bug(message: impl Into<String>) -> Self {
        Self::new(ErrorNumber::PLUGIN_BUG, message)
    }

    /// `LIB_BUG` (1).
    pub fn lib_bug(message: impl Into<String>) -> Self {
        Self::new(ErrorNumber::LIB_BUG, message)
    }

    /// `TIMEOUT` (11).
    pub fn timeout(message: impl Into<String>) -> Self {
        Self::new(ErrorNumber::TIMEOUT, message)
    }

    /// `TRANSPORT_COMMUNICATION` (400).
    pub fn transport_communication(message: impl Into<String>) -> Self {
        Self::new(ErrorNumber::TRANSPORT_COMMUNICATION, message)
    }

    /// `TRANSPORT_SERIALIZATION` (401).
    pub fn transport_serialization(message: impl Into<String>) -> Self {
        Self::new(ErrorNumber::TRANSPORT_SERIALIZATION, message)
    }

    /// `TRANSPORT_INVALID_ARG` (402).
    pub fn transport_invalid_arg(message: impl Into<String>) -> Self {
        Self::new(ErrorNumber::TRANSPORT_INVALID_ARG, message)
    }

    /// `UNSUPPORTED_SEARCH_KEY` (510).
    pub fn unsupported_search_key(message: impl Into<String>) -> Self {
        Self::new(ErrorNumber::UNSUPPORTED_SEARCH_KEY, message)
    }

    /// True when the error has this code.
    pub fn is(&self, code: ErrorNumber) -> bool {
        self.code == code
    }

    /// The data, treating `""` as none.
    pub fn data(&self) -> Option<&str> {
        self.data.as_deref().filter(|data| !data.is_empty())
    }
}

impl LsmError {
    /// The `Display` text: `NAME(code): message[ Data: data]`.
    fn render(&self) -> String {
        let name = self.code.name().unwrap_or("ERROR");
        match self.data() {
            Some(data) => format!("{name}({}): {} Data: {data}", self.code.0, self.message),
            None => format!("{name}({}): {}", self.code.0, self.message),
        }
    }
}

/// Transport failures: `Serialization` → `TRANSPORT_SERIALIZATION` (401), `Communication` →
/// `TRANSPORT_COMMUNICATION` (400), `Timeout` → `TIMEOUT` (11), with the transport's message.
impl From<lsm_ipc::IpcError> for LsmError {
    fn from(error: lsm_ipc::IpcError) -> Self {
        let code = ErrorNumber(i64::from(error.code()));
        let message = match error {
            lsm_ipc::IpcError::Serialization(message)
            | lsm_ipc::IpcError::Communication(message)
            | lsm_ipc::IpcError::Timeout(message) => message,
        };
        LsmError::new(code, message)
    }
}

/// An error object received from the peer; unknown codes are kept.
impl From<lsm_ipc::WireError> for LsmError {
    fn from(error: lsm_ipc::WireError) -> Self {
        LsmError {
            code: ErrorNumber(error.code),
            message: error.message,
            data: error.data,
        }
    }
}

/// The error object to send to the peer (`data` kept as is, `None` goes out as `null`).
impl From<&LsmError> for lsm_ipc::WireError {
    fn from(error: &LsmError) -> Self {
        lsm_ipc::WireError {
            code: error.code.0,
            message: error.message.clone(),
            data: error.data.clone(),
        }
    }
}

/// Same as the `&LsmError` conversion, without cloning.
impl From<LsmError> for lsm_ipc::WireError {
    fn from(error: LsmError) -> Self {
        lsm_ipc::WireError {
            code: error.code.0,
            message: error.message,
            data: error.data,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipc_errors_map_to_transport_codes() {
        let timeout = LsmError::from(lsm_ipc::IpcError::Timeout("no reply in 30 s".into()));
        assert_eq!(timeout.code, ErrorNumber::TIMEOUT);
        assert_eq!(timeout.message, "no reply in 30 s");
        let broken = LsmError::from(lsm_ipc::IpcError::Communication("eof".into()));
        assert_eq!(broken.code, ErrorNumber::TRANSPORT_COMMUNICATION);
        let garbled = LsmError::from(lsm_ipc::IpcError::Serialization("bad json".into()));
        assert_eq!(garbled.code, ErrorNumber::TRANSPORT_SERIALIZATION);
    }

    #[test]
    fn wire_error_round_trip_keeps_unknown_codes() {
        let wire = lsm_ipc::WireError {
            code: -32601,
            message: "no attribute".into(),
            data: Some("trace".into()),
        };
        let error = LsmError::from(wire.clone());
        assert_eq!(error.code, ErrorNumber(-32601));
        assert_eq!(lsm_ipc::WireError::from(&error), wire);
    }

    #[test]
    fn there_are_44_codes() {
        assert_eq!(ErrorNumber::ALL.len(), 44);
        assert_eq!(ErrorNumber::DISK_NOT_FREE.value(), 513);
        assert_eq!(ErrorNumber(-32601).name(), None);
    }

    #[test]
    fn display_matches_python() {
        let error = LsmError::new(ErrorNumber::NOT_FOUND_VOLUME, "Volume not found");
        assert_eq!(error.to_string(), "NOT_FOUND_VOLUME(205): Volume not found");
        let with_data = LsmError::plugin_bug("boom").with_data("Traceback ...");
        assert_eq!(
            with_data.to_string(),
            "PLUGIN_BUG(2): boom Data: Traceback ..."
        );
        let empty_data = LsmError::no_support("nope").with_data("");
        assert_eq!(empty_data.to_string(), "NO_SUPPORT(153): nope");
        let unknown = LsmError::new(ErrorNumber(-32601), "'Volume' object has no attribute");
        assert_eq!(
            unknown.to_string(),
            "ERROR(-32601): 'Volume' object has no attribute"
        );
    }
}
