//! Facts about processes, read from `/proc`.

use std::fs;

/// `(pid, state)` of every process whose parent is `parent`.
pub fn children_of(parent: u32) -> Vec<(u32, char)> {
    let mut children = Vec::new();
    let Ok(entries) = fs::read_dir("/proc") else {
        return children;
    };
    for entry in entries.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        let Some(after_comm) = stat.rfind(')').map(|index| &stat[index + 1..]) else {
            continue;
        };
        let mut fields = after_comm.split_whitespace();
        let state = fields.next().and_then(|field| field.chars().next());
        let ppid = fields.next().and_then(|field| field.parse::<u32>().ok());
        if let (Some(state), Some(ppid)) = (state, ppid)
            && ppid == parent
        {
            children.push((pid, state));
        }
    }
    children
}

/// Real uid of a process, from `/proc/<pid>/status`.
pub fn process_uid(pid: u32) -> u32 {
    let status = fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_else(|error| panic!("/proc/{pid}/status: {error}"));
    status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))
        .and_then(|uids| uids.split_whitespace().next())
        .and_then(|uid| uid.parse().ok())
        .unwrap_or_else(|| panic!("no Uid line in /proc/{pid}/status:\n{status}"))
}

/// Every process below `pid` (children, their children, ...).
pub fn descendants(pid: u32) -> Vec<u32> {
    let mut found = Vec::new();
    let mut next = vec![pid];
    while let Some(parent) = next.pop() {
        for (child, _) in children_of(parent) {
            found.push(child);
            next.push(child);
        }
    }
    found
}

/// How many file descriptors a process has open (the entries of `/proc/<pid>/fd`).
pub fn open_fds(pid: u32) -> usize {
    fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap_or_else(|error| panic!("/proc/{pid}/fd: {error}"))
        .count()
}

/// Every process running the executable `exe` (symlinks resolved, as `/proc/<pid>/exe`
/// shows it): the plugins a test started, also those orphaned by their parent.
pub fn processes_running(exe: &std::path::Path) -> Vec<u32> {
    let Ok(exe) = fs::canonicalize(exe) else {
        return Vec::new();
    };
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid = entry.file_name().to_string_lossy().parse::<u32>().ok()?;
            let running = fs::read_link(entry.path().join("exe")).ok()?;
            (running == exe).then_some(pid)
        })
        .collect()
}
