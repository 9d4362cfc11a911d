"""Dell's own Unity client library, storops 1.2.12, unpatched, against lsm-arraysim.

Run by plugin-emc/tests/storops.rs through lsm_test_support::sdk::run_script, which puts
the simulator's address, account and CA certificate in the environment (ARRAYSIM_HOST,
ARRAYSIM_PORT, ARRAYSIM_USER, ARRAYSIM_PASSWORD, ARRAYSIM_CA_CERT).

    storops_flow.py flow
        A whole flow: system, pools, NAS servers, disks, ports; LUN create, find, expand,
        snap, snap copy, thin clone, host, initiator, attach/detach, deletes; file
        system create and extend, NFS shares; the array's errors as storops raises them.
        Leaves a LUN (attached to a host with an iSCSI initiator), a file system and an
        NFS share for the plugin to find. Last line: a JSON summary of what it made.
    storops_flow.py find VOLUME GROUP INITIATOR FS FS_SIZE EXPORT_PATH VOLUME_SIZE
        Finds by name what lsmcli made through emc:// and checks it. Last line: JSON.

Every step asserts what the array answered (values, not only that nothing raised).
STOROPS_DEBUG=1 turns storops' own request logging on (stderr).
"""

import json
import logging
import os
import sys

import storops
from storops import exception as ex
from storops.unity.enums import FSSupportedProtocolEnum, HostLUNAccessEnum, RaidTypeEnum

GIB = 1 << 30
TIB = 1 << 40


class Flow:
    """Counts the operations made, each one named for the failure message."""

    def __init__(self):
        self.operations = 0

    def step(self, what, fn):
        self.operations += 1
        try:
            return fn()
        except AssertionError as error:
            raise AssertionError(f"step {self.operations} ({what}): {error}") from error

    def refused(self, what, fn, exception, code, status):
        """The array refuses `fn` with HTTP `status`: storops raises `exception` with
        Unity's `code`."""

        def check():
            try:
                fn()
            except exception as error:
                # The array's errorCode (a class's error_code may list several).
                got = error.error.error_code
                assert got == code, f"error code {got}, not {code}"
                assert error.error.http_status_code == status, (
                    f"HTTP {error.error.http_status_code}, not {status}"
                )
                return error
            raise AssertionError(f"no {exception.__name__}")

        return self.step(what, check)


def connect():
    if os.environ.get("STOROPS_DEBUG"):
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    return storops.UnitySystem(
        os.environ["ARRAYSIM_HOST"],
        os.environ["ARRAYSIM_USER"],
        os.environ["ARRAYSIM_PASSWORD"],
        port=int(os.environ["ARRAYSIM_PORT"]),
        verify=os.environ["ARRAYSIM_CA_CERT"],
    )


def eq(got, want, what):
    assert got == want, f"{what}: {got!r}, expected {want!r}"


