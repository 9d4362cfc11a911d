//! What the benches share: percentiles, a process's peak memory and CPU time (from
//! `/proc`), the simulator's request counters, the plugin child of a client, and timing a
//! command from spawn to exit. Figures only: nothing here asserts a time.

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::ArraySim;
use crate::process::children_of;

/// The value below which `fraction` of the sorted `values` lie.
pub fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64) * fraction).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn sorted(mut values: Vec<Duration>) -> Vec<Duration> {
    values.sort();
    values
}

pub fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

/// A `VmXXX:` line of `/proc/PID/status`, in MiB.
pub fn proc_status_mib(pid: u32, key: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|line| line.starts_with(key))
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|kib| kib.parse::<f64>().ok())
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

/// User plus system CPU time a process has used (`/proc/PID/stat`).
pub fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // utime and stime: fields 14 and 15, the 12th and 13th after the name.
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: u64 = after_name
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|field| field.parse::<u64>().ok())
        .sum();
    // SAFETY: sysconf has no preconditions.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    Duration::from_secs_f64(ticks as f64 / per_second)
}

/// Resets a process's VmHWM to its current RSS (`5` > `/proc/PID/clear_refs`);
/// false when the kernel refuses (the peak is then since the process started).
pub fn reset_peak(pid: u32) -> bool {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok()
}

/// The simulator's request counters, per `METHOD /path`.
pub fn request_counts(sim: &ArraySim) -> BTreeMap<String, u64> {
    sim.stats()["requests"]
        .as_object()
        .map(|requests| {
            requests
                .iter()
                .map(|(key, n)| (key.clone(), n.as_u64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default()
}

/// The requests made between two snapshots of the counters.
pub fn requests_between(
    before: &BTreeMap<String, u64>,
    after: &BTreeMap<String, u64>,
) -> BTreeMap<String, u64> {
    after
        .iter()
        .filter_map(|(key, n)| {
            let made = n - before.get(key).copied().unwrap_or(0);
            // The snapshots' own GET /_arraysim/stats are not the listing's.
            (made > 0 && !key.contains(" /_arraysim/")).then(|| (key.clone(), made))
        })
        .collect()
}

pub fn show_requests(requests: &BTreeMap<String, u64>) -> String {
    requests
        .iter()
        .map(|(key, n)| format!("{n} x {key}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The pid of the plugin process: the one child of this bench process that
/// is not the simulator.
pub fn plugin_child(me: u32, sim: &ArraySim) -> Result<u32, String> {
    let children: Vec<u32> = children_of(me)
        .into_iter()
        .map(|(pid, _)| pid)
        .filter(|pid| *pid != sim.pid())
        .collect();
    match children[..] {
        [pid] => Ok(pid),
        _ => Err(format!(
            "want one plugin child of the bench process {me}, found {children:?}"
        )),
    }
}

/// Spawn to exit of `command`, once; `None` (and the reason printed) when it failed.
pub fn time_run(command: &mut Command) -> Option<Duration> {
    let started = Instant::now();
    let output = command.stdin(Stdio::null()).output();
    let elapsed = started.elapsed();
    match output {
        Ok(output) if output.status.success() => Some(elapsed),
        Ok(output) => {
            println!(
                "    FAIL {:?}: {}: {}",
                command.get_program(),
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            );
            None
        }
        Err(error) => {
            println!("    FAIL {:?}: {error}", command.get_program());
            None
        }
    }
}

/// Runs each command `runs` times after two warm-up runs, taking turns, and prints its
/// median, p90, min and max (with `note(label)` after them); false when a run failed.
pub fn cold_runs(
    kinds: Vec<(&str, Command)>,
    runs: usize,
    note: impl Fn(&str) -> &'static str,
) -> bool {
    let mut kinds: Vec<(&str, Command, Vec<Duration>)> = kinds
        .into_iter()
        .map(|(label, command)| (label, command, Vec::new()))
        .collect();
    let mut clean = true;
    // Two warm-up runs each (page cache, state files), then turns.
    for run in 0..runs + 2 {
        for (_, command, times) in kinds.iter_mut() {
            match time_run(command) {
                Some(time) if run >= 2 => times.push(time),
                Some(_) => {}
                None => clean = false,
            }
        }
    }
    for (label, _, times) in kinds {
        let times = sorted(times);
        println!(
            "{label:16} median {:6.2} ms  p90 {:6.2} ms  min {:6.2} ms  max {:6.2} ms{}",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.9)),
            ms(times.first().copied().unwrap_or_default()),
            ms(times.last().copied().unwrap_or_default()),
            note(label)
        );
    }
    clean
}
