//! COMSTAR through NEF: `/san/hostgroups` and `/san/targetgroups`
//! (`{"name", "members"}`, PUT replaces `members`),
//! `/san/iscsi/targets` (`portals`, `authentication`, CHAP: the secret is
//! write-only, GET shows `chapSecretSet`), `/san/iscsi/remoteInitiators`
//! (per-initiator CHAP, same rule), `/san/lunMappings` (server-assigned
//! `lun`, opaque 24-hex-digit `id`; a new mapping shows in GETs only
//! `--mapping-delay-ms` after its 201) and `/san/logicalUnits` (one per
//! zvol, keyed by `guid`; PUT `writebackCacheDisabled`). The group name
//! `all` (any case on input, `all` in records, as cinder compares it)
//! means every initiator / every target.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use super::error::{NefError, NefResult};
use super::model::{
    Appliance, Group, Kind, LogicalUnit, Mapping, Portal, RemoteInitiator, Target, hex, now_ms,
};
use super::query::{Key, Q};
use super::{App, Body, Nexenta, created, ok};

/// The group name that stands for all initiators or all targets.
pub const ALL: &str = "all";

/// `all` in any case is the special group.
fn group_name(name: String) -> String {
    if name.eq_ignore_ascii_case(ALL) {
        ALL.to_string()
    } else {
        name
    }
}

pub fn routes() -> Router<Arc<Nexenta>> {
    Router::new()
        .route(
            "/san/hostgroups",
            get(|s: App, q: Q| groups(s, q, true))
                .post(|s: App, b: Bytes| group_create(s, b, true)),
        )
        .route(
            "/san/hostgroups/{name}",
            get(|s: App, k: Key, q: Q| group(s, k, q, true))
                .put(|s: App, k: Key, b: Bytes| group_set(s, k, b, true))
                .delete(|s: App, k: Key| group_delete(s, k, true)),
        )
        .route(
            "/san/targetgroups",
            get(|s: App, q: Q| groups(s, q, false))
                .post(|s: App, b: Bytes| group_create(s, b, false)),
        )
        .route(
            "/san/targetgroups/{name}",
            get(|s: App, k: Key, q: Q| group(s, k, q, false))
                .put(|s: App, k: Key, b: Bytes| group_set(s, k, b, false))
                .delete(|s: App, k: Key| group_delete(s, k, false)),
        )
        .route("/san/iscsi/targets", get(targets).post(target_create))
        .route(
            "/san/iscsi/targets/{name}",
            get(target).put(target_set).delete(target_delete),
        )
        .route(
            "/san/iscsi/remoteInitiators",
            get(initiators).post(initiator_create),
        )
        .route(
            "/san/iscsi/remoteInitiators/{name}",
            get(initiator).put(initiator_set).delete(initiator_delete),
        )
        .route("/san/lunMappings", get(mappings).post(mapping_create))
        .route("/san/lunMappings/{id}", get(mapping).delete(mapping_delete))
        .route("/san/logicalUnits", get(logical_units))
        .route(
            "/san/logicalUnits/{guid}",
            get(logical_unit).put(logical_unit_set),
        )
}

fn noun(host: bool) -> &'static str {
    if host { "Host group" } else { "Target group" }
}

fn list_of(a: &Appliance, host: bool) -> &Vec<Group> {
    if host {
        &a.host_groups
    } else {
        &a.target_groups
    }
}

fn list_of_mut(a: &mut Appliance, host: bool) -> &mut Vec<Group> {
    if host {
        &mut a.host_groups
    } else {
        &mut a.target_groups
    }
}

fn group_json(g: &Group) -> Value {
    json!({"name": g.name, "members": g.members})
}

fn check_name(name: &str, what: &str) -> NefResult<()> {
    if name.is_empty()
        || name.len() > 255
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.:".contains(c))
    {
        return Err(NefError::bad_arg(format!("Invalid {what} name \"{name}\"")));
    }
    Ok(())
}

