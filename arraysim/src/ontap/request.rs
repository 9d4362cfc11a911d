//! Reading a request as a cluster reads it: the path (doubled and trailing slashes
//! dropped), the query (names checked against the resource's schema, [`OntapQuery`]), the
//! body (dotted keys nested, numbers and booleans from strings, checked against the
//! schema), and the values handlers take from a body.

use axum::body::Bytes;
use axum::extract::{Query, Request};
use axum::http::{StatusCode, Uri};
use serde_json::{Map, Value, json};

use super::RawQuery;
use super::error::{self, OntapError, OntapResult};
use super::model::Inventory;
use super::query::OntapQuery;
use super::schema::{self, Operation, Resource};

/// `/api//cluster/` → `/api/cluster`: empty path segments (doubled slashes, a trailing
/// slash) are dropped, as the cluster's web server does.
pub(super) fn normalize_path(mut request: Request) -> Request {
    let path = request.uri().path();
    let trailing = path.len() > 1 && path.ends_with('/');
    if !trailing && !path.contains("//") {
        return request;
    }
    let mut clean = String::with_capacity(path.len());
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        clean.push('/');
        clean.push_str(segment);
    }
    if clean.is_empty() {
        clean.push('/');
    }
    if let Some(query) = request.uri().query() {
        clean.push('?');
        clean.push_str(query);
    }
    let mut parts = request.uri().clone().into_parts();
    if let Ok(path_and_query) = clean.parse() {
        parts.path_and_query = Some(path_and_query);
        if let Ok(uri) = Uri::from_parts(parts) {
            *request.uri_mut() = uri;
        }
    }
    request
}

/// Parse the query string of a request on `resource` (its names checked against the
/// resource's schema).
pub fn query(Query(pairs): RawQuery, resource: Resource) -> OntapResult<OntapQuery> {
    OntapQuery::parse(pairs, resource)
}

/// Parse the JSON body of a POST or PATCH of `resource` (empty = `{}`) as a cluster reads
/// it ([`schema::request_body`]): dotted keys nested, numbers and booleans taken from
/// strings, unknown fields, fields the operation cannot set and wrong types refused.
pub fn body(bytes: &Bytes, resource: Resource, op: Operation) -> OntapResult<Value> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    let v: Value = serde_json::from_slice(bytes).map_err(|e| {
        OntapError::new(
            StatusCode::BAD_REQUEST,
            error::INVALID,
            format!("invalid JSON body: {e}"),
        )
    })?;
    if !v.is_object() {
        return Err(OntapError::new(
            StatusCode::BAD_REQUEST,
            error::INVALID,
            "body must be a JSON object",
        ));
    }
    schema::request_body(resource, op, v)
}

/// `{"a.b": 1, "a": {"c": 2}}` → `{"a": {"b": 1, "c": 2}}`, at every level: ONTAP reads a
/// dotted key in a body as the nested field (a later key wins where two set one field).
pub fn expand_dotted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, child) in map {
                let mut parts = key.split('.');
                let first = parts.next().unwrap_or_default().to_string();
                let mut nested = expand_dotted(child);
                for part in parts.rev() {
                    nested = json!({ part: nested });
                }
                insert_merged(&mut out, first, nested);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(expand_dotted).collect()),
        other => other,
    }
}

fn insert_merged(into: &mut Map<String, Value>, key: String, value: Value) {
    match (into.get_mut(&key), value) {
        (Some(Value::Object(existing)), Value::Object(new)) => {
            for (k, v) in new {
                insert_merged(existing, k, v);
            }
        }
        (_, value) => {
            into.insert(key, value);
        }
    }
}

/// The string at dotted `path` in a body.
pub fn str_at<'a>(body: &'a Value, path: &str) -> Option<&'a str> {
    at(body, path).and_then(Value::as_str)
}

/// The value at dotted `path` in a body.
pub fn at<'a>(body: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(body, |v, k| v.get(k))
}

/// A byte count at `path`: a non-negative integer, or one written as a string.
pub fn size_at(body: &Value, path: &str) -> OntapResult<Option<u64>> {
    match at(body, path) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            .map(Some)
            .ok_or_else(|| {
                OntapError::invalid(
                    path,
                    format!("\"{path}\" must be an integer number of bytes"),
                )
            }),
    }
}

/// A non-negative integer at `path`, or one written as a string.
pub fn uint_at(body: &Value, path: &str) -> OntapResult<Option<u64>> {
    match at(body, path) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            .map(Some)
            .ok_or_else(|| {
                OntapError::invalid(path, format!("\"{path}\" must be a non-negative integer"))
            }),
    }
}

/// A boolean at `path`: `true`/`false`, or one written as a string.
pub fn bool_at(body: &Value, path: &str) -> OntapResult<Option<bool>> {
    match at(body, path) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(_) => Err(OntapError::invalid(
            path,
            format!("\"{path}\" must be a boolean"),
        )),
    }
}

/// The SVM a create names (`svm.name` or `svm.uuid`).
pub fn svm_of(inv: &Inventory, body: &Value) -> OntapResult<String> {
    let by_uuid = str_at(body, "svm.uuid");
    let by_name = str_at(body, "svm.name");
    if by_uuid.is_none() && by_name.is_none() {
        return Err(OntapError::required("svm.name"));
    }
    inv.svms
        .iter()
        .find(|s| by_uuid.is_none_or(|u| u == s.uuid) && by_name.is_none_or(|n| n == s.name))
        .map(|s| s.uuid.clone())
        .ok_or_else(|| {
            OntapError::new(
                StatusCode::NOT_FOUND,
                error::SVM_NOT_FOUND,
                format!(
                    "SVM \"{}\" does not exist",
                    by_name.or(by_uuid).unwrap_or_default()
                ),
            )
            .target("svm.name")
        })
}

/// A query-based PATCH or DELETE needs a filter (*chosen*: a query naming nothing would
/// change every object).
pub fn require_filter(q: &OntapQuery, method: &str) -> OntapResult<()> {
    if q.filters.is_empty() {
        return Err(OntapError::invalid(
            "name",
            format!("A {method} on the collection needs a filter."),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_keys_are_nested_fields() {
        let body = json!({"space.size": 1, "space": {"guarantee.requested": true},
                          "lun.name": "/vol/v/l", "a.b.c": [{"d.e": 1}]});
        assert_eq!(
            expand_dotted(body),
            json!({"space": {"size": 1, "guarantee": {"requested": true}},
                   "lun": {"name": "/vol/v/l"}, "a": {"b": {"c": [{"d": {"e": 1}}]}}})
        );
    }

    #[test]
    fn empty_path_segments_are_dropped() {
        let clean = |uri: &str| {
            normalize_path(
                Request::builder()
                    .uri(uri)
                    .body(Default::default())
                    .unwrap(),
            )
            .uri()
            .to_string()
        };
        assert_eq!(
            clean("/api//cluster/?fields=version"),
            "/api/cluster?fields=version"
        );
        assert_eq!(clean("/api/cluster/"), "/api/cluster");
        assert_eq!(clean("/api/storage/luns"), "/api/storage/luns");
        assert_eq!(clean("/"), "/");
    }
}
