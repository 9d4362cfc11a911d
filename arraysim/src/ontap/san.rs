//! `/api/protocols/san/igroups` (+ `/{uuid}/initiators`),
//! `/api/protocols/san/lun-maps`, `/api/protocols/san/iscsi/services`.
//! All synchronous.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::error::{self, OntapError, OntapResult};
use super::model::{IGROUP_OS_TYPES, Igroup, Initiator, Inventory, LunMap, links};
use super::query::OntapQuery;
use super::schema::{Operation, Resource};
use super::{
    App, Ontap, RawQuery, at, body, created, ok_empty, query, require_filter, str_at, svm_of,
    uint_at,
};

pub fn routes() -> Router<Arc<Ontap>> {
    Router::new()
        .route(
            "/api/protocols/san/igroups",
            get(igroups)
                .post(igroup_create)
                .patch(igroups_modify_matching)
                .delete(igroups_delete_matching),
        )
        .route(
            "/api/protocols/san/igroups/{uuid}",
            get(igroup).patch(igroup_modify).delete(igroup_delete),
        )
        .route(
            "/api/protocols/san/igroups/{uuid}/initiators",
            get(initiators).post(initiator_add),
        )
        .route(
            "/api/protocols/san/igroups/{uuid}/initiators/{name}",
            get(initiator).delete(initiator_delete),
        )
        .route(
            "/api/protocols/san/lun-maps",
            get(lun_maps)
                .post(lun_map_create)
                .delete(lun_maps_delete_matching),
        )
        .route(
            "/api/protocols/san/lun-maps/{lun}/{igroup}",
            get(lun_map).delete(lun_map_delete),
        )
        .route("/api/protocols/san/iscsi/services", get(iscsi_services))
        .route(
            "/api/protocols/san/iscsi/services/{svm}",
            get(iscsi_service),
        )
}

const IGROUP_KEYS: &[&str] = &["uuid", "name", "svm"];
const INITIATOR_KEYS: &[&str] = &["name"];
const MAP_KEYS: &[&str] = &["svm", "lun", "igroup"];
const ISCSI_KEYS: &[&str] = &["svm"];

async fn igroups(State(o): App, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::Igroup)?;
    Ok(o.shared.read(|inv| {
        let items = inv
            .igroups
            .iter()
            .map(|g| (g.uuid.as_str(), move || inv.igroup_json(g)));
        q.collection_lazy("/api/protocols/san/igroups", items, IGROUP_KEYS)
    }))
}

async fn igroup(State(o): App, Path(uuid): Path<String>, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::Igroup)?;
    let r = o.shared.read(|inv| {
        inv.igroups
            .iter()
            .find(|g| g.uuid == uuid)
            .map(|g| inv.igroup_json(g))
    });
    Ok(
        axum::Json(q.shape_one(r.ok_or_else(|| OntapError::not_found("uuid"))?, IGROUP_KEYS))
            .into_response(),
    )
}

/// An initiator name fit for the protocol: IQN/EUI/NAA for iSCSI, a
/// colon-separated WWPN for FC, either for mixed (*chosen* strictness).
fn check_initiator(protocol: &str, name: &str) -> OntapResult<()> {
    let lower = name.to_ascii_lowercase();
    let iscsi = lower.starts_with("iqn.") || lower.starts_with("eui.") || lower.starts_with("naa.");
    let parts: Vec<&str> = lower.split(':').collect();
    let fc = parts.len() == 8
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit()));
    let ok = match protocol {
        "iscsi" => iscsi,
        "fcp" => fc,
        _ => iscsi || fc,
    };
    if ok {
        Ok(())
    } else {
        Err(OntapError::invalid(
            "initiators.name",
            format!("Invalid initiator name \"{name}\" for protocol \"{protocol}\"."),
        ))
    }
}

fn initiators_of(b: &Value) -> OntapResult<Vec<Initiator>> {
    let list = match at(b, "initiators").or_else(|| at(b, "records")) {
        None | Some(Value::Null) => match str_at(b, "name") {
            Some(n) if at(b, "initiators").is_none() && at(b, "records").is_none() => {
                return Ok(vec![Initiator {
                    name: n.to_string(),
                    comment: str_at(b, "comment").unwrap_or_default().into(),
                }]);
            }
            _ => return Ok(Vec::new()),
        },
        Some(Value::Array(items)) => items,
        Some(_) => return Err(OntapError::invalid("initiators", "must be an array")),
    };
    list.iter()
        .map(|i| {
            let name = str_at(i, "name").ok_or_else(|| OntapError::required("initiators.name"))?;
            Ok(Initiator {
                name: name.to_string(),
                comment: str_at(i, "comment").unwrap_or_default().into(),
            })
        })
        .collect()
}

