//! Query parameters and collection replies: `{"data": [...], "links":
//! [{"rel": "self", "href"}, {"rel": "next", "href"}]}` with `limit`
//! (default 100) and `offset`, `fields=a,b` (top-level properties) and
//! equality filters on any other parameter a handler does not consume.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::error::{NefError, NefResult};

/// Records per page when `limit` is not given (*chosen*).
pub const DEFAULT_LIMIT: usize = 100;

/// Parameters that are never filters.
const CONTROL: &[&str] = &["limit", "offset", "fields"];

/// The query string.
#[derive(Debug, Clone, Default)]
pub struct Q {
    /// Every pair, in order.
    pub pairs: Vec<(String, String)>,
    /// The request path (for `links`).
    pub path: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Q {
    type Rejection = NefError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let pairs = match parts.uri.query() {
            None => Vec::new(),
            Some(q) => serde_urlencoded::from_str::<Vec<(String, String)>>(q)
                .map_err(|e| NefError::bad_arg(format!("invalid query string: {e}")))?,
        };
        Ok(Q {
            pairs,
            path: parts.uri.path().to_string(),
        })
    }
}

/// The URL-decoded dataset path (or other key) of a single path segment
/// (`+` read as a space, as `quote_plus` writes one).
#[derive(Debug, Clone)]
pub struct Key(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Key {
    type Rejection = NefError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(key) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| NefError::bad_arg(format!("invalid path: {e}")))?;
        Ok(Key(key.replace('+', " ")))
    }
}

impl Q {
    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A boolean parameter (`true`/`false`, any case, or `1`/`0`).
    pub fn flag(&self, key: &str) -> NefResult<bool> {
        match self.get(key) {
            None => Ok(false),
            Some(v) => parse_bool(v)
                .ok_or_else(|| NefError::bad_arg(format!("\"{key}\" must be true or false"))),
        }
    }

    fn number(&self, key: &str) -> NefResult<Option<usize>> {
        self.get(key)
            .map(|v| {
                v.parse::<usize>().map_err(|_| {
                    NefError::bad_arg(format!("\"{key}\" must be a non-negative integer"))
                })
            })
            .transpose()
    }

    fn fields(&self) -> Option<Vec<String>> {
        self.get("fields").map(|f| {
            f.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
    }

    /// Cut a record down to `fields=`.
    pub fn project(&self, record: Value) -> Value {
        match (self.fields(), record) {
            (Some(fields), Value::Object(map)) => {
                let mut out = Map::new();
                for f in fields {
                    if let Some(v) = map.get(&f) {
                        out.insert(f, v.clone());
                    }
                }
                Value::Object(out)
            }
            (_, record) => record,
        }
    }

    /// A single object: the bare record.
    pub fn one(&self, record: Value) -> Response {
        axum::Json(self.project(record)).into_response()
    }

    /// [`Query::collection`] of `items` rendered by `render`: with no filter
    /// left to apply, only the page asked for is rendered (a listing of
    /// 10,000 datasets costs a page, not the whole collection, per request).
    pub fn collection_of<T>(
        &self,
        items: Vec<T>,
        consumed: &[&str],
        render: impl Fn(&T) -> Value,
    ) -> NefResult<Response> {
        let filtered = self
            .pairs
            .iter()
            .any(|(k, _)| !CONTROL.contains(&k.as_str()) && !consumed.contains(&k.as_str()));
        if filtered {
            return self.collection(items.iter().map(render).collect(), consumed);
        }
        let limit = self.number("limit")?.unwrap_or(DEFAULT_LIMIT);
        let offset = self.number("offset")?.unwrap_or(0);
        let total = items.len();
        let data: Vec<Value> = items
            .iter()
            .skip(offset)
            .take(limit)
            .map(|item| self.project(render(item)))
            .collect();
        Ok(self.page(data, offset, limit, total))
    }

    fn page(&self, data: Vec<Value>, offset: usize, limit: usize, total: usize) -> Response {
        let mut links = vec![json!({"rel": "self", "href": self.href(offset, limit)})];
        if limit > 0 && offset.saturating_add(limit) < total {
            links.push(json!({"rel": "next", "href": self.href(offset + limit, limit)}));
        }
        axum::Json(json!({"data": data, "links": links})).into_response()
    }

    /// A collection reply: `records` filtered on every parameter but
    /// `consumed` (and `limit`, `offset`, `fields`), then paged.
    pub fn collection(&self, records: Vec<Value>, consumed: &[&str]) -> NefResult<Response> {
        let limit = self.number("limit")?.unwrap_or(DEFAULT_LIMIT);
        let offset = self.number("offset")?.unwrap_or(0);
        let filters: Vec<&(String, String)> = self
            .pairs
            .iter()
            .filter(|(k, _)| !CONTROL.contains(&k.as_str()) && !consumed.contains(&k.as_str()))
            .collect();
        let matching: Vec<Value> = records
            .into_iter()
            .filter(|r| filters.iter().all(|(k, v)| matches(r.get(k), v)))
            .collect();
        let total = matching.len();
        let data: Vec<Value> = matching
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|r| self.project(r))
            .collect();
        Ok(self.page(data, offset, limit, total))
    }

    /// The request's path with its parameters and this `offset`/`limit`.
    fn href(&self, offset: usize, limit: usize) -> String {
        let mut pairs: Vec<(String, String)> = self
            .pairs
            .iter()
            .filter(|(k, _)| k != "offset" && k != "limit")
            .cloned()
            .collect();
        pairs.push(("offset".into(), offset.to_string()));
        pairs.push(("limit".into(), limit.to_string()));
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        format!("{}?{query}", self.path)
    }
}

/// `true`/`false` (any case) or `1`/`0`.
pub fn parse_bool(v: &str) -> Option<bool> {
    if v.eq_ignore_ascii_case("true") || v == "1" {
        Some(true)
    } else if v.eq_ignore_ascii_case("false") || v == "0" {
        Some(false)
    } else {
        None
    }
}

/// Whether a record's property equals a query value (an array: contains it).
fn matches(value: Option<&Value>, wanted: &str) -> bool {
    match value {
        None => false,
        Some(Value::String(s)) => s == wanted,
        Some(Value::Bool(b)) => parse_bool(wanted) == Some(*b),
        Some(Value::Number(n)) => n.to_string() == wanted,
        Some(Value::Array(items)) => items.iter().any(|i| matches(Some(i), wanted)),
        Some(Value::Null) => wanted.is_empty() || wanted == "null",
        Some(Value::Object(_)) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_and_pages() {
        let q = Q {
            pairs: vec![
                ("pool".into(), "p1".into()),
                ("limit".into(), "2".into()),
                ("fields".into(), "name".into()),
            ],
            path: "/x".into(),
        };
        let records: Vec<Value> = (0..5)
            .map(|i| json!({"name": format!("n{i}"), "pool": if i % 2 == 0 {"p1"} else {"p2"}}))
            .collect();
        let resp = q.collection(records, &[]).unwrap();
        assert_eq!(resp.status(), 200);
        assert!(matches(Some(&json!(true)), "True"));
        assert!(matches(Some(&json!(3)), "3"));
        assert!(!matches(None, "3"));
        assert_eq!(q.href(2, 2), "/x?pool=p1&fields=name&offset=2&limit=2");
    }
}
