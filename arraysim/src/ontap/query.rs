//! ONTAP's query conventions: `fields=`, `field=value` filters (`*`, `|`,
//! `!`, `<`/`>`/`<=`/`>=`, `..`, `null`), `max_records` paging with a
//! `_links.next` cursor, `return_records`, `return_timeout`.
//!
//! Every name is checked against the resource's schema, as ONTAP does: a `fields=` entry
//! it lacks is 400 262197, a query parameter that is neither one of the request
//! parameters nor a field is 400 262179 ("Unexpected argument"). A filter on an object
//! (`svm=vs0`) compares the object's `name` (*chosen*: how cinder's `svm=` reads).

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::error::{OntapError, OntapResult};
use super::schema::Resource;
use crate::core::paging::{glob_match, lookup, page, project};

/// Which fields a record shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Fields {
    /// Key fields only (the default).
    Keys,
    /// Everything (`*` or `**`).
    All,
    /// Key fields plus these dotted paths.
    List(Vec<String>),
}

/// The parsed query string of a request.
#[derive(Debug, Clone)]
pub struct OntapQuery {
    /// `fields=`.
    pub fields: Fields,
    /// `max_records=`.
    pub max_records: Option<usize>,
    /// `return_records=` (default true).
    pub return_records: bool,
    /// `return_timeout=` seconds (0..=120).
    pub return_timeout: u64,
    /// `allow_delete_while_mapped=`.
    pub allow_delete_while_mapped: bool,
    /// `restore_to.snapshot.name=` / `restore_to.snapshot.uuid=` (volume PATCH).
    pub restore_to: Option<SnapshotRef>,
    /// Paging cursor: `start.uuid=`.
    pub start_uuid: Option<String>,
    /// Paging cursor: `start.offset=` (records without a uuid; *chosen*).
    pub start_offset: Option<usize>,
    /// Everything else: field filters.
    pub filters: Vec<(String, String)>,
    /// The original pairs, for building `next` links.
    pub raw: Vec<(String, String)>,
    /// `order_by=field [asc|desc],...`.
    pub order_by: Vec<(String, bool)>,
}

/// A snapshot named in a query (`restore_to.snapshot.name`, `.uuid`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SnapshotRef {
    /// Its name.
    pub name: Option<String>,
    /// Its uuid.
    pub uuid: Option<String>,
}

/// Query parameters of some resources only, besides their fields.
fn takes(resource: Resource, parameter: &str) -> bool {
    match parameter {
        "allow_delete_while_mapped" => matches!(
            resource,
            Resource::Lun | Resource::Igroup | Resource::IgroupInitiator
        ),
        "restore_to.snapshot.name" | "restore_to.snapshot.uuid" => resource == Resource::Volume,
        _ => false,
    }
}

/// A dotted name of `resource`'s schema, for `fields=` and `order_by`: a field, or
/// `object.*`.
fn known_field(resource: Resource, name: &str) -> bool {
    let schema = resource.schema();
    match name.strip_suffix(".*") {
        Some(object) => schema.path(object).is_some_and(|k| k.object().is_some()),
        None => schema.path(name).is_some(),
    }
}

fn parse_bool(name: &str, v: &str) -> OntapResult<bool> {
    match v {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(OntapError::invalid(
            name,
            format!("invalid boolean value \"{v}\" for \"{name}\""),
        )),
    }
}