fn add_initiators(g: &mut Igroup, new: Vec<Initiator>) -> OntapResult<()> {
    for i in new {
        check_initiator(&g.protocol, &i.name)?;
        if g.initiators
            .iter()
            .any(|e| e.name.eq_ignore_ascii_case(&i.name))
        {
            return Err(OntapError::duplicate(format!(
                "Initiator \"{}\" is already in igroup \"{}\".",
                i.name, g.name
            )));
        }
        g.initiators.push(i);
    }
    Ok(())
}

async fn igroup_create(State(o): App, q: RawQuery, bytes: Bytes) -> OntapResult<Response> {
    let q = query(q, Resource::Igroup)?;
    let b = body(&bytes, Resource::Igroup, Operation::Post)?;
    let (uuid, record) = o.shared.mutate(|inv| -> OntapResult<(String, Value)> {
        let svm = svm_of(inv, &b)?;
        let name = str_at(&b, "name").ok_or_else(|| OntapError::required("name"))?;
        if inv.igroups.iter().any(|g| g.svm == svm && g.name == name) {
            return Err(OntapError::duplicate(format!(
                "An igroup with name \"{name}\" already exists."
            ))
            .target("name"));
        }
        if name.is_empty() || name.len() > 96 {
            return Err(OntapError::invalid(
                "name",
                "An igroup name is 1 to 96 characters.",
            ));
        }
        if let Some(os) = str_at(&b, "os_type")
            && !IGROUP_OS_TYPES.contains(&os)
        {
            return Err(OntapError::invalid(
                "os_type",
                format!("Invalid value \"{os}\" for \"os_type\"."),
            ));
        }
        let protocol = str_at(&b, "protocol").unwrap_or("mixed");
        if !matches!(protocol, "iscsi" | "fcp" | "mixed") {
            return Err(OntapError::invalid(
                "protocol",
                format!("Invalid protocol \"{protocol}\"."),
            ));
        }
        let mut g = Igroup {
            uuid: uuid::Uuid::new_v4().to_string(),
            name: name.to_string(),
            svm,
            protocol: protocol.to_string(),
            os_type: str_at(&b, "os_type").unwrap_or("linux").to_string(),
            initiators: Vec::new(),
            comment: str_at(&b, "comment").unwrap_or_default().to_string(),
        };
        add_initiators(
            &mut g,
            initiators_of(
                &json!({"initiators": at(&b, "initiators").cloned().unwrap_or(json!([]))}),
            )?,
        )?;
        let record = inv.igroup_json(&g);
        let uuid = g.uuid.clone();
        inv.igroups.push(g);
        Ok((uuid, record))
    })?;
    let want = q
        .raw
        .iter()
        .any(|(k, v)| k == "return_records" && v == "true");
    Ok(created(
        format!("/api/protocols/san/igroups/{uuid}"),
        want.then_some(record),
    ))
}

async fn igroup_modify(
    State(o): App,
    Path(uuid): Path<String>,
    q: RawQuery,
    bytes: Bytes,
) -> OntapResult<Response> {
    query(q, Resource::Igroup)?;
    let b = body(&bytes, Resource::Igroup, Operation::Patch)?;
    o.shared.mutate(|inv| modify_igroup(inv, &uuid, &b))?;
    Ok(ok_empty())
}

fn modify_igroup(inv: &mut Inventory, uuid: &str, b: &Value) -> OntapResult<()> {
    let idx = inv
        .igroups
        .iter()
        .position(|g| g.uuid == uuid)
        .ok_or_else(|| OntapError::not_found("uuid"))?;
    if let Some(name) = str_at(b, "name") {
        let svm = inv.igroups[idx].svm.clone();
        if inv
            .igroups
            .iter()
            .any(|g| g.uuid != uuid && g.svm == svm && g.name == name)
        {
            return Err(OntapError::duplicate(format!(
                "An igroup with name \"{name}\" already exists."
            ))
            .target("name"));
        }
        inv.igroups[idx].name = name.to_string();
    }
    if let Some(os) = str_at(b, "os_type") {
        inv.igroups[idx].os_type = os.to_string();
    }
    if let Some(c) = str_at(b, "comment") {
        inv.igroups[idx].comment = c.to_string();
    }
    Ok(())
}

