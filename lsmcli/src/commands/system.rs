//! `capabilities`, `plugin-info`, `system-read-cache-pct-update`, `pool-member-info` and
//! `job-status`.

use lsm_core::{JobStatus, LsmObject};
use serde_json::{Map, Value, json};

use super::Session;
use crate::display::objects::PoolMemberRow;
use crate::display::render::render_key_values;
use crate::error::{CliError, Exit};

/// `capabilities --sys`: supported names first (sorted), then unsupported ones (sorted), as
/// `NAME SEP SUPPORTED|UNSUPPORTED` lines between dashed lines, whatever the mode; `--json`
/// gives `{NAME: true|false}` in the same order.
pub async fn capabilities(session: &mut Session<'_>, sys: &str) -> Result<Exit, CliError> {
    let system = session.find_system(sys).await?;
    let caps = session.client.capabilities(&system).await?;
    let mut supported: Vec<&str> = Vec::new();
    let mut unsupported: Vec<&str> = Vec::new();
    for (_, name, is_supported) in caps.iter() {
        if is_supported {
            supported.push(name);
        } else {
            unsupported.push(name);
        }
    }
    supported.sort_unstable();
    unsupported.sort_unstable();
    if session.out.is_json() {
        let mut map = Map::new();
        for name in &supported {
            map.insert((*name).to_string(), Value::Bool(true));
        }
        for name in &unsupported {
            map.insert((*name).to_string(), Value::Bool(false));
        }
        session.out.json(&Value::Object(map))?;
        return Ok(Exit::Done);
    }
    let pairs: Vec<(&str, &str)> = supported
        .iter()
        .map(|name| (*name, "SUPPORTED"))
        .chain(unsupported.iter().map(|name| (*name, "UNSUPPORTED")))
        .collect();
    let mut text = String::new();
    render_key_values(&pairs, session.out.layout().separator(), &mut text);
    session.out.push_text(&text);
    Ok(Exit::Done)
}

/// `plugin-info`: `Description: <d> Version: <v>`, or `<d>SEP<v>` with `-t`.
pub async fn plugin_info(session: &mut Session<'_>) -> Result<Exit, CliError> {
    let lsm_core::PluginInfo {
        description,
        version,
    } = session.client.plugin_info().await?;
    let line = match session.out.layout().separator.as_deref() {
        Some(separator) if !separator.is_empty() => format!("{description}{separator}{version}"),
        _ => format!("Description: {description} Version: {version}"),
    };
    session.out.line_or_json(
        &line,
        &json!({ "description": description, "version": version }),
    )?;
    Ok(Exit::Done)
}

/// `system-read-cache-pct-update`: updates, then shows the system as read back.
pub async fn read_cache_pct_update(
    session: &mut Session<'_>,
    sys: &str,
    read_pct: i64,
) -> Result<Exit, CliError> {
    let system = session.find_system(sys).await?;
    session
        .client
        .system_read_cache_pct_update(&system, read_pct)
        .await?;
    let system = session.find_system(sys).await?;
    session.out.show_one(&system)?;
    Ok(Exit::Done)
}

/// `pool-member-info`.
pub async fn pool_member_info(session: &mut Session<'_>, pool_id: &str) -> Result<Exit, CliError> {
    let pool = session.find_pool(pool_id).await?;
    let info = session.client.pool_member_info(&pool).await?;
    session.out.show_one(&PoolMemberRow::new(&pool.id, info))?;
    Ok(Exit::Done)
}

/// `job-status --job`: a running job prints its percentage and exits 7; a finished one
/// prints the object it made (if any), is freed and exits 0; a failed one is an error.
pub async fn job_status(session: &mut Session<'_>, job_id: &str) -> Result<Exit, CliError> {
    let report = session.client.job_status(job_id).await?;
    if session.out.is_json() {
        session.out.json(&json!({
            "job_id": job_id,
            "status": report.status.0,
            "percent": report.percent,
            "item": report.item,
        }))?;
    }
    if report.status == JobStatus::INPROGRESS {
        if !session.out.is_json() {
            session.out.line(&report.percent.to_string());
        }
        return Ok(Exit::JobRunning);
    }
    if report.status != JobStatus::COMPLETE {
        let _ = session.client.job_free(job_id).await;
        return Err(CliError::argument(format!(
            "job-status job error code= {}",
            report.status.0
        )));
    }
    if !session.out.is_json() {
        show_job_item(session, report.item.as_ref())?;
    }
    session.client.job_free(job_id).await?;
    Ok(Exit::Done)
}

fn show_job_item(session: &mut Session<'_>, item: Option<&LsmObject>) -> Result<(), CliError> {
    match item {
        Some(LsmObject::Volume(volume)) => session.out.show_one(volume),
        Some(LsmObject::FileSystem(fs)) => session.out.show_one(fs),
        Some(LsmObject::FsSnapshot(snapshot)) => session.out.show_one(snapshot),
        Some(LsmObject::Pool(pool)) => session.out.show_one(pool),
        Some(LsmObject::System(system)) => session.out.show_one(system),
        Some(LsmObject::Disk(disk)) => session.out.show_one(disk),
        Some(LsmObject::AccessGroup(group)) => session.out.show_one(group),
        Some(LsmObject::NfsExport(export)) => session.out.show_one(export),
        Some(LsmObject::TargetPort(port)) => session.out.show_one(port),
        Some(LsmObject::Battery(battery)) => session.out.show_one(battery),
        Some(LsmObject::BlockRange(_) | LsmObject::Capabilities(_)) | None => Ok(()),
    }
}
