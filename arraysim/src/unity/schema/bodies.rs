//! The request bodies Unisphere takes, per create, action and delete the simulator
//! serves: every argument name and its JSON type, nested. A body with a name the request
//! does not take, or a value of the wrong type (a float for an integer, a string for a
//! reference, ...), is refused as a real array refuses it: 422, `errorCode` 131149877,
//! "Request body is not correct..." (captured by storops, `ioLimitPolicy/
//! incorrect_request_body.json`: an integer argument sent as `1.0`). `null` stands for
//! an argument not given (*chosen*: storops never sends one).
//!
//! The argument lists are what storops 1.2.12 sends (`lun.py` `prepare_lun_parameters`
//! and `_compose_lun_parameter`, `filesystem.py` `prepare_fs_parameters`, `nfs_share.py`
//! `prepare_nfs_share_parameters`, `host.py`, `snap.py`, `nas_server.py`,
//! `interface.py`, `job.py`) and what Unisphere documents for them; arguments the
//! simulator takes but does not act on (tiering, I/O limits, snapshot schedules,
//! replication, SMB settings) are listed, so that real clients' requests stay accepted.

use axum::http::StatusCode;
use serde_json::Value;

use crate::unity::Op;
use crate::unity::error::UnityError;

/// The body does not fit the request (0x7d13035), HTTP 422.
pub const INCORRECT_BODY: u64 = 131_149_877;

