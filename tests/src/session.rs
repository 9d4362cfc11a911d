//! Session and system checks: plugin info, register/unregister, timeouts,
//! systems and their properties, capabilities, available plugins, and the
//! client-side connect errors of protocol §1.1.

use std::os::unix::net::UnixListener;
use std::time::Duration;

use lsm_core::{
    BlockingClient, Capability as C, ErrorNumber, PluginInfo, SystemMode, read_cache_pct,
};

use crate::cleanup::Undo;
use crate::ctx::Ctx;
use crate::expect::{CheckResult, During, expect_error};
use crate::harness::Check;

/// The session checks.
pub const CHECKS: &[Check] = &[
    Check {
        name: "plugin_info",
        summary: "plugin_info gives a non-empty description and version",
        requires: &[],
        body: plugin_info,
    },
    Check {
        name: "plugin_register_unregister",
        summary: "a second session registers, works and unregisters cleanly",
        requires: &[],
        body: plugin_register_unregister,
    },
    Check {
        name: "timeout_set_get",
        summary: "time_out_set(40000) then time_out_get gives 40000; 0 is refused",
        requires: &[],
        body: timeout_set_get,
    },
    Check {
        name: "capabilities",
        summary: "every system answers capabilities, stable across calls",
        requires: &[],
        body: capabilities,
    },
    Check {
        name: "system_fw_version",
        summary: "every system has a non-empty firmware version",
        requires: &[C::SYS_FW_VERSION_GET],
        body: system_fw_version,
    },
    Check {
        name: "system_mode",
        summary: "every system's mode is HARDWARE_RAID or HBA",
        requires: &[C::SYS_MODE_GET],
        body: system_mode,
    },
    Check {
        name: "system_read_cache_pct",
        summary: "every system's read cache percentage is 0..=100 or UNKNOWN",
        requires: &[C::SYS_READ_CACHE_PCT_GET],
        body: system_read_cache_pct,
    },
    Check {
        name: "system_read_cache_pct_update",
        summary: "a read cache percentage update reads back, and is restored",
        requires: &[C::SYS_READ_CACHE_PCT_UPDATE, C::SYS_READ_CACHE_PCT_GET],
        body: system_read_cache_pct_update,
    },
    Check {
        name: "available_plugins",
        summary: "available_plugins lists description:version entries, this plugin among them",
        requires: &[],
        body: available_plugins,
    },
    Check {
        name: "connect_daemon_not_running",
        summary: "a socket dir with nothing in it gives DAEMON_NOT_RUNNING",
        requires: &[],
        body: connect_daemon_not_running,
    },
    Check {
        name: "connect_daemon_plugin_missing",
        summary: "a daemon dir without the scheme's socket gives PLUGIN_NOT_EXIST",
        requires: &[],
        body: connect_daemon_plugin_missing,
    },
    Check {
        name: "connect_plugin_not_exist",
        summary: "a URI with an unknown scheme gives PLUGIN_NOT_EXIST",
        requires: &[],
        body: connect_plugin_not_exist,
    },
    Check {
        name: "connect_invalid_uri",
        summary: "malformed URIs (targetd//root@na-sim, ...) give INVALID_ARGUMENT",
        requires: &[],
        body: connect_invalid_uri,
    },
];

fn plugin_info(ctx: &mut Ctx) -> CheckResult {
    let PluginInfo {
        description,
        version,
    } = ctx.client.plugin_info().during("plugin_info")?;
    ensure!(
        !description.trim().is_empty(),
        "plugin_info: empty description"
    );
    ensure!(!version.trim().is_empty(), "plugin_info: empty version");
    ctx.note(format!("plugin: {description} {version}"));
    Ok(())
}

fn plugin_register_unregister(ctx: &mut Ctx) -> CheckResult {
    let mut second = ctx.connect().during("second plugin_register")?;
    let systems = second.systems().during("systems on the second session")?;
    ensure!(
        systems == ctx.systems,
        "a second session lists other systems: {:?} vs {:?}",
        systems.iter().map(|s| &s.id).collect::<Vec<_>>(),
        ctx.systems.iter().map(|s| &s.id).collect::<Vec<_>>()
    );
    second.close().during("plugin_unregister")?;
    // The first session is not disturbed by the second one ending.
    ctx.client
        .systems()
        .during("systems after another session ended")?;
    Ok(())
}

fn timeout_set_get(ctx: &mut Ctx) -> CheckResult {
    let initial = ctx.client.time_out_get().during("time_out_get")?;
    ctx.note(format!(
        "time_out_get after register: {} ms (registered with {} ms)",
        initial.as_millis(),
        ctx.timeout.as_millis()
    ));
    let wanted = Duration::from_millis(40_000);
    ctx.client
        .time_out_set(wanted)
        .during("time_out_set(40000)")?;
    let got = ctx.client.time_out_get().during("time_out_get")?;
    ensure!(
        got == wanted,
        "time_out_get after time_out_set(40000) gave {} ms",
        got.as_millis()
    );
    expect_error(
        ctx.client.time_out_set(Duration::ZERO),
        ErrorNumber::INVALID_ARGUMENT,
        "time_out_set(0)",
    )?;
    let timeout = ctx.timeout;
    ctx.client
        .time_out_set(timeout)
        .during("time_out_set(back to the original)")?;
    let back = ctx.client.time_out_get().during("time_out_get")?;
    ensure!(
        back == timeout,
        "time_out_get after restoring {} ms gave {} ms",
        timeout.as_millis(),
        back.as_millis()
    );
    Ok(())
}