async fn igroup_delete(
    State(o): App,
    Path(uuid): Path<String>,
    q: RawQuery,
) -> OntapResult<Response> {
    let q = query(q, Resource::Igroup)?;
    o.shared.mutate(|inv| delete_igroup(inv, &uuid, &q))?;
    Ok(ok_empty())
}

fn delete_igroup(inv: &mut Inventory, uuid: &str, q: &OntapQuery) -> OntapResult<()> {
    if !inv.igroups.iter().any(|g| g.uuid == uuid) {
        return Err(OntapError::not_found("uuid"));
    }
    if inv.lun_maps.iter().any(|m| m.igroup == uuid) {
        if !q.allow_delete_while_mapped {
            return Err(OntapError::new(
                StatusCode::BAD_REQUEST,
                error::IGROUP_MAPPED,
                "The igroup is mapped to one or more LUNs. Unmap them first.",
            ));
        }
        inv.lun_maps.retain(|m| m.igroup != uuid);
    }
    inv.igroups.retain(|g| g.uuid != uuid);
    Ok(())
}

/// The igroups a query-based PATCH or DELETE's filters match.
fn matching_igroups(inv: &Inventory, q: &OntapQuery) -> Vec<String> {
    inv.igroups
        .iter()
        .filter(|g| q.matches(&inv.igroup_json(g)))
        .map(|g| g.uuid.clone())
        .collect()
}

/// `PATCH /api/protocols/san/igroups?name=...`: every match (all or none changed).
async fn igroups_modify_matching(
    State(o): App,
    q: RawQuery,
    bytes: Bytes,
) -> OntapResult<Response> {
    let q = query(q, Resource::Igroup)?;
    require_filter(&q, "PATCH")?;
    let b = body(&bytes, Resource::Igroup, Operation::Patch)?;
    let n = o.shared.mutate(|inv| -> OntapResult<usize> {
        let uuids = matching_igroups(inv, &q);
        for uuid in &uuids {
            modify_igroup(inv, uuid, &b)?;
        }
        Ok(uuids.len())
    })?;
    Ok(axum::Json(json!({"num_records": n})).into_response())
}

/// `DELETE /api/protocols/san/igroups?name=...`: every match (all or none deleted).
async fn igroups_delete_matching(State(o): App, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::Igroup)?;
    require_filter(&q, "DELETE")?;
    let n = o.shared.mutate(|inv| -> OntapResult<usize> {
        let uuids = matching_igroups(inv, &q);
        for uuid in &uuids {
            delete_igroup(inv, uuid, &q)?;
        }
        Ok(uuids.len())
    })?;
    Ok(axum::Json(json!({"num_records": n})).into_response())
}

fn initiator_json(g: &Igroup, i: &Initiator) -> Value {
    json!({"name": i.name, "comment": i.comment, "igroup": {"name": g.name, "uuid": g.uuid},
           "_links": links(format!("/api/protocols/san/igroups/{}/initiators/{}", g.uuid, i.name))})
}

async fn initiators(State(o): App, Path(uuid): Path<String>, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::IgroupInitiator)?;
    let records = o.shared.read(|inv| {
        inv.igroups.iter().find(|g| g.uuid == uuid).map(|g| {
            g.initiators
                .iter()
                .map(|i| initiator_json(g, i))
                .collect::<Vec<_>>()
        })
    });
    let records = records.ok_or_else(|| OntapError::not_found("igroup.uuid"))?;
    Ok(q.collection(
        &format!("/api/protocols/san/igroups/{uuid}/initiators"),
        records,
        INITIATOR_KEYS,
    ))
}

async fn initiator(
    State(o): App,
    Path((uuid, name)): Path<(String, String)>,
    q: RawQuery,
) -> OntapResult<Response> {
    let q = query(q, Resource::IgroupInitiator)?;
    let r = o.shared.read(|inv| {
        let g = inv.igroups.iter().find(|g| g.uuid == uuid)?;
        g.initiators
            .iter()
            .find(|i| i.name.eq_ignore_ascii_case(&name))
            .map(|i| initiator_json(g, i))
    });
    let r = r.ok_or_else(|| OntapError::not_found("name"))?;
    Ok(axum::Json(q.shape_one(r, INITIATOR_KEYS)).into_response())
}

