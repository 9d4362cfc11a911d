//! Query parameters (`fields`, `filter`, `compact`, `page`, `per_page`,
//! `orderby`, `timeout`), the filter grammar, projection with dotted
//! references, and the collection / instance envelopes.
//!
//! Filter grammar (storops `dict_to_filter_string`, Unisphere docs):
//! `expr := term (("and" | "or") term)*` (`and` binds tighter), `term :=
//! "(" expr ")" | "not" term | PATH OP VALUE | PATH "in" "(" VALUE ("," VALUE)*
//! ")"`, `OP := eq | ne | lk | gt | lt | ge | le` (case-insensitive),
//! `VALUE := "string" | number | true | false | null`. `lk` matches strings
//! with `%` as any run of characters. String comparisons ignore case, as
//! Unisphere's ("filtering is case insensitive").
//! A dotted `PATH` looks through references (`pool.name eq "pool1"`) and
//! lists (`hostAccess.host.id eq "Host_1"`: any element matches).

use serde_json::{Map, Value, json};

use super::error::{UnityError, UnityResult};
use super::model::{Inventory, ref_type, sort_key};

/// The default `per_page` (Unisphere's).
pub const DEFAULT_PER_PAGE: usize = 2000;

/// Parsed query parameters.
#[derive(Debug, Clone, Default)]
pub struct UnityQuery {
    /// `fields=` (`None`: only `id`).
    pub fields: Option<Vec<String>>,
    /// `filter=`.
    pub filter: Option<Expr>,
    /// `compact=true`.
    pub compact: bool,
    /// `page=` (1-based).
    pub page: usize,
    /// `per_page=`.
    pub per_page: usize,
    /// `orderby=FIELD [asc|desc]`.
    pub orderby: Option<(String, bool)>,
    /// `timeout=` (seconds; 0: asynchronous, answered with a job).
    pub timeout: Option<u64>,
    /// The query string as given (echoed in `@base`).
    pub raw: String,
}

impl UnityQuery {
    /// Parse the query pairs.
    pub fn parse(pairs: &[(String, String)]) -> UnityResult<Self> {
        let mut q = UnityQuery {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            ..Default::default()
        };
        let mut raw = Vec::new();
        for (k, v) in pairs {
            match k.as_str() {
                "fields" => {
                    q.fields = Some(
                        v.split(',')
                            .map(str::trim)
                            .filter(|f| !f.is_empty())
                            .map(str::to_string)
                            .collect(),
                    );
                    raw.push(format!("fields={v}"));
                }
                "filter" => {
                    q.filter = Some(parse_filter(v)?);
                    raw.push(format!("filter={v}"));
                }
                "compact" => q.compact = v.eq_ignore_ascii_case("true"),
                "page" => {
                    q.page = v
                        .parse()
                        .ok()
                        .filter(|p| *p >= 1)
                        .ok_or_else(|| UnityError::invalid(format!("Invalid page: {v}")))?
                }
                "per_page" => {
                    q.per_page = v
                        .parse()
                        .ok()
                        .filter(|p| *p >= 1)
                        .ok_or_else(|| UnityError::invalid(format!("Invalid per_page: {v}")))?
                }
                "orderby" => {
                    let mut parts = v.split_whitespace();
                    let field = parts.next().unwrap_or("").to_string();
                    let desc = parts.next().is_some_and(|d| d.eq_ignore_ascii_case("desc"));
                    if !field.is_empty() {
                        q.orderby = Some((field, desc));
                    }
                }
                "timeout" => {
                    q.timeout = Some(
                        v.parse()
                            .map_err(|_| UnityError::invalid(format!("Invalid timeout: {v}")))?,
                    )
                }
                _ => {}
            }
        }
        raw.push(format!("per_page={}", q.per_page));
        if q.compact {
            raw.push("compact=true".into());
        }
        q.raw = raw.join("&");
        Ok(q)
    }

    /// Whether this request is to run as a job.
    pub fn is_async(&self) -> bool {
        self.timeout == Some(0)
    }
}

