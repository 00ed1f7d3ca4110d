"""Types declared in code rather than in a table (the group types; volume
types are rows of the volume database): looked up by id or name, or as
"default", the first one. Each is returned as a new plain dict; callers
may change their copy."""

import copy


class Catalog:

    def __init__(self, types, not_found):
        """``types``: dicts with ``id`` and ``name``, the default first;
        ``not_found(ref)``: the exception for an unknown one."""
        self._types = tuple(types)
        self._not_found = not_found

    def get(self, ref):
        """By id or name."""
        for found in self._types:
            if ref in (found['id'], found['name']):
                return copy.deepcopy(found)
        raise self._not_found(ref)

    def get_all(self):
        return [copy.deepcopy(t) for t in self._types]

    def default(self):
        return copy.deepcopy(self._types[0])

    def show(self, ref):
        """What GET /<types>/<ref> shows: by id or name, or "default"."""
        return self.default() if ref == 'default' else self.get(ref)
