#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/.

Sources: the wire vectors (../shared/wire-vectors, real sessions of the reference
client and sim), plugin-linux's captured tool outputs (plugin-linux/tests/fixtures),
lsmd's shipped configuration files, and this host's mount table. The REST and ganesha
seeds come from the Rust recorders (see fuzz/README.md), not from here.

Usage: fuzz/seeds/make_seeds.py [WIRE_VECTORS_DIR]   (default: ../shared/wire-vectors
relative to the repository root). Rewrites only the seeds it makes.
"""
import glob
import hashlib
import json
import os
import sys

FUZZ = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(FUZZ)
VECTORS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "wire-vectors")
FIXTURES = os.path.join(ROOT, "plugin-linux", "tests", "fixtures")
ORDER = ["register_systems_unregister", "pools", "capabilities", "volume_create_job",
         "volume_create_name_conflict", "volumes_bad_search_key", "access_group_mask",
         "fs_snapshot_export", "unknown_method", "plugin_info", "time_out_set_get"]


def write(target, name, data):
    directory = os.path.join(FUZZ, "corpus", target)
    os.makedirs(directory, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(directory, name), "wb") as seed:
        seed.write(data)


def sessions():
    """Each session of the wire vectors: [(dir, frame bytes)]."""
    out = {}
    for name in ORDER:
        path = os.path.join(VECTORS, name + ".jsonl")
        with open(path) as lines:
            out[name] = [(d["dir"], d["frame"].encode())
                         for d in map(json.loads, lines) if d]
    return out


def objects(all_sessions):
    """The first object of each class seen in the vectors."""
    seen = {}

    def walk(value):
        if isinstance(value, dict):
            if "class" in value:
                seen.setdefault(value["class"], value)
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for frames in all_sessions.values():
        for _, frame in frames:
            walk(json.loads(frame[10:]))
    return seen


def request(method, **params):
    params.setdefault("flags", 0)
    return json.dumps({"method": method, "id": 100, "params": params}, separators=(",", ":"))


def sim_sessions(o):
    """Sessions over the sim's default inventory that reach every method family."""
    system, pool, vol = o["System"], o["Pool"], o["Volume"]
    ag, fs, snap, export = o["AccessGroup"], o["FileSystem"], o["FsSnapshot"], o["NfsExport"]
    disk = {"class": "Disk", "id": "DISK_ID_00000", "name": "disk0", "disk_type": 9,
            "block_size": 512, "num_of_blocks": 4194304, "status": 2, "system_id": "sim-01",
            "plugin_data": None, "vpd83": "", "location": "", "rpm": -2, "link_type": -2}
    disk2 = dict(disk, id="DISK_ID_00001", name="disk1")
    none = {"search_key": None, "search_value": None}
    listings = [request(m, **none) for m in
                ["pools", "volumes", "disks", "access_groups", "target_ports", "fs",
                 "exports", "batteries"]]
    listings += [request("systems"), request("capabilities", system=system),
                 request("pools", search_key="system_id", search_value="sim-01"),
                 request("volumes", search_key="pool_id", search_value="POOL_ID_00001"),
                 request("export_auth"), request("volume_replicate_range_block_size",
                                                 system=system),
                 request("volume_raid_create_cap_get", system=system),
                 request("pool_member_info", pool=pool), request("time_out_get"),
                 request("plugin_info")]
    san = [
        request("volume_create", pool=pool, volume_name="vol1", size_bytes=1 << 30,
                provisioning=3),
        request("job_status", job_id="JOB_ID_00001"),
        request("job_free", job_id="JOB_ID_00001"),
        request("volume_resize", volume=vol, new_size_bytes=2 << 30),
        request("volume_replicate", pool=None, rep_type=2, volume_src=vol, name="vol1c"),
        request("volume_replicate_range", rep_type=2, volume_src=vol, volume_dest=vol,
                ranges=[{"class": "BlockRange", "src_block": 0, "dest_block": 100,
                         "block_count": 10}]),
        request("volume_disable", volume=vol), request("volume_enable", volume=vol),
        request("access_group_create", name="ag1", init_id="iqn.1994-05.com.example:host1",
                init_type=5, system=system),
        request("access_group_initiator_add", access_group=ag,
                init_id="20:00:00:00:c9:12:34:56", init_type=2),
        request("volume_mask", access_group=ag, volume=vol),
        request("volumes_accessible_by_access_group", access_group=ag),
        request("access_groups_granted_to_volume", volume=vol),
        request("iscsi_chap_auth", init_id="iqn.1994-05.com.example:host1", in_user="u",
                in_password="p", out_user=None, out_password=None),
        request("volume_unmask", access_group=ag, volume=vol),
        request("access_group_initiator_delete", access_group=ag,
                init_id="20:00:00:00:c9:12:34:56", init_type=2),
        request("volume_child_dependency", volume=vol),
        request("volume_child_dependency_rm", volume=vol),
        request("volume_raid_info", volume=vol), request("volume_cache_info", volume=vol),
        request("volume_physical_disk_cache_update", volume=vol, pdc=2),
        request("volume_write_cache_policy_update", volume=vol, wcp=2),
        request("volume_read_cache_policy_update", volume=vol, rcp=2),
        request("volume_ident_led_on", volume=vol), request("volume_ident_led_off", volume=vol),
        request("system_read_cache_pct_update", system=system, read_pct=50),
        request("volume_raid_create", name="raid1", raid_type=1, disks=[disk, disk2],
                strip_size=131072),
        request("access_group_delete", access_group=ag),
        request("volume_delete", volume=vol),
        request("time_out_set", ms=40000),
    ]
    nas = [
        request("fs_create", pool=pool, name="fs1", size_bytes=512 << 20),
        request("fs_resize", fs=fs, new_size_bytes=1 << 30),
        request("fs_snapshot_create", fs=fs, snapshot_name="snap1"),
        request("fs_snapshots", fs=fs),
        request("fs_clone", src_fs=fs, dest_fs_name="fs1c", snapshot=None),
        request("fs_file_clone", fs=fs, src_file_name="a", dest_file_name="b", snapshot=snap),
        request("fs_child_dependency", fs=fs, files=None),
        request("fs_child_dependency_rm", fs=fs, files=None),
        request("fs_snapshot_restore", fs=fs, snapshot=snap, files=None, restore_files=None,
                all_files=True),
        request("export_fs", fs_id="FS_ID_00001", export_path="/mnt/fs1",
                root_list=["192.168.0.1"], rw_list=["192.168.0.1"], ro_list=[], anon_uid=-1,
                anon_gid=-1, auth_type=None, options=None),
        request("exports", **none),
        request("export_remove", export=export),
        request("fs_snapshot_delete", fs=fs, snapshot=snap),
        request("fs_delete", fs=fs),
    ]
    return {"listings": listings, "san": san, "nas": nas, "everything": listings + san + nas}


