//! The inventory a fresh state starts with: a small two-node cluster
//! (every number here is *chosen*).

use uuid::Uuid;

use super::model::*;
use crate::core::time::now_iso8601;

const GIB: u64 = 1 << 30;
const TIB: u64 = 1 << 40;

fn id() -> String {
    Uuid::new_v4().to_string()
}

/// Cluster `cl1`: nodes `cl1-01`/`cl1-02`, root aggregates `aggr0_cl1_01`/
/// `aggr0_cl1_02`, data aggregates `aggr1`/`aggr2` (1 TiB each), SVM `vs0`
/// (iSCSI, FC, NFS) with volumes `vs0_root`, `vol1` (thin, 100 GiB, exported
/// at `/vol1`) and `vol2` (thick, 50 GiB), policy `default`, two iSCSI
/// LIFs, one NFS LIF, the cluster management LIF, two FC LIFs, 24 SSDs.
pub fn default_inventory() -> Inventory {
    let now = now_iso8601();
    let cluster_uuid = id();
    let nodes: Vec<Node> = (1..=2)
        .map(|i| Node {
            uuid: id(),
            name: format!("cl1-0{i}"),
            serial_number: format!("72190000012{i}"),
            model: "AFF-A250".into(),
            state: "up".into(),
        })
        .collect();
    let mut aggregates = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        aggregates.push(Aggregate {
            uuid: id(),
            name: format!("aggr0_cl1_0{}", i + 1),
            node: n.uuid.clone(),
            size: 160 * GIB,
            base_used: 152 * GIB,
            raid_type: "raid_dp".into(),
            disk_count: 3,
            state: "online".into(),
        });
    }
    for (i, n) in nodes.iter().enumerate() {
        aggregates.push(Aggregate {
            uuid: id(),
            name: format!("aggr{}", i + 1),
            node: n.uuid.clone(),
            size: TIB,
            base_used: 0,
            raid_type: "raid_dp".into(),
            disk_count: 8,
            state: "online".into(),
        });
    }
    let svm_uuid = id();
    let svm = Svm {
        uuid: svm_uuid.clone(),
        name: "vs0".into(),
        iqn: format!(
            "iqn.1992-08.com.netapp:sn.{}:vs.3",
            svm_uuid.replace('-', "")
        ),
        aggregates: vec![aggregates[2].uuid.clone(), aggregates[3].uuid.clone()],
    };
    let default_policy = ExportPolicy {
        id: 12_884_901_889,
        name: "default".into(),
        svm: svm_uuid.clone(),
        rules: vec![ExportRule {
            index: 1,
            clients: vec!["0.0.0.0/0".into()],
            protocols: vec!["any".into()],
            ro_rule: vec!["any".into()],
            rw_rule: vec!["any".into()],
            superuser: vec!["any".into()],
            anonymous_user: "65534".into(),
            allow_suid: true,
        }],
    };
    let vol =
        |name: &str, aggr: &Aggregate, size: u64, guarantee: &str, path: Option<&str>| Volume {
            uuid: id(),
            name: name.into(),
            svm: svm_uuid.clone(),
            aggregate: aggr.uuid.clone(),
            size,
            guarantee: guarantee.into(),
            state: "online".into(),
            nas_path: path.map(str::to_string),
            export_policy: default_policy.id,
            clone: None,
            create_time: now.clone(),
            security_style: "unix".into(),
            comment: String::new(),
            language: "c.utf_8".into(),
            snapshot_policy: "default".into(),
            snapshot_reserve_percent: 0,
            dedupe: "none".into(),
            compression: "none".into(),
        };
    let volumes = vec![
        vol("vs0_root", &aggregates[2], GIB, "volume", Some("/")),
        vol("vol1", &aggregates[2], 100 * GIB, "none", Some("/vol1")),
        vol("vol2", &aggregates[3], 50 * GIB, "volume", None),
    ];
    let lif = |name: &str, addr: &str, svc: &[&str], node: &Node, port: &str, svm: Option<&str>| {
        IpInterface {
            uuid: id(),
            name: name.into(),
            svm: svm.map(str::to_string),
            address: addr.into(),
            netmask: 24,
            services: svc.iter().map(|s| s.to_string()).collect(),
            node: node.uuid.clone(),
            port: port.into(),
        }
    };
    let ip_interfaces = vec![
        lif(
            "cluster_mgmt",
            "192.168.10.5",
            &["management_core", "management_https"],
            &nodes[0],
            "e0M",
            None,
        ),
        lif(
            "lif_iscsi_1",
            "192.168.10.11",
            &["data_core", "data_iscsi"],
            &nodes[0],
            "e0c",
            Some(&svm_uuid),
        ),
        lif(
            "lif_iscsi_2",
            "192.168.10.12",
            &["data_core", "data_iscsi"],
            &nodes[1],
            "e0c",
            Some(&svm_uuid),
        ),
        lif(
            "lif_nfs_1",
            "192.168.10.21",
            &["data_core", "data_nfs"],
            &nodes[0],
            "e0d",
            Some(&svm_uuid),
        ),
    ];
    let fc_interfaces = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| FcInterface {
            uuid: id(),
            name: format!("lif_fc_{}", i + 1),
            svm: svm_uuid.clone(),
            wwpn: format!("20:0{}:00:a0:98:6b:3c:5d", i + 1),
            wwnn: "20:00:00:a0:98:6b:3c:5d".into(),
            node: n.uuid.clone(),
            port: "0e".into(),
        })
        .collect();
    // Bays 0-2 / 3-5: root aggregates; 6-13 / 14-21: aggr1 / aggr2; 22-23 spare.
    let disks = (0..24u32)
        .map(|bay| {
            let (node, aggregate) = match bay {
                0..=2 => (0, Some(0)),
                3..=5 => (1, Some(1)),
                6..=13 => (0, Some(2)),
                14..=21 => (1, Some(3)),
                _ => ((bay % 2) as usize, None),
            };
            Disk {
                name: format!("1.0.{bay}"),
                uuid: id(),
                serial_number: format!("S3SGNA0M{:06}", 400_100 + bay),
                node: nodes[node].uuid.clone(),
                aggregate: aggregate.map(|a: usize| aggregates[a].uuid.clone()),
                bay,
                usable_size: 894 * GIB,
            }
        })
        .collect();
    Inventory {
        version: STATE_VERSION,
        cluster_name: "cl1".into(),
        cluster_uuid,
        nodes,
        aggregates,
        svms: vec![svm],
        volumes,
        snapshots: Vec::new(),
        luns: Vec::new(),
        igroups: Vec::new(),
        lun_maps: Vec::new(),
        iscsi_credentials: Vec::new(),
        export_policies: vec![default_policy],
        next_policy_id: 12_884_901_890,
        ip_interfaces,
        fc_interfaces,
        disks,
        jobs: Vec::new(),
    }
}
