//! What ONTAP knows of each simulated resource: its fields (JSON names as ONTAP spells
//! them), their types and enum values, and which a POST and a PATCH may set. The table
//! (`sdk_schema.json`) is written by `scripts/ontap-schema.py` from NetApp's own
//! `netapp-ontap` library (its resource and model schemas); it is parsed once, on first
//! use, into an arena of [`Schema`]s that name each other by index.
//!
//! What the simulator does with it: [`Schema::path`] resolves a dotted field for
//! `fields=`, filters and `order_by`; [`request_body`] reads a POST/PATCH body as ONTAP
//! does (dotted keys are nested objects, numeric strings are integers, `"true"`/`"false"`
//! are booleans) and refuses an unknown field, a field the operation cannot set, a value of
//! the wrong type and a value outside an enum; [`check_record`] tells whether a record the
//! simulator renders is one ONTAP could send (the tests hold every record to it).

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::error::{OntapError, OntapResult};

/// The table, as `scripts/ontap-schema.py` writes it.
const SDK_SCHEMA: &str = include_str!("sdk_schema.json");

/// A resource the simulator serves (one `netapp-ontap` resource schema each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// `/api/cluster`.
    Cluster,
    /// `/api/cluster/nodes`.
    Node,
    /// `/api/cluster/jobs`.
    Job,
    /// `/api/svm/svms`.
    Svm,
    /// `/api/storage/aggregates`.
    Aggregate,
    /// `/api/storage/disks`.
    Disk,
    /// `/api/storage/volumes`.
    Volume,
    /// `/api/storage/volumes/{uuid}/snapshots`.
    Snapshot,
    /// `/api/storage/luns`.
    Lun,
    /// `/api/protocols/san/igroups`.
    Igroup,
    /// `/api/protocols/san/igroups/{uuid}/initiators`.
    IgroupInitiator,
    /// `/api/protocols/san/lun-maps`.
    LunMap,
    /// `/api/protocols/san/iscsi/services`.
    IscsiService,
    /// `/api/protocols/san/iscsi/credentials`.
    IscsiCredentials,
    /// `/api/network/ip/interfaces`.
    IpInterface,
    /// `/api/network/fc/interfaces`.
    FcInterface,
    /// `/api/network/ethernet/ports`.
    Port,
    /// `/api/protocols/nfs/export-policies`.
    ExportPolicy,
    /// `/api/protocols/nfs/export-policies/{id}/rules`.
    ExportRule,
}

impl Resource {
    /// Every resource.
    pub const ALL: [Resource; 19] = [
        Resource::Cluster,
        Resource::Node,
        Resource::Job,
        Resource::Svm,
        Resource::Aggregate,
        Resource::Disk,
        Resource::Volume,
        Resource::Snapshot,
        Resource::Lun,
        Resource::Igroup,
        Resource::IgroupInitiator,
        Resource::LunMap,
        Resource::IscsiService,
        Resource::IscsiCredentials,
        Resource::IpInterface,
        Resource::FcInterface,
        Resource::Port,
        Resource::ExportPolicy,
        Resource::ExportRule,
    ];

    /// Its name in the table.
    fn key(self) -> &'static str {
        match self {
            Resource::Cluster => "cluster",
            Resource::Node => "node",
            Resource::Job => "job",
            Resource::Svm => "svm",
            Resource::Aggregate => "aggregate",
            Resource::Disk => "disk",
            Resource::Volume => "volume",
            Resource::Snapshot => "snapshot",
            Resource::Lun => "lun",
            Resource::Igroup => "igroup",
            Resource::IgroupInitiator => "igroup_initiator",
            Resource::LunMap => "lun_map",
            Resource::IscsiService => "iscsi_service",
            Resource::IscsiCredentials => "iscsi_credentials",
            Resource::IpInterface => "ip_interface",
            Resource::FcInterface => "fc_interface",
            Resource::Port => "port",
            Resource::ExportPolicy => "export_policy",
            Resource::ExportRule => "export_rule",
        }
    }

    /// Its schema.
    pub fn schema(self) -> &'static Schema {
        let table = table();
        &table.schemas[table.roots[self as usize]]
    }
}

/// The bounds of a string's length or an integer's value (the SDK's `len_validation`,
/// `integer_validation`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bounds {
    /// The least.
    pub min: Option<i64>,
    /// The most.
    pub max: Option<i64>,
}

