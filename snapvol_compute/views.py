"""Instances as the plain dicts the compute RPC API returns."""


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
