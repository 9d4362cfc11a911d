//! What each simulated Unity type is made of, so that the simulator answers as strictly
//! as an array: the attributes of every type it serves (`tables`), their descriptions
//! (`describe`), the type metadata storops reads before any query (`GET
//! /api/types/<t>`), the check of `fields=` names (an unknown one is Unisphere's 422
//! `131150085`), and the check of a record against its type (tests hold every record
//! the simulator makes to it).
//!
//! The tables are static; [`SCHEMAS`] parses their type names once, at first use, into
//! a map per type, so a request costs one hash lookup per asked field.

pub mod bodies;
mod describe;
mod tables;

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::error::UnityError;

/// The `fields=` list names an attribute the type does not have (0x7d13105), HTTP 422.
pub const INVALID_PROPERTY: u64 = 131_150_085;

/// One attribute of a type: its name, its Unisphere type (`String`, `Integer`,
/// `List<host>`, `pool`, `HealthEnum`, ...) and whether a record may leave it out.
#[derive(Debug, Clone, Copy)]
pub struct Attr {
    /// The attribute's name.
    pub name: &'static str,
    /// Its Unisphere type.
    pub ty: &'static str,
    /// A record may leave it out (not set, or of another flavour of the type).
    pub optional: bool,
}

/// An attribute every record has.
pub const fn attr(name: &'static str, ty: &'static str) -> Attr {
    Attr {
        name,
        ty,
        optional: false,
    }
}

/// An attribute a record may leave out.
pub const fn opt(name: &'static str, ty: &'static str) -> Attr {
    Attr {
        name,
        ty,
        optional: true,
    }
}

/// A type: its name, its description and its attributes in Unisphere's order.
#[derive(Debug)]
pub struct TypeDef {
    /// The type's name (`lun`).
    pub name: &'static str,
    /// What it is, in the simulator's words.
    pub description: &'static str,
    /// Its attributes.
    pub attributes: &'static [Attr],
}

/// What a value of an attribute is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// `String`.
    Str,
    /// `IPAddress` (a string).
    Ip,
    /// `DateTime` (a string: a time, or a duration `HH:MM:SS.mmm`).
    DateTime,
    /// `Integer` and every `...Enum` (Unisphere sends enums as integers).
    Int,
    /// `Float`.
    Float,
    /// `Boolean`.
    Bool,
    /// A reference to an object of that type: `{"id": ...}`.
    Ref(&'static str),
    /// An object held inline (`health`, `blockHostAccess`, ...).
    Embedded(&'static str),
    /// `List<...>`.
    List(Box<Kind>),
}

impl Kind {
    /// The kind of Unisphere type `ty`.
    pub fn parse(ty: &'static str) -> Kind {
        if let Some(inner) = ty.strip_prefix("List<").and_then(|t| t.strip_suffix('>')) {
            return Kind::List(Box::new(Kind::parse(inner)));
        }
        match ty {
            "String" => Kind::Str,
            "IPAddress" => Kind::Ip,
            "DateTime" => Kind::DateTime,
            "Integer" | "integer" => Kind::Int,
            "Float" => Kind::Float,
            "Boolean" => Kind::Bool,
            t if t.ends_with("Enum") => Kind::Int,
            t if is_embedded(t) => Kind::Embedded(t),
            t => Kind::Ref(t),
        }
    }

    /// The kind of one element (itself unless a list).
    pub fn element(&self) -> &Kind {
        match self {
            Kind::List(inner) => inner.element(),
            other => other,
        }
    }
}

/// Types held inline that have no table of their own (any object is taken).
const OPEN_EMBEDDED: &[&str] = &["baseRequest", "baseResponse"];

fn is_embedded(ty: &str) -> bool {
    OPEN_EMBEDDED.contains(&ty) || tables::embedded().iter().any(|d| d.name == ty)
}

/// A type's attributes, parsed.
#[derive(Debug)]
pub struct Schema {
    /// The table it was made from.
    pub def: &'static TypeDef,
    kinds: HashMap<&'static str, Kind>,
}

impl Schema {
    fn new(def: &'static TypeDef) -> Schema {
        let kinds = def
            .attributes
            .iter()
            .map(|a| (a.name, Kind::parse(a.ty)))
            .collect();
        Schema { def, kinds }
    }

    /// The kind of attribute `name`, if the type has it.
    pub fn kind(&self, name: &str) -> Option<&Kind> {
        self.kinds.get(name)
    }
}

/// Every served and embedded type, by name.
static SCHEMAS: LazyLock<HashMap<&'static str, Schema>> = LazyLock::new(|| {
    tables::all()
        .iter()
        .chain(tables::embedded())
        .map(|def| (def.name, Schema::new(def)))
        .collect()
});

