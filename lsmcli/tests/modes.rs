//! Output modes and conveniences: `--json`, aliases, size suffixes, URI precedence, several
//! `--uri` on `list`, `list --type PLUGINS`, completions, the man page, version and help.

mod support;

use serde_json::json;
use support::Sim;

#[test]
fn json_list_is_the_wire_objects() {
    let sim = Sim::new();
    for (_, run) in sim.populate() {
        run.ok();
    }
    let volumes = sim.run(["--json", "list", "--type", "volumes"]).json();
    let first = &volumes[0];
    let keys: Vec<&str> = first
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(
        keys,
        [
            "class",
            "id",
            "name",
            "vpd83",
            "block_size",
            "num_of_blocks",
            "admin_state",
            "system_id",
            "pool_id",
            "plugin_data"
        ]
    );
    assert_eq!(first["class"], "Volume");
    assert_eq!(first["admin_state"], 1);
    let pools = sim.run(["list", "--type", "pools", "--json"]).json();
    assert_eq!(pools[0]["element_type"], 1054);
    assert_eq!(pools.as_array().map(Vec::len), Some(4));
    let battery = sim.run(["--json", "list", "--type", "batteries"]).json();
    assert_eq!(battery[0]["class"], "Battery");
    assert_eq!(battery[0]["type"], 3);
    let auth = sim
        .run(["--json", "list", "--type", "nfs_client_auth"])
        .json();
    assert_eq!(auth, json!(["standard"]));
    // -H, -e, -s, -t do not change JSON.
    let same = sim
        .run([
            "--json", "-H", "-e", "-s", "-t,", "list", "--type", "volumes",
        ])
        .json();
    assert_eq!(same, volumes);
}