/// The JSON type of one argument.
#[derive(Debug)]
pub enum Arg {
    /// A string.
    Str,
    /// An integer (enums too); `1.0` is not one.
    Int,
    /// Any number.
    Float,
    /// `true` or `false`.
    Bool,
    /// A reference: `{"id": "..."}`.
    Ref,
    /// An object with these arguments.
    Obj(&'static [Param]),
    /// A list of these.
    List(&'static Arg),
    /// Anything (checked elsewhere: a job task's `parametersIn`).
    Any,
}

/// One argument: its name and type.
#[derive(Debug)]
pub struct Param(pub &'static str, pub Arg);

use Arg::*;

const FAST_VP: &[Param] = &[Param("tieringPolicy", Int)];
const IO_LIMIT: &[Param] = &[Param("ioLimitPolicy", Ref)];
const SNAP_SCHEDULE: &[Param] = &[
    Param("snapSchedule", Ref),
    Param("isSnapSchedulePaused", Bool),
    Param("skipSyncToRemoteSystem", Bool),
];
const REPLICATION: &[Param] = &[Param("isReplicationDestination", Bool)];

const HOST_ACCESS: &[Param] = &[
    Param("host", Ref),
    Param("accessMask", Int),
    Param("hlu", Int),
];

const LUN_PARAMETERS: &[Param] = &[
    Param("pool", Ref),
    Param("size", Int),
    Param("isThinEnabled", Bool),
    Param("defaultNode", Int),
    Param("hostAccess", List(&Obj(HOST_ACCESS))),
    Param("fastVPParameters", Obj(FAST_VP)),
    Param("ioLimitParameters", Obj(IO_LIMIT)),
    Param("isCompressionEnabled", Bool),
    Param("isDataReductionEnabled", Bool),
    Param("isAdvancedDedupEnabled", Bool),
];

const LUN_MODIFY_PARAMETERS: &[Param] = &[
    Param("size", Int),
    Param("defaultNode", Int),
    Param("hostAccess", List(&Obj(HOST_ACCESS))),
    Param("fastVPParameters", Obj(FAST_VP)),
    Param("ioLimitParameters", Obj(IO_LIMIT)),
    Param("isCompressionEnabled", Bool),
    Param("isDataReductionEnabled", Bool),
    Param("isAdvancedDedupEnabled", Bool),
];

const CREATE_LUN: &[Param] = &[
    Param("name", Str),
    Param("description", Str),
    Param("lunParameters", Obj(LUN_PARAMETERS)),
    Param("snapScheduleParameters", Obj(SNAP_SCHEDULE)),
    Param("replicationParameters", Obj(REPLICATION)),
];

const MODIFY_LUN: &[Param] = &[
    Param("name", Str),
    Param("description", Str),
    Param("lunParameters", Obj(LUN_MODIFY_PARAMETERS)),
    Param("snapScheduleParameters", Obj(SNAP_SCHEDULE)),
    Param("replicationParameters", Obj(REPLICATION)),
];

const THIN_CLONE: &[Param] = &[
    Param("snap", Ref),
    Param("name", Str),
    Param("description", Str),
    Param(
        "lunParameters",
        Obj(&[Param("ioLimitParameters", Obj(IO_LIMIT))]),
    ),
];

const DELETE_RESOURCE: &[Param] = &[
    Param("forceSnapDeletion", Bool),
    Param("forceVvolDeletion", Bool),
];

const NFS_SHARE_PARAMETERS: &[Param] = &[
    Param("description", Str),
    Param("isReadOnly", Bool),
    Param("defaultAccess", Int),
    Param("minSecurity", Int),
    Param("noAccessHosts", List(&Ref)),
    Param("readOnlyHosts", List(&Ref)),
    Param("readWriteHosts", List(&Ref)),
    Param("rootAccessHosts", List(&Ref)),
    Param("readOnlyRootAccessHosts", List(&Ref)),
    Param("noAccessHostsString", Str),
    Param("readOnlyHostsString", Str),
    Param("readWriteHostsString", Str),
    Param("readOnlyRootHostsString", Str),
    Param("readWriteRootHostsString", Str),
    Param("anonymousUID", Int),
    Param("anonymousGID", Int),
    Param("exportOption", Int),
];

const NFS_SHARE_CREATE: &[Param] = &[
    Param("name", Str),
    Param("path", Str),
    Param("nfsShareParameters", Obj(NFS_SHARE_PARAMETERS)),
];

const NFS_SHARE_MODIFY: &[Param] = &[
    Param("nfsShare", Ref),
    Param("nfsShareParameters", Obj(NFS_SHARE_PARAMETERS)),
];

const NFS_SHARE_DELETE: &[Param] = &[Param("nfsShare", Ref)];

const CIFS_FS_PARAMETERS: &[Param] = &[
    Param("isCIFSSyncWritesEnabled", Bool),
    Param("isCIFSOpLocksEnabled", Bool),
    Param("isCIFSNotifyOnWriteEnabled", Bool),
    Param("isCIFSNotifyOnAccessEnabled", Bool),
    Param("cifsNotifyOnChangeDirDepth", Int),
];

const FS_PARAMETERS: &[Param] = &[
    Param("pool", Ref),
    Param("nasServer", Ref),
    Param("size", Int),
    Param("supportedProtocols", Int),
    Param("isThinEnabled", Bool),
    Param("fastVPParameters", Obj(FAST_VP)),
    Param("accessPolicy", Int),
    Param("lockingPolicy", Int),
    Param("folderRenamePolicy", Int),
    Param("hostIOSize", Int),
    Param("isCacheDisabled", Bool),
    Param("isCompressionEnabled", Bool),
    Param("isDataReductionEnabled", Bool),
    Param("isAdvancedDedupEnabled", Bool),
];

const FS_MODIFY_PARAMETERS: &[Param] = &[
    Param("size", Int),
    Param("isThinEnabled", Bool),
    Param("fastVPParameters", Obj(FAST_VP)),
    Param("accessPolicy", Int),
    Param("lockingPolicy", Int),
    Param("folderRenamePolicy", Int),
    Param("isCacheDisabled", Bool),
    Param("isCompressionEnabled", Bool),
    Param("isDataReductionEnabled", Bool),
    Param("isAdvancedDedupEnabled", Bool),
];

const CREATE_FILESYSTEM: &[Param] = &[
    Param("name", Str),
    Param("description", Str),
    Param("fsParameters", Obj(FS_PARAMETERS)),
    Param("cifsFsParameters", Obj(CIFS_FS_PARAMETERS)),
    Param("nfsShareCreate", List(&Obj(NFS_SHARE_CREATE))),
    Param("snapScheduleParameters", Obj(SNAP_SCHEDULE)),
    Param("replicationParameters", Obj(REPLICATION)),
];

const MODIFY_FILESYSTEM: &[Param] = &[
    Param("description", Str),
    Param("fsParameters", Obj(FS_MODIFY_PARAMETERS)),
    Param("cifsFsParameters", Obj(CIFS_FS_PARAMETERS)),
    Param("nfsShareCreate", List(&Obj(NFS_SHARE_CREATE))),
    Param("nfsShareModify", List(&Obj(NFS_SHARE_MODIFY))),
    Param("nfsShareDelete", List(&Obj(NFS_SHARE_DELETE))),
    Param("snapScheduleParameters", Obj(SNAP_SCHEDULE)),
    Param("replicationParameters", Obj(REPLICATION)),
];

const SNAP_CREATE: &[Param] = &[
    Param("storageResource", Ref),
    Param("name", Str),
    Param("description", Str),
    Param("isAutoDelete", Bool),
    Param("retentionDuration", Int),
    Param("isReadOnly", Bool),
    Param("filesystemAccessType", Int),
];

const SNAP_COPY: &[Param] = &[Param("copyName", Str)];

const SNAP_SHARE_CREATE: &[Param] = &[
    Param("snap", Ref),
    Param("name", Str),
    Param("path", Str),
    Param("isReadOnly", Bool),
    Param("description", Str),
    Param("defaultAccess", Int),
    Param("minSecurity", Int),
    Param("noAccessHosts", List(&Ref)),
    Param("readOnlyHosts", List(&Ref)),
    Param("readWriteHosts", List(&Ref)),
    Param("rootAccessHosts", List(&Ref)),
    Param("readOnlyRootAccessHosts", List(&Ref)),
    Param("noAccessHostsString", Str),
    Param("readOnlyHostsString", Str),
    Param("readWriteHostsString", Str),
    Param("readOnlyRootHostsString", Str),
    Param("readWriteRootHostsString", Str),
    Param("anonymousUID", Int),
    Param("anonymousGID", Int),
    Param("exportOption", Int),
];

const HOST_CREATE: &[Param] = &[
    Param("type", Int),
    Param("name", Str),
    Param("description", Str),
    Param("osType", Str),
    Param("tenant", Ref),
];

const HOST_MODIFY: &[Param] = &[
    Param("name", Str),
    Param("description", Str),
    Param("osType", Str),
];

const INITIATOR_CREATE: &[Param] = &[
    Param("host", Ref),
    Param("initiatorType", Int),
    Param("initiatorWWNorIqn", Str),
    Param("chapUser", Str),
    Param("chapSecret", Str),
    Param("chapSecretType", Int),
    Param("isIgnored", Bool),
];

const INITIATOR_MODIFY: &[Param] = &[
    Param("host", Ref),
    Param("chapUser", Str),
    Param("chapSecret", Str),
    Param("chapSecretType", Int),
    Param("isIgnored", Bool),
];

const ISCSI_SETTINGS_MODIFY: &[Param] = &[
    Param("isForwardCHAPRequired", Bool),
    Param("forwardGlobalCHAPUserName", Str),
    Param("forwardGlobalCHAPSecret", Str),
    Param("reverseCHAPUserName", Str),
    Param("reverseCHAPSecret", Str),
];

const NAS_CREATE: &[Param] = &[
    Param("name", Str),
    Param("homeSP", Ref),
    Param("pool", Ref),
    Param("isReplicationDestination", Bool),
    Param("isMultiProtocolEnabled", Bool),
    Param("tenant", Ref),
];

const NAS_DELETE: &[Param] = &[
    Param("skipDomainUnjoin", Bool),
    Param("domainUsername", Str),
    Param("domainPassword", Str),
];

const FILE_INTERFACE_CREATE: &[Param] = &[
    Param("nasServer", Ref),
    Param("ipPort", Ref),
    Param("ipAddress", Str),
    Param("netmask", Str),
    Param("v6PrefixLength", Int),
    Param("gateway", Str),
    Param("vlanId", Int),
    Param("role", Int),
];

const JOB_TASK: &[Param] = &[
    Param("name", Str),
    Param("description", Str),
    Param("object", Str),
    Param("action", Str),
    Param("id", Str),
    Param("parametersIn", Any),
];

/// `POST /api/types/job/instances`: the job, its tasks (each task's `parametersIn` is
/// checked against its own action's arguments).
pub const JOB_CREATE: &[Param] = &[
    Param("description", Str),
    Param("tasks", List(&Obj(JOB_TASK))),
];

/// Nothing: a delete that takes no argument.
const NOTHING: &[Param] = &[];

/// The arguments `op` takes; `None` for a request the simulator does not serve (it is
/// refused for that).
pub fn for_op(op: &Op) -> Option<&'static [Param]> {
    Some(match op {
        Op::TypeAction(t, verb) => match (t.as_str(), verb.as_str()) {
            ("storageResource", "createLun") => CREATE_LUN,
            ("storageResource", "createFilesystem") => CREATE_FILESYSTEM,
            _ => return None,
        },
        Op::InstanceAction(t, _, verb) => match (t.as_str(), verb.as_str()) {
            ("storageResource", "modifyLun") => MODIFY_LUN,
            ("storageResource", "createLunThinClone") => THIN_CLONE,
            ("storageResource", "modifyFilesystem") => MODIFY_FILESYSTEM,
            ("snap", "restore") | ("snap", "copy") => SNAP_COPY,
            ("host", "modify") => HOST_MODIFY,
            ("hostInitiator", "modify") => INITIATOR_MODIFY,
            ("iscsiSettings", "modify") => ISCSI_SETTINGS_MODIFY,
            ("nfsShare", "modify") => NFS_SHARE_PARAMETERS,
            _ => return None,
        },
        Op::Create(t) => match t.as_str() {
            "host" => HOST_CREATE,
            "hostInitiator" => INITIATOR_CREATE,
            "snap" => SNAP_CREATE,
            "nfsShare" => SNAP_SHARE_CREATE,
            "nasServer" => NAS_CREATE,
            "fileInterface" => FILE_INTERFACE_CREATE,
            _ => return None,
        },
        Op::Delete(t, _) => match t.as_str() {
            "storageResource" => DELETE_RESOURCE,
            "nasServer" => NAS_DELETE,
            _ => NOTHING,
        },
    })
}

/// Unisphere's answer to a body that does not fit its request.
pub fn incorrect_body() -> UnityError {
    UnityError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        INCORRECT_BODY,
        "Request body is not correct. There may be duplicate parameters, wrong parameter \
         name. Please refer to API documentation page and ensure the body is correct. \
         (Error Code:0x7d13035)",
    )
}

/// Checks `body` against the arguments `op` takes (a request not served: nothing to
/// check, it is refused later).
pub fn check(op: &Op, body: &Value) -> Result<(), UnityError> {
    match for_op(op) {
        Some(params) => check_object(params, body),
        None => Ok(()),
    }
}

/// Checks an object against `params`.
pub fn check_object(params: &'static [Param], body: &Value) -> Result<(), UnityError> {
    if fits(&Obj(params), body) {
        Ok(())
    } else {
        Err(incorrect_body())
    }
}

fn fits(arg: &Arg, value: &Value) -> bool {
    match (arg, value) {
        (_, Value::Null) | (Any, _) => true,
        (Str, Value::String(_)) | (Bool, Value::Bool(_)) | (Float, Value::Number(_)) => true,
        (Int, Value::Number(n)) => n.is_i64() || n.is_u64(),
        (Ref, Value::Object(m)) => {
            m.get("id").is_some_and(Value::is_string) && m.keys().all(|k| k == "id")
        }
        (Obj(params), Value::Object(m)) => m.iter().all(|(key, v)| {
            params
                .iter()
                .find(|p| p.0 == key)
                .is_some_and(|p| fits(&p.1, v))
        }),
        (List(inner), Value::Array(items)) => items.iter().all(|item| fits(inner, item)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn create_lun() -> Op {
        Op::TypeAction("storageResource".into(), "createLun".into())
    }

    #[test]
    fn what_storops_sends_fits() {
        let body = json!({"name": "l1", "lunParameters": {"pool": {"id": "pool_1"},
            "size": 1073741824u64, "isThinEnabled": true, "defaultNode": 0,
            "isDataReductionEnabled": false,
            "hostAccess": [{"host": {"id": "Host_1"}, "accessMask": 1, "hlu": 3}]}});
        assert!(check(&create_lun(), &body).is_ok());
        let delete = Op::Delete("storageResource".into(), "sv_1".into());
        let body = json!({"forceSnapDeletion": false, "forceVvolDeletion": false});
        assert!(check(&delete, &body).is_ok());
    }

    #[test]
    fn unknown_names_and_wrong_types_are_refused() {
        for body in [
            json!({"name": "l1", "bogus": 1}),
            json!({"name": 5}),
            json!({"lunParameters": {"size": 1.0}}),
            json!({"lunParameters": {"size": "10"}}),
            json!({"lunParameters": {"pool": "pool_1"}}),
            json!({"lunParameters": {"pool": {"id": "pool_1", "name": "x"}}}),
            json!({"lunParameters": {"hostAccess": [{"host": {"id": "H"}, "mask": 1}]}}),
            json!({"lunParameters": {"hostAccess": {"host": {"id": "H"}}}}),
            json!({"lunParameters": {"isThinEnabled": "true"}}),
        ] {
            let e = check(&create_lun(), &body).unwrap_err();
            assert_eq!((e.status.as_u16(), e.code), (422, INCORRECT_BODY), "{body}");
        }
        let delete_host = Op::Delete("host".into(), "Host_1".into());
        assert!(check(&delete_host, &json!({})).is_ok());
        assert!(check(&delete_host, &json!({"force": true})).is_err());
    }
}
