"""NetApp's own ONTAP client library (netapp-ontap, unpatched) driving lsm-arraysim.

Run by plugin-netapp/tests/sdk.rs through lsm_test_support::sdk::run_script, which puts
the simulator's address, account and CA certificate in the environment (ARRAYSIM_HOST,
ARRAYSIM_PORT, ARRAYSIM_USER, ARRAYSIM_PASSWORD, ARRAYSIM_CA_CERT).

    ontap_flow.py flow           the whole flow; leaves a FlexVol with a LUN, an igroup
                                 with an initiator, an export policy with a rule on the
                                 FlexVol, for the plugin to find
    ontap_flow.py find JSON      finds what lsmcli made (JSON: the names and ids it printed)

Every operation checks what the cluster answered (values, not only "no exception"); the
last line printed is one JSON summary (the operation count and what was made or found).
"""

import json
import os
import sys

from netapp_ontap import HostConnection, config
from netapp_ontap.error import NetAppRestError
from netapp_ontap.resources import (
    Aggregate,
    Cluster,
    Disk,
    ExportPolicy,
    ExportRule,
    FcInterface,
    Igroup,
    IgroupInitiator,
    IpInterface,
    IscsiService,
    Job,
    Lun,
    LunMap,
    Node,
    Port,
    Snapshot,
    Svm,
    Volume,
)

GIB = 1 << 30
MIB = 1 << 20
SVM = {"name": "vs0"}
HOST_IQN = "iqn.1994-05.com.redhat:sdk-host-1"


class Flow:
    """Counts the operations and checks each answer."""

    def __init__(self):
        self.operations = 0

    def op(self, what, check):
        """One operation: `check` runs it and asserts on what came back."""
        self.operations += 1
        try:
            check()
        except AssertionError as error:
            raise AssertionError(f"{what}: {error}") from error

    def fails(self, what, call, status, code):
        """An operation the cluster refuses with `status` and ONTAP error `code`."""

        def check():
            try:
                call()
            except NetAppRestError as error:
                response = error.http_err_response
                assert response is not None, f"no HTTP response in {error!r}"
                got_status = response.http_response.status_code
                body = response.http_response.json()
                got_code = body["error"]["code"]
                assert (got_status, got_code) == (status, code), (
                    f"{got_status} {got_code}, wanted {status} {code}: {body}"
                )
                assert error.status_code == status
                return
            raise AssertionError("no error")

        self.op(what, check)


def connect():
    # requests prefers these variables to a session's own CA (the library's `verify`):
    # without them, the simulator's certificate named by ARRAYSIM_CA_CERT is the one trusted.
    for variable in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        os.environ.pop(variable, None)
    connection = HostConnection(
        os.environ["ARRAYSIM_HOST"],
        username=os.environ["ARRAYSIM_USER"],
        password=os.environ["ARRAYSIM_PASSWORD"],
        verify=os.environ["ARRAYSIM_CA_CERT"],
        port=int(os.environ["ARRAYSIM_PORT"]),
        poll_interval=1,
        poll_timeout=30,
    )
    config.CONNECTION = connection
    # Errors are raised as NetAppRestError, with the HTTP response.
    config.RAISE_API_ERRORS = True


def names(records):
    return sorted(r.name for r in records)