impl Bounds {
    /// Whether `n` is within.
    pub fn holds(&self, n: i64) -> bool {
        self.min.is_none_or(|min| n >= min) && self.max.is_none_or(|max| n <= max)
    }

    fn parse(text: &str) -> Result<Bounds, String> {
        let (low, high) = text
            .split_once("..")
            .ok_or_else(|| format!("bad bounds {text}"))?;
        let end = |s: &str| -> Result<Option<i64>, String> {
            if s.is_empty() {
                Ok(None)
            } else {
                s.parse()
                    .map(Some)
                    .map_err(|_| format!("bad bounds {text}"))
            }
        };
        Ok(Bounds {
            min: end(low)?,
            max: end(high)?,
        })
    }

    fn describe(&self) -> String {
        match (self.min, self.max) {
            (Some(min), Some(max)) => format!("{min} to {max}"),
            (Some(min), None) => format!("at least {min}"),
            (None, Some(max)) => format!("at most {max}"),
            (None, None) => "any".to_string(),
        }
    }
}

/// The type of a field.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A string, of a length within the bounds.
    Str(Bounds),
    /// A string among these (compared ignoring case, as the SDK does).
    Enum(Vec<String>),
    /// An integer within the bounds (the SDK's `Size`: every ONTAP integer, byte counts
    /// included).
    Int(Bounds),
    /// A number.
    Num,
    /// A boolean.
    Bool,
    /// A date and time (ISO 8601 text).
    Time,
    /// An object of the schema at this index.
    Obj(usize),
    /// An array of these.
    List(Box<Kind>),
}

impl Kind {
    /// The schema of the objects this field holds (itself or its array's elements).
    pub fn object(&self) -> Option<&'static Schema> {
        match self {
            Kind::Obj(id) => Some(&table().schemas[*id]),
            Kind::List(inner) => inner.object(),
            _ => None,
        }
    }

    /// What a value of this kind is, for messages.
    fn describe(&self) -> &'static str {
        match self {
            Kind::Str(_) | Kind::Enum(_) | Kind::Time => "a string",
            Kind::Int(_) => "an integer",
            Kind::Num => "a number",
            Kind::Bool => "a boolean",
            Kind::Obj(_) => "an object",
            Kind::List(_) => "an array",
        }
    }
}

/// The fields of one SDK schema.
#[derive(Debug)]
pub struct Schema {
    /// The SDK's class name (`LunSchema`).
    pub name: String,
    fields: HashMap<String, Kind>,
    /// What a POST may set (`None`: anything; entries may be dotted).
    post: Option<Vec<String>>,
    /// What a PATCH may set.
    patch: Option<Vec<String>>,
    /// A resource's schema (not a model's): its post/patch lists are about creating that
    /// resource, so they do not apply where another resource's body names one.
    resource: bool,
}

impl Schema {
    /// The type of the field `name` (one segment).
    pub fn field(&self, name: &str) -> Option<&Kind> {
        self.fields.get(name)
    }

    /// Whether the schema has the field `name`.
    pub fn has(&self, name: &str) -> bool {
        self.fields.contains_key(name)
    }

    /// The type at a dotted `path`, looking through objects and arrays of objects.
    pub fn path(&'static self, path: &str) -> Option<&'static Kind> {
        let mut schema = self;
        let mut segments = path.split('.').peekable();
        while let Some(segment) = segments.next() {
            let kind = schema.fields.get(segment)?;
            if segments.peek().is_none() {
                return Some(kind);
            }
            schema = kind.object()?;
        }
        None
    }
}

/// What a body is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// A create.
    Post,
    /// A change.
    Patch,
}

#[derive(Deserialize)]
struct RawTable {
    resources: HashMap<String, String>,
    schemas: HashMap<String, RawSchema>,
}

#[derive(Deserialize)]
struct RawSchema {
    fields: HashMap<String, String>,
    post: Option<Vec<String>>,
    patch: Option<Vec<String>>,
    #[serde(default)]
    resource: bool,
}

struct Table {
    schemas: Vec<Schema>,
    roots: Vec<usize>,
}

