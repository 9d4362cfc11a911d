//! The default appliance: a small NexentaStor 5 box (names *chosen*, listed
//! in the crate README).

use serde_json::json;

use super::model::{
    Address, Appliance, Dataset, Disk, Group, Kind, NfsShare, Pool, Portal, STATE_VERSION, Service,
    Target, Vdev, hex, new_guid, now_time,
};

const TIB: u64 = 1 << 40;

/// The default target's IQN.
pub const TARGET_IQN: &str = "iqn.2010-08.org.illumos:02:nexentastor-sim";

/// A dataset of `kind` at `path` with the defaults of a new one.
pub fn new_dataset(path: &str, kind: Kind, txg: u64) -> Dataset {
    Dataset {
        path: path.to_string(),
        kind,
        guid: new_guid(),
        creation_time: now_time(),
        creation_txg: txg,
        origin: String::new(),
        written: 0,
        compression_mode: "lz4".into(),
        dedup_mode: "off".into(),
        read_only: false,
        quota: 0,
        reservation: 0,
        record_size: 131_072,
        mounted: kind == Kind::Filesystem,
        non_blocking_mandatory_mode: false,
        smart_compression: false,
        acl: Vec::new(),
        volume_size: 0,
        volume_block_size: 32_768,
        sparse: false,
    }
}

fn disk(n: usize, size: u64, model: &str, pool: &str, role: &str) -> Disk {
    Disk {
        logical_device: format!("c0t5000C5{:08X}d0", 0x00A1_0000 + n),
        size,
        vendor: if model.starts_with("PX") {
            "TOSHIBA"
        } else {
            "SEAGATE"
        }
        .into(),
        model: model.into(),
        serial: format!("SIM{:05}{}", n, &hex(4)),
        pool: pool.into(),
        role: role.into(),
    }
}

/// The appliance a fresh state directory starts with.
pub fn default_appliance() -> Appliance {
    let disks: Vec<Disk> = (0..4)
        .map(|n| disk(n, TIB, "PX05SMB100", "pool1", "data"))
        .chain([disk(4, TIB, "PX05SMB100", "pool1", "spare")])
        .chain((5..8).map(|n| disk(n, 2 * TIB, "ST2000NM0045", "pool2", "data")))
        .collect();
    let names = |r: std::ops::Range<usize>| -> Vec<String> {
        disks[r].iter().map(|d| d.logical_device.clone()).collect()
    };
    let pools = vec![
        Pool {
            name: "pool1".into(),
            size: 2 * TIB,
            health: "ONLINE".into(),
            vdevs: vec![
                Vdev {
                    name: "mirror-0".into(),
                    disks: names(0..2),
                },
                Vdev {
                    name: "mirror-1".into(),
                    disks: names(2..4),
                },
            ],
            guid: new_guid(),
        },
        Pool {
            name: "pool2".into(),
            size: 4 * TIB,
            health: "ONLINE".into(),
            vdevs: vec![Vdev {
                name: "raidz1-0".into(),
                disks: names(5..8),
            }],
            guid: new_guid(),
        },
    ];
    let mut vg = new_dataset("pool1/iscsi", Kind::VolumeGroup, 12);
    vg.volume_block_size = 32_768;
    let datasets = vec![
        new_dataset("pool1", Kind::Filesystem, 4),
        new_dataset("pool2", Kind::Filesystem, 4),
        vg,
        new_dataset("pool1/nfs", Kind::Filesystem, 13),
    ];
    let service = |name: &str, enabled: bool| Service {
        name: name.into(),
        enabled,
    };
    let address = |name: &str, address: &str| Address {
        name: name.into(),
        address: address.into(),
    };
    Appliance {
        version: STATE_VERSION,
        system_guid: uuid::Uuid::new_v4().simple().to_string(),
        host_name: "nexentastor-sim".into(),
        next_txg: 100,
        pools,
        disks,
        datasets,
        snapshots: Vec::new(),
        host_groups: Vec::new(),
        target_groups: vec![Group {
            name: "tg1".into(),
            members: vec![TARGET_IQN.into()],
        }],
        targets: vec![Target {
            name: TARGET_IQN.into(),
            alias: "nexentastor-sim".into(),
            authentication: "none".into(),
            chap_user: String::new(),
            chap_secret: String::new(),
            portals: vec![
                Portal {
                    address: "192.168.20.11".into(),
                    port: 3260,
                },
                Portal {
                    address: "192.168.20.12".into(),
                    port: 3260,
                },
            ],
        }],
        remote_initiators: Vec::new(),
        mappings: Vec::new(),
        logical_units: Vec::new(),
        nfs: vec![NfsShare {
            filesystem: "pool1/nfs".into(),
            anon: "nobody".into(),
            read_only: false,
            nohide: false,
            security_contexts: vec![json!({
                "securityModes": ["sys"],
                "readWriteList": [{"etype": "network", "entity": "0.0.0.0", "mask": 0, "allow": true}],
            })],
        }],
        services: vec![
            service("iscsit", true),
            service("nfs", true),
            service("smb", false),
            service("stmf", true),
        ],
        addresses: vec![
            address("lo0/v4", "127.0.0.1/8"),
            address("vmxnet3s0/v4", "192.168.20.10/24"),
            address("vmxnet3s1/v4", "192.168.20.11/24"),
            address("vmxnet3s2/v4", "192.168.20.12/24"),
        ],
        jobs: Vec::new(),
        hpr: Vec::new(),
    }
}
