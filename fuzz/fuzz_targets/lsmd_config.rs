//! lsmd's configuration reader (libconfig syntax): `lsmd.conf` and
//! `pluginconf.d/<name>.conf` text, then the settings lsmd takes from it.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use lsmd::config::{DaemonConfig, PluginConfig, parse_config};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(file) = parse_config(text, Path::new("/etc/lsm/lsmd.conf")) else {
        return;
    };
    let _ = DaemonConfig::from_config_file(&file);
    let _ = PluginConfig::from_config_file(&file);
    for setting in ["allow-plugin-root-privilege", "require-root-privilege"] {
        let _ = file.setting(setting);
        let _ = file.bool_setting(setting);
    }
});
