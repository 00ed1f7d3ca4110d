"""The services table of a fake manager (``fakes.FakeVolumeAPI``,
``compute.fakes.FakeComputeAPI``): rows as the managers' list_services
returns them, kept in memory."""

import itertools

from snapvol_api import exception

_IDS = itertools.count(1)


class FakeServices:

    @property
    def services(self):
        return self.__dict__.setdefault('_services', [])

    def add_service(self, host, binary, state='up', **values):
        """A row as the manager's list_services shows it; ``values``
        override."""
        service = {
            'id': next(_IDS), 'host': host, 'binary': binary,
            'topic': binary if not binary.endswith('-api') else None,
            'cluster_name': None, 'availability_zone': 'nova',
            'disabled': False, 'disabled_reason': None, 'state': state,
            'report_count': 3, 'created_at': '2026-12-09T10:00:00',
            'updated_at': '2026-12-09T10:00:20.123456'}
        service.update(values)
        self.services.append(service)
        return service

    def list_services(self, ctxt, filters=None):
        self._record('list_services', ctxt, filters=filters)
        if not ctxt.is_admin:
            raise exception.Forbidden(action='this administrator action')
        return [dict(s) for s in self.services
                if all(s[k] == v for k, v in (filters or {}).items())]