/// A filter expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// Both.
    And(Box<Expr>, Box<Expr>),
    /// Either.
    Or(Box<Expr>, Box<Expr>),
    /// Not.
    Not(Box<Expr>),
    /// `path op value`.
    Cmp(String, Op, Value),
    /// `path in (values)`.
    In(String, Vec<Value>),
}

impl Expr {
    /// Every attribute path the expression compares.
    pub fn paths(&self) -> Vec<&str> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            match e {
                Expr::And(a, b) | Expr::Or(a, b) => {
                    stack.push(a);
                    stack.push(b);
                }
                Expr::Not(a) => stack.push(a),
                Expr::Cmp(path, _, _) | Expr::In(path, _) => out.push(path.as_str()),
            }
        }
        out
    }
}

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `eq`.
    Eq,
    /// `ne`.
    Ne,
    /// `lk`.
    Lk,
    /// `gt`.
    Gt,
    /// `lt`.
    Lt,
    /// `ge`.
    Ge,
    /// `le`.
    Le,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Open,
    Close,
    Comma,
}

fn bad_filter(text: &str, why: &str) -> UnityError {
    UnityError::invalid(format!("Invalid filter \"{text}\": {why}"))
}

fn tokenize(text: &str) -> UnityResult<Vec<Tok>> {
    let mut toks = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '(' {
            chars.next();
            toks.push(Tok::Open);
        } else if c == ')' {
            chars.next();
            toks.push(Tok::Close);
        } else if c == ',' {
            chars.next();
            toks.push(Tok::Comma);
        } else if c == '"' || c == '\'' {
            let quote = c;
            chars.next();
            let mut s = String::new();
            let mut closed = false;
            while let Some(c) = chars.next() {
                if c == '\\' {
                    if let Some(n) = chars.next() {
                        s.push(n);
                    }
                } else if c == quote {
                    closed = true;
                    break;
                } else {
                    s.push(c);
                }
            }
            if !closed {
                return Err(bad_filter(text, "unterminated string"));
            }
            toks.push(Tok::Str(s));
        } else {
            let mut w = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c == '(' || c == ')' || c == '"' || c == ',' {
                    break;
                }
                w.push(c);
                chars.next();
            }
            toks.push(Tok::Word(w));
        }
    }
    Ok(toks)
}

/// Parse a `filter=` expression.
pub fn parse_filter(text: &str) -> UnityResult<Expr> {
    let toks = tokenize(text)?;
    if toks.len() > 4096 {
        return Err(bad_filter(text, "too long"));
    }
    let mut pos = 0;
    let e = parse_or(text, &toks, &mut pos, 0)?;
    if pos != toks.len() {
        return Err(bad_filter(text, "unexpected text after the expression"));
    }
    Ok(e)
}

fn is_word(t: Option<&Tok>, w: &str) -> bool {
    matches!(t, Some(Tok::Word(x)) if x.eq_ignore_ascii_case(w))
}

fn parse_or(text: &str, toks: &[Tok], pos: &mut usize, depth: usize) -> UnityResult<Expr> {
    let mut left = parse_and(text, toks, pos, depth)?;
    while is_word(toks.get(*pos), "or") {
        *pos += 1;
        let right = parse_and(text, toks, pos, depth)?;
        left = Expr::Or(Box::new(left), Box::new(right));
    }
    Ok(left)
}

fn parse_and(text: &str, toks: &[Tok], pos: &mut usize, depth: usize) -> UnityResult<Expr> {
    let mut left = parse_term(text, toks, pos, depth)?;
    while is_word(toks.get(*pos), "and") {
        *pos += 1;
        let right = parse_term(text, toks, pos, depth)?;
        left = Expr::And(Box::new(left), Box::new(right));
    }
    Ok(left)
}

/// How deep parentheses and `not`s may nest.
const MAX_DEPTH: usize = 64;

