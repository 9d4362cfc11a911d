#!/usr/bin/env python3
"""Writes the ONTAP simulator's schema table (arraysim/src/ontap/sdk_schema.json) from
NetApp's netapp-ontap library: for each resource the simulator serves, and every model
those reach, the fields (JSON names as ONTAP spells them), their types, enum values, and
which fields a POST and a PATCH take.

Run it with the SDK venv's python (./scripts/sdk-venv.sh prints it):
    "$(./scripts/sdk-venv.sh)" scripts/ontap-schema.py > arraysim/src/ontap/sdk_schema.json

Types: "str", "int" (the SDK's Size: ONTAP's integers), either with the bounds of its
length or value as ":min..max" (an end may be empty), "num", "bool", "time",
"obj:<Schema>", "list:<type>", "enum:<a>|<b>|..." (a string among those, compared
ignoring case as the SDK does). A schema of a resource (not of a model) says so
("resource": true): its post/patch lists are about creating that resource, not about
naming one inside another's body.
"""

import importlib
import json
import sys

from marshmallow import fields as mf
from netapp_ontap.resource import ImpreciseDateTime, Size

import netapp_ontap

# The simulator's resources: its name for each -> the SDK module and schema class.
RESOURCES = {
    "cluster": ("cluster", "ClusterSchema"),
    "node": ("node", "NodeSchema"),
    "job": ("job", "JobSchema"),
    "svm": ("svm", "SvmSchema"),
    "aggregate": ("aggregate", "AggregateSchema"),
    "disk": ("disk", "DiskSchema"),
    "volume": ("volume", "VolumeSchema"),
    "snapshot": ("snapshot", "SnapshotSchema"),
    "lun": ("lun", "LunSchema"),
    "igroup": ("igroup", "IgroupSchema"),
    "igroup_initiator": ("igroup_initiator", "IgroupInitiatorSchema"),
    "lun_map": ("lun_map", "LunMapSchema"),
    "iscsi_service": ("iscsi_service", "IscsiServiceSchema"),
    "iscsi_credentials": ("iscsi_credentials", "IscsiCredentialsSchema"),
    "ip_interface": ("ip_interface", "IpInterfaceSchema"),
    "fc_interface": ("fc_interface", "FcInterfaceSchema"),
    "port": ("port", "PortSchema"),
    "export_policy": ("export_policy", "ExportPolicySchema"),
    "export_rule": ("export_rule", "ExportRuleSchema"),
}

# Fields real clusters send that netapp-ontap's generated schemas lack, by schema: cinder's
# ONTAP REST client (client_cmode_rest.py, _get_cluster_nodes_info), which runs against
# real clusters, asks for these in `fields=` and reads them from every node record.
SUPPLEMENT = {
    "NodeSchema": {
        "is_all_flash_optimized": "bool",
        "is_all_flash_select_optimized": "bool",
    },
}


def schema_class(nested):
    """The schema class a Nested field names (the SDK gives a lazy lambda)."""
    if callable(nested) and not isinstance(nested, type):
        nested = nested()
    return nested if isinstance(nested, type) else type(nested)


def validation(field, name):
    """The variables of the field's `name` validation (enum_validation, len_validation,
    integer_validation: the SDK's closures), if it has one."""
    for validator in field.validators:
        if getattr(validator, "__qualname__", "").startswith(name + "."):
            names = validator.__code__.co_freevars
            cells = validator.__closure__ or ()
            return {n: c.cell_contents for n, c in zip(names, cells)}
    return None


def bounds(field, name):
    """`:min..max` of a len_validation or integer_validation (either end may be empty)."""
    found = validation(field, name)
    if not found:
        return ""
    low, high = found.get("minimum"), found.get("maximum")
    if low is None and high is None:
        return ""
    return ":" + ("" if low is None else str(low)) + ".." + ("" if high is None else str(high))


def kind(field, pending):
    """The type string of one marshmallow field; nested schemas are queued."""
    if isinstance(field, mf.List):
        return "list:" + kind(field.inner, pending)
    if isinstance(field, mf.Nested):
        cls = schema_class(field.nested)
        pending.append(cls)
        return "obj:" + cls.__name__
    if isinstance(field, Size):
        return "int" + bounds(field, "integer_validation")
    if isinstance(field, (ImpreciseDateTime, mf.DateTime)):
        return "time"
    if isinstance(field, mf.Boolean):
        return "bool"
    if isinstance(field, (mf.Number, mf.Float, mf.Integer)):
        return "num"
    if isinstance(field, mf.String):
        choices = validation(field, "enum_validation")
        if choices:
            return "enum:" + "|".join(str(c) for c in choices["choices"])
        return "str" + bounds(field, "len_validation")
    raise SystemExit(f"unknown field type {type(field).__name__}")


def data_keys(schema, attribute_paths):
    """The SDK lists post/patch fields by attribute name (`class_`, `links`): as JSON names."""
    out = []
    for path in attribute_paths:
        head, _, rest = path.partition(".")
        field = schema.fields.get(head)
        key = (field.data_key or head) if field is not None else head
        out.append(key + ("." + rest if rest else ""))
    return sorted(out)


def main():
    schemas = {}
    pending = []
    roots = {}
    for name, (module, cls_name) in RESOURCES.items():
        cls = getattr(importlib.import_module(f"netapp_ontap.resources.{module}"), cls_name)
        roots[name] = cls.__name__
        pending.append(cls)
    while pending:
        cls = pending.pop()
        if cls.__name__ in schemas:
            continue
        schema = cls()
        fields = {}
        for attr, field in schema.fields.items():
            fields[field.data_key or attr] = kind(field, pending)
        fields.update(SUPPLEMENT.get(cls.__name__, {}))
        entry = {"fields": dict(sorted(fields.items()))}
        if cls.__module__.startswith("netapp_ontap.resources."):
            entry["resource"] = True
        post = getattr(schema, "postable_fields", None)
        patch = getattr(schema, "patchable_fields", None)
        if post is not None:
            entry["post"] = data_keys(schema, post)
        if patch is not None:
            entry["patch"] = data_keys(schema, patch)
        schemas[cls.__name__] = entry
    document = {
        "source": f"netapp-ontap {netapp_ontap.__version__}",
        "resources": roots,
        "schemas": dict(sorted(schemas.items())),
    }
    json.dump(document, sys.stdout, indent=None, separators=(",", ":"), sort_keys=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