/// An iSCSI IQN/EUI/NAA name or an FC WWN (16 hex digits, colons allowed).
fn check_initiator(m: &str) -> NefResult<()> {
    let lower = m.to_ascii_lowercase();
    let hex_part: String = lower.chars().filter(|c| *c != ':').collect();
    let wwn = hex_part.len() == 16 && hex_part.chars().all(|c| c.is_ascii_hexdigit());
    let iscsi =
        (lower.starts_with("iqn.") || lower.starts_with("eui.") || lower.starts_with("naa."))
            && m.len() > 4
            && m.len() <= 223
            && !m.contains(char::is_whitespace);
    if wwn || iscsi {
        Ok(())
    } else {
        Err(NefError::bad_arg(format!(
            "Invalid initiator name \"{m}\": expected an iqn./eui./naa. name or a WWN"
        )))
    }
}

fn check_members(a: &Appliance, members: &[String], host: bool) -> NefResult<()> {
    for m in members {
        if host {
            check_initiator(m)?;
        } else if !a.targets.iter().any(|t| t.name == *m) {
            return Err(NefError::bad_arg(format!("Target '{m}' does not exist")));
        }
    }
    Ok(())
}

async fn groups(State(nx): App, q: Q, host: bool) -> NefResult<Response> {
    let records = nx
        .shared
        .read(|a| list_of(a, host).iter().map(group_json).collect());
    q.collection(records, &[])
}

async fn group(State(nx): App, Key(name): Key, q: Q, host: bool) -> NefResult<Response> {
    nx.shared
        .read(|a| {
            list_of(a, host)
                .iter()
                .find(|g| g.name == name)
                .map(group_json)
        })
        .map(|r| q.one(r))
        .ok_or_else(|| NefError::not_found(format!("{} '{name}' does not exist", noun(host))))
}

async fn group_create(State(nx): App, bytes: Bytes, host: bool) -> NefResult<Response> {
    let b = Body::parse(&bytes)?;
    let name = b.req_str("name")?;
    check_name(&name, "group")?;
    if name.eq_ignore_ascii_case(ALL) {
        return Err(NefError::bad_arg("\"all\" is reserved"));
    }
    let members = b.str_list("members")?.unwrap_or_default();
    nx.mutate(|a| {
        check_members(a, &members, host)?;
        if list_of(a, host).iter().any(|g| g.name == name) {
            return Err(NefError::exists(format!(
                "{} '{name}' already exists",
                noun(host)
            )));
        }
        list_of_mut(a, host).push(Group { name, members });
        Ok(())
    })?;
    Ok(created())
}

async fn group_set(
    State(nx): App,
    Key(name): Key,
    bytes: Bytes,
    host: bool,
) -> NefResult<Response> {
    let b = Body::parse(&bytes)?;
    let members = b.str_list("members")?;
    nx.mutate(|a| {
        if let Some(m) = &members {
            check_members(a, m, host)?;
        }
        let g = list_of_mut(a, host)
            .iter_mut()
            .find(|g| g.name == name)
            .ok_or_else(|| {
                NefError::not_found(format!("{} '{name}' does not exist", noun(host)))
            })?;
        if let Some(m) = members {
            g.members = m;
        }
        Ok(())
    })?;
    Ok(ok())
}

async fn group_delete(State(nx): App, Key(name): Key, host: bool) -> NefResult<Response> {
    nx.mutate(|a| {
        if !list_of(a, host).iter().any(|g| g.name == name) {
            return Err(NefError::not_found(format!(
                "{} '{name}' does not exist",
                noun(host)
            )));
        }
        if let Some(m) = a.mappings.iter().find(|m| {
            if host {
                m.host_group == name
            } else {
                m.target_group == name
            }
        }) {
            return Err(NefError::in_use(format!(
                "{} '{name}' is in use by LUN mapping '{}'",
                noun(host),
                m.id
            )));
        }
        list_of_mut(a, host).retain(|g| g.name != name);
        Ok(())
    })?;
    Ok(ok())
}

fn portals(b: &Body) -> NefResult<Option<Vec<Portal>>> {
    let Some(v) = b.0.get("portals").filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let bad = || super::wrong_type("portals", "an array of {\"address\", \"port\"}");
    let items = v.as_array().ok_or_else(bad)?;
    items
        .iter()
        .map(|p| {
            let address = p["address"].as_str().ok_or_else(bad)?;
            if address.parse::<std::net::IpAddr>().is_err() {
                return Err(NefError::bad_arg(format!(
                    "Invalid portal address \"{address}\""
                )));
            }
            let port = match &p["port"] {
                Value::Null => 3260,
                v => v
                    .as_u64()
                    .filter(|p| (1..=65_535).contains(p))
                    .ok_or_else(|| NefError::bad_arg("portal port must be 1..65535"))?
                    as u16,
            };
            Ok(Portal {
                address: address.to_string(),
                port,
            })
        })
        .collect::<NefResult<Vec<_>>>()
        .map(Some)
}

