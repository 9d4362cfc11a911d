use lsm_core::{BlockingClient, Provisioning};
use std::time::Duration;

#[test]
fn smoke() {
    let dir = tempfile::tempdir().unwrap();
    let uri = format!("sim://?statefile={}/s.db", dir.path().display());
    let exe = std::path::Path::new(env!("CARGO_BIN_EXE_sim_lsmplugin"));
    let mut c = BlockingClient::builder(&uri)
        .timeout(Duration::from_secs(10))
        .plugin_exe(exe)
        .plugin_env("LSM_SIM_TIME", "0")
        .connect()
        .unwrap();
    let systems = c.systems().unwrap();
    assert_eq!(systems[0].id, "sim-01");
    let pools = c.pools(None).unwrap();
    assert_eq!(pools.len(), 4);
    let job = c
        .volume_create(&pools[3], "v1", 1 << 30, Provisioning::DEFAULT)
        .unwrap();
    let v = c.wait_done(job).unwrap();
    assert_eq!(v.id, "VOL_ID_00001");
    let caps = c.capabilities(&systems[0]).unwrap();
    assert!(caps.supported(lsm_core::Capability::VOLUMES));
    c.close().unwrap();
}