fn parse_term(text: &str, toks: &[Tok], pos: &mut usize, depth: usize) -> UnityResult<Expr> {
    if depth > MAX_DEPTH {
        return Err(bad_filter(text, "nested too deeply"));
    }
    match toks.get(*pos) {
        Some(Tok::Open) => {
            *pos += 1;
            let e = parse_or(text, toks, pos, depth + 1)?;
            if toks.get(*pos) != Some(&Tok::Close) {
                return Err(bad_filter(text, "missing )"));
            }
            *pos += 1;
            Ok(e)
        }
        t if is_word(t, "not") => {
            *pos += 1;
            Ok(Expr::Not(Box::new(parse_term(text, toks, pos, depth + 1)?)))
        }
        Some(Tok::Word(path)) if is_word(toks.get(*pos + 1), "in") => {
            let path = path.clone();
            *pos += 2;
            if toks.get(*pos) != Some(&Tok::Open) {
                return Err(bad_filter(text, "expected ( after in"));
            }
            *pos += 1;
            let mut values = Vec::new();
            loop {
                values.push(value_of(text, toks.get(*pos))?);
                *pos += 1;
                match toks.get(*pos) {
                    Some(Tok::Comma) => *pos += 1,
                    Some(Tok::Close) => {
                        *pos += 1;
                        break;
                    }
                    _ => return Err(bad_filter(text, "expected , or ) in the in list")),
                }
            }
            Ok(Expr::In(path, values))
        }
        Some(Tok::Word(path)) => {
            let path = path.clone();
            let op = match toks.get(*pos + 1) {
                Some(Tok::Word(op)) => match op.to_ascii_lowercase().as_str() {
                    "eq" => Op::Eq,
                    "ne" => Op::Ne,
                    "lk" => Op::Lk,
                    "gt" => Op::Gt,
                    "lt" => Op::Lt,
                    "ge" => Op::Ge,
                    "le" => Op::Le,
                    other => return Err(bad_filter(text, &format!("unknown operator {other}"))),
                },
                _ => return Err(bad_filter(text, "expected an operator")),
            };
            let value = value_of(text, toks.get(*pos + 2))?;
            *pos += 3;
            Ok(Expr::Cmp(path, op, value))
        }
        _ => Err(bad_filter(text, "expected a condition")),
    }
}

fn value_of(text: &str, tok: Option<&Tok>) -> UnityResult<Value> {
    Ok(match tok {
        Some(Tok::Str(s)) => Value::String(s.clone()),
        Some(Tok::Word(w)) => match w.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "null" => Value::Null,
            n => serde_json::from_str::<serde_json::Number>(n)
                .map(Value::Number)
                .map_err(|_| bad_filter(text, &format!("bad value {n}")))?,
        },
        _ => return Err(bad_filter(text, "expected a value")),
    })
}

/// The values at dotted `path` in `record`, looking through references
/// (resolved in `inv`) and lists.
pub fn values_at(inv: &Inventory, record: &Value, path: &str) -> Vec<Value> {
    let parts: Vec<&str> = path.split('.').collect();
    let mut out = Vec::new();
    collect(inv, record, &parts, &mut out);
    out
}

/// The values at `parts` below `v`; only the leaves are copied.
fn collect(inv: &Inventory, v: &Value, parts: &[&str], out: &mut Vec<Value>) {
    let Some((key, rest)) = parts.split_first() else {
        out.push(v.clone());
        return;
    };
    match v {
        Value::Object(map) => {
            let Some(child) = map.get(*key) else {
                return;
            };
            let mut each = |item: &Value| {
                if rest.is_empty() {
                    out.push(item.clone());
                } else {
                    collect(inv, resolve_ref(inv, key, item), rest, out);
                }
            };
            match child {
                Value::Array(items) => items.iter().for_each(&mut each),
                other => each(other),
            }
        }
        Value::Array(items) => {
            for item in items {
                collect(inv, item, parts, out);
            }
        }
        _ => {}
    }
}

/// A reference in field `field`: the record it names when that is known
/// (and the reference itself does not hold what is asked), else itself.
fn resolve_ref<'a>(inv: &'a Inventory, field: &str, v: &'a Value) -> &'a Value {
    if let (Some(kind), Some(id)) = (ref_type(field), v.get("id").and_then(Value::as_str))
        && let Some(target) = inv.get(kind, id)
    {
        return target;
    }
    v
}