fn parse_kind(text: &str, ids: &HashMap<String, usize>) -> Result<Kind, String> {
    Ok(match text {
        "str" => Kind::Str(Bounds::default()),
        "int" => Kind::Int(Bounds::default()),
        "num" => Kind::Num,
        "bool" => Kind::Bool,
        "time" => Kind::Time,
        _ => {
            if let Some(inner) = text.strip_prefix("list:") {
                Kind::List(Box::new(parse_kind(inner, ids)?))
            } else if let Some(name) = text.strip_prefix("obj:") {
                Kind::Obj(*ids.get(name).ok_or_else(|| format!("no schema {name}"))?)
            } else if let Some(values) = text.strip_prefix("enum:") {
                Kind::Enum(values.split('|').map(str::to_string).collect())
            } else if let Some(bounds) = text.strip_prefix("str:") {
                Kind::Str(Bounds::parse(bounds)?)
            } else if let Some(bounds) = text.strip_prefix("int:") {
                Kind::Int(Bounds::parse(bounds)?)
            } else {
                return Err(format!("unknown type {text}"));
            }
        }
    })
}

impl Table {
    fn parse(text: &str) -> Result<Table, String> {
        let raw: RawTable = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let mut names: Vec<&String> = raw.schemas.keys().collect();
        names.sort();
        let ids: HashMap<String, usize> = names
            .iter()
            .enumerate()
            .map(|(i, n)| ((*n).clone(), i))
            .collect();
        let mut schemas = Vec::with_capacity(names.len());
        for name in names {
            let r = &raw.schemas[name];
            let mut fields = HashMap::with_capacity(r.fields.len());
            for (field, kind) in &r.fields {
                fields.insert(field.clone(), parse_kind(kind, &ids)?);
            }
            schemas.push(Schema {
                name: name.clone(),
                fields,
                post: r.post.clone(),
                patch: r.patch.clone(),
                resource: r.resource,
            });
        }
        let roots = Resource::ALL
            .iter()
            .map(|r| {
                raw.resources
                    .get(r.key())
                    .and_then(|name| ids.get(name).copied())
                    .ok_or_else(|| format!("no schema for resource {}", r.key()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Table { schemas, roots })
    }
}

static TABLE: LazyLock<Table> = LazyLock::new(|| match Table::parse(SDK_SCHEMA) {
    Ok(table) => table,
    // The table is part of the source: a broken one is a build mistake the tests catch.
    Err(e) => panic!("arraysim/src/ontap/sdk_schema.json: {e}"),
});

fn table() -> &'static Table {
    &TABLE
}

/// What a level of a body may set: everything, or these (dotted) names.
#[derive(Debug, Clone)]
enum Settable {
    Any,
    Only(Vec<String>),
}

impl Settable {
    fn of(schema: &Schema, op: Operation) -> Settable {
        let list = match op {
            Operation::Post => schema.post.as_ref(),
            Operation::Patch => schema.patch.as_ref(),
        };
        match list {
            Some(list) => Settable::Only(list.clone()),
            None => Settable::Any,
        }
    }

    /// What may be set below the field `key` (of `kind`), or `None` if `key` itself may
    /// not be set: the sub-fields the list names (`svm.name`), or, when it names `key`
    /// whole, what the field's own schema lets the operation set.
    fn below(&self, key: &str, kind: &Kind, op: Operation) -> Option<Settable> {
        let Settable::Only(list) = self else {
            return Some(Settable::Any);
        };
        if list.iter().any(|entry| entry == key) {
            return Some(match kind.object() {
                Some(child) if !child.resource => Settable::of(child, op),
                _ => Settable::Any,
            });
        }
        let dotted = format!("{key}.");
        let subs: Vec<String> = list
            .iter()
            .filter_map(|entry| entry.strip_prefix(&dotted))
            .map(str::to_string)
            .collect();
        (!subs.is_empty()).then_some(Settable::Only(subs))
    }
}

/// A POST or PATCH body of `resource`, read as ONTAP reads it: dotted keys nested,
/// numeric strings as integers, `"true"`/`"false"` as booleans. An unknown field is 400
/// "Unexpected argument" (262179), a field the operation cannot set 400 (262196), a value
/// of the wrong type or outside its enum 400 (2).
pub fn request_body(resource: Resource, op: Operation, body: Value) -> OntapResult<Value> {
    let mut body = super::expand_dotted(body);
    let schema = resource.schema();
    if let Value::Object(map) = &mut body {
        check_object(schema, map, "", op, &Settable::of(schema, op))?;
    }
    Ok(body)
}

fn check_object(
    schema: &'static Schema,
    map: &mut Map<String, Value>,
    prefix: &str,
    op: Operation,
    settable: &Settable,
) -> OntapResult<()> {
    for (key, value) in map.iter_mut() {
        let target = format!("{prefix}{key}");
        let Some(kind) = schema.field(key) else {
            return Err(OntapError::unexpected_argument(&target));
        };
        let below = settable
            .below(key, kind, op)
            .ok_or_else(|| OntapError::cannot_set(&target))?;
        check_value(kind, value, &target, op, &below)?;
    }
    Ok(())
}

fn check_value(
    kind: &'static Kind,
    value: &mut Value,
    target: &str,
    op: Operation,
    settable: &Settable,
) -> OntapResult<()> {
    if value.is_null() {
        return Ok(());
    }
    let wrong = |value: &Value| {
        OntapError::invalid(
            target,
            format!(
                "Invalid value {value} for field \"{target}\": it must be {}.",
                kind.describe()
            ),
        )
    };
    let out_of = |what: &str, bounds: &Bounds| {
        OntapError::invalid(
            target,
            format!("Field \"{target}\" must be {}{what}.", bounds.describe()),
        )
    };
    match kind {
        Kind::Str(bounds) => {
            let Some(text) = value.as_str() else {
                return Err(wrong(value));
            };
            if !bounds.holds(text.chars().count() as i64) {
                return Err(out_of(" characters long", bounds));
            }
        }
        Kind::Time => {
            if !value.is_string() {
                return Err(wrong(value));
            }
        }
        Kind::Enum(choices) => {
            let Some(text) = value.as_str() else {
                return Err(wrong(value));
            };
            if !choices.iter().any(|c| c.eq_ignore_ascii_case(text)) {
                return Err(OntapError::invalid(
                    target,
                    format!("\"{text}\" is an invalid value for field \"{target}\"."),
                ));
            }
        }
        Kind::Int(bounds) => {
            match value {
                Value::Number(n) if n.is_i64() || n.is_u64() => {}
                Value::String(s) => {
                    let n: Value = if let Ok(n) = s.trim().parse::<u64>() {
                        n.into()
                    } else if let Ok(n) = s.trim().parse::<i64>() {
                        n.into()
                    } else {
                        return Err(wrong(value));
                    };
                    *value = n;
                }
                _ => return Err(wrong(value)),
            }
            let n = value.as_i64().unwrap_or(i64::MAX);
            if !bounds.holds(n) {
                return Err(out_of("", bounds));
            }
        }
        Kind::Num => match value {
            Value::Number(_) => {}
            Value::String(s) => match s
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
            {
                Some(n) => *value = Value::Number(n),
                None => return Err(wrong(value)),
            },
            _ => return Err(wrong(value)),
        },
        Kind::Bool => match value {
            Value::Bool(_) => {}
            Value::String(s) if s.eq_ignore_ascii_case("true") => *value = Value::Bool(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => *value = Value::Bool(false),
            _ => return Err(wrong(value)),
        },
        Kind::Obj(id) => {
            let Value::Object(map) = value else {
                return Err(wrong(value));
            };
            check_object(
                &table().schemas[*id],
                map,
                &format!("{target}."),
                op,
                settable,
            )?;
        }
        Kind::List(inner) => {
            let Value::Array(items) = value else {
                return Err(wrong(value));
            };
            for item in items {
                check_value(inner, item, target, op, settable)?;
            }
        }
    }
    Ok(())
}

/// Whether `record` is one ONTAP could send for `resource`: every field known, of its
/// type, enum values among the enum's. The first fault, as a dotted path and why.
pub fn check_record(resource: Resource, record: &Value) -> Result<(), String> {
    fn object(schema: &Schema, value: &Value, prefix: &str) -> Result<(), String> {
        let Value::Object(map) = value else {
            return Err(format!("{prefix}: not an object"));
        };
        for (key, child) in map {
            let path = format!("{prefix}{key}");
            let kind = schema
                .field(key)
                .ok_or_else(|| format!("{path}: not a field of {}", schema.name))?;
            one(kind, child, &path)?;
        }
        Ok(())
    }
    fn one(kind: &Kind, value: &Value, path: &str) -> Result<(), String> {
        let ok = match (kind, value) {
            (_, Value::Null) => false,
            (Kind::Str(bounds), Value::String(s)) => bounds.holds(s.chars().count() as i64),
            (Kind::Time, Value::String(_)) => true,
            (Kind::Enum(choices), Value::String(s)) => choices.iter().any(|c| c == s),
            (Kind::Int(bounds), Value::Number(n)) => n.as_i64().is_some_and(|n| bounds.holds(n)),
            (Kind::Num, Value::Number(_)) => true,
            (Kind::Bool, Value::Bool(_)) => true,
            (Kind::Obj(id), Value::Object(_)) => {
                return object(&table().schemas[*id], value, &format!("{path}."));
            }
            (Kind::List(inner), Value::Array(items)) => {
                return items.iter().try_for_each(|item| one(inner, item, path));
            }
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            Err(format!("{path}: {value} is not {kind:?}"))
        }
    }
    object(resource.schema(), record, "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_resource_has_its_schema() {
        for r in Resource::ALL {
            assert!(r.schema().has("_links") || r == Resource::Disk, "{r:?}");
        }
        assert_eq!(Resource::Lun.schema().name, "LunSchema");
        assert_eq!(
            Resource::Lun.schema().path("space.guarantee.requested"),
            Some(&Kind::Bool)
        );
        assert_eq!(
            Resource::Lun.schema().path("space.size"),
            Some(&Kind::Int(Bounds::default()))
        );
        assert_eq!(
            Resource::Igroup.schema().path("initiators.name"),
            Some(&Kind::Str(Bounds::default()))
        );
        assert_eq!(
            Resource::Lun.schema().path("comment"),
            Some(&Kind::Str(Bounds {
                min: Some(0),
                max: Some(254)
            }))
        );
        assert_eq!(Resource::Lun.schema().path("space.nope"), None);
        assert_eq!(Resource::Lun.schema().path("name.x"), None);
    }

    #[test]
    fn records_are_held_to_the_schema() {
        let lun = json!({"uuid": "u", "name": "/vol/v/l", "os_type": "linux",
                         "space": {"size": 1, "guarantee": {"requested": false}},
                         "_links": {"self": {"href": "/api/storage/luns/u"}}});
        assert_eq!(check_record(Resource::Lun, &lun), Ok(()));
        for (bad, fault) in [
            (json!({"sise": 1}), "sise"),
            (json!({"space": {"size": "1"}}), "space.size"),
            (json!({"os_type": "beos"}), "os_type"),
            (
                json!({"space": {"guarantee": {"requested": 1}}}),
                "space.guarantee.requested",
            ),
            (json!({"lun_maps": {"logical_unit_number": 0}}), "lun_maps"),
            (json!({"comment": "x".repeat(255)}), "comment"),
        ] {
            let e = check_record(Resource::Lun, &bad).unwrap_err();
            assert!(e.starts_with(fault), "{bad}: {e}");
        }
    }

    #[test]
    fn bodies_are_read_as_ontap_reads_them() {
        let body = request_body(
            Resource::Lun,
            Operation::Post,
            json!({"name": "/vol/v/l", "space.size": "1073741824", "os_type": "linux",
                   "space.guarantee.requested": "false",
                   "space.scsi_thin_provisioning_support_enabled": "true"}),
        )
        .unwrap();
        assert_eq!(body["space"]["size"], 1_073_741_824u64);
        assert_eq!(body["space"]["guarantee"]["requested"], false);
        assert_eq!(
            body["space"]["scsi_thin_provisioning_support_enabled"],
            true
        );
        let e = request_body(Resource::Lun, Operation::Post, json!({"sise": 1})).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.target.as_deref()),
            ("262179", Some("sise"))
        );
        let e = request_body(
            Resource::Lun,
            Operation::Post,
            json!({"space": {"size": "big"}}),
        )
        .unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.target.as_deref()),
            ("2", Some("space.size"))
        );
        let e =
            request_body(Resource::Lun, Operation::Post, json!({"os_type": "beos"})).unwrap_err();
        assert_eq!(e.target.as_deref(), Some("os_type"));
        // A POST cannot set the serial number, nor a PATCH the OS type.
        let e = request_body(
            Resource::Lun,
            Operation::Post,
            json!({"serial_number": "x"}),
        )
        .unwrap_err();
        assert_eq!(e.code, "262196");
        let e =
            request_body(Resource::Lun, Operation::Patch, json!({"os_type": "linux"})).unwrap_err();
        assert_eq!(e.code, "262196");
        // `svm.name` may be set, `svm.state` not.
        assert!(
            request_body(
                Resource::Lun,
                Operation::Post,
                json!({"svm": {"name": "vs0"}})
            )
            .is_ok()
        );
        let e = request_body(
            Resource::Lun,
            Operation::Post,
            json!({"svm": {"state": "x"}}),
        )
        .unwrap_err();
        assert_eq!(e.target.as_deref(), Some("svm.state"));
    }
}
