//! Collection helpers shared by every vendor: glob matching, dotted-path
//! lookup and projection on JSON records, page slicing.

use serde_json::{Map, Value};

/// Whether `text` matches `pattern`, where `*` matches any run of
/// characters (including `/`) and every other character itself.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && p[pi] != '*' && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// The values at dotted `path` in `record`, looking through arrays
/// (`initiators.name` gives every initiator's name).
pub fn lookup<'a>(record: &'a Value, path: &str) -> Vec<&'a Value> {
    let mut current = vec![record];
    for part in path.split('.') {
        let mut next = Vec::new();
        for v in current {
            collect_child(v, part, &mut next);
        }
        current = next;
    }
    current.into_iter().flat_map(flatten).collect()
}

fn collect_child<'a>(v: &'a Value, key: &str, out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(map) => {
            if let Some(child) = map.get(key) {
                out.push(child);
            }
        }
        Value::Array(items) => {
            for item in items {
                collect_child(item, key, out);
            }
        }
        _ => {}
    }
}

fn flatten(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(items) => items.iter().flat_map(flatten).collect(),
        other => vec![other],
    }
}

/// `record` reduced to the dotted `paths` (a path naming an object keeps
/// the whole object; arrays of objects are projected element-wise).
pub fn project(record: &Value, paths: &[String]) -> Value {
    let mut out = Value::Object(Map::new());
    for path in paths {
        let parts: Vec<&str> = path.split('.').collect();
        merge_path(&mut out, record, &parts);
    }
    out
}

fn merge_path(out: &mut Value, src: &Value, parts: &[&str]) {
    let Some((first, rest)) = parts.split_first() else {
        return;
    };
    if let (Value::Object(src_map), Value::Object(out_map)) = (src, out) {
        {
            let Some(child) = src_map.get(*first) else {
                return;
            };
            if rest.is_empty() {
                out_map.insert((*first).to_string(), child.clone());
                return;
            }
            let slot = out_map
                .entry((*first).to_string())
                .or_insert_with(|| empty_like(child));
            merge_into_child(slot, child, rest);
        }
    }
}

fn merge_into_child(slot: &mut Value, child: &Value, rest: &[&str]) {
    match (child, slot) {
        (Value::Array(items), Value::Array(slots)) => {
            if slots.len() != items.len() {
                *slots = items.iter().map(empty_like).collect();
            }
            for (item, s) in items.iter().zip(slots.iter_mut()) {
                merge_into_child(s, item, rest);
            }
        }
        (Value::Object(_), slot @ Value::Object(_)) => merge_path(slot, child, rest),
        _ => {}
    }
}

fn empty_like(v: &Value) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.iter().map(empty_like).collect()),
        Value::Object(_) => Value::Object(Map::new()),
        other => other.clone(),
    }
}

/// Records `start..start+max` of `records`, and the index of the next page's
/// first record when there is one.
pub fn page<T>(mut records: Vec<T>, start: usize, max: Option<usize>) -> (Vec<T>, Option<usize>) {
    let start = start.min(records.len());
    records.drain(..start);
    match max {
        Some(max) if records.len() > max => {
            records.truncate(max);
            (records, Some(start + max))
        }
        _ => (records, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn globs() {
        assert!(glob_match("/api/storage/*", "/api/storage/luns/abc"));
        assert!(glob_match("vol*", "vol1"));
        assert!(glob_match("*", ""));
        assert!(!glob_match("vol*x", "vol1"));
        assert!(glob_match("/api/*/luns", "/api/storage/luns"));
    }

    #[test]
    fn lookup_and_project() {
        let r = json!({"name": "ig", "svm": {"name": "vs0", "uuid": "u"},
                       "initiators": [{"name": "a", "comment": ""}, {"name": "b"}]});
        let names: Vec<_> = lookup(&r, "initiators.name").into_iter().cloned().collect();
        assert_eq!(names, vec![json!("a"), json!("b")]);
        let p = project(&r, &["svm.name".into(), "initiators.name".into()]);
        assert_eq!(
            p,
            json!({"svm": {"name": "vs0"}, "initiators": [{"name": "a"}, {"name": "b"}]})
        );
    }

    #[test]
    fn pages() {
        let (p, next) = page((0..25).collect(), 20, Some(10));
        assert_eq!((p.len(), next), (5, None));
        let (p, next) = page((0..25).collect(), 0, Some(10));
        assert_eq!((p.len(), next), (10, Some(10)));
    }
}
