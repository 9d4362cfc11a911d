//! Jobs as Unity shows them (`/api/instances/job/<id>`): `state` 1 Queued,
//! 2 Running, 4 Completed, 5 Failed (3 Suspended, 6 Rolling Back and 7
//! Completed with Error are never produced), one task per action, the
//! action's answer in `parametersOut`, the error in `messageOut` and the
//! task's `messages`. Built from the core's job records on every read.

use serde_json::{Value, json};

use super::model::Inventory;
use crate::core::jobs::{Job, JobState};

/// Unity's spelling of a core time (`+00:00` → `.000Z`).
fn unity_time(t: &Option<String>) -> Value {
    match t {
        Some(t) => json!(t.replace("+00:00", ".000Z")),
        None => Value::Null,
    }
}

/// The `job` record of `job`.
pub fn render(inv: &Inventory, job: &Job) -> Value {
    let owner = job.owner.clone().unwrap_or(Value::Null);
    let key = owner["key"].as_str().unwrap_or("");
    let method = owner["methodName"].as_str().unwrap_or("");
    let submit = owner["submitTime"].clone();
    let (state, task_state, pct) = match job.state {
        JobState::Queued => (1, 0, 0),
        JobState::Running => (2, 1, 50),
        JobState::Paused => (3, 7, 50),
        JobState::Success => (4, 2, 100),
        JobState::Failure => (5, 3, 100),
    };
    let message = |code: u64, text: &str| json!({"errorCode": code, "messages": [{"locale": "en_US", "message": text}]});
    let mut task = json!({
        "state": task_state,
        "name": owner["taskName"].clone(),
        "object": owner["object"].clone(),
        "action": owner["action"].clone(),
        "description": job.description,
        "submitTime": submit,
    });
    let mut j = json!({
        "id": job.uuid,
        "state": state,
        "instanceId": format!("root/emc:EMC_UEM_TransactionJobLeaf%InstanceID={}", job.uuid),
        "description": job.description,
        "stateChangeTime": unity_time(&job.end_time.clone().or(job.start_time.clone()))
            .as_str().map(|s| json!(s)).unwrap_or(submit.clone()),
        "submitTime": submit,
        "estRemainTime": "00:00:00.000",
        "progressPct": pct,
        "owner": "System",
        "requestId": "",
        "methodName": method,
        "isJobCancelable": false,
        "isJobCancelled": false,
        "clientData": "",
    });
    // The object the job works on, when it names one (a create names none).
    if let Some(affected) = owner
        .get("affectedResource")
        .filter(|a| a.as_object().is_some_and(|m| !m.is_empty()))
    {
        task["affectedResource"] = affected.clone();
        j["affectedResource"] = affected.clone();
    }
    if job.start_time.is_some() {
        j["startTime"] = unity_time(&job.start_time);
    }
    if job.state.is_terminal() {
        j["endTime"] = unity_time(&job.end_time);
        j["elapsedTime"] = json!("00:00:00.000");
        let (code, text) = if job.state == JobState::Success {
            (0, "Success".to_string())
        } else {
            (job.code, job.message.clone())
        };
        j["statusCodeOut"] = json!(code);
        j["messageOut"] = message(code, &text);
        task["messages"] = json!([message(code, &text)]);
        if job.state == JobState::Success
            && let Some(out) = inv.job_outputs.get(key)
            && !out.is_null()
        {
            j["parametersOut"] = out.clone();
        }
    }
    j["tasks"] = json!([task]);
    j
}

/// Every job record, oldest first.
pub fn all(inv: &Inventory) -> Vec<Value> {
    inv.jobs.iter().map(|j| render(inv, j)).collect()
}
