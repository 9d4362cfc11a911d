//! Unity (`lsm-arraysim --vendor unity`): a Unisphere session, making LUNs with multi-task
//! jobs, and a bare REST client reading the pages the plugin's `volumes()` reads.

use std::time::Duration;

use lsm_rest::{NextPage, Page, Request, RestClient};
use lsm_test_support::ArraySim;
use plugin_emc::client::api::DEFAULT_PAGE_SIZE;
use plugin_emc::client::models::Lun;
use serde_json::{Value, json};

/// createLun tasks per Unity job when the bench makes its LUNs.
pub const BATCH: usize = 100;

/// A REST client with a Unisphere session (cookie and CSRF token).
pub fn session(sim: &ArraySim) -> Result<RestClient, String> {
    let mut rest = sim.rest();
    let reply = rest
        .send(&Request::get("/api/types/loginSessionInfo/instances").query("fields", "id"))
        .map_err(|e| format!("login: {e}"))?;
    let token = reply
        .header("EMC-CSRF-TOKEN")
        .ok_or("login: no CSRF token")?
        .to_string();
    rest.set_header("EMC-CSRF-TOKEN", &token)
        .map_err(|e| format!("{e}"))?;
    Ok(rest)
}

/// `count` thin LUNs, made by Unity jobs of [`BATCH`] createLun tasks.
pub fn populate(rest: &RestClient, count: usize) -> Result<(), String> {
    let mut jobs = Vec::new();
    for start in (0..count).step_by(BATCH) {
        let tasks: Vec<Value> = (start..(start + BATCH).min(count))
            .map(|i| {
                json!({"object": "storageResource", "action": "createLun",
                       "parametersIn": {"name": format!("bench_lun_{i}"),
                       "lunParameters": {"pool": {"id": "pool_2"}, "size": 1 << 30}}})
            })
            .collect();
        let reply: Value = rest
            .send_json(&Request::post("/api/types/job/instances").json(&json!({"tasks": tasks})))
            .map_err(|e| format!("POST job: {e}"))?;
        jobs.push(
            reply["content"]["id"]
                .as_str()
                .ok_or("a job without an id")?
                .to_string(),
        );
    }
    for job in jobs {
        loop {
            let reply: Value = rest
                .send_json(
                    &Request::get(format!("/api/instances/job/{job}"))
                        .query("compact", "true")
                        .query("fields", "state"),
                )
                .map_err(|e| format!("GET job: {e}"))?;
            match reply["content"]["state"].as_i64() {
                Some(4) => break,
                Some(1 | 2) => std::thread::sleep(Duration::from_millis(20)),
                other => return Err(format!("job {job} ended in state {other:?}")),
            }
        }
    }
    Ok(())
}

/// Every LUN, as the plugin's `volumes()` asks for them.
pub fn bare_volumes(rest: &RestClient) -> Result<usize, String> {
    let first = Request::get("/api/types/lun/instances")
        .query("compact", "true")
        .query("fields", Lun::FIELDS)
        .query("per_page", DEFAULT_PAGE_SIZE);
    let records: Vec<Value> = rest
        .collect_pages(first, rest.deadline(), |response| {
            let mut page: Value = response.json()?;
            let next = page["links"]
                .as_array()
                .and_then(|links| {
                    links
                        .iter()
                        .find(|l| l["rel"] == "next")
                        .and_then(|l| l["href"].as_str())
                })
                .and_then(|href| href.rsplit_once("page=").map(|(_, n)| n.to_string()))
                .map_or(NextPage::Done, |n| {
                    NextPage::Query(vec![("page".to_string(), n)])
                });
            let records = match page.get_mut("entries").map(Value::take) {
                Some(Value::Array(entries)) => entries,
                _ => Vec::new(),
            };
            Ok(Page { records, next })
        })
        .map_err(|e| format!("GET luns: {e}"))?;
    Ok(records.len())
}
