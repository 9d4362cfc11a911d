//! Every error path and its exit code (protocol doc §9): usage errors 2 (argparse form),
//! lsmcli-side refusals and unknown ids 2 (`lsmcli: error: ...`), plugin errors 4
//! (`NAME(code): message `), no arguments 1, `--fork_plugin` failures 8; never a panic.

mod support;

use support::Sim;

#[test]
fn no_arguments_prints_usage_and_exits_1() {
    let sim = Sim::new();
    let run = sim.run_bare(Vec::<&str>::new());
    run.expect_code(1);
    assert!(run.stdout.starts_with("usage: lsmcli"), "{}", run.stdout);
}

#[test]
fn usage_errors_exit_2_in_argparse_form() {
    let sim = Sim::new();
    let cases: &[(&[&str], &str)] = &[
        (
            &["no-such-command"],
            "lsmcli: error: argument command: invalid choice: 'no-such-command'",
        ),
        (
            &["volume-create", "--name", "x"],
            "lsmcli volume-create: error: the following arguments are required: --size, --pool",
        ),
        (
            &["list"],
            "lsmcli list: error: the following arguments are required: --type",
        ),
        (
            &["list", "--type", "pools", "--bogus"],
            "unrecognized arguments: --bogus",
        ),
        (
            &[
                "volume-create",
                "--name",
                "x",
                "--size",
                "1",
                "--pool",
                "p",
                "--provisioning",
                "FAT",
            ],
            "argument --provisioning: invalid choice: 'FAT'",
        ),
        (
            &[
                "volume-replicate",
                "--vol",
                "v",
                "--name",
                "n",
                "--rep-type",
                "TELEPORT",
            ],
            "argument --rep-type: invalid choice: 'TELEPORT'",
        ),
        (
            &["-w", "-1", "list", "--type", "pools"],
            "argument --wait: invalid: require positive integer value '-1'",
        ),
        (
            &["-w", "soon", "list", "--type", "pools"],
            "argument --wait: invalid: not a positive integer value 'soon'",
        ),
        (
            &["fs-export", "--fs", "f", "--rw-host", "not a host"],
            "not a host is invalid IP or hostname",
        ),
        (
            &["fs-export", "--fs", "f", "--anonuid", "-5"],
            "invalid: require positive integer value '-5'",
        ),
    ];
    for (args, message) in cases {
        let run = sim.run(args.iter());
        run.expect_code(2).no_crash_text();
        assert!(
            run.stderr.starts_with("usage: lsmcli"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn argument_refusals_exit_2() {
    let sim = Sim::new();
    for (_, run) in sim.populate() {
        run.ok();
    }
    let cases: &[(&[&str], &str)] = &[
        (
            &["-w", "0", "list", "--type", "pools"],
            "[-w|--wait] requires a non-zero positive integer",
        ),
        (
            &[
                "volume-create",
                "--name",
                "x",
                "--size",
                "12Q",
                "--pool",
                "POOL_ID_00004",
            ],
            "Incorrect size argument format: '12Q'",
        ),
        (
            &[
                "volume-create",
                "--name",
                "x",
                "--size",
                "0",
                "--pool",
                "POOL_ID_00004",
            ],
            "Incorrect size argument format: '0'",
        ),
        (
            &[
                "volume-create",
                "--name",
                "x",
                "--size",
                "1GiB",
                "--pool",
                "POOL_ID_99999",
            ],
            "Pool with ID POOL_ID_99999 not found!",
        ),
        (
            &["capabilities", "--sys", "no-such-system"],
            "System with ID no-such-system not found!",
        ),
        (
            &[
                "-f",
                "fs-snap-delete",
                "--fs",
                "FS_ID_00001",
                "--snap",
                "FS_SNAP_ID_99999",
            ],
            "Snapshot with ID FS_SNAP_ID_99999 not found!",
        ),
        (
            &["fs-unexport", "--export", "EXP_ID_99999"],
            "NFS Export with ID EXP_ID_99999 not found!",
        ),
        (
            &["fs-clone", "--src-fs", "FS_ID_99999", "--dst-name", "c"],
            "Source File System with ID FS_ID_99999 not found!",
        ),
        (
            &[
                "-f",
                "volume-replicate-range",
                "--src-vol",
                "VOL_ID_99999",
                "--dst-vol",
                "VOL_ID_00001",
                "--rep-type",
                "COPY",
                "--src-start",
                "0",
                "--dst-start",
                "0",
                "--count",
                "1",
            ],
            "Source Volume with ID VOL_ID_99999 not found!",
        ),
        (
            &[
                "-f",
                "volume-replicate-range",
                "--src-vol",
                "VOL_ID_00001",
                "--dst-vol",
                "VOL_ID_99999",
                "--rep-type",
                "COPY",
                "--src-start",
                "0",
                "--dst-start",
                "0",
                "--count",
                "1",
            ],
            "Destination Volume with ID VOL_ID_99999 not found!",
        ),
        (
            &[
                "volume-mask",
                "--vol",
                "VOL_ID_00002",
                "--ag",
                "AG_ID_99999",
            ],
            "Access Group with ID AG_ID_99999 not found!",
        ),
        (
            &[
                "access-group-create",
                "--name",
                "x",
                "--init",
                "not-an-initiator",
                "--sys",
                "sim-01",
            ],
            "--init \"not-an-initiator\" is not a valid WWPN or iSCSI IQN",
        ),
        (
            &["iscsi-chap", "--init", "20:00:00:00:c9:aa:bb:cc"],
            "--init \"20:00:00:00:c9:aa:bb:cc\" is not a valid iSCSI IQN",
        ),
        (
            &[
                "iscsi-chap",
                "--init",
                "iqn.1994-05.com.example:x",
                "--in-user",
                "u",
            ],
            "--in-user requires --in-pass",
        ),
        (
            &[
                "iscsi-chap",
                "--init",
                "iqn.1994-05.com.example:x",
                "--out-user",
                "u",
                "--out-pass",
                "p",
            ],
            "out-user and out-password only supported if inbound is supplied",
        ),
        (
            &["fs-export", "--fs", "FS_ID_00001"],
            "please specify --ro-host or --rw-host",
        ),
        (
            &[
                "-f",
                "fs-snap-restore",
                "--fs",
                "FS_ID_00001",
                "--snap",
                "FS_SNAP_ID_00001",
                "--file",
                "a",
                "--file",
                "b",
                "--fileas",
                "c",
            ],
            "number of --file not equal to --fileas",
        ),
        (
            &["list", "--type", "PLUGINS", "--sys", "sim-01"],
            "Plugins listing with search is not supported",
        ),
    ];
    for (args, message) in cases {
        let run = sim.run(args.iter());
        run.expect_code(2).no_crash_text();
        assert_eq!(
            run.stderr,
            format!("lsmcli: error: {message}\n"),
            "{args:?}"
        );
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
    }
}

#[test]
fn uri_and_password_errors() {
    let sim = Sim::new();
    let no_uri = sim.run_bare(["list", "--type", "pools"]);
    no_uri.expect_code(2);
    assert_eq!(
        no_uri.stderr,
        "lsmcli: error: --uri missing or export LSMCLI_URI\n"
    );

    let mut command = sim.command();
    command
        .env("LSMCLI_PASSWORD", "secret")
        .args(["-u", &sim.uri, "list", "--type", "pools"]);
    let output = command.output().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "lsmcli: error: password specified with no user name in uri\n"
    );
    // The password never shows up anywhere.
    assert!(!String::from_utf8_lossy(&output.stdout).contains("secret"));
    assert!(!String::from_utf8_lossy(&output.stderr).contains("secret"));

    let two = sim.run_bare(["-u", &sim.uri, "-u", &sim.uri, "plugin-info"]);
    two.expect_code(2);
    assert!(
        two.stderr
            .contains("more than once only with the list command"),
        "{}",
        two.stderr
    );

    let bad = sim.run_bare(["-u", "wat", "plugin-info"]);
    bad.expect_code(4);
    assert!(
        bad.stderr.starts_with("INVALID_ARGUMENT(101): "),
        "{}",
        bad.stderr
    );

    let fork = sim.run_bare([
        "--fork_plugin",
        "/no/such/plugin",
        "-u",
        "sim://",
        "plugin-info",
    ]);
    fork.expect_code(8).no_crash_text();
}

#[test]
fn plugin_errors_exit_4_with_name_and_code() {
    let sim = Sim::new();
    for (_, run) in sim.populate() {
        run.ok();
    }
    // The clone depends on its source.
    let child = sim.run(["-f", "volume-delete", "--vol", "VOL_ID_00001"]);
    child.expect_code(4);
    assert!(
        child.stderr.starts_with("IS_MASKED(160): ")
            || child.stderr.starts_with("HAS_CHILD_DEPENDENCY(161): "),
        "{}",
        child.stderr
    );
    assert!(child.stderr.ends_with(" \n"), "{:?}", child.stderr);
    let conflict = sim.run([
        "access-group-create",
        "--name",
        "ag1",
        "--init",
        "iqn.1994-05.com.example:other",
        "--sys",
        "sim-01",
    ]);
    conflict.expect_code(4);
    assert!(
        conflict.stderr.starts_with("NAME_CONFLICT(50): "),
        "{}",
        conflict.stderr
    );
    let job = sim.run(["job-status", "--job", "JOB_ID_77777"]);
    job.expect_code(4);
    assert!(
        job.stderr.starts_with("NOT_FOUND_JOB(202): "),
        "{}",
        job.stderr
    );
    let led = sim.run_bare(["local-disk-ident-led-on", "--path", "/dev/no-such-disk"]);
    led.expect_code(4);
    assert!(
        led.stderr.starts_with("NOT_FOUND_DISK(209): "),
        "{}",
        led.stderr
    );
}

#[test]
fn confirmation_reads_stdin_when_it_is_not_a_terminal() {
    use std::io::Write as _;
    use std::process::Stdio;

    let sim = Sim::new();
    let answer = |reply: &str, volume: &str| {
        let mut command = sim.command();
        command
            .args(["-u", &sim.uri, "volume-delete", "--vol", volume])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().unwrap_or_else(|e| panic!("{e}"));
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(reply.as_bytes())
                .unwrap_or_else(|e| panic!("{e}"));
        }
        child.wait_with_output().unwrap_or_else(|e| panic!("{e}"))
    };
    let keep = sim.create_id(&[
        "volume-create",
        "--name",
        "keep",
        "--size",
        "1MiB",
        "--pool",
        "POOL_ID_00004",
    ]);
    let no = answer("n\n", &keep);
    assert_eq!(no.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no.stdout).starts_with(
        "Warning: You are about to do an operation that will cause data to be lost!\n"
    ));
    assert!(
        sim.run(["-t,", "list", "--type", "VOLUMES"])
            .ok()
            .contains(&keep)
    );

    let yes = answer("y\n", &keep);
    assert_eq!(
        yes.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&yes.stderr)
    );
    assert_eq!(sim.run(["list", "--type", "VOLUMES"]).ok(), "");
}

#[test]
fn garbage_never_panics() {
    let sim = Sim::new();
    let cases: &[&[&str]] = &[
        &["--"],
        &["-t"],
        &["-u"],
        &["-w", "10000"],
        &["list", "--type"],
        &["list", "--type", ""],
        &["volume-create", "--name", "", "--size", "", "--pool", ""],
        &[
            "volume-create",
            "--name",
            "x",
            "--size",
            "99999999999999999999999EiB",
            "--pool",
            "POOL_ID_00004",
        ],
        &[
            "volume-create",
            "--name",
            "x",
            "--size",
            "1.5.5GiB",
            "--pool",
            "POOL_ID_00004",
        ],
        &["-t", "", "list", "--type", "pools"],
        &["job-status", "--job", ""],
        &["-w", "99999999999999999999", "list", "--type", "pools"],
        &["list", "--type", "volumes", "--vol", "\u{1F4A9}"],
        &["completions", "tcsh"],
    ];
    for args in cases {
        let run = sim.run(args.iter());
        run.no_crash_text();
        assert!(
            matches!(run.code, 0 | 1 | 2 | 4),
            "{args:?}: exit {}\n{}",
            run.code,
            run.stderr
        );
    }
}