/// Whether `record` passes `expr`.
pub fn matches(inv: &Inventory, record: &Value, expr: &Expr) -> bool {
    match expr {
        Expr::And(a, b) => matches(inv, record, a) && matches(inv, record, b),
        Expr::Or(a, b) => matches(inv, record, a) || matches(inv, record, b),
        Expr::Not(a) => !matches(inv, record, a),
        Expr::In(path, values) => values_at(inv, record, path)
            .iter()
            .any(|v| values.iter().any(|w| equal(v, w))),
        Expr::Cmp(path, op, value) => {
            let found = values_at(inv, record, path);
            if *op == Op::Ne {
                return !found.iter().any(|v| equal(v, value));
            }
            if found.is_empty() {
                return *op == Op::Eq && value.is_null();
            }
            found.iter().any(|v| compare(v, *op, value))
        }
    }
}

fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::String(x), Value::String(y)) => x.to_lowercase() == y.to_lowercase(),
        (Value::Object(m), Value::String(s)) => m
            .get("id")
            .and_then(Value::as_str)
            .is_some_and(|id| id.eq_ignore_ascii_case(s)),
        _ => a == b,
    }
}

fn compare(v: &Value, op: Op, want: &Value) -> bool {
    use std::cmp::Ordering;
    let ord = match (v, want) {
        (Value::Number(a), Value::Number(b)) => a.as_f64().partial_cmp(&b.as_f64()),
        (Value::String(a), Value::String(b)) => Some(a.to_lowercase().cmp(&b.to_lowercase())),
        _ => None,
    };
    match op {
        Op::Eq => equal(v, want),
        Op::Ne => !equal(v, want),
        Op::Lk => match (v, want) {
            (Value::String(s), Value::String(p)) => like(&s.to_lowercase(), &p.to_lowercase()),
            _ => false,
        },
        Op::Gt => ord == Some(Ordering::Greater),
        Op::Lt => ord == Some(Ordering::Less),
        Op::Ge => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
        Op::Le => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
    }
}