def flow():
    unity = connect()
    f = Flow()

    # The array.
    def system():
        eq(unity.name, "unity-sim", "system name")
        eq(unity.model, "Unity 500", "model")
        eq(unity.serial_number, "FNM00000000001", "serial number")

    f.step("system", system)
    f.step("software version", lambda: eq(unity.info.software_version, "5.1.2", "version"))

    def pools():
        found = {p.name: p for p in unity.get_pool()}
        eq(sorted(found), ["capacity_pool", "flash_pool"], "pool names")
        eq(found["flash_pool"].size_total, 2 * TIB, "flash_pool size")
        eq(found["capacity_pool"].size_total, 8 * TIB, "capacity_pool size")
        assert found["flash_pool"].size_free < 2 * TIB, "the system uses some of pool_1"
        eq(found["flash_pool"].raid_type, RaidTypeEnum.RAID5, "raid type")

    f.step("pools", pools)
    pool = f.step("pool by name", lambda: unity.get_pool(name="flash_pool"))
    eq(pool.get_id(), "pool_1", "pool id")

    def nas_servers():
        servers = unity.get_nas_server()
        eq([s.name for s in servers], ["nas_server_1"], "NAS servers")
        eq(servers[0].home_sp.get_id(), "spa", "home SP")
        eq([i.ip_address for i in servers[0].file_interface], ["192.168.20.10"], "NAS address")
        return servers[0]

    nas = f.step("NAS servers", nas_servers)

    def disks():
        found = unity.get_disk()
        eq(len(found), 13, "disks")
        disk = unity.get_disk(_id="dpe_disk_0")
        eq(disk.name, "DPE Disk 0", "disk name")
        eq(disk.pool.get_id(), "pool_1", "disk pool")
        eq(disk.size, 800 * GIB, "disk size")

    f.step("disks", disks)

    def ethernet_ports():
        ports = unity.get_ethernet_port()
        eq(sorted(p.get_id() for p in ports), ["spa_eth2", "spa_eth3", "spb_eth2", "spb_eth3"], "ports")
        eq(unity.get_ethernet_port(_id="spa_eth2").mac_address, "00:60:16:5C:07:0A", "MAC")

    f.step("Ethernet ports", ethernet_ports)

    def fc_ports():
        ports = unity.get_fc_port()
        eq(sorted(p.get_id() for p in ports), ["spa_fc4", "spb_fc4"], "FC ports")
        assert all(p.wwn.startswith("50:06:01:60:") for p in ports), [p.wwn for p in ports]

    f.step("FC ports", fc_ports)

    def iscsi():
        portals = unity.get_iscsi_portal()
        eq(sorted(p.ip_address for p in portals), ["192.168.10.10", "192.168.10.11"], "portals")
        nodes = unity.get_iscsi_node()
        eq(
            sorted(n.name for n in nodes),
            ["iqn.1992-04.com.emc:cx.fnm00000000001.a0", "iqn.1992-04.com.emc:cx.fnm00000000001.b0"],
            "iSCSI nodes",
        )

    f.step("iSCSI portals and nodes", iscsi)

    # A LUN: made, found by name and by id, grown, refused a shrink and a second one of
    # its name.
    lun = f.step("LUN create", lambda: pool.create_lun("storops_lun", size_gb=2, is_thin=True))

    def lun_made():
        eq(lun.name, "storops_lun", "LUN name")
        eq(lun.size_total, 2 * GIB, "LUN size")
        eq(lun.is_thin_enabled, True, "thin")
        eq(lun.pool.get_id(), "pool_1", "LUN pool")
        assert lun.wwn.startswith("60:06:01:60:"), lun.wwn

    f.step("LUN as made", lun_made)
    f.step("LUN by name", lambda: eq(unity.get_lun(name="storops_lun").get_id(), lun.get_id(), "id"))
    f.step("LUN by id", lambda: eq(unity.get_lun(_id=lun.get_id()).name, "storops_lun", "name"))

    def expand():
        old = lun.expand(3 * GIB)
        eq(old, 2 * GIB, "size before")
        eq(unity.get_lun(_id=lun.get_id()).size_total, 3 * GIB, "size after")

    f.step("LUN expand", expand)
    f.refused(
        "LUN shrink",
        lambda: unity.get_lun(_id=lun.get_id()).expand(GIB),
        ex.UnityLunShrinkNotSupportedError,
        108007728,
        422,
    )
    f.refused(
        "LUN name in use",
        lambda: pool.create_lun("storops_lun", size_gb=1),
        ex.UnityLunNameInUseError,
        108007744,
        409,
    )
    f.refused(
        "unknown LUN",
        lambda: unity._cli.action(
            "storageResource", "sv_999", "modifyLun", lunParameters={"size": 4 * GIB}
        ).raise_if_err(),
        ex.UnityResourceNotFoundError,
        131149829,
        404,
    )
    f.step("unknown LUN is not there", lambda: eq(unity.get_lun(_id="sv_999").existed, False, "existed"))

    # Snaps, a copy and a thin clone of a scratch LUN; the base of a clone cannot go.
    scratch = f.step("scratch LUN", lambda: pool.create_lun("storops_scratch", size_gb=1, is_thin=True))
    snap = f.step("snap create", lambda: scratch.create_snap(name="storops_snap", is_auto_delete=False))

    def snap_made():
        made = unity.get_snap(name="storops_snap")
        eq(made.get_id(), snap.get_id(), "snap id")
        eq(made.storage_resource.get_id(), scratch.get_id(), "snap's storage resource")
        eq(made.lun.get_id(), scratch.get_id(), "snap's LUN")
        eq(made.size, GIB, "snap size")
        eq([s.name for s in scratch.snapshots], ["storops_snap"], "the LUN's snaps")

    f.step("snap list", snap_made)
    copy = f.step("snap copy", lambda: snap.copy("storops_snap_copy"))
    f.step("copy's parent", lambda: eq(copy.parent_snap.get_id(), snap.get_id(), "parent snap"))
    f.refused(
        "snap name in use",
        lambda: scratch.create_snap(name="storops_snap"),
        ex.UnitySnapNameInUseError,
        1903001605,
        409,
    )

    def thin_clone():
        # storops 1.2.12's UnityLun.thin_clone makes no request (its body is a stub):
        # the REST call through storops' own client instead.
        resp = unity._cli.action(
            "storageResource", scratch.get_id(), "createLunThinClone", snap=snap, name="storops_clone"
        )
        resp.raise_if_err()
        clone = unity.get_lun(name="storops_clone")
        eq(clone.is_thin_clone, True, "thin clone")
        eq(clone.family_base_lun.get_id(), scratch.get_id(), "family base")
        eq(clone.size_total, GIB, "clone size")
        eq(unity.get_lun(_id=scratch.get_id()).family_clone_count, 1, "clones of the base")
        return clone

    clone = f.step("thin clone", thin_clone)

    def base_stays():
        # storops swallows UnityBaseHasThinCloneError (and logs it): the base must stay.
        unity.get_lun(_id=scratch.get_id()).delete()
        eq(unity.get_lun(_id=scratch.get_id()).existed, True, "base of a clone existed")

    f.step("base with a clone stays", base_stays)

    # A host with an iSCSI initiator; access to the scratch LUN given and taken away, to
    # the kept LUN given (with the host LUN number asked).
    host = f.step("host create", lambda: unity.create_host("storops_host", desc="made by storops"))
    f.step("host by name", lambda: eq(unity.get_host(name="storops_host").get_id(), host.get_id(), "id"))
    iqn = "iqn.1994-05.com.redhat:storops-host"
    initiator = f.step("initiator", lambda: host.add_initiator(iqn))

    def initiator_made():
        eq(initiator.initiator_id, iqn, "initiator id")
        eq(initiator.parent_host.get_id(), host.get_id(), "initiator's host")
        eq([i.initiator_id for i in unity.get_host(_id=host.get_id()).iscsi_host_initiators], [iqn], "host's initiators")

    f.step("initiator as made", initiator_made)

    def attach_detach():
        scratch_lun = unity.get_lun(_id=scratch.get_id())
        scratch_lun.attach_to(host, access_mask=HostLUNAccessEnum.PRODUCTION)
        access = unity.get_lun(_id=scratch.get_id()).host_access
        eq([a.host.get_id() for a in access], [host.get_id()], "scratch access")
        unity.get_lun(_id=scratch.get_id()).detach_from(host)
        eq(unity.get_lun(_id=scratch.get_id()).host_access, None, "scratch access after detach")

    f.step("attach and detach", attach_detach)

    def attach_kept():
        unity.get_lun(_id=lun.get_id()).attach_to(host, hlu=5)
        luns = unity.get_host(_id=host.get_id()).host_luns
        eq([(h.lun.get_id(), h.hlu) for h in luns], [(lun.get_id(), 5)], "host LUNs")

    f.step("attach with a host LUN number", attach_kept)

    # Deletes: clone, snaps, scratch LUN.
    def deletes():
        unity.get_lun(_id=clone.get_id()).delete()
        eq(unity.get_lun(_id=clone.get_id()).existed, False, "clone existed")
        copy.delete()
        snap.delete()
        eq([s.name for s in unity.get_snap()], [], "snaps left")
        unity.get_lun(_id=scratch.get_id()).delete()
        eq(unity.get_lun(_id=scratch.get_id()).existed, False, "scratch existed")
        eq(sorted(l.name for l in unity.get_lun()), ["storops_lun"], "LUNs left")

    f.step("deletes", deletes)

    # A file system, grown, with NFS shares.
    fs = f.step(
        "file system create",
        lambda: pool.create_filesystem(nas, "storops_fs", 5 * GIB, proto=FSSupportedProtocolEnum.NFS),
    )

    def fs_made():
        made = unity.get_filesystem(name="storops_fs")
        eq(made.get_id(), fs.get_id(), "fs id")
        eq(made.size_total, 5 * GIB, "fs size")
        eq(made.nas_server.get_id(), nas.get_id(), "fs NAS server")

    f.step("file system as made", fs_made)

    def extend():
        unity.get_filesystem(_id=fs.get_id()).extend(8 * GIB)
        eq(unity.get_filesystem(_id=fs.get_id()).size_total, 8 * GIB, "fs size after extend")

    f.step("file system extend", extend)
    f.refused(
        "file system name in use",
        lambda: pool.create_filesystem(nas, "storops_fs", 5 * GIB),
        ex.UnityFileSystemNameAlreadyExisted,
        108008464,
        409,
    )
    share = f.step(
        "NFS share create",
        lambda: unity.get_filesystem(_id=fs.get_id()).create_nfs_share(
            "storops_share", read_write_hosts_string="10.0.0.7"
        ),
    )

    def share_made():
        made = unity.get_nfs_share(name="storops_share")
        eq(made.get_id(), share.get_id(), "share id")
        eq(made.filesystem.get_id(), fs.get_id(), "share's fs")
        eq(made.path, "/", "share path")
        eq(made.export_paths, ["192.168.20.10:/storops_share"], "export paths")
        eq(made.read_write_hosts_string, "10.0.0.7", "read-write hosts")

    f.step("NFS share as made", share_made)
    f.refused(
        "NFS share name in use",
        lambda: unity.get_filesystem(_id=fs.get_id()).create_nfs_share("storops_share"),
        ex.UnityNfsShareNameExistedError,
        151036164,
        409,
    )

    def share_delete():
        scratch_share = unity.get_filesystem(_id=fs.get_id()).create_nfs_share("storops_tmp_share")
        eq(unity.get_nfs_share(name="storops_tmp_share").get_id(), scratch_share.get_id(), "tmp share")
        scratch_share.delete()
        eq([s.name for s in unity.get_nfs_share()], ["storops_share"], "shares left")

    f.step("NFS share delete", share_delete)

    kept_lun = unity.get_lun(_id=lun.get_id())
    kept_fs = unity.get_filesystem(_id=fs.get_id())
    print(
        json.dumps(
            {
                "operations": f.operations,
                "lun": {"id": kept_lun.get_id(), "name": kept_lun.name, "size": kept_lun.size_total,
                        "wwn": kept_lun.wwn},
                "host": {"id": host.get_id(), "name": "storops_host", "initiator": iqn},
                "filesystem": {"id": kept_fs.get_id(), "name": kept_fs.name, "size": kept_fs.size_total},
                "share": {"id": share.get_id(), "name": "storops_share"},
            }
        )
    )