def flow():
    f = Flow()
    made = {}

    # The cluster and what it is made of.
    cluster = Cluster()

    def cluster_get():
        cluster.get(fields="name,uuid,version")
        assert cluster.name == "cl1", cluster.name
        assert cluster.version.generation == 9 and cluster.version.major == 13

    f.op("cluster", cluster_get)

    def nodes():
        found = list(Node.get_collection(fields="name,state,model,serial_number,ha"))
        assert names(found) == ["cl1-01", "cl1-02"], names(found)
        assert all(n.state == "up" and n.model == "AFF-A250" for n in found)
        assert found[0].ha.partners[0].name == "cl1-02"

    f.op("nodes", nodes)

    def aggregates():
        found = {a.name: a for a in Aggregate.get_collection(fields="name,space,block_storage,state")}
        assert sorted(found) == ["aggr0_cl1_01", "aggr0_cl1_02", "aggr1", "aggr2"], sorted(found)
        aggr1 = found["aggr1"]
        assert aggr1.space.block_storage.size == 1 << 40
        assert aggr1.block_storage.primary.raid_type == "raid_dp"
        assert aggr1.block_storage.primary.disk_count == 8
        assert aggr1.state == "online"

    f.op("aggregates", aggregates)

    svm = Svm.find(name="vs0")

    def svms():
        assert svm is not None and svm.state == "running", svm
        assert svm.iscsi.enabled and svm.nfs.enabled
        assert sorted(a.name for a in svm.aggregates) == ["aggr1", "aggr2"]

    f.op("svm", svms)

    def disks():
        found = list(Disk.get_collection(fields="name,type,container_type,usable_size"))
        assert len(found) == 24, len(found)
        assert sum(1 for d in found if d.container_type == "spare") == 2
        assert all(d.type == "ssd" for d in found)

    f.op("disks", disks)

    def ports():
        found = list(Port.get_collection(fields="name,node,mac_address,speed", **{"node.name": "cl1-01"}))
        assert names(found) == ["e0M", "e0c", "e0d"], names(found)
        assert all(p.mac_address.startswith("00:a0:98:") for p in found)

    f.op("ethernet ports", ports)

    def lifs():
        iscsi = list(IpInterface.get_collection(services="data_iscsi", fields="ip.address,svm"))
        assert sorted(i.ip.address for i in iscsi) == ["192.168.10.11", "192.168.10.12"]
        assert all(i.svm.name == "vs0" for i in iscsi)
        fc = list(FcInterface.get_collection(fields="wwpn,data_protocol"))
        assert len(fc) == 2 and all(i.wwpn.startswith("20:0") for i in fc), fc
        target = list(IscsiService.get_collection(fields="target.name"))
        assert target[0].target.name.startswith("iqn.1992-08.com.netapp:sn."), target

    f.op("interfaces and the iSCSI target", lifs)

    # A FlexVol (a job, polled by the library), found again.
    volume = Volume(
        name="sdk_vol",
        svm=SVM,
        aggregates=[{"name": "aggr1"}],
        size=2 * GIB,
        guarantee={"type": "none"},
        nas={"path": "/sdk_vol"},
    )

    def volume_create():
        volume.post(hydrate=True)
        assert volume.uuid, "no uuid from the Location header"
        assert volume.size == 2 * GIB and volume.state == "online"
        assert volume.nas.path == "/sdk_vol"

    f.op("volume create", volume_create)
    made["volume"] = {"name": "sdk_vol", "uuid": volume.uuid}

    def volume_find():
        found = Volume.find(name="sdk_vol", fields="uuid,space,guarantee")
        assert found.uuid == volume.uuid
        assert found.space.size == 2 * GIB and found.guarantee.type == "none"

    f.op("volume find", volume_find)

    # A LUN: create, find by name and by uuid, resize, clone, delete.
    lun = Lun(
        name="/vol/sdk_vol/sdk_lun",
        svm=SVM,
        os_type="linux",
        space={"size": 512 * MIB, "guarantee": {"requested": False}},
    )

    def lun_create():
        lun.post(hydrate=True)
        assert lun.uuid and len(lun.serial_number) == 12, lun
        assert lun.space.size == 512 * MIB and lun.location.volume.name == "sdk_vol"

    f.op("LUN create", lun_create)

    def lun_find():
        found = Lun.find(name="/vol/sdk_vol/sdk_lun")
        assert found.uuid == lun.uuid and found.os_type == "linux"

    f.op("LUN find by name", lun_find)

    def lun_get():
        again = Lun(uuid=lun.uuid)
        again.get(fields="name,space,status")
        assert again.name == "/vol/sdk_vol/sdk_lun" and again.status.state == "online"

    f.op("LUN get by uuid", lun_get)

    def lun_resize():
        lun.space.size = GIB
        lun.patch()
        again = Lun(uuid=lun.uuid)
        again.get(fields="space.size")
        assert again.space.size == GIB, again.space.size

    f.op("LUN resize", lun_resize)
    made["lun"] = {"name": "/vol/sdk_vol/sdk_lun", "uuid": lun.uuid, "size": GIB}

    clone = Lun(name="/vol/sdk_vol/sdk_clone", svm=SVM, clone={"source": {"name": "/vol/sdk_vol/sdk_lun"}})

    def lun_clone():
        clone.post(hydrate=True)
        assert clone.uuid != lun.uuid
        assert clone.space.size == GIB and clone.clone.source.name == "/vol/sdk_vol/sdk_lun"

    f.op("LUN clone", lun_clone)

    def lun_delete():
        clone.delete()
        assert Lun.find(name="/vol/sdk_vol/sdk_clone") is None

    f.op("LUN delete", lun_delete)

    # An igroup and its initiator; the LUN mapped, unmapped, mapped again.
    igroup = Igroup(name="sdk_ig", svm=SVM, protocol="iscsi", os_type="linux")

    def igroup_create():
        igroup.post(hydrate=True)
        assert igroup.uuid and igroup.protocol == "iscsi" and not igroup.initiators

    f.op("igroup create", igroup_create)

    def initiator_add():
        IgroupInitiator(igroup.uuid, name=HOST_IQN).post()
        again = Igroup(uuid=igroup.uuid)
        again.get(fields="initiators")
        assert [i.name for i in again.initiators] == [HOST_IQN], again.initiators

    f.op("initiator add", initiator_add)
    made["igroup"] = {"name": "sdk_ig", "uuid": igroup.uuid, "initiator": HOST_IQN}

    def map_lun():
        lun_map = LunMap(svm=SVM, lun={"name": lun.name}, igroup={"name": "sdk_ig"})
        lun_map.post(hydrate=True)
        assert lun_map.logical_unit_number == 0, lun_map
        assert lun_map.lun.uuid == lun.uuid and lun_map.igroup.uuid == igroup.uuid

    f.op("LUN map", map_lun)

    def unmap_lun():
        maps = list(LunMap.get_collection(**{"lun.name": lun.name}, fields="logical_unit_number,igroup"))
        assert len(maps) == 1 and maps[0].igroup.name == "sdk_ig", maps
        maps[0].delete()
        assert list(LunMap.get_collection(**{"lun.name": lun.name})) == []
        again = Lun(uuid=lun.uuid)
        again.get(fields="status.mapped")
        assert again.status.mapped is False

    f.op("LUN unmap", unmap_lun)

    # Snapshots of the FlexVol: create, list, delete (jobs, polled by the library).
    snapshot = Snapshot(volume.uuid, name="sdk_snap", comment="made by netapp-ontap")

    def snapshot_create():
        snapshot.post(hydrate=True)
        assert snapshot.uuid and snapshot.comment == "made by netapp-ontap", snapshot

    f.op("snapshot create", snapshot_create)

    def snapshot_list():
        found = list(Snapshot.get_collection(volume.uuid, fields="name,create_time"))
        assert names(found) == ["sdk_snap"] and found[0].create_time is not None

    f.op("snapshot list", snapshot_list)

    def snapshot_delete():
        snapshot.delete()
        assert list(Snapshot.get_collection(volume.uuid)) == []

    f.op("snapshot delete", snapshot_delete)

    # The FlexVol grown (a job).
    def volume_resize():
        volume.size = 4 * GIB
        volume.patch()
        again = Volume(uuid=volume.uuid)
        again.get(fields="size,space.size")
        assert again.size == 4 * GIB and again.space.size == 4 * GIB

    f.op("volume resize", volume_resize)
    made["volume"]["size"] = 4 * GIB

    # An export policy with a rule, a second rule added and deleted, the policy put on the
    # FlexVol; a second policy made and deleted.
    policy = ExportPolicy(
        name="sdk_exp",
        svm=SVM,
        rules=[
            {
                "clients": [{"match": "10.0.0.0/24"}],
                "protocols": ["nfs3"],
                "ro_rule": ["sys"],
                "rw_rule": ["sys"],
                "superuser": ["none"],
            }
        ],
    )

    def policy_create():
        policy.post(hydrate=True)
        assert isinstance(policy.id, int) and policy.rules[0].index == 1, policy

    f.op("export policy create", policy_create)

    rule = ExportRule(policy.id, clients=[{"match": "10.0.1.5"}], ro_rule=["sys"], rw_rule=["never"])

    def rule_create():
        rule.post(hydrate=True)
        assert rule.index == 2 and rule.clients[0].match == "10.0.1.5", rule

    f.op("export rule create", rule_create)

    def rule_delete():
        rule.delete()
        rules = list(ExportRule.get_collection(policy.id, fields="clients"))
        assert [r.index for r in rules] == [1] and rules[0].clients[0].match == "10.0.0.0/24"

    f.op("export rule delete", rule_delete)

    def export_volume():
        volume.nas = {"export_policy": {"name": "sdk_exp"}}
        volume.patch()
        again = Volume(uuid=volume.uuid)
        again.get(fields="nas")
        assert again.nas.export_policy.name == "sdk_exp" and again.nas.path == "/sdk_vol"

    f.op("export policy on the volume", export_volume)
    made["export"] = {"policy": "sdk_exp", "id": policy.id, "path": "/sdk_vol", "client": "10.0.0.0/24"}

    def policy_delete():
        extra = ExportPolicy(name="sdk_gone", svm=SVM)
        extra.post(hydrate=True)
        extra.delete()
        assert ExportPolicy.find(name="sdk_gone") is None

    f.op("export policy create and delete", policy_delete)

    # What the cluster refuses, as the library surfaces it.
    f.fails(
        "unknown LUN uuid",
        lambda: Lun(uuid="00000000-0000-0000-0000-000000000000").get(),
        404,
        "4",
    )
    f.fails(
        "unknown volume uuid",
        lambda: Volume(uuid="00000000-0000-0000-0000-000000000000").get(),
        404,
        "4",
    )
    f.fails(
        "duplicate LUN",
        lambda: Lun(name="/vol/sdk_vol/sdk_lun", svm=SVM, os_type="linux", space={"size": GIB}).post(),
        409,
        "1",
    )
    f.fails(
        "duplicate igroup",
        lambda: Igroup(name="sdk_ig", svm=SVM, protocol="iscsi").post(),
        409,
        "1",
    )
    f.fails(
        "unknown field asked for",
        lambda: list(Lun.get_collection(fields="name,sise")),
        400,
        "262197",
    )

    def duplicate_volume():
        # An asynchronous create fails in its job: the library raises on it; the job
        # itself, read through the library, holds ONTAP's duplicate code.
        duplicate = Volume(name="sdk_vol", svm=SVM, size=GIB)
        try:
            duplicate.post()
        except NetAppRestError as error:
            assert "Duplicate volume name" in str(error), error
        else:
            raise AssertionError("a second sdk_vol was made")
        response = Volume(name="sdk_vol", svm=SVM, size=GIB).post(poll=False)
        job = Job(uuid=response.http_response.json()["job"]["uuid"])
        for _ in range(100):
            job.get(fields="state,code,message")
            if job.state in ("success", "failure"):
                break
        assert (job.state, job.code) == ("failure", 1), job

    f.op("duplicate volume (a failed job)", duplicate_volume)

    print(json.dumps({"operations": f.operations, "made": made}))