/// SQL-like match, `%` = any run of characters.
pub fn like(text: &str, pattern: &str) -> bool {
    let parts: Vec<&str> = pattern.split('%').collect();
    if parts.len() == 1 {
        return text == pattern;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &text[first.len()..];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(i) => rest = &rest[i + middle.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// `record` reduced to `fields` (plus `id`); dotted fields through
/// references add the referenced record's fields to the reference object.
pub fn project(inv: &Inventory, record: &Value, fields: Option<&[String]>) -> Value {
    let mut out = Map::new();
    if let Some(id) = record.get("id") {
        out.insert("id".into(), id.clone());
    }
    let mut out = Value::Object(out);
    for field in fields.unwrap_or(&[]) {
        let parts: Vec<&str> = field.split('.').collect();
        merge(inv, &mut out, record, &parts);
    }
    out
}

fn merge(inv: &Inventory, out: &mut Value, src: &Value, parts: &[&str]) {
    let Some((first, rest)) = parts.split_first() else {
        return;
    };
    let (Value::Object(src_map), Value::Object(out_map)) = (src, out) else {
        return;
    };
    let Some(child) = src_map.get(*first) else {
        return;
    };
    if rest.is_empty() {
        match out_map.get_mut(*first) {
            Some(existing) => fill(existing, child),
            None => {
                out_map.insert((*first).to_string(), child.clone());
            }
        }
        return;
    }
    match child {
        Value::Array(items) => {
            let slot = out_map
                .entry((*first).to_string())
                .or_insert_with(|| Value::Array(Vec::new()));
            if !matches!(slot, Value::Array(s) if s.len() == items.len()) {
                *slot = Value::Array(items.iter().map(|_| Value::Object(Map::new())).collect());
            }
            if let Value::Array(slots) = slot {
                for (item, s) in items.iter().zip(slots.iter_mut()) {
                    merge_child(inv, first, s, item, rest);
                }
            }
        }
        Value::Object(_) => {
            let slot = out_map
                .entry((*first).to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            merge_child(inv, first, slot, child, rest);
        }
        _ => {}
    }
}

/// Add to `slot` what `full` has and it lacks (a field asked both whole
/// and dotted, in either order).
fn fill(slot: &mut Value, full: &Value) {
    match (slot, full) {
        (Value::Object(s), Value::Object(f)) => {
            for (k, v) in f {
                match s.get_mut(k) {
                    Some(existing) => fill(existing, v),
                    None => {
                        s.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (Value::Array(s), Value::Array(f)) if s.len() == f.len() => {
            for (a, b) in s.iter_mut().zip(f) {
                fill(a, b);
            }
        }
        (slot, full) => *slot = full.clone(),
    }
}

fn merge_child(inv: &Inventory, field: &str, slot: &mut Value, child: &Value, rest: &[&str]) {
    if let (Value::Object(s), Some(id)) = (&mut *slot, child.get("id")) {
        s.entry("id").or_insert_with(|| id.clone());
    }
    if child.get(rest[0]).is_some() {
        merge(inv, slot, child, rest);
        return;
    }
    let target = resolve_ref(inv, field, child);
    merge(inv, slot, target, rest);
}

/// Records of a collection after filter and order.
pub fn select<'a>(inv: &'a Inventory, records: &'a [Value], q: &UnityQuery) -> Vec<&'a Value> {
    let mut out: Vec<&Value> = records
        .iter()
        .filter(|r| q.filter.as_ref().is_none_or(|f| matches(inv, r, f)))
        .collect();
    if let Some((field, desc)) = &q.orderby {
        out.sort_by(|a, b| {
            let va = values_at(inv, a, field);
            let vb = values_at(inv, b, field);
            let o = cmp_values(va.first(), vb.first());
            if *desc { o.reverse() } else { o }
        });
    } else {
        out.sort_by_key(|r| sort_key(r.get("id").and_then(Value::as_str).unwrap_or("")));
    }
    out
}

fn cmp_values(a: Option<&Value>, b: Option<&Value>) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Some(Value::String(x)), Some(Value::String(y))) => x.cmp(y),
        (Some(_), None) => Ordering::Greater,
        (None, Some(_)) => Ordering::Less,
        _ => Ordering::Equal,
    }
}

/// The collection envelope for `GET /api/types/<kind>/instances`.
pub fn collection(
    inv: &Inventory,
    base: &str,
    kind: &str,
    q: &UnityQuery,
    records: Vec<&Value>,
    updated: &str,
) -> Value {
    let total = records.len();
    let start = (q.page - 1).saturating_mul(q.per_page);
    let entries: Vec<Value> = records
        .into_iter()
        .skip(start)
        .take(q.per_page)
        .map(|r| {
            let content = project(inv, r, q.fields.as_deref());
            if q.compact {
                json!({ "content": content })
            } else {
                let id = r.get("id").and_then(Value::as_str).unwrap_or("");
                json!({
                    "@base": format!("{base}/api/instances/{kind}"),
                    "updated": updated,
                    "links": [{"rel": "self", "href": format!("/{id}")}],
                    "content": content,
                })
            }
        })
        .collect();
    let mut links = vec![json!({"rel": "self", "href": format!("&page={}", q.page)})];
    if q.page > 1 {
        links.push(json!({"rel": "first", "href": "&page=1"}));
        links.push(json!({"rel": "prev", "href": format!("&page={}", q.page - 1)}));
    }
    if start.saturating_add(q.per_page) < total {
        links.push(json!({"rel": "next", "href": format!("&page={}", q.page + 1)}));
    }
    let mut body = json!({
        "@base": format!("{base}/api/types/{kind}/instances?{}", q.raw),
        "updated": updated,
        "links": links,
    });
    if !q.compact {
        body["entryCount"] = json!(total);
    }
    body["entries"] = Value::Array(entries);
    body
}

/// The instance envelope for `GET /api/instances/<kind>/<id>`.
pub fn instance(
    inv: &Inventory,
    base: &str,
    kind: &str,
    q: &UnityQuery,
    record: &Value,
    updated: &str,
) -> Value {
    let content = project(inv, record, q.fields.as_deref());
    if q.compact {
        return json!({ "content": content });
    }
    let id = record.get("id").and_then(Value::as_str).unwrap_or("");
    json!({
        "@base": format!("{base}/api/instances/{kind}"),
        "updated": updated,
        "links": [{"rel": "self", "href": format!("/{id}")}],
        "content": content,
    })
}

/// The envelope for `GET /api/types/<kind>` (the type's metadata): `content` reduced to
/// `fields=` (all of it without), with `@base`/`updated`/`links` unless `compact=true`.
/// `links` in the content stay whatever `fields=` says, as in the captured replies.
pub fn type_metadata(
    inv: &Inventory,
    base: &str,
    kind: &str,
    q: &UnityQuery,
    metadata: &Value,
    updated: &str,
) -> Value {
    let mut content = match q.fields.as_deref() {
        Some(fields) => project(inv, metadata, Some(fields)),
        None => metadata.clone(),
    };
    if let (Value::Object(out), Some(links)) = (&mut content, metadata.get("links")) {
        out.entry("links").or_insert_with(|| links.clone());
    }
    if q.compact {
        return json!({ "content": content });
    }
    json!({
        "@base": format!("{base}/api/types"),
        "updated": updated,
        "links": [{"rel": "self", "href": format!("/{kind}")}],
        "content": content,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_grammar() {
        let e = parse_filter(r#"name eq "a" and type eq 2 or name lk "b%""#).unwrap();
        assert!(matches!(e, Expr::Or(_, _)));
        assert!(parse_filter("name eq").is_err());
        assert!(parse_filter("name zz 1").is_err());
        assert!(parse_filter(r#"(name eq "x""#).is_err());
        assert!(parse_filter(r#"name eq "x"#).is_err());
        let deep = format!("{}name eq 1{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(parse_filter(&deep).is_err());
        let wide = vec!["(name eq 1)"; 200].join(" or ");
        assert!(parse_filter(&wide).is_ok());
        let e = parse_filter(r#"not (sizeTotal gt 10)"#).unwrap();
        assert!(matches!(e, Expr::Not(_)));
    }

    #[test]
    fn likes() {
        assert!(like("lun1", "lun%"));
        assert!(like("my_lun1", "%lun%"));
        assert!(!like("vol1", "lun%"));
        assert!(like("abc", "abc"));
    }

    #[test]
    fn evaluates_with_references() {
        let mut inv = Inventory::empty();
        inv.insert("pool", json!({"id": "pool_1", "name": "p1"}));
        let lun = json!({"id": "sv_1", "name": "l", "sizeTotal": 100, "type": 2,
                         "pool": {"id": "pool_1"},
                         "hostAccess": [{"host": {"id": "Host_1"}, "accessMask": 1}]});
        let t = |f: &str| matches(&inv, &lun, &parse_filter(f).unwrap());
        assert!(t(r#"pool.name eq "p1""#));
        assert!(t(r#"pool.id eq "pool_1""#));
        assert!(!t(r#"pool.name eq "p2""#));
        assert!(t("sizeTotal gt 50 and sizeTotal lt 200"));
        assert!(t(r#"type eq 3 or name lk "%""#));
        assert!(t(r#"hostAccess.host.id eq "Host_1""#));
        assert!(t(r#"name eq "L""#), "case-insensitive");
        assert!(t(r#"name in ("x", "l")"#));
        assert!(t(r#"type in (1,2)"#));
        assert!(!t(r#"type in (3)"#));
        assert!(parse_filter(r#"name in ("x""#).is_err());
        assert!(parse_filter(r#"name in "x""#).is_err());
        let p = project(&inv, &lun, Some(&["pool.name".to_string()]));
        assert_eq!(
            p,
            json!({"id": "sv_1", "pool": {"id": "pool_1", "name": "p1"}})
        );
    }
}