async fn initiator_add(
    State(o): App,
    Path(uuid): Path<String>,
    q: RawQuery,
    bytes: Bytes,
) -> OntapResult<Response> {
    query(q, Resource::IgroupInitiator)?;
    let b = body(&bytes, Resource::IgroupInitiator, Operation::Post)?;
    let new = initiators_of(&b)?;
    if new.is_empty() {
        return Err(OntapError::required("name"));
    }
    let first = new[0].name.clone();
    o.shared.mutate(|inv| -> OntapResult<()> {
        let g = inv
            .igroups
            .iter_mut()
            .find(|g| g.uuid == uuid)
            .ok_or_else(|| OntapError::not_found("igroup.uuid"))?;
        add_initiators(g, new)
    })?;
    Ok(created(
        format!("/api/protocols/san/igroups/{uuid}/initiators/{first}"),
        None,
    ))
}

async fn initiator_delete(
    State(o): App,
    Path((uuid, name)): Path<(String, String)>,
    q: RawQuery,
) -> OntapResult<Response> {
    let q = query(q, Resource::IgroupInitiator)?;
    o.shared.mutate(|inv| -> OntapResult<()> {
        let mapped = inv.lun_maps.iter().any(|m| m.igroup == uuid);
        let g = inv.igroups.iter_mut().find(|g| g.uuid == uuid).ok_or_else(|| OntapError::not_found("igroup.uuid"))?;
        let before = g.initiators.len();
        if !g.initiators.iter().any(|i| i.name.eq_ignore_ascii_case(&name)) {
            return Err(OntapError::not_found("name"));
        }
        if mapped && !q.allow_delete_while_mapped {
            return Err(OntapError::new(StatusCode::BAD_REQUEST, error::IGROUP_MAPPED, "The igroup is mapped; set \"allow_delete_while_mapped\" to true to remove an initiator."));
        }
        g.initiators.retain(|i| !i.name.eq_ignore_ascii_case(&name));
        debug_assert!(g.initiators.len() < before);
        Ok(())
    })?;
    Ok(ok_empty())
}

async fn lun_maps(State(o): App, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::LunMap)?;
    let records = o
        .shared
        .read(|inv| inv.lun_maps.iter().map(|m| inv.lun_map_json(m)).collect());
    Ok(q.collection("/api/protocols/san/lun-maps", records, MAP_KEYS))
}

async fn lun_map(
    State(o): App,
    Path((lun, igroup)): Path<(String, String)>,
    q: RawQuery,
) -> OntapResult<Response> {
    let q = query(q, Resource::LunMap)?;
    let r = o.shared.read(|inv| {
        inv.lun_maps
            .iter()
            .find(|m| m.lun == lun && m.igroup == igroup)
            .map(|m| inv.lun_map_json(m))
    });
    Ok(axum::Json(q.shape_one(
        r.ok_or_else(|| OntapError::not_found("lun.uuid"))?,
        MAP_KEYS,
    ))
    .into_response())
}

fn find_lun(inv: &Inventory, svm: &str, b: &Value) -> OntapResult<String> {
    let (uuid, name) = (str_at(b, "lun.uuid"), str_at(b, "lun.name"));
    if uuid.is_none() && name.is_none() {
        return Err(OntapError::required("lun.name"));
    }
    inv.luns
        .iter()
        .find(|l| {
            l.svm == svm
                && uuid.is_none_or(|u| u == l.uuid)
                && name.is_none_or(|n| n == inv.lun_path(l))
        })
        .map(|l| l.uuid.clone())
        .ok_or_else(|| {
            OntapError::invalid("lun.name", "The LUN does not exist.").target("lun.name")
        })
}

fn find_igroup(inv: &Inventory, svm: &str, b: &Value) -> OntapResult<String> {
    let (uuid, name) = (str_at(b, "igroup.uuid"), str_at(b, "igroup.name"));
    if uuid.is_none() && name.is_none() {
        return Err(OntapError::required("igroup.name"));
    }
    inv.igroups
        .iter()
        .find(|g| {
            g.svm == svm && uuid.is_none_or(|u| u == g.uuid) && name.is_none_or(|n| n == g.name)
        })
        .map(|g| g.uuid.clone())
        .ok_or_else(|| {
            OntapError::invalid("igroup.name", "The igroup does not exist.").target("igroup.name")
        })
}

