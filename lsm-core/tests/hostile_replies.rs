//! A client facing a hostile plugin: replies that claim 2 GiB or more, a frame cut short
//! after claiming 200 MiB, 100,000-deep JSON nesting, a reply of the wrong shape, invalid
//! UTF-8. Each call fails with its LSM error (never a panic or a hang), and the client's
//! memory stays bounded: its peak RSS (VmHWM, reset before each call) is measured and must
//! not grow by more than [`GROWTH_LIMIT_MIB`] over what it was before the call.
//!
//! One test in this binary, so that nothing else moves the process's peak.

use std::time::Duration;

use lsm_core::{BlockingClient, ErrorNumber};
use lsm_test_support::bench::{proc_status_mib, reset_peak};
use lsm_test_support::script_plugin;

/// What the client may allocate for any hostile reply.
const GROWTH_LIMIT_MIB: f64 = 48.0;
const TIMEOUT: Duration = Duration::from_secs(20);

struct Hostile {
    name: &'static str,
    /// Bash, after the call's request was read; the connection is `"$fd"`.
    then: &'static str,
    expected: ErrorNumber,
}

const HOSTILE: [Hostile; 6] = [
    Hostile {
        name: "claims2gib",
        // The largest 10-digit length an i32 holds, then 1 MiB of junk.
        then: "printf '2147483647' >&\"$fd\"\nhead -c 1048576 /dev/zero 2>/dev/null >&\"$fd\"\nexec sleep 30\n",
        expected: ErrorNumber::TRANSPORT_SERIALIZATION,
    },
    Hostile {
        name: "claims10gb",
        then: "printf '9999999999{' >&\"$fd\"\nexec sleep 30\n",
        expected: ErrorNumber::TRANSPORT_SERIALIZATION,
    },
    Hostile {
        name: "cutshort",
        // 200 MiB claimed (under the reply cap), 4 MiB sent, then gone.
        then: "printf '0209715200{\"id\": 100, \"result\": \"' >&\"$fd\"\n\
               head -c 4194304 /dev/zero | tr '\\0' 'x' >&\"$fd\"\nexit 0\n",
        expected: ErrorNumber::TRANSPORT_COMMUNICATION,
    },
    Hostile {
        name: "deepnesting",
        then: "open=$(printf '%*s' 100000 '' | tr ' ' '[')\n\
               close=$(printf '%*s' 100000 '' | tr ' ' ']')\n\
               reply=\"{\\\"id\\\": 100, \\\"result\\\": $open$close}\"\n\
               printf '%010d%s' \"${#reply}\" \"$reply\" >&\"$fd\"\nexec sleep 30\n",
        expected: ErrorNumber::TRANSPORT_SERIALIZATION,
    },
    Hostile {
        name: "wrongshape",
        then: "reply='{\"id\": 100, \"result\": {\"systems\": \"all of them\"}}'\n\
               printf '%010d%s' \"${#reply}\" \"$reply\" >&\"$fd\"\nexec sleep 30\n",
        expected: ErrorNumber::TRANSPORT_SERIALIZATION,
    },
    Hostile {
        name: "notutf8",
        then: "printf '0000000027{\"id\": 100, \"result\": \"\\xff\\xfe\"}' >&\"$fd\"\nexec sleep 30\n",
        expected: ErrorNumber::TRANSPORT_SERIALIZATION,
    },
];

#[test]
fn every_hostile_reply_fails_its_call_with_bounded_client_memory() {
    let dir = tempfile::tempdir().unwrap();
    let me = std::process::id();
    let mut problems = Vec::new();
    for hostile in &HOSTILE {
        let exe = script_plugin::write(dir.path(), hostile.name, hostile.then);
        let uri = format!("{}://", hostile.name);
        let mut client = BlockingClient::builder(&uri)
            .timeout(TIMEOUT)
            .plugin_exe(&exe)
            .connect()
            .unwrap_or_else(|error| panic!("{uri}: {error}"));
        client.time_out_set(Duration::from_secs(5)).unwrap();
        if !reset_peak(me) {
            panic!("/proc/{me}/clear_refs refused: the peak RSS cannot be measured");
        }
        let before = proc_status_mib(me, "VmRSS:");
        let outcome = client.systems();
        let peak = proc_status_mib(me, "VmHWM:");
        let growth = peak - before;
        println!(
            "{}: {:?}, client RSS {before:.1} MiB -> peak {peak:.1} MiB",
            hostile.name,
            outcome.as_ref().map_err(|error| error.code)
        );
        match outcome {
            Ok(systems) => problems.push(format!("{}: the call worked: {systems:?}", hostile.name)),
            Err(error) if error.code != hostile.expected => problems.push(format!(
                "{}: expected {:?}, got {:?}: {error}",
                hostile.name, hostile.expected, error.code
            )),
            Err(error) if error.message.is_empty() => {
                problems.push(format!("{}: an error without a message", hostile.name))
            }
            Err(_) => {}
        }
        if growth.is_nan() || growth > GROWTH_LIMIT_MIB {
            problems.push(format!(
                "{}: the client's peak RSS grew by {growth:.1} MiB (limit {GROWTH_LIMIT_MIB})",
                hostile.name
            ));
        }
        drop(client);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