impl OntapQuery {
    /// Parse the query pairs of a request on `resource`.
    pub fn parse(pairs: Vec<(String, String)>, resource: Resource) -> OntapResult<Self> {
        let mut q = OntapQuery {
            fields: Fields::Keys,
            max_records: None,
            return_records: true,
            return_timeout: 0,
            allow_delete_while_mapped: false,
            restore_to: None,
            start_uuid: None,
            start_offset: None,
            filters: Vec::new(),
            raw: pairs.clone(),
            order_by: Vec::new(),
        };
        for (k, v) in pairs {
            match k.as_str() {
                "fields" => {
                    let list: Vec<String> = v
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect();
                    if let Some(bad) = list
                        .iter()
                        .find(|f| *f != "*" && *f != "**" && !known_field(resource, f))
                    {
                        return Err(OntapError::invalid_for("fields", bad));
                    }
                    q.fields = if list.iter().any(|f| f == "*" || f == "**") {
                        Fields::All
                    } else {
                        Fields::List(list)
                    };
                }
                "max_records" => {
                    let n: usize = v.parse().map_err(|_| {
                        OntapError::invalid(
                            "max_records",
                            format!("invalid value \"{v}\" for \"max_records\""),
                        )
                    })?;
                    q.max_records = Some(n.max(1));
                }
                "return_records" => q.return_records = parse_bool(&k, &v)?,
                "return_timeout" => {
                    let n: u64 = v.parse().ok().filter(|n| *n <= 120).ok_or_else(|| {
                        OntapError::invalid("return_timeout", "return_timeout must be 0..120")
                    })?;
                    q.return_timeout = n;
                }
                "allow_delete_while_mapped" if takes(resource, &k) => {
                    q.allow_delete_while_mapped = parse_bool(&k, &v)?
                }
                "restore_to.snapshot.name" if takes(resource, &k) => {
                    q.restore_to.get_or_insert_with(SnapshotRef::default).name = Some(v)
                }
                "restore_to.snapshot.uuid" if takes(resource, &k) => {
                    q.restore_to.get_or_insert_with(SnapshotRef::default).uuid = Some(v)
                }
                "start.uuid" => q.start_uuid = Some(v),
                "start.offset" => q.start_offset = v.parse().ok(),
                "order_by" => {
                    for key in v.split(',').map(str::trim).filter(|k| !k.is_empty()) {
                        let (field, dir) = key.split_once(' ').unwrap_or((key, "asc"));
                        if !known_field(resource, field) {
                            return Err(OntapError::invalid_for("order_by", field));
                        }
                        let descending = match dir.trim() {
                            "asc" => false,
                            "desc" => true,
                            other => {
                                return Err(OntapError::invalid(
                                    "order_by",
                                    format!("invalid order \"{other}\""),
                                ));
                            }
                        };
                        q.order_by.push((field.to_string(), descending));
                    }
                }
                _ => {
                    let field = match resource.schema().path(&k) {
                        None => return Err(OntapError::unexpected_argument(&k)),
                        // An object compares its name: `svm=vs0` is `svm.name=vs0`.
                        Some(kind) if kind.object().is_some_and(|o| o.has("name")) => {
                            format!("{k}.name")
                        }
                        Some(_) => k,
                    };
                    q.filters.push((field, v));
                }
            }
        }
        Ok(q)
    }

    /// Whether `record` passes every filter.
    pub fn matches(&self, record: &Value) -> bool {
        self.filters
            .iter()
            .all(|(field, expr)| filter_matches(record, field, expr))
    }

    /// `record` cut down to what `fields=` asks (plus `keys` and `_links`).
    pub fn shape(&self, record: &Value, keys: &[&str]) -> Value {
        match &self.fields {
            Fields::All => record.clone(),
            Fields::Keys | Fields::List(_) => {
                let mut paths: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
                if let Fields::List(list) = &self.fields {
                    paths.extend(list.iter().cloned());
                }
                paths.push("_links".into());
                project(record, &paths)
            }
        }
    }

