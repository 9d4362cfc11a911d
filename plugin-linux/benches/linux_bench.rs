//! `cargo bench -p plugin-linux` (root): 100 fs creates + 100 snapshots +
//! 100 volume creates and masks on a real `lsm-linux-testenv` array, time
//! per operation; `fs`/`volumes` listing time with 1,000 of each.

#[path = "../tests/support/mod.rs"]
mod support;

use lsm_core::{BlockingClient, FileSystem, InitiatorType, Pool, Provisioning, System, Volume};
use support::*;

fn pool_named(client: &mut BlockingClient, name: &str) -> Pool {
    client
        .pools(None)
        .unwrap()
        .into_iter()
        .find(|pool| pool.name == name)
        .unwrap_or_else(|| panic!("no pool {name}"))
}

fn system_of(client: &mut BlockingClient) -> System {
    client.systems().unwrap().remove(0)
}

fn create_volume(client: &mut BlockingClient, pool: &Pool, name: &str, size: i64) -> Volume {
    let started = client.volume_create(pool, name, size, Provisioning::DEFAULT);
    done(client, started)
}

fn create_fs(client: &mut BlockingClient, pool: &Pool, name: &str, size: i64) -> FileSystem {
    let started = client.fs_create(pool, name, size);
    done(client, started)
}

/// Milliseconds per operation of `count` runs of `operation`.
fn per_operation(count: usize, mut operation: impl FnMut(usize)) -> f64 {
    let started = std::time::Instant::now();
    for index in 0..count {
        operation(index);
    }
    started.elapsed().as_secs_f64() * 1000.0 / count as f64
}

/// The figures of the README's "Figures" section.
fn main() {
    require_root("the linux bench (a real array)");
    let array = TestArray::up();
    let mut client = array.client();
    let system = system_of(&mut client);
    let pool = pool_named(&mut client, "btrfs0");
    let mut file_systems = Vec::new();
    let fs_create = per_operation(100, |index| {
        file_systems.push(create_fs(
            &mut client,
            &pool,
            &format!("bench_fs_{index}"),
            64 * MIB,
        ));
    });
    let snapshot_create = per_operation(100, |index| {
        let started = client.fs_snapshot_create(&file_systems[index], "snap");
        done(&mut client, started);
    });
    let group = client
        .access_group_create(
            "bench",
            "iqn.2024-01.org.lsm-rs.test:bench",
            InitiatorType::ISCSI_IQN,
            &system,
        )
        .unwrap();
    let mut volume_create = 0.0;
    let mut volume_mask = 0.0;
    for index in 0..100 {
        let started = std::time::Instant::now();
        let volume = create_volume(&mut client, &pool, &format!("bench_vol_{index}"), 16 * MIB);
        volume_create += started.elapsed().as_secs_f64() * 10.0;
        let started = std::time::Instant::now();
        client.volume_mask(&group, &volume).unwrap();
        volume_mask += started.elapsed().as_secs_f64() * 10.0;
    }
    // 1,000 of each for the listings, made directly on the host.
    let root = array.btrfs_mount();
    for index in 100..1000 {
        let (ok, text) = run(
            "btrfs",
            &[
                "subvolume",
                "create",
                root.join(format!("lsm-fs/bench_fs_{index}"))
                    .to_str()
                    .unwrap(),
            ],
        );
        assert!(ok, "{text}");
        plugin_linux::btrfs::create_sparse_file(
            &root.join(format!("lsm-volumes/bench_vol_{index}.img")),
            16 << 20,
        )
        .unwrap();
    }
    let mut listed = 0;
    let fs_listing = per_operation(5, |_| listed = client.fs(None).unwrap().len());
    assert_eq!(listed, 1000);
    let volume_listing = per_operation(5, |_| listed = client.volumes(None).unwrap().len());
    assert_eq!(listed, 1000);
    eprintln!(
        "FIGURES fs_create {fs_create:.1} ms, fs_snapshot_create {snapshot_create:.1} ms, \
         volume_create {volume_create:.1} ms, volume_mask {volume_mask:.1} ms (per operation, \
         100 each); fs listing {fs_listing:.0} ms and volumes listing {volume_listing:.0} ms \
         with 1,000 of each"
    );
}