fn chap_secret(b: &Body) -> NefResult<Option<String>> {
    match b.str("chapSecret")? {
        Some(s) if !s.is_empty() && !(12..=255).contains(&s.len()) => Err(NefError::bad_arg(
            "\"chapSecret\" must be 12 to 255 characters long",
        )),
        other => Ok(other),
    }
}

async fn targets(State(nx): App, q: Q) -> NefResult<Response> {
    let records = nx
        .shared
        .read(|a| a.targets.iter().map(Appliance::target_json).collect());
    q.collection(records, &[])
}

async fn target(State(nx): App, Key(name): Key, q: Q) -> NefResult<Response> {
    nx.shared
        .read(|a| {
            a.targets
                .iter()
                .find(|t| t.name == name)
                .map(Appliance::target_json)
        })
        .map(|r| q.one(r))
        .ok_or_else(|| NefError::not_found(format!("Target '{name}' does not exist")))
}

struct TargetProps {
    alias: Option<String>,
    authentication: Option<String>,
    chap_user: Option<String>,
    chap_secret: Option<String>,
    portals: Option<Vec<Portal>>,
}

fn target_props(b: &Body) -> NefResult<TargetProps> {
    Ok(TargetProps {
        alias: b.str("alias")?,
        authentication: b.choice("authentication", &["none", "chap"])?,
        chap_user: b.str("chapUser")?,
        chap_secret: chap_secret(b)?,
        portals: portals(b)?,
    })
}

fn apply_target(t: &mut Target, p: TargetProps) -> NefResult<()> {
    if let Some(v) = p.alias {
        t.alias = v;
    }
    if let Some(v) = p.authentication {
        t.authentication = v;
    }
    if let Some(v) = p.chap_user {
        t.chap_user = v;
    }
    if let Some(v) = p.chap_secret {
        t.chap_secret = v;
    }
    if let Some(v) = p.portals {
        t.portals = v;
    }
    if t.authentication == "chap" && (t.chap_user.is_empty() || t.chap_secret.is_empty()) {
        return Err(NefError::bad_arg(
            "CHAP authentication needs \"chapUser\" and \"chapSecret\"",
        ));
    }
    Ok(())
}

async fn target_create(State(nx): App, bytes: Bytes) -> NefResult<Response> {
    let b = Body::parse(&bytes)?;
    let name = b.str("name")?;
    if let Some(n) = &name
        && !(n.starts_with("iqn.") || n.starts_with("eui.") || n.starts_with("naa."))
    {
        return Err(NefError::bad_arg(format!("Invalid target name \"{n}\"")));
    }
    let props = target_props(&b)?;
    nx.mutate(|a| {
        let name =
            name.unwrap_or_else(|| format!("iqn.2010-08.org.illumos:02:{}", uuid::Uuid::new_v4()));
        if a.targets.iter().any(|t| t.name == name) {
            return Err(NefError::exists(format!("Target '{name}' already exists")));
        }
        let mut t = Target {
            name,
            alias: String::new(),
            authentication: "none".into(),
            chap_user: String::new(),
            chap_secret: String::new(),
            portals: Vec::new(),
        };
        apply_target(&mut t, props)?;
        a.targets.push(t);
        Ok(())
    })?;
    Ok(created())
}

async fn target_set(State(nx): App, Key(name): Key, bytes: Bytes) -> NefResult<Response> {
    let b = Body::parse(&bytes)?;
    let props = target_props(&b)?;
    nx.mutate(|a| {
        let t = a
            .targets
            .iter_mut()
            .find(|t| t.name == name)
            .ok_or_else(|| NefError::not_found(format!("Target '{name}' does not exist")))?;
        apply_target(t, props)
    })?;
    Ok(ok())
}