def find(expected):
    """lsmcli made a volume (a LUN in its container FlexVol), an access group (an
    igroup), a file system (a FlexVol) and an export of it: netapp-ontap finds each."""
    f = Flow()
    found = {}

    def lun():
        luns = [l for l in Lun.get_collection(fields="name,uuid,space.size,location") if l.name.endswith("/" + expected["volume"]["name"])]
        assert len(luns) == 1, luns
        assert luns[0].uuid == expected["volume"]["id"], (luns[0].uuid, expected)
        assert luns[0].space.size == expected["volume"]["size"], luns[0].space.size
        found["lun"] = {"name": luns[0].name, "uuid": luns[0].uuid, "size": luns[0].space.size}

    f.op("the LUN of lsmcli's volume", lun)

    def igroup():
        group = Igroup.find(name=expected["access_group"]["name"], fields="uuid,initiators,protocol")
        assert group is not None and group.uuid == expected["access_group"]["id"], group
        assert [i.name for i in group.initiators] == [expected["access_group"]["initiator"]]
        found["igroup"] = {"name": group.name, "uuid": group.uuid}

    f.op("the igroup of lsmcli's access group", igroup)

    def flexvol():
        vol = Volume.find(name=expected["fs"]["name"], fields="uuid,size,nas")
        assert vol is not None and vol.uuid == expected["fs"]["id"], vol
        assert vol.size == expected["fs"]["size"], vol.size
        found["volume"] = {"name": vol.name, "uuid": vol.uuid, "size": vol.size}
        policy = ExportPolicy.find(name=vol.nas.export_policy.name, fields="rules")
        clients = [c.match for r in policy.rules for c in r.clients]
        assert expected["export"]["host"] in clients, clients
        assert vol.nas.path == expected["export"]["path"], vol.nas.path
        found["export"] = {"policy": policy.name, "path": vol.nas.path}

    f.op("the FlexVol of lsmcli's file system, and its export", flexvol)

    print(json.dumps({"operations": f.operations, "found": found}))


def main():
    connect()
    if sys.argv[1:2] == ["flow"]:
        flow()
    elif sys.argv[1:2] == ["find"]:
        find(json.loads(sys.argv[2]))
    else:
        raise SystemExit(f"usage: {sys.argv[0]} flow | find JSON")


if __name__ == "__main__":
    main()