def find(volume, group, initiator, fs_name, fs_size, export_path, volume_size):
    """What lsmcli made through emc://, found by name with storops."""
    unity = connect()
    f = Flow()

    def lun():
        found = unity.get_lun(name=volume)
        eq(found.name, volume, "LUN name")
        eq(found.size_total, int(volume_size), "LUN size")
        return found

    made = f.step("LUN by name", lun)

    def host():
        found = unity.get_host(name=group)
        eq([i.initiator_id for i in found.iscsi_host_initiators], [initiator], "initiators")
        eq([h.lun.get_id() for h in (found.host_luns or [])], [made.get_id()], "host's LUNs")
        return found

    found_host = f.step("host by name", host)

    def filesystem():
        found = unity.get_filesystem(name=fs_name)
        eq(found.size_total, int(fs_size), "fs size")
        return found

    found_fs = f.step("file system by name", filesystem)
    share_name = export_path.lstrip("/")

    def share():
        found = unity.get_nfs_share(name=share_name)
        eq(found.filesystem.get_id(), found_fs.get_id(), "share's fs")
        eq(found.export_paths, [f"192.168.20.10:{export_path}"], "export paths")
        return found

    found_share = f.step("NFS share by name", share)
    print(
        json.dumps(
            {
                "operations": f.operations,
                "lun": made.get_id(),
                "host": found_host.get_id(),
                "filesystem": found_fs.get_id(),
                "share": found_share.get_id(),
            }
        )
    )


def main():
    if sys.argv[1:2] == ["flow"]:
        flow()
    elif sys.argv[1:2] == ["find"] and len(sys.argv) == 9:
        find(*sys.argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
