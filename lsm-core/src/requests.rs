//! The requests of the methods with many parameters, as named fields instead of a long
//! argument list: [`ExportRequest`] (`export_fs`, shared by the client and the plugin side),
//! [`SnapshotRestore`] (`fs_snapshot_restore`) and [`ChapAuth`] (`iscsi_chap_auth`).
//! Each is sent with the same wire params as the argument list was.

use crate::types::anon_id;

/// The parameters of `export_fs` (wire names, minus `flags`): what a client asks, what a
/// plugin receives.
///
/// ```
/// use lsm_core::requests::ExportRequest;
///
/// let request = ExportRequest {
///     rw_list: vec!["192.0.2.10".into()],
///     ..ExportRequest::new("FS_ID_00001")
/// };
/// assert_eq!(request.anon_uid, lsm_core::anon_id::NA);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRequest {
    /// The id of the file system to export.
    pub fs_id: String,
    /// The export path; `None`: the plugin chooses.
    pub export_path: Option<String>,
    /// Hosts whose root keeps its rights (not squashed).
    pub root_list: Vec<String>,
    /// Hosts with read-write access.
    pub rw_list: Vec<String>,
    /// Hosts with read-only access.
    pub ro_list: Vec<String>,
    /// The uid anonymous users map to; -1 ([`anon_id::NA`]) = not applicable.
    pub anon_uid: i64,
    /// The gid anonymous users map to; -1 ([`anon_id::NA`]) = not applicable.
    pub anon_gid: i64,
    /// The authentication type (one of `export_auth`); `None`: the plugin's default.
    pub auth_type: Option<String>,
    /// Further export options, in the plugin's own syntax.
    pub options: Option<String>,
}

impl ExportRequest {
    /// An export of the file system `fs_id`: no hosts yet, no anonymous ids, the plugin's
    /// defaults for the path, authentication and options.
    pub fn new(fs_id: impl Into<String>) -> Self {
        ExportRequest {
            fs_id: fs_id.into(),
            export_path: None,
            root_list: Vec::new(),
            rw_list: Vec::new(),
            ro_list: Vec::new(),
            anon_uid: anon_id::NA,
            anon_gid: anon_id::NA,
            auth_type: None,
            options: None,
        }
    }
}

/// What `fs_snapshot_restore` restores from a snapshot: every file, or the files named
/// (back in place, or each to a path of its own).
///
/// ```
/// use lsm_core::requests::SnapshotRestore;
///
/// let everything = SnapshotRestore::all_files();
/// let one_file_elsewhere = SnapshotRestore::files(["etc/app.conf"]).restored_as(["etc/app.conf.old"]);
/// assert!(everything.all_files && !one_file_elsewhere.all_files);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotRestore {
    /// Restore the whole file system (`files` are then not needed).
    pub all_files: bool,
    /// The files to restore, by their path in the file system.
    pub files: Option<Vec<String>>,
    /// Where each of `files` is restored to, one path per file (same order); `None`: back
    /// where it was.
    pub restore_files: Option<Vec<String>>,
}

impl SnapshotRestore {
    /// The whole file system.
    pub fn all_files() -> Self {
        SnapshotRestore {
            all_files: true,
            ..SnapshotRestore::default()
        }
    }

    /// These files, back where they were.
    pub fn files<I: IntoIterator<Item = S>, S: Into<String>>(files: I) -> Self {
        SnapshotRestore {
            files: Some(files.into_iter().map(Into::into).collect()),
            ..SnapshotRestore::default()
        }
    }

    /// Each file restored to the path at the same position of `restore_files` instead.
    pub fn restored_as<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        restore_files: I,
    ) -> Self {
        self.restore_files = Some(restore_files.into_iter().map(Into::into).collect());
        self
    }
}

/// One side of iSCSI CHAP: a user name and its secret. `Debug` does not show the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct ChapCredentials {
    /// The CHAP user name.
    pub user: String,
    /// The CHAP secret (never logged).
    pub password: String,
}

impl ChapCredentials {
    /// `user` and its secret.
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> Self {
        ChapCredentials {
            user: user.into(),
            password: password.into(),
        }
    }
}

impl std::fmt::Debug for ChapCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChapCredentials")
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// The CHAP settings `iscsi_chap_auth` gives an initiator: inbound credentials (the ones the
/// initiator logs in with), and outbound ones for mutual CHAP (the ones the target answers
/// with), which need inbound ones too. Neither: no CHAP for the initiator.
///
/// ```
/// use lsm_core::requests::{ChapAuth, ChapCredentials};
///
/// let one_way = ChapAuth::inbound(ChapCredentials::new("host1", "in-secret-12"));
/// let mutual = one_way.clone().with_outbound(ChapCredentials::new("array", "out-secret-12"));
/// assert!(ChapAuth::none().inbound.is_none() && mutual.outbound.is_some());
/// assert!(!format!("{mutual:?}").contains("secret"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChapAuth {
    /// The credentials the initiator logs in with.
    pub inbound: Option<ChapCredentials>,
    /// The credentials the target answers with (mutual CHAP); needs `inbound`.
    pub outbound: Option<ChapCredentials>,
}

impl ChapAuth {
    /// No CHAP for the initiator.
    pub fn none() -> Self {
        ChapAuth::default()
    }

    /// One-way CHAP: the initiator logs in with `credentials`.
    pub fn inbound(credentials: ChapCredentials) -> Self {
        ChapAuth {
            inbound: Some(credentials),
            outbound: None,
        }
    }

    /// Mutual CHAP: the target answers with `credentials` too.
    pub fn with_outbound(mut self, credentials: ChapCredentials) -> Self {
        self.outbound = Some(credentials);
        self
    }
}
