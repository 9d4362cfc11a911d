//! The [`Management`] impl: capabilities, systems, pools and jobs.

use lsm_core::plugin::{Call, JobReport, Management, Search};
use lsm_core::types::*;
use lsm_core::{Capabilities, Capability, ErrorNumber, Result};
use rusqlite::{OptionalExtension, params};

use super::lookups::{job_item, pool_get, search_number, system_check};
use super::rows::{pool_cols, pool_of};
use super::{SimSession, not_found, now_secs};
use crate::state::*;

impl Management for SimSession {
    fn capabilities(&mut self, cx: &Call, system: &System) -> Result<Capabilities> {
        self.read(cx, |tx| system_check(tx, system))?;
        let mut caps = Capabilities::new();
        for (cap, _) in Capability::ALL {
            caps.set(*cap, true);
        }
        for off in [59, 63, 64, 66, 210, 211, 212, 213, 214, 215, 217] {
            caps.set(Capability(off), false);
        }
        Ok(caps)
    }

    fn systems(&mut self, cx: &Call) -> Result<Vec<System>> {
        self.read_one(cx, |tx| {
            let mut stmt = tx.prepare_cached(
                "SELECT id, name, status, status_info, read_cache_pct, mode FROM systems",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(System {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    status: SystemStatus(r.get(2)?),
                    status_info: r.get(3)?,
                    plugin_data: None,
                    fw_version: STATE_VERSION.to_string(),
                    read_cache_pct: r.get(4)?,
                    mode: SystemMode(r.get(5)?),
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn pools(&mut self, cx: &Call, search: Option<&Search>) -> Result<Vec<Pool>> {
        self.read_one(cx, |tx| {
            if let Some(id) = search_number(search, "id", "POOL") {
                return Ok(match id {
                    Some(_) => pool_get(tx, &search.map(|s| s.value.clone()).unwrap_or_default())
                        .ok()
                        .into_iter()
                        .collect(),
                    None => Vec::new(),
                });
            }
            let mut stmt =
                tx.prepare_cached(concat!("SELECT ", pool_cols!(), " FROM pools ORDER BY id"))?;
            Ok(stmt
                .query_map([], pool_of)?
                .collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn job_status(&mut self, cx: &Call, job_id: &str) -> Result<JobReport> {
        self.read(cx, |tx| {
            let missing = || not_found(ErrorNumber::NOT_FOUND_JOB, "Job", job_id);
            let n = parse_id("JOB", job_id).ok_or_else(missing)?;
            let (started, duration, kind, item): (f64, f64, Option<String>, Option<i64>) = tx
                .prepare_cached(
                    "SELECT started, duration, item_kind, item_id FROM jobs WHERE id = ?1",
                )?
                .query_row([n], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .optional()?
                .ok_or_else(missing)?;
            let elapsed = now_secs() - started;
            if duration > 0.0 && elapsed < duration {
                let percent = ((elapsed / duration) * 100.0).clamp(0.0, 99.0) as u8;
                return Ok(JobReport::in_progress(percent));
            }
            let item = match (kind, item) {
                (Some(kind), Some(n)) => job_item(tx, &kind, n)?,
                _ => None,
            };
            Ok(JobReport::complete(item))
        })
    }

    fn job_free(&mut self, cx: &Call, job_id: &str) -> Result<()> {
        self.write(cx, |tx| {
            let missing = || not_found(ErrorNumber::NOT_FOUND_JOB, "Job", job_id);
            let n = parse_id("JOB", job_id).ok_or_else(missing)?;
            match tx
                .prepare_cached("DELETE FROM jobs WHERE id = ?1")?
                .execute([n])?
            {
                0 => Err(missing()),
                _ => Ok(()),
            }
        })
    }

    fn system_read_cache_pct_update(
        &mut self,
        cx: &Call,
        system: &System,
        read_pct: i64,
    ) -> Result<()> {
        self.write(cx, |tx| {
            system_check(tx, system)?;
            tx.prepare_cached("UPDATE systems SET read_cache_pct = ?1 WHERE id = ?2")?
                .execute(params![read_pct, system.id])?;
            Ok(())
        })
    }
}