fn capabilities(ctx: &mut Ctx) -> CheckResult {
    for system in ctx.systems.clone() {
        let caps = ctx
            .client
            .capabilities(&system)
            .during(&format!("capabilities({})", system.id))?;
        let again = ctx
            .client
            .capabilities(&system)
            .during(&format!("capabilities({}) again", system.id))?;
        ensure!(
            caps == again,
            "capabilities of {} changed between two calls",
            system.id
        );
        let supported = C::ALL.iter().filter(|(c, _)| caps.supported(*c)).count();
        ctx.note(format!(
            "{}: {supported} named capabilities supported",
            system.id
        ));
        if system.id == ctx.system.id {
            ensure!(
                caps == ctx.caps,
                "capabilities of {} differ from the ones read at suite start",
                system.id
            );
        }
    }
    Ok(())
}

fn system_fw_version(ctx: &mut Ctx) -> CheckResult {
    for system in &ctx.systems {
        ensure!(
            !system.fw_version.trim().is_empty(),
            "system {} has an empty fw_version although SYS_FW_VERSION_GET is supported",
            system.id
        );
    }
    Ok(())
}

fn system_mode(ctx: &mut Ctx) -> CheckResult {
    for system in &ctx.systems {
        ensure!(
            system.mode == SystemMode::HARDWARE_RAID || system.mode == SystemMode::HBA,
            "system {} has mode {:?}, expected HARDWARE_RAID or HBA",
            system.id,
            system.mode
        );
    }
    Ok(())
}

fn system_read_cache_pct(ctx: &mut Ctx) -> CheckResult {
    for system in &ctx.systems {
        let pct = system.read_cache_pct;
        ensure!(
            (0..=100).contains(&pct) || pct == read_cache_pct::UNKNOWN,
            "system {} has read_cache_pct {pct}, expected 0..=100 or UNKNOWN (-1)",
            system.id
        );
    }
    Ok(())
}

fn system_read_cache_pct_update(ctx: &mut Ctx) -> CheckResult {
    let system = ctx.system.clone();
    let original = system.read_cache_pct;
    let wanted = if original == 50 { 60 } else { 50 };
    if (0..=100).contains(&original) {
        ctx.push_undo(Undo::ReadCachePct {
            system: system.clone(),
            read_pct: original,
        });
    }
    ctx.client
        .system_read_cache_pct_update(&system, wanted)
        .during("system_read_cache_pct_update")?;
    let after = ctx
        .client
        .systems()
        .during("systems")?
        .into_iter()
        .find(|s| s.id == system.id);
    let Some(after) = after else {
        fail!("system {} is no longer listed", system.id);
    };
    ensure!(
        after.read_cache_pct == wanted,
        "read_cache_pct is {} after updating it to {wanted}",
        after.read_cache_pct
    );
    Ok(())
}

fn available_plugins(ctx: &mut Ctx) -> CheckResult {
    let plugins = ctx
        .client
        .available_plugins(":")
        .during("available_plugins")?;
    ensure!(!plugins.is_empty(), "available_plugins is empty");
    for entry in &plugins {
        ensure!(
            entry.contains(':'),
            "available_plugins entry {entry:?} has no ':' separator"
        );
    }
    let PluginInfo {
        description,
        version,
    } = ctx.client.plugin_info().during("plugin_info")?;
    let this = format!("{description}:{version}");
    ensure!(
        plugins.contains(&this),
        "available_plugins {plugins:?} does not list this plugin ({this})"
    );
    ctx.note(format!("available plugins: {plugins:?}"));
    Ok(())
}

fn temp_dir() -> CheckResult<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix("lsmrs-check-")
        .tempdir()
        .map_err(|e| crate::CheckError::Failed(format!("cannot make a temporary dir: {e}")))
}

fn connect_daemon_not_running(ctx: &mut Ctx) -> CheckResult {
    let empty = temp_dir()?;
    let result = ctx
        .builder()
        .socket_dir(empty.path())
        .daemon()
        .connect()
        .map(|_| "connected");
    expect_error(
        result,
        ErrorNumber::DAEMON_NOT_RUNNING,
        "connect through an empty socket dir",
    )
}

fn connect_daemon_plugin_missing(ctx: &mut Ctx) -> CheckResult {
    let dir = temp_dir()?;
    // Another plugin's socket that accepts: the daemon is up, the scheme's
    // socket is not there.
    let _other = UnixListener::bind(dir.path().join("lsmrs_other"))
        .map_err(|e| crate::CheckError::Failed(format!("cannot bind a unix socket: {e}")))?;
    let result = BlockingClient::builder("lsmrsmissing://")
        .timeout(ctx.timeout)
        .socket_dir(dir.path())
        .daemon()
        .connect()
        .map(|_| "connected");
    expect_error(
        result,
        ErrorNumber::PLUGIN_NOT_EXIST,
        "connect to a scheme the daemon does not serve",
    )
}

fn connect_plugin_not_exist(ctx: &mut Ctx) -> CheckResult {
    let scheme = ctx.unique_name().replace('_', "");
    let uri = format!("{scheme}://");
    let result = BlockingClient::connect(&uri, None, ctx.timeout).map(|_| "connected");
    expect_error(
        result,
        ErrorNumber::PLUGIN_NOT_EXIST,
        &format!("connect {uri}"),
    )
}

fn connect_invalid_uri(ctx: &mut Ctx) -> CheckResult {
    for uri in ["targetd//root@na-sim", "", "wat:/is@this", "sim:/"] {
        let result = BlockingClient::connect(uri, None, ctx.timeout).map(|_| "connected");
        expect_error(
            result,
            ErrorNumber::INVALID_ARGUMENT,
            &format!("connect {uri:?}"),
        )?;
    }
    Ok(())
}