#[test]
fn json_for_every_other_kind_of_result() {
    let sim = Sim::new();
    let created = sim
        .run([
            "--json",
            "volume-create",
            "--name",
            "j",
            "--size",
            "1GiB",
            "--pool",
            "POOL_ID_00004",
        ])
        .json();
    assert_eq!(created["class"], "Volume");
    assert_eq!(created["name"], "j");
    let id = created["id"].as_str().unwrap_or_default().to_string();

    assert_eq!(
        sim.run(["--json", "volume-disable", "--vol", &id]).json(),
        json!(null)
    );
    assert_eq!(
        sim.run(["--json", "volume-dependants", "--vol", &id])
            .json(),
        json!(false)
    );
    let caps = sim
        .run(["--json", "capabilities", "--sys", "sim-01"])
        .json();
    assert_eq!(caps["VOLUMES"], json!(true));
    assert_eq!(caps["POOLS_QUICK_SEARCH"], json!(false));
    assert_eq!(caps.as_object().map(|o| o.len()), Some(81));
    let info = sim.run(["--json", "plugin-info"]).json();
    assert!(info["description"].is_string() && info["version"].is_string());
    let raid = sim.run(["--json", "volume-raid-info", "--vol", &id]).json();
    assert_eq!(raid["volume_id"], json!(id));
    assert!(raid["raid_type"].is_i64());
    let members = sim
        .run(["--json", "pool-member-info", "--pool", "POOL_ID_00001"])
        .json();
    assert_eq!(
        members["member_ids"],
        json!(["DISK_ID_00001", "DISK_ID_00002"])
    );
    let cache = sim
        .run(["--json", "volume-cache-info", "--vol", &id])
        .json();
    assert!(cache["write_cache_policy"].is_i64());
    let block = sim
        .run([
            "--json",
            "volume-replicate-range-block-size",
            "--sys",
            "sim-01",
        ])
        .json();
    assert!(block.is_i64());
    assert_eq!(
        sim.run(["--json", "-f", "volume-delete", "--vol", &id])
            .json(),
        json!(null)
    );

    // A job started with -b, then its status.
    let started = sim.run_env(
        &[("LSM_SIM_TIME", "5")],
        [
            "--json",
            "-b",
            "fs-create",
            "--name",
            "bg",
            "--size",
            "1GiB",
            "--pool",
            "POOL_ID_00004",
        ],
    );
    started.expect_code(7);
    let job = started.json()["job_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(job.starts_with("JOB_ID_"), "{}", started.stdout);
    let status = sim.run(["--json", "job-status", "--job", &job]);
    status.expect_code(7);
    let report = status.json();
    assert_eq!(report["job_id"], json!(job));
    assert_eq!(report["status"], json!(1));
    assert!(report["percent"].is_u64());
    assert_eq!(report["item"], json!(null));

    // Errors keep stdout empty and go to stderr as usual.
    let error = sim.run(["--json", "volume-delete", "--vol", "VOL_ID_99999", "-f"]);
    error.expect_code(2);
    assert!(error.stdout.is_empty());
}

#[test]
fn aliases_run_their_commands() {
    let sim = Sim::new();
    for (alias, kind) in [
        ("ls", "systems"),
        ("lp", "pools"),
        ("lv", "volumes"),
        ("ld", "disks"),
        ("la", "access_groups"),
        ("lf", "fs"),
        ("lt", "target_ports"),
        ("lb", "batteries"),
    ] {
        let by_alias = sim.run(["-t,", alias]);
        let by_name = sim.run(["-t,", "list", "--type", kind]);
        assert_eq!(by_alias.ok(), by_name.ok(), "{alias}");
    }
    assert_eq!(
        sim.run(["c", "--sys", "sim-01"]).ok(),
        sim.run(["capabilities", "--sys", "sim-01"]).ok()
    );
    assert_eq!(sim.run(["p"]).ok(), sim.run(["plugin-info"]).ok());
    let id = sim.create_id(&[
        "vc",
        "--name",
        "aliased",
        "--size",
        "1GiB",
        "--pool",
        "POOL_ID_00004",
    ]);
    let group = sim.create_id(&[
        "ac",
        "--name",
        "g",
        "--init",
        "iqn.1994-05.com.example:g",
        "--sys",
        "sim-01",
    ]);
    sim.run(["aa", "--ag", &group, "--init", "iqn.1994-05.com.example:h"])
        .ok();
    sim.run(["ar", "--ag", &group, "--init", "iqn.1994-05.com.example:h"])
        .ok();
    sim.run(["vm", "--vol", &id, "--ag", &group]).ok();
    sim.run(["vu", "--vol", &id, "--ag", &group]).ok();
    sim.run(["ad", "--ag", &group]).ok();
    sim.run(["vi", "--vol", &id]).ok();
    sim.run(["ve", "--vol", &id]).ok();
    assert!(sim.run(["vri", "--vol", &id]).ok().contains(&id));
    assert!(sim.run(["vci", "--vol", &id]).ok().contains(&id));
    sim.run(["vilon", "--vol", &id]).ok();
    sim.run(["viloff", "--vol", &id]).ok();
    assert!(
        sim.run(["pmi", "--pool", "POOL_ID_00001"])
            .ok()
            .contains("RAID1")
    );
    assert!(sim.run(["vrcc", "--sys", "sim-01"]).ok().contains("sim-01"));
    assert!(
        sim.run(["srcpu", "--sys", "sim-01", "--read-pct", "20"])
            .ok()
            .contains("20")
    );
    assert!(
        sim.run(["vwcpu", "--vol", &id, "--policy", "WT"])
            .ok()
            .contains("Write Through")
    );
    assert!(
        sim.run(["vrcpu", "--vol", &id, "--policy", "DISABLE"])
            .ok()
            .contains("Disabled")
    );
    assert!(
        sim.run(["vpdcu", "--vol", &id, "--policy", "ENABLE"])
            .ok()
            .contains(&id)
    );
    sim.run(["-f", "vr", "--vol", &id, "--size", "2GiB"]).ok();
    sim.run(["-f", "vd", "--vol", &id]).ok();
    let raid = sim.create_id(&[
        "vrc",
        "--name",
        "r",
        "--raid-type",
        "RAID0",
        "--disk",
        "DISK_ID_00011",
    ]);
    sim.run(["-f", "vd", "--vol", &raid]).ok();
    assert_eq!(sim.run(["lv"]).ok(), "");
    sim.run_bare(["ldl"]).ok();
}

#[test]
fn size_suffixes_reach_the_plugin_exactly() {
    let sim = Sim::new();
    let cases: &[(&str, u64)] = &[
        ("1", 1),
        ("512B", 512),
        ("1k", 1 << 10),
        ("1K", 1 << 10),
        ("1KiB", 1 << 10),
        ("1KB", 1_000),
        ("1.5KiB", 1536),
        ("2m", 2 << 20),
        ("2MiB", 2 << 20),
        ("2MB", 2_000_000),
        ("1g", 1 << 30),
        ("1GiB", 1 << 30),
        ("1GB", 1_000_000_000),
        ("1.5GiB", 1_610_612_736),
        ("1t", 1 << 40),
        ("1TiB", 1 << 40),
        ("1TB", 1_000_000_000_000),
        ("1p", 1 << 50),
        ("1PiB", 1 << 50),
        ("1PB", 1_000_000_000_000_000),
        ("1 MiB", 1 << 20),
    ];
    for (index, (size, bytes)) in cases.iter().enumerate() {
        let name = format!("size{index}");
        let row = sim.run([
            "-t,",
            "fs-create",
            "--name",
            &name,
            "--size",
            size,
            "--pool",
            "POOL_ID_00004",
        ]);
        let cells: Vec<&str> = row.ok().trim_end().split(',').collect();
        assert_eq!(cells[2], bytes.to_string(), "--size {size}");
    }
    // Human output of what was made.
    let human = sim.run(["-H", "-t,", "list", "--type", "fs", "--fs", "FS_ID_00014"]);
    assert!(human.ok().contains(",1.50 GiB,"), "{}", human.stdout);
}

#[test]
fn uri_precedence_option_env_then_config_file() {
    let sim = Sim::new();
    let env_state = sim.dir.path().join("env.db");
    let file_state = sim.dir.path().join("file.db");
    let env_uri = format!("sim://?statefile={}", env_state.display());
    let file_uri = format!("sim://?statefile={}", file_state.display());
    // Mark each state with a volume of its own name.
    for (uri, name) in [
        (&env_uri, "from-env"),
        (&file_uri, "from-file"),
        (&sim.uri, "from-option"),
    ] {
        sim.run_bare([
            "-u",
            uri,
            "volume-create",
            "--name",
            name,
            "--size",
            "1MiB",
            "--pool",
            "POOL_ID_00004",
        ])
        .ok();
    }
    std::fs::write(
        sim.home().join(".lsmcli"),
        format!("# default array\nuri = {file_uri}\n"),
    )
    .unwrap_or_else(|e| panic!("{e}"));

    let names = |run: support::Run| run.ok().to_string();
    let from_file = names(sim.run_bare(["-t,", "list", "--type", "volumes"]));
    assert!(from_file.contains("from-file"), "{from_file}");

    let mut command = sim.command();
    command
        .env("LSMCLI_URI", &env_uri)
        .args(["-t,", "list", "--type", "volumes"]);
    let output = command.output().unwrap_or_else(|e| panic!("{e}"));
    assert!(String::from_utf8_lossy(&output.stdout).contains("from-env"));

    let mut command = sim.command();
    command
        .env("LSMCLI_URI", &env_uri)
        .args(["-t,", "-u", &sim.uri, "list", "--type", "volumes"]);
    let output = command.output().unwrap_or_else(|e| panic!("{e}"));
    assert!(String::from_utf8_lossy(&output.stdout).contains("from-option"));
}

#[test]
fn several_uris_are_listed_together() {
    let sim = Sim::new();
    let other = Sim::new();
    sim.run([
        "volume-create",
        "--name",
        "first",
        "--size",
        "1MiB",
        "--pool",
        "POOL_ID_00004",
    ])
    .ok();
    other
        .run([
            "volume-create",
            "--name",
            "second",
            "--size",
            "1MiB",
            "--pool",
            "POOL_ID_00004",
        ])
        .ok();

    let run = sim.run_bare([
        "-u", &sim.uri, "list", "--type", "volumes", "-u", &other.uri,
    ]);
    let text = run.ok();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("URI "), "{text}");
    assert!(
        lines[2].starts_with(&sim.uri) && lines[2].contains("first"),
        "{text}"
    );
    assert!(
        lines[3].starts_with(&other.uri) && lines[3].contains("second"),
        "{text}"
    );

    let json = sim
        .run_bare([
            "--json", "-u", &sim.uri, "-u", &other.uri, "list", "--type", "volumes",
        ])
        .json();
    assert_eq!(json[0]["uri"], json!(sim.uri));
    assert_eq!(json[0]["result"][0]["name"], "first");
    assert_eq!(json[1]["result"][0]["name"], "second");

    // One array failing: the others still print, the exit code is the failure's.
    let partial = sim.run_bare([
        "-t,",
        "-u",
        &sim.uri,
        "-u",
        "nosuch://",
        "list",
        "--type",
        "volumes",
    ]);
    partial.expect_code(4);
    assert!(partial.stdout.contains("first"), "{}", partial.stdout);
    assert!(
        partial
            .stderr
            .starts_with("nosuch://: PLUGIN_NOT_EXIST(311): "),
        "{}",
        partial.stderr
    );
}

