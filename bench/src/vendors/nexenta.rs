//! NexentaStor 5 (`lsm-arraysim --vendor nexenta`): logging in, making objects, and a bare
//! REST client reading the pages the plugin's listings read.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use lsm_rest::{NextPage, Page, Request, RestClient};
use lsm_test_support::{ARRAYSIM_PASSWORD, ARRAYSIM_USER, ArraySim};
use plugin_nexenta::client::api::PAGE_SIZE;
use serde_json::{Value, json};

/// The `fields=` the plugin asks (plugin-nexenta/src/plugin/lookups.rs, listings.rs).
pub const FS_FIELDS: &str = "path,name,parent,mountPoint,bytesAvailable,bytesUsed,referencedQuotaSize,referencedReservationSize,sharedOverNfs,originalSnapshot";
pub const VOLUME_FIELDS: &str =
    "path,name,parent,volumeSize,sparseVolume,volumeBlockSize,bytesUsed,originalSnapshot";
pub const LU_FIELDS: &str = "guid,volume";
pub const SETUP_CLIENTS: usize = 4;
/// Where the bench's objects go (the simulator's default inventory).
pub const FS_PARENT: &str = "pool1/nfs";
pub const VOLUME_GROUP: &str = "pool1/iscsi";

/// A REST client logged in to the simulated appliance.
pub fn logged_in(sim: &ArraySim) -> Result<RestClient, String> {
    let mut rest = sim.rest();
    let reply: Value = rest
        .send_json(
            &Request::post("/auth/login")
                .json(&json!({"username": ARRAYSIM_USER, "password": ARRAYSIM_PASSWORD})),
        )
        .map_err(|e| format!("login: {e}"))?;
    let token = reply["token"].as_str().ok_or("login: no token")?;
    rest.set_bearer_token(token);
    Ok(rest)
}

/// `count` objects made with concurrent POSTs (`body(i)` to `path`).
pub fn populate(
    sim: &ArraySim,
    count: usize,
    path: &str,
    body: impl Fn(usize) -> Value + Sync,
) -> Result<(), String> {
    let rest = logged_in(sim)?;
    let before = bare_list(&rest, path, "path")?.len();
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..SETUP_CLIENTS)
            .map(|_| {
                scope.spawn(|| -> Result<(), String> {
                    let rest = logged_in(sim)?;
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        if index >= count {
                            return Ok(());
                        }
                        let reply = rest
                            .send(&Request::post(path).json(&body(index)))
                            .map_err(|e| format!("POST {path} {index}: {e}"))?;
                        if !matches!(reply.status(), 201 | 202) {
                            return Err(format!("POST {path} {index}: {}", reply.status()));
                        }
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .try_for_each(|w| w.join().unwrap_or(Err("setup thread panicked".into())))
    })?;
    // A create is a job (202) on a busy appliance: wait for the last ones to end.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let now = bare_list(&rest, path, "path")?.len();
        if now >= before + count {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "{path}: {now} objects two minutes after the creates, want {}",
                before + count
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Every object of a collection, as the plugin's `list()` asks for it.
pub fn bare_list(rest: &RestClient, path: &str, fields: &str) -> Result<Vec<Value>, String> {
    let first = Request::get(path)
        .query("limit", PAGE_SIZE)
        .query("offset", 0)
        .query("fields", fields);
    rest.collect_pages(first, rest.deadline(), |response| {
        let mut page: Value = response.json()?;
        let next = page["links"]
            .as_array()
            .and_then(|links| {
                links
                    .iter()
                    .find(|l| l["rel"] == "next")
                    .and_then(|l| l["href"].as_str())
            })
            .map_or(NextPage::Done, |href| NextPage::Href(href.to_string()));
        let records = match page.get_mut("data").map(Value::take) {
            Some(Value::Array(data)) => data,
            _ => Vec::new(),
        };
        Ok(Page { records, next })
    })
    .map_err(|e| format!("GET {path}: {e}"))
}

/// The body of the bench's zvol `i`: thin, 16 MiB, in [`VOLUME_GROUP`].
pub fn bench_zvol(i: usize) -> Value {
    json!({"path": format!("{VOLUME_GROUP}/bench_vol_{i}"), "volumeSize": 16 << 20,
           "sparseVolume": true})
}

/// What the plugin's `volumes()` reads: every zvol, and every logical unit (for each
/// zvol's vpd83); the volumes found (zvols that have a unit).
pub fn bare_volumes(rest: &RestClient) -> Result<usize, String> {
    let zvols = bare_list(rest, "/storage/volumes", VOLUME_FIELDS)?;
    let units = bare_list(rest, "/san/logicalUnits", LU_FIELDS)?;
    Ok(zvols.len().min(units.len()))
}