/// The schema of a type the simulator serves.
pub fn served(name: &str) -> Option<&'static Schema> {
    tables::all()
        .iter()
        .any(|d| d.name == name)
        .then(|| SCHEMAS.get(name))
        .flatten()
}

/// Whether the simulator serves type `name`.
pub fn is_served(name: &str) -> bool {
    tables::all().iter().any(|d| d.name == name)
}

/// The schema of any type, served or embedded.
fn any(name: &str) -> Option<&'static Schema> {
    SCHEMAS.get(name)
}

/// Unisphere's answer to a `fields=` name the type does not have.
pub fn invalid_property(field: &str) -> UnityError {
    UnityError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        INVALID_PROPERTY,
        format!("The fields list includes an invalid property [{field}]. (Error Code:0x7d13105)"),
    )
}

/// Whether dotted `path` names an attribute of type `kind` (through references and
/// embedded objects; past a type without a table, anything is taken).
pub fn has_path(kind: &str, path: &str) -> bool {
    match any(kind) {
        Some(schema) => path_in(schema, path),
        None => true,
    }
}

fn path_in(schema: &Schema, path: &str) -> bool {
    let (first, rest) = match path.split_once('.') {
        Some((first, rest)) => (first, Some(rest)),
        None => (path, None),
    };
    let Some(kind) = schema.kind(first) else {
        return false;
    };
    let Some(rest) = rest else {
        return true;
    };
    match kind.element() {
        Kind::Ref(t) | Kind::Embedded(t) => match any(t) {
            Some(inner) => path_in(inner, rest),
            None => !rest.is_empty(),
        },
        _ => false,
    }
}

/// Checks every `fields=` name against type `kind`: the first unknown one is 422
/// `131150085`.
pub fn check_fields(kind: &str, fields: &[String]) -> Result<(), UnityError> {
    match fields.iter().find(|f| !has_path(kind, f)) {
        Some(bad) => Err(invalid_property(bad)),
        None => Ok(()),
    }
}

/// The metadata of every served type, without its host-dependent links.
static METADATA: LazyLock<HashMap<&'static str, Value>> = LazyLock::new(|| {
    tables::all()
        .iter()
        .map(|def| {
            let attributes: Vec<Value> = def
                .attributes
                .iter()
                .map(|a| {
                    json!({"name": a.name, "type": a.ty,
                           "description": describe::attribute(a.name),
                           "displayValue": a.name})
                })
                .collect();
            let content = json!({
                "name": def.name,
                "description": def.description,
                "attributes": attributes,
            });
            (def.name, content)
        })
        .collect()
});

/// `GET /api/types/<kind>`'s content (before `fields=`), as captured from arrays:
/// `name`, `description`, `documentation`, `links` and `attributes` (`name`, `type`,
/// `description`, `displayValue`); `None` for a type not served.
pub fn metadata(kind: &str, base: &str) -> Option<Value> {
    let stored = METADATA.get(kind)?;
    let mut content = Map::new();
    content.insert("name".into(), stored["name"].clone());
    content.insert("description".into(), stored["description"].clone());
    content.insert(
        "documentation".into(),
        json!(format!("{base}/apidocs/classes/{kind}.html")),
    );
    content.insert(
        "links".into(),
        json!([{"rel": "self", "href": format!("{base}/api/types/{kind}/instances")}]),
    );
    content.insert("attributes".into(), stored["attributes"].clone());
    Some(Value::Object(content))
}

/// Checks a record against type `kind`: every field is an attribute of the type, every
/// attribute not marked optional is there, no value is `null`, and each value is of its
/// attribute's kind (through lists and embedded objects). The first problem, as text.
pub fn check_record(kind: &str, record: &Value) -> Result<(), String> {
    match record_problems(kind, record).into_iter().next() {
        Some(problem) => Err(problem),
        None => Ok(()),
    }
}

/// Every problem [`check_record`] finds in a record.
pub fn record_problems(kind: &str, record: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let Some(schema) = any(kind) else {
        return vec![format!("no schema for type {kind}")];
    };
    let Value::Object(map) = record else {
        return vec![format!("a {kind} is not an object: {record}")];
    };
    for (key, value) in map {
        match schema.kind(key) {
            Some(attr_kind) => value_problems(attr_kind, value, &format!("{kind}.{key}"), &mut out),
            None => out.push(format!("{kind} has no attribute {key}")),
        }
    }
    for a in schema.def.attributes {
        if !a.optional && !map.contains_key(a.name) {
            out.push(format!("{kind} lacks attribute {}", a.name));
        }
    }
    out
}