def main():
    all_sessions = sessions()
    o = objects(all_sessions)
    everything = []
    for name, frames in all_sessions.items():
        c2p = [frame for d, frame in frames if d == "c2p"]
        p2c = [frame for d, frame in frames if d == "p2c"]
        # ipc_frames: cap byte, four read sizes, then the stream.
        write("ipc_frames", name + "-c2p", b"\0\0\0\0\0" + b"".join(c2p))
        write("ipc_frames", name + "-p2c-short-reads", b"\0\x01\x03\x07\x00" + b"".join(p2c))
        lines = b"\n".join(frame[10:] for frame in c2p) + b"\n"
        write("core_requests", name, lines)
        write("runner_sim", name, lines)
        everything += [frame[10:] for frame in c2p
                       if b'"plugin_register"' not in frame and b'"plugin_unregister"' not in frame]
        for frame in p2c:
            payload = frame[10:]
            write("core_replies", name + "-" + hashlib.sha1(payload).hexdigest()[:8], payload)
            reply = json.loads(payload)
            result = reply.get("result")
            if isinstance(result, dict) and result.get("class") == "Capabilities":
                write("capabilities_hex", "sim-01", result["cap"])
    write("runner_sim", "all-wire-vector-sessions", b"\n".join(everything) + b"\n")
    write("ipc_frames", "cap-64-bytes", b"\x01\0\0\0\0" + all_sessions["pools"][3][1])
    write("ipc_frames", "broken-header", b"\0\0\0\0\0" + b"00000000a7{}")
    for name, lines in sim_sessions(o).items():
        text = "\n".join(lines) + "\n"
        write("runner_sim", "methods-" + name, text)
        write("core_requests", "methods-" + name, text)
    for cls, obj in o.items():
        write("core_replies", "object-" + cls, json.dumps(obj))
    for text in ["", "00", "01", "0A0b", "0", "zz",
                 "01" * 20 + "00" * 80 + "01" * 412]:
        write("capabilities_hex", "hex-" + (text[:8] or "empty"), text)

    for name, uri in {
        "sim": "sim://", "sim-statefile": "sim://?statefile=/tmp/x.db",
        "ontap": "ontap://admin@10.0.0.1:443?svm=vs0&no_ssl_verify=yes",
        "nstor": "nstor://admin@nexenta.example.com?pool=tank&volume_group=vg1",
        "smis-ipv6": "smispy+ssl://user@[fe80::1]:5989/root/emc?namespace=x&a=%2F#frag",
        "ipv6-bare": "ontap://fe80::1", "linux": "linux://?config=/etc/lsm/linux.toml",
        "password": "ontap://user:secret@host", "no-scheme": "host:443",
        "unity": "unity+ssl://admin@unity.example.com:8443/?ca_cert=/x.pem&k&&v=",
    }.items():
        write("uri", name, uri)

    fixture_targets = {"btrfs-": "linux_btrfs", "lvm-": "linux_lvm", "tgtadm-": "linux_tgtadm"}
    for path in sorted(glob.glob(os.path.join(FIXTURES, "*"))):
        base = os.path.basename(path)
        for prefix, target in fixture_targets.items():
            if base.startswith(prefix):
                with open(path, "rb") as fixture:
                    write(target, base, fixture.read())
    with open("/proc/self/mounts", "rb") as mounts:
        table = mounts.read()
    extra = (b"/dev/loop0 /srv/pool\\040one btrfs rw,relatime,space_cache=v2,subvolid=5,"
             b"subvol=/ 0 0\n/dev/loop0 /srv/nfs/fs1 btrfs rw,relatime,subvolid=257,"
             b"subvol=/lsm-fs/fs1 0 0\ngarbage\n")
    write("linux_mounts", "proc-self-mounts", table)
    write("linux_mounts", "btrfs-subvolumes", extra)
    write("linux_btrfs", "mounts-btrfs-subvolumes", extra)

    for path in sorted(glob.glob(os.path.join(ROOT, "lsmd", "conf", "**", "*.conf"),
                                 recursive=True)):
        with open(path, "rb") as conf:
            write("lsmd_config", os.path.basename(path), conf.read())
    write("lsmd_config", "libconfig-everything",
          '/* c */ // line\n# hash\nallow-plugin-root-privilege : TRUE,\n'
          'n = 0x1fL; f = -1.5e3; s = "a\\"b" "c\\x41";\n'
          'g = { inner = [1, 2, 3]; l = ( "x", { y = false; } ); };\n')


if __name__ == "__main__":
    main()