#[test]
fn plugins_are_listed_without_a_uri() {
    let sim = Sim::new();
    let run = sim.run_bare(["-t,", "list", "--type", "PLUGINS"]);
    let text = run.ok();
    assert!(
        text.lines()
            .any(|line| line.starts_with("lsm-rs storage simulator")),
        "{text}"
    );
    let json = sim.run_bare(["--json", "list", "--type", "plugins"]).json();
    assert!(
        json.as_array().is_some_and(|rows| rows
            .iter()
            .any(|r| r["description"] == "lsm-rs storage simulator")),
        "{json}"
    );
    let table = sim.run_bare(["list", "--type", "plugins"]);
    assert!(table.ok().starts_with("Description"), "{}", table.stdout);
}

#[test]
fn completions_man_version_help() {
    let sim = Sim::new();
    for shell in ["bash", "zsh", "fish"] {
        let script = sim.run_bare(["completions", shell]);
        let text = script.ok();
        assert!(text.contains("lsmcli"), "{shell}");
        assert!(text.contains("volume-create"), "{shell}");
        assert!(
            text.contains("--rep-type") || text.contains("rep-type"),
            "{shell}"
        );
    }
    let page = sim.run_bare(["man"]);
    let text = page.ok();
    assert!(text.contains(".TH lsmcli 1"), "{text}");
    assert!(text.contains("volume\\-create"), "{text}");

    let version = sim.run_bare(["-v"]);
    assert_eq!(
        version.ok(),
        format!("lsmcli {}\n", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(sim.run_bare(["--version"]).ok(), version.stdout);
    let help = sim.run_bare(["-h"]);
    assert!(help.ok().contains("Command aliases:"), "{}", help.stdout);
    let sub_help = sim.run_bare(["volume-create", "-h"]);
    assert!(
        sub_help.ok().contains("--provisioning"),
        "{}",
        sub_help.stdout
    );
}

#[test]
fn global_options_anywhere_and_types_in_any_case() {
    let sim = Sim::new();
    let before = sim.run(["-H", "-t,", "list", "--type", "pools"]);
    let after = sim.run(["list", "-H", "--type", "Pools", "-t,"]);
    assert_eq!(before.ok(), after.ok());
    assert!(before.stdout.contains("2.00 EiB"));
    let upper = sim.run(["list", "--type", "POOLS"]);
    let lower = sim.run(["list", "--type", "pools"]);
    assert_eq!(upper.ok(), lower.ok());
    // --header brings the header back with -t; -e gives integers.
    let header = sim.run(["-t;", "--header", "-e", "list", "--type", "systems"]);
    let lines: Vec<&str> = header.ok().lines().collect();
    assert!(lines[0].starts_with("ID    ;Name"), "{}", header.stdout);
    assert!(lines[2].contains(";2     ;"), "{}", header.stdout);
}