async fn target_delete(State(nx): App, Key(name): Key) -> NefResult<Response> {
    nx.mutate(|a| {
        if !a.targets.iter().any(|t| t.name == name) {
            return Err(NefError::not_found(format!(
                "Target '{name}' does not exist"
            )));
        }
        if let Some(g) = a.target_groups.iter().find(|g| g.members.contains(&name)) {
            return Err(NefError::in_use(format!(
                "Target '{name}' is a member of target group '{}'",
                g.name
            )));
        }
        a.targets.retain(|t| t.name != name);
        Ok(())
    })?;
    Ok(ok())
}

fn initiator_json(i: &RemoteInitiator) -> Value {
    json!({"name": i.name, "chapUser": i.chap_user, "chapSecretSet": !i.chap_secret.is_empty()})
}

async fn initiators(State(nx): App, q: Q) -> NefResult<Response> {
    let records = nx
        .shared
        .read(|a| a.remote_initiators.iter().map(initiator_json).collect());
    q.collection(records, &[])
}

async fn initiator(State(nx): App, Key(name): Key, q: Q) -> NefResult<Response> {
    nx.shared
        .read(|a| {
            a.remote_initiators
                .iter()
                .find(|i| i.name == name)
                .map(initiator_json)
        })
        .map(|r| q.one(r))
        .ok_or_else(|| NefError::not_found(format!("Remote initiator '{name}' does not exist")))
}

async fn initiator_create(State(nx): App, bytes: Bytes) -> NefResult<Response> {
    let b = Body::parse(&bytes)?;
    let name = b.req_str("name")?;
    check_initiator(&name)?;
    let chap_user = b.str("chapUser")?.unwrap_or_default();
    let chap_secret = chap_secret(&b)?.unwrap_or_default();
    nx.mutate(|a| {
        if a.remote_initiators.iter().any(|i| i.name == name) {
            return Err(NefError::exists(format!(
                "Remote initiator '{name}' already exists"
            )));
        }
        a.remote_initiators.push(RemoteInitiator {
            name,
            chap_user,
            chap_secret,
        });
        Ok(())
    })?;
    Ok(created())
}

async fn initiator_set(State(nx): App, Key(name): Key, bytes: Bytes) -> NefResult<Response> {
    let b = Body::parse(&bytes)?;
    let chap_user = b.str("chapUser")?;
    let chap_secret = chap_secret(&b)?;
    nx.mutate(|a| {
        let i = a
            .remote_initiators
            .iter_mut()
            .find(|i| i.name == name)
            .ok_or_else(|| {
                NefError::not_found(format!("Remote initiator '{name}' does not exist"))
            })?;
        if let Some(u) = chap_user {
            i.chap_user = u;
        }
        if let Some(s) = chap_secret {
            i.chap_secret = s;
        }
        Ok(())
    })?;
    Ok(ok())
}

async fn initiator_delete(State(nx): App, Key(name): Key) -> NefResult<Response> {
    nx.mutate(|a| {
        if !a.remote_initiators.iter().any(|i| i.name == name) {
            return Err(NefError::not_found(format!(
                "Remote initiator '{name}' does not exist"
            )));
        }
        a.remote_initiators.retain(|i| i.name != name);
        Ok(())
    })?;
    Ok(ok())
}

fn visible(m: &Mapping, now: u64) -> bool {
    m.visible_from_ms <= now
}

async fn mappings(State(nx): App, q: Q) -> NefResult<Response> {
    let now = now_ms();
    let records = nx.shared.read(|a| {
        a.mappings
            .iter()
            .filter(|m| visible(m, now))
            .map(Appliance::mapping_json)
            .collect()
    });
    q.collection(records, &[])
}

async fn mapping(State(nx): App, Key(id): Key, q: Q) -> NefResult<Response> {
    let now = now_ms();
    nx.shared
        .read(|a| {
            a.mappings
                .iter()
                .find(|m| m.id == id && visible(m, now))
                .map(Appliance::mapping_json)
        })
        .map(|r| q.one(r))
        .ok_or_else(|| NefError::not_found(format!("LUN mapping '{id}' does not exist")))
}

/// Whether two mappings' views overlap (same or `all` group on both sides).
fn overlaps(hg: &str, tg: &str, m: &Mapping) -> bool {
    let same = |a: &str, b: &str| a == b || a == ALL || b == ALL;
    same(hg, &m.host_group) && same(tg, &m.target_group)
}

