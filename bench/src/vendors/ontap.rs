//! ONTAP (`lsm-arraysim --vendor ontap`): making LUNs, and a bare REST client reading the
//! pages the plugin's `volumes()` reads.

use std::sync::atomic::{AtomicUsize, Ordering};

use lsm_rest::{Request, RestClient};
use lsm_test_support::ArraySim;
use plugin_netapp::client::api::PAGE_SIZE;
use serde_json::{Value, json};

/// The SVM and FlexVol the LUNs are made in (the simulator's defaults).
pub const SVM: &str = "vs0";
pub const FLEXVOL: &str = "vol1";
/// The `fields=` of the plugin's `OntapClient::luns()` (plugin-netapp/src/client/api.rs).
pub const LUN_FIELDS: &str =
    "name,uuid,svm,location,os_type,serial_number,space,status,enabled,lun_maps";
/// Concurrent clients making the LUNs in setup.
pub const SETUP_CLIENTS: usize = 4;
/// The baseline: `lsm-rest`'s `RestClient` as the bench's own (the same
/// reqwest + rustls stack the plugin talks through, so the comparison is of
/// what the plugin adds, not of TLS stacks), one kept-alive connection, Basic
/// auth, each body parsed into a `serde_json::Value`.
pub struct BareClient {
    rest: RestClient,
}

impl BareClient {
    pub fn new(sim: &ArraySim) -> BareClient {
        BareClient { rest: sim.rest() }
    }

    /// GET `path_and_query` (relative to the array) with `query` added, parsed.
    pub fn get(&self, path_and_query: &str, query: &[(&str, &str)]) -> Result<Value, String> {
        let request = query
            .iter()
            .fold(Request::get(path_and_query), |request, (key, value)| {
                request.query(key, value)
            });
        self.rest
            .send_json(&request)
            .map_err(|e| format!("GET {path_and_query}: {e}"))
    }

    /// Every record of a collection, page after page, as the plugin's `list()` asks.
    pub fn list(&self, path: &str, query: &[(&str, &str)]) -> Result<Vec<Value>, String> {
        let page_size = PAGE_SIZE.to_string();
        let mut first = vec![("max_records", page_size.as_str())];
        first.extend_from_slice(query);
        let mut page = self.get(path, &first)?;
        let mut records = Vec::new();
        loop {
            if let Some(Value::Array(page_records)) = page.get_mut("records").map(Value::take) {
                records.extend(page_records);
            }
            let Some(next) = page["_links"]["next"]["href"].as_str() else {
                return Ok(records);
            };
            page = self.get(next, &[])?;
        }
    }

    pub fn luns(&self) -> Result<Vec<Value>, String> {
        self.list(
            "/api/storage/luns",
            &[("svm.name", SVM), ("fields", LUN_FIELDS)],
        )
    }
}

/// Makes `count` thin LUNs `/vol/vol1/lun_N` with concurrent POSTs.
pub fn populate_luns(sim: &ArraySim, count: usize) -> Result<(), String> {
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..SETUP_CLIENTS)
            .map(|_| {
                scope.spawn(|| -> Result<(), String> {
                    let rest = sim.rest();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        if index >= count {
                            return Ok(());
                        }
                        let body = json!({
                            "name": format!("/vol/{FLEXVOL}/lun_{index}"),
                            "svm": {"name": SVM},
                            "os_type": "linux",
                            "space": {"size": 16 << 20, "guarantee": {"requested": false}},
                        });
                        let response = rest
                            .send(&Request::post("/api/storage/luns").json(&body))
                            .map_err(|e| format!("POST LUN {index}: {e}"))?;
                        if response.status() != 201 {
                            return Err(format!(
                                "POST LUN {index}: status {} (want 201)",
                                response.status()
                            ));
                        }
                    }
                })
            })
            .collect();
        // Every thread is joined by the scope, also when one has failed.
        workers
            .into_iter()
            .try_for_each(|worker| worker.join().unwrap_or(Err("setup thread panicked".into())))
    })
}