    /// The collection reply for `records` (all of them, unfiltered) at `path`.
    pub fn collection(&self, path: &str, records: Vec<Value>, keys: &[&str]) -> Response {
        let mut matched: Vec<Value> = records.into_iter().filter(|r| self.matches(r)).collect();
        if !self.order_by.is_empty() {
            matched.sort_by(|a, b| {
                self.order_by
                    .iter()
                    .map(|(field, descending)| {
                        let o = compare(
                            lookup(a, field).first().copied(),
                            lookup(b, field).first().copied(),
                        );
                        if *descending { o.reverse() } else { o }
                    })
                    .find(|o| o.is_ne())
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
        }
        let start = match (&self.start_uuid, self.start_offset) {
            (Some(uuid), _) => matched
                .iter()
                .position(|r| r.get("uuid").and_then(Value::as_str) == Some(uuid))
                .unwrap_or(matched.len()),
            (None, Some(offset)) => offset,
            (None, None) => 0,
        };
        if !self.return_records {
            // Only the count: of every match, not of one page.
            let links = json!({"self": {"href": self.href(path, None)}});
            return Json(json!({"num_records": matched.len(), "_links": links})).into_response();
        }
        // The next page starts at the uuid of its first record (or its offset).
        let cursor = |idx: usize, records: &[Value]| match records
            .get(idx)
            .and_then(|r| r.get("uuid"))
            .and_then(Value::as_str)
        {
            Some(uuid) => ("start.uuid".to_string(), uuid.to_string()),
            None => ("start.offset".to_string(), idx.to_string()),
        };
        let next_cursor = match self.max_records {
            Some(max) if start + max < matched.len() => Some(cursor(start + max, &matched)),
            _ => None,
        };
        let (page_records, _) = page(matched, start, self.max_records);
        self.page_reply(path, &page_records, next_cursor, keys)
    }

    /// [`OntapQuery::collection`] for a collection whose records are made on demand:
    /// `items` gives each object's uuid (its record's `uuid`, the paging cursor) and how
    /// to render it, in creation order. Without
    /// `order_by`, `start.offset` or `return_records=false`, the objects before the
    /// `start.uuid` cursor are skipped unrendered and rendering stops once the page and
    /// the next page's first match are found: a 10-page listing renders each record about
    /// once instead of ten times.
    pub fn collection_lazy<'a, F>(
        &self,
        path: &str,
        items: impl Iterator<Item = (&'a str, F)>,
        keys: &[&str],
    ) -> Response
    where
        F: FnOnce() -> Value,
    {
        if !self.order_by.is_empty() || self.start_offset.is_some() || !self.return_records {
            let records = items.map(|(_, render)| render()).collect();
            return self.collection(path, records, keys);
        }
        let mut items = items.peekable();
        if let Some(start) = &self.start_uuid {
            while items.next_if(|(uuid, _)| uuid != start).is_some() {}
        }
        let mut page_records = Vec::new();
        let mut next_cursor = None;
        for (uuid, render) in items {
            let record = render();
            if !self.matches(&record) {
                continue;
            }
            if self
                .max_records
                .is_some_and(|max| page_records.len() == max)
            {
                next_cursor = Some(("start.uuid".to_string(), uuid.to_string()));
                break;
            }
            page_records.push(record);
        }
        self.page_reply(path, &page_records, next_cursor, keys)
    }

    /// One page of a collection, each record cut to `fields=`, with its links.
    fn page_reply(
        &self,
        path: &str,
        page_records: &[Value],
        next_cursor: Option<(String, String)>,
        keys: &[&str],
    ) -> Response {
        let mut links = json!({"self": {"href": self.href(path, None)}});
        if let Some(c) = next_cursor {
            links["next"] = json!({"href": self.href(path, Some(c))});
        }
        let records: Vec<Value> = page_records.iter().map(|r| self.shape(r, keys)).collect();
        Json(json!({"records": records, "num_records": records.len(), "_links": links}))
            .into_response()
    }

    fn href(&self, path: &str, cursor: Option<(String, String)>) -> String {
        let mut pairs: Vec<(String, String)> = self
            .raw
            .iter()
            .filter(|(k, _)| !k.starts_with("start."))
            .cloned()
            .collect();
        if let Some(c) = cursor {
            pairs.push(c);
        }
        if pairs.is_empty() {
            return path.to_string();
        }
        let query: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        format!("{path}?{}", query.join("&"))
    }
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'~'
            | b'*'
            | b','
            | b'/'
            | b':' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A number with an optional K/M/G/T/P suffix (powers of 1024).
fn parse_size(s: &str) -> Option<f64> {
    let s = s.trim();
    let (num, mult) = match s.chars().last()?.to_ascii_uppercase() {
        'K' => (&s[..s.len() - 1], 1024f64),
        'M' => (&s[..s.len() - 1], 1024f64.powi(2)),
        'G' => (&s[..s.len() - 1], 1024f64.powi(3)),
        'T' => (&s[..s.len() - 1], 1024f64.powi(4)),
        'P' => (&s[..s.len() - 1], 1024f64.powi(5)),
        _ => (s, 1f64),
    };
    num.parse::<f64>().ok().map(|n| n * mult)
}

fn one_matches(value: Option<&Value>, expr: &str) -> bool {
    if let Some(rest) = expr.strip_prefix('!') {
        return !one_matches(value, rest);
    }
    if expr == "null" {
        return value.is_none_or(Value::is_null);
    }
    let Some(text) = value.and_then(as_text) else {
        return false;
    };
    let num = || parse_size(&text);
    for (op, cmp) in [("<=", 0u8), (">=", 1), ("<", 2), (">", 3)] {
        if let Some(rhs) = expr.strip_prefix(op) {
            let (Some(l), Some(r)) = (num(), parse_size(rhs)) else {
                return false;
            };
            return match cmp {
                0 => l <= r,
                1 => l >= r,
                2 => l < r,
                _ => l > r,
            };
        }
    }
    if let Some((lo, hi)) = expr.split_once("..")
        && let (Some(l), Some(lo), Some(hi)) = (num(), parse_size(lo), parse_size(hi))
    {
        return lo <= l && l <= hi;
    }
    glob_match(&expr.to_lowercase(), &text.to_lowercase())
}

/// `field=expr` against `record`: alternatives split by `|`, any value at
/// the dotted path (arrays looked through) may match. Text comparison is
/// case-insensitive (*chosen*).
fn filter_matches(record: &Value, field: &str, expr: &str) -> bool {
    let values = lookup(record, field);
    expr.split('|').any(|alt| {
        if alt.starts_with('!') {
            // Negation holds when no value matches the positive form.
            if values.is_empty() {
                return one_matches(None, alt);
            }
            values.iter().all(|v| one_matches(Some(v), alt))
        } else if values.is_empty() {
            one_matches(None, alt)
        } else {
            values.iter().any(|v| one_matches(Some(v), alt))
        }
    })
}

impl OntapQuery {
    /// A single record: every field unless `fields=` names some (*chosen*:
    /// ONTAP returns the full record for a single-object GET).
    pub fn shape_one(&self, record: Value, keys: &[&str]) -> Value {
        match &self.fields {
            Fields::List(_) => self.shape(&record, keys),
            _ => record,
        }
    }
}

/// Order two optional values: missing first, numbers numerically, text
/// lexically.
fn compare(a: Option<&Value>, b: Option<&Value>) -> std::cmp::Ordering {
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .unwrap_or(0.0)
            .total_cmp(&y.as_f64().unwrap_or(0.0)),
        (Some(x), Some(y)) => as_text(x).cmp(&as_text(y)),
        (None, Some(_)) => std::cmp::Ordering::Less,
        (Some(_), None) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(resource: Resource, pairs: &[(&str, &str)]) -> OntapResult<OntapQuery> {
        OntapQuery::parse(
            pairs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            resource,
        )
    }

    fn q(pairs: &[(&str, &str)]) -> OntapQuery {
        parse(Resource::Volume, pairs).unwrap()
    }

    #[test]
    fn filters() {
        let r = json!({"name": "vol1", "size": 1073741824u64, "state": "online", "svm": {"name": "vs0"}});
        assert!(q(&[("name", "vol*")]).matches(&r));
        assert!(q(&[("name", "x|vol1")]).matches(&r));
        assert!(!q(&[("state", "!online")]).matches(&r));
        assert!(q(&[("svm.name", "vs0"), ("size", ">=1G")]).matches(&r));
        assert!(q(&[("size", "1M..2G")]).matches(&r));
        assert!(!q(&[("size", "<1G")]).matches(&r));
        assert!(q(&[("comment", "null")]).matches(&r));
        assert!(!q(&[("comment", "!null")]).matches(&r));
        // An object compares its name.
        assert!(q(&[("svm", "vs0")]).matches(&r));
        assert!(!q(&[("svm", "vs1")]).matches(&r));
        let lif = json!({"services": ["data_core", "data_iscsi"]});
        let services = parse(Resource::IpInterface, &[("services", "data_iscsi")]).unwrap();
        assert!(services.matches(&lif));
    }

    #[test]
    fn names_are_checked_against_the_schema() {
        let e = parse(Resource::Volume, &[("fields", "name,bogus")]).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.target.as_deref()),
            ("262197", Some("fields"))
        );
        assert_eq!(
            e.message,
            "The value \"bogus\" is invalid for field \"fields\" (<field,...>)"
        );
        let e = parse(Resource::Volume, &[("bogus", "1")]).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.target.as_deref()),
            ("262179", Some("bogus"))
        );
        assert_eq!(e.message, "Unexpected argument \"bogus\".");
        // Request parameters of other resources are unexpected too.
        assert!(parse(Resource::Volume, &[("allow_delete_while_mapped", "true")]).is_err());
        assert!(parse(Resource::Lun, &[("allow_delete_while_mapped", "true")]).is_ok());
        let ok = parse(
            Resource::Volume,
            &[
                ("fields", "space.*,svm.name,**"),
                ("max_records", "10"),
                ("return_timeout", "5"),
                ("restore_to.snapshot.name", "s1"),
                ("order_by", "name desc"),
            ],
        )
        .unwrap();
        assert_eq!(ok.restore_to.unwrap().name.as_deref(), Some("s1"));
        assert!(parse(Resource::Volume, &[("order_by", "sise")]).is_err());
    }
}