async fn mapping_create(State(nx): App, bytes: Bytes) -> NefResult<Response> {
    let b = Body::parse(&bytes)?;
    let volume = b.req_str("volume")?;
    let host_group = group_name(b.str("hostGroup")?.unwrap_or_else(|| ALL.into()));
    let target_group = group_name(b.str("targetGroup")?.unwrap_or_else(|| ALL.into()));
    let lun = match b.u64("lun")? {
        Some(l) if l > 16_383 => return Err(NefError::bad_arg("\"lun\" must be 0..16383")),
        other => other.map(|l| l as u32),
    };
    let delay = nx.settings.mapping_delay.as_millis() as u64;
    nx.mutate(|a| {
        if !a.dataset(&volume).is_some_and(|d| d.kind == Kind::Volume) {
            return Err(NefError::not_found(format!("Volume '{volume}' does not exist")));
        }
        if host_group != ALL && !a.host_groups.iter().any(|g| g.name == host_group) {
            return Err(NefError::not_found(format!("Host group '{host_group}' does not exist")));
        }
        if target_group != ALL && !a.target_groups.iter().any(|g| g.name == target_group) {
            return Err(NefError::not_found(format!(
                "Target group '{target_group}' does not exist"
            )));
        }
        if a.mappings.iter().any(|m| {
            m.volume == volume && m.host_group == host_group && m.target_group == target_group
        }) {
            return Err(NefError::exists(format!(
                "LUN mapping of '{volume}' to host group '{host_group}' and target group '{target_group}' already exists"
            )));
        }
        let used: Vec<u32> = a
            .mappings
            .iter()
            .filter(|m| overlaps(&host_group, &target_group, m))
            .map(|m| m.lun)
            .collect();
        let lun = match lun {
            Some(l) if used.contains(&l) => {
                return Err(NefError::exists(format!("LUN {l} is already in use in this view")));
            }
            Some(l) => l,
            None => (0..).find(|n| !used.contains(n)).unwrap_or(0),
        };
        let id = loop {
            let id = hex(24);
            if !a.mappings.iter().any(|m| m.id == id) {
                break id;
            }
        };
        a.mappings.push(Mapping {
            id,
            volume,
            host_group,
            target_group,
            lun,
            visible_from_ms: now_ms() + delay,
        });
        Ok(())
    })?;
    Ok(created())
}

async fn mapping_delete(State(nx): App, Key(id): Key) -> NefResult<Response> {
    let now = now_ms();
    nx.mutate(|a| {
        if !a.mappings.iter().any(|m| m.id == id && visible(m, now)) {
            return Err(NefError::not_found(format!(
                "LUN mapping '{id}' does not exist"
            )));
        }
        a.mappings.retain(|m| m.id != id);
        Ok(())
    })?;
    Ok(ok())
}

async fn logical_units(State(nx): App, q: Q) -> NefResult<Response> {
    nx.shared.read(|a| {
        let items: Vec<&LogicalUnit> = a.logical_units.iter().collect();
        q.collection_of(items, &[], |l| a.logical_unit_json(l))
    })
}

async fn logical_unit(State(nx): App, Key(guid): Key, q: Q) -> NefResult<Response> {
    nx.shared
        .read(|a| {
            a.logical_units
                .iter()
                .find(|l| l.guid.eq_ignore_ascii_case(&guid))
                .map(|l| a.logical_unit_json(l))
        })
        .map(|r| q.one(r))
        .ok_or_else(|| NefError::not_found(format!("Logical unit '{guid}' does not exist")))
}

async fn logical_unit_set(State(nx): App, Key(guid): Key, bytes: Bytes) -> NefResult<Response> {
    let b = Body::parse(&bytes)?;
    let wcd = b.bool("writebackCacheDisabled")?;
    let alias = b.str("alias")?;
    nx.mutate(|a| {
        let l = a
            .logical_units
            .iter_mut()
            .find(|l| l.guid.eq_ignore_ascii_case(&guid))
            .ok_or_else(|| NefError::not_found(format!("Logical unit '{guid}' does not exist")))?;
        if let Some(w) = wcd {
            l.writeback_cache_disabled = w;
        }
        if let Some(al) = alias {
            l.alias = al;
        }
        Ok(())
    })?;
    Ok(ok())
}
