"""Instances and images as the plain dicts the compute RPC API returns."""

import json


def _iso(value):
    return value.isoformat() if value is not None else None


def attachment(att, host):
    return {'volume_id': att.volume_id, 'instance_id': att.instance_id,
            'host': host, 'device': att.device,
            'boot_index': att.boot_index}


def instance(inst):
    return {
        'id': inst.id,
        'name': inst.name,
        'project_id': inst.project_id,
        'user_id': inst.user_id,
        'host': inst.host,
        'status': inst.status,
        'flavor': {'id': inst.flavor_id, 'vcpus': inst.vcpus,
                   'memory_mb': inst.memory_mb},
        'metadata': {m.key: m.value for m in inst.metadata_items},
        'attachments': [attachment(a, inst.host) for a in inst.attachments],
        'fault': inst.fault,
        'created_at': _iso(inst.created_at),
        'updated_at': _iso(inst.updated_at),
    }


def image(img, status):
    """An image of a volume-backed server; ``status`` is Nova's (from its
    group snapshot)."""
    return {
        'id': img.id,
        'name': img.name,
        'project_id': img.project_id,
        'user_id': img.user_id,
        'instance_id': img.instance_id,
        'group_snapshot_id': img.group_snapshot_id,
        'status': status,
        'properties': json.loads(img.properties or '{}'),
        'block_device_mapping': json.loads(img.block_device_mapping or '[]'),
        'created_at': _iso(img.created_at),
    }