async fn lun_map_create(State(o): App, q: RawQuery, bytes: Bytes) -> OntapResult<Response> {
    let q = query(q, Resource::LunMap)?;
    let b = body(&bytes, Resource::LunMap, Operation::Post)?;
    let (lun, igroup, record) = o
        .shared
        .mutate(|inv| -> OntapResult<(String, String, Value)> {
            let svm = svm_of(inv, &b)?;
            let lun = find_lun(inv, &svm, &b)?;
            let igroup = find_igroup(inv, &svm, &b)?;
            if inv
                .lun_maps
                .iter()
                .any(|m| m.lun == lun && m.igroup == igroup)
            {
                return Err(OntapError::duplicate(
                    "The LUN is already mapped to this igroup.",
                ));
            }
            let used: Vec<u32> = inv
                .lun_maps
                .iter()
                .filter(|m| m.igroup == igroup)
                .map(|m| m.logical_unit_number)
                .collect();
            let id = match uint_at(&b, "logical_unit_number")? {
                None => (0..).find(|n| !used.contains(n)).unwrap_or(0),
                Some(n) => {
                    let n = u32::try_from(n).ok().filter(|n| *n < 4096).ok_or_else(|| {
                        OntapError::invalid("logical_unit_number", "must be 0..4095")
                    })?;
                    if used.contains(&n) {
                        return Err(OntapError::duplicate(format!(
                            "Logical unit number {n} is already in use in the igroup."
                        ))
                        .target("logical_unit_number"));
                    }
                    n
                }
            };
            let m = LunMap {
                lun: lun.clone(),
                igroup: igroup.clone(),
                logical_unit_number: id,
            };
            let record = inv.lun_map_json(&m);
            inv.lun_maps.push(m);
            Ok((lun, igroup, record))
        })?;
    let want = q
        .raw
        .iter()
        .any(|(k, v)| k == "return_records" && v == "true");
    Ok(created(
        format!("/api/protocols/san/lun-maps/{lun}/{igroup}"),
        want.then_some(record),
    ))
}

async fn lun_map_delete(
    State(o): App,
    Path((lun, igroup)): Path<(String, String)>,
    q: RawQuery,
) -> OntapResult<Response> {
    query(q, Resource::LunMap)?;
    o.shared.mutate(|inv| -> OntapResult<()> {
        if !inv
            .lun_maps
            .iter()
            .any(|m| m.lun == lun && m.igroup == igroup)
        {
            let both_exist = inv.luns.iter().any(|l| l.uuid == lun)
                && inv.igroups.iter().any(|g| g.uuid == igroup);
            if both_exist {
                // The LUN and the igroup are there, the map is not: the code cinder's
                // unmap_lun takes as "already unmapped".
                return Err(OntapError::new(
                    StatusCode::NOT_FOUND,
                    error::NO_SUCH_LUN_MAP,
                    "The LUN is not mapped to the igroup.",
                )
                .target("lun.uuid"));
            }
            return Err(OntapError::not_found("lun.uuid"));
        }
        inv.lun_maps
            .retain(|m| !(m.lun == lun && m.igroup == igroup));
        Ok(())
    })?;
    Ok(ok_empty())
}

/// `DELETE /api/protocols/san/lun-maps?lun.name=...&igroup.name=...`: every match.
async fn lun_maps_delete_matching(State(o): App, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::LunMap)?;
    require_filter(&q, "DELETE")?;
    let n = o.shared.mutate(|inv| -> OntapResult<usize> {
        let before = inv.lun_maps.len();
        let keep: Vec<bool> = inv
            .lun_maps
            .iter()
            .map(|m| !q.matches(&inv.lun_map_json(m)))
            .collect();
        let mut keep = keep.into_iter();
        inv.lun_maps.retain(|_| keep.next().unwrap_or(true));
        Ok(before - inv.lun_maps.len())
    })?;
    Ok(axum::Json(json!({"num_records": n})).into_response())
}

fn iscsi_json(inv: &Inventory, svm: &super::model::Svm) -> Value {
    json!({"svm": inv.svm_ref(&svm.uuid), "enabled": true,
           "target": {"name": svm.iqn, "alias": svm.name},
           "_links": links(format!("/api/protocols/san/iscsi/services/{}", svm.uuid))})
}

async fn iscsi_services(State(o): App, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::IscsiService)?;
    let records = o
        .shared
        .read(|inv| inv.svms.iter().map(|s| iscsi_json(inv, s)).collect());
    Ok(q.collection("/api/protocols/san/iscsi/services", records, ISCSI_KEYS))
}

async fn iscsi_service(
    State(o): App,
    Path(svm): Path<String>,
    q: RawQuery,
) -> OntapResult<Response> {
    let q = query(q, Resource::IscsiService)?;
    let r = o
        .shared
        .read(|inv| inv.svm(&svm).map(|s| iscsi_json(inv, s)));
    Ok(axum::Json(q.shape_one(
        r.ok_or_else(|| OntapError::not_found("svm.uuid"))?,
        ISCSI_KEYS,
    ))
    .into_response())
}