fn value_problems(kind: &Kind, value: &Value, at: &str, out: &mut Vec<String>) {
    let ok = match (kind, value) {
        (Kind::Str, Value::String(_)) => true,
        (Kind::Ip, Value::String(s)) => s.parse::<std::net::IpAddr>().is_ok(),
        (Kind::DateTime, Value::String(s)) => is_datetime(s),
        (Kind::Int, Value::Number(n)) => n.is_i64() || n.is_u64(),
        (Kind::Float, Value::Number(_)) => true,
        (Kind::Bool, Value::Bool(_)) => true,
        (Kind::Ref(_), Value::Object(m)) => m.get("id").is_some_and(Value::is_string),
        (Kind::Embedded(t), v @ Value::Object(_)) => {
            if any(t).is_some() {
                out.extend(
                    record_problems(t, v)
                        .into_iter()
                        .map(|p| format!("{at}: {p}")),
                );
            }
            true
        }
        (Kind::List(inner), Value::Array(items)) => {
            for item in items {
                value_problems(inner, item, &format!("{at}[]"), out);
            }
            true
        }
        _ => false,
    };
    if !ok {
        out.push(format!("{at}: {value} is not a {kind:?}"));
    }
}

/// A Unisphere `DateTime`: `2016-03-01T03:21:38.000Z`, or a duration `00:15:00.000`.
fn is_datetime(s: &str) -> bool {
    let digits = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit());
    let time = |t: &str| {
        let (hms, millis) = t.split_once('.').unwrap_or((t, "000"));
        let parts: Vec<&str> = hms.split(':').collect();
        parts.len() == 3 && parts.iter().all(|p| digits(p)) && digits(millis)
    };
    match s.split_once('T') {
        Some((date, rest)) => {
            let date_ok = date.split('-').count() == 3 && date.split('-').all(digits);
            date_ok && rest.strip_suffix('Z').is_some_and(time)
        }
        None => time(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse() {
        assert_eq!(
            Kind::parse("List<host>"),
            Kind::List(Box::new(Kind::Ref("host")))
        );
        assert_eq!(Kind::parse("HealthEnum"), Kind::Int);
        assert_eq!(Kind::parse("health"), Kind::Embedded("health"));
        assert_eq!(
            Kind::parse("List<blockHostAccess>"),
            Kind::List(Box::new(Kind::Embedded("blockHostAccess")))
        );
        assert_eq!(Kind::parse("IPAddress"), Kind::Ip);
    }

    #[test]
    fn every_table_names_each_attribute_once() {
        for def in tables::all().iter().chain(tables::embedded()) {
            let mut seen = std::collections::HashSet::new();
            for a in def.attributes {
                assert!(seen.insert(a.name), "{}.{} twice", def.name, a.name);
            }
        }
    }

    #[test]
    fn dotted_fields_follow_references_and_embedded_objects() {
        assert!(has_path("lun", "pool.name"));
        assert!(has_path("lun", "hostAccess.host.name"));
        assert!(has_path("lun", "health.value"));
        assert!(has_path("host", "fcHostInitiators.paths.initiator.type"));
        assert!(has_path("type", "attributes.displayValue"));
        assert!(!has_path("lun", "pool.nope"));
        assert!(!has_path("lun", "sizeTotal.x"));
        assert!(!has_path("lun", "nope"));
        assert!(!has_path("lun", "originalParentLun"));
        let e = check_fields("snap", &["id".into(), "bogus".into()]).unwrap_err();
        assert_eq!((e.status.as_u16(), e.code), (422, INVALID_PROPERTY));
        assert_eq!(
            e.message,
            "The fields list includes an invalid property [bogus]. (Error Code:0x7d13105)"
        );
    }

    /// An array with one of everything the simulator makes: every record of every
    /// served type (jobs in each state too) fits its type.
    #[test]
    fn every_record_the_simulator_makes_fits_its_type() {
        use crate::core::jobs::{Job, JobState};
        use crate::unity::{Op, apply, inventory, jobs};
        let mut inv = inventory::default_inventory();
        fn run(inv: &mut crate::unity::model::Inventory, op: Op, body: Value) {
            apply(inv, &op, &body).unwrap_or_else(|e| panic!("{op:?} {body}: {e:?}"));
        }
        let create = |t: &str| Op::Create(t.to_string());
        let action = |t: &str, id: &str, verb: &str| {
            Op::InstanceAction(t.to_string(), id.to_string(), verb.to_string())
        };
        let type_action = |verb: &str| Op::TypeAction("storageResource".into(), verb.into());
        run(
            &mut inv,
            create("host"),
            json!({"type": 1, "name": "h1", "osType": "Linux"}),
        );
        run(
            &mut inv,
            create("hostInitiator"),
            json!({"host": {"id": "Host_1"}, "initiatorType": 2,
                   "initiatorWWNorIqn": "iqn.1994-05.com.redhat:h1",
                   "chapUser": "u1", "chapSecret": "secret-12345"}),
        );
        run(
            &mut inv,
            create("hostInitiator"),
            json!({"host": {"id": "Host_1"}, "initiatorType": 1,
                   "initiatorWWNorIqn": "20:00:00:25:B5:00:00:01:20:00:00:25:B5:00:00:02"}),
        );
        run(
            &mut inv,
            create("hostInitiator"),
            json!({"initiatorType": 2,
                                          "initiatorWWNorIqn": "iqn.1994-05.com.redhat:lone"}),
        );
        run(
            &mut inv,
            type_action("createLun"),
            json!({"name": "thin", "lunParameters": {"pool": {"id": "pool_1"}, "size": 1u64 << 30,
                   "hostAccess": [{"host": {"id": "Host_1"}, "accessMask": 1}]}}),
        );
        run(
            &mut inv,
            type_action("createLun"),
            json!({"name": "thick", "lunParameters": {"pool": {"id": "pool_2"},
                   "size": 1u64 << 30, "isThinEnabled": false}}),
        );
        run(
            &mut inv,
            create("snap"),
            json!({"storageResource": {"id": "sv_1"}, "name": "s1"}),
        );
        let snap = inv.list("snap")[0]["id"].as_str().unwrap().to_string();
        run(
            &mut inv,
            action("storageResource", "sv_1", "createLunThinClone"),
            json!({"snap": {"id": snap}, "name": "clone"}),
        );
        run(
            &mut inv,
            action("snap", &snap, "copy"),
            json!({"copyName": "s1-copy"}),
        );
        run(
            &mut inv,
            type_action("createFilesystem"),
            json!({"name": "fs1", "fsParameters": {"pool": {"id": "pool_1"},
                   "nasServer": {"id": "nas_1"}, "size": 5u64 << 30},
                   "nfsShareCreate": [{"name": "share1", "path": "/",
                       "nfsShareParameters": {"readWriteHosts": [{"id": "Host_1"}],
                                              "readOnlyHostsString": "10.0.0.1"}}]}),
        );
        run(
            &mut inv,
            create("snap"),
            json!({"storageResource": {"id": "res_1"}, "name": "fs-snap",
                   "filesystemAccessType": 2}),
        );
        let fs_snap = inv
            .list("snap")
            .iter()
            .find(|s| s["name"] == "fs-snap")
            .map(|s| s["id"].as_str().unwrap().to_string())
            .unwrap();
        run(
            &mut inv,
            create("nfsShare"),
            json!({"snap": {"id": fs_snap}, "name": "snap-share"}),
        );
        run(
            &mut inv,
            create("nasServer"),
            json!({"name": "nas2", "homeSP": {"id": "spb"}, "pool": {"id": "pool_2"}}),
        );
        run(
            &mut inv,
            create("fileInterface"),
            json!({"nasServer": {"id": "nas_2"}, "ipPort": {"id": "spb_eth3"},
                   "ipAddress": "192.168.30.10"}),
        );
        let mut problems = Vec::new();
        let mut seen = 0;
        for def in tables::all() {
            let rendered;
            let records = if def.name == "job" {
                let job = |state, code: u64| Job {
                    uuid: format!("{state:?}"),
                    description: "job.storageResource.createLun".into(),
                    state,
                    message: if code == 0 {
                        String::new()
                    } else {
                        "it failed".into()
                    },
                    code,
                    start_time: Some("2026-01-01T00:00:00+00:00".into()),
                    end_time: Some("2026-01-01T00:00:01+00:00".into()),
                    owner: Some(
                        json!({"key": "k", "methodName": "storageResource.createLun",
                        "submitTime": "2026-01-01T00:00:00.000Z", "object": "storageResource",
                        "action": "createLun", "affectedResource": {},
                        "taskName": "job.storageResource.task.createLun"}),
                    ),
                };
                rendered = [
                    job(JobState::Queued, 0),
                    job(JobState::Running, 0),
                    job(JobState::Success, 0),
                    job(JobState::Failure, 108007744),
                ]
                .iter()
                .map(|j| jobs::render(&inv, j))
                .collect::<Vec<_>>();
                &rendered[..]
            } else {
                inv.list(def.name)
            };
            assert!(!records.is_empty(), "no {} record to check", def.name);
            for record in records {
                seen += 1;
                problems.extend(record_problems(def.name, record));
            }
        }
        problems.sort();
        problems.dedup();
        assert!(
            problems.is_empty(),
            "{seen} records:\n{}",
            problems.join("\n")
        );
    }

    #[test]
    fn datetimes() {
        assert!(is_datetime("2016-03-01T03:21:38.000Z"));
        assert!(is_datetime("00:15:00.000"));
        assert!(!is_datetime("yesterday"));
    }
}
