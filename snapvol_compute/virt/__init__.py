"""The libvirt wrapper: the only code of snapvol that imports libvirt,
builds or parses libvirt's XML, or uses libvirt's constants.

- ``config``: plain objects (disk sources, chains, domain specs) and the XML
  they map to;
- ``host``: the connection, the event loop, error translation; ``Host`` is
  the way in (``Host(uri).connect()``, then ``guest(uuid)``);
- ``guest``: ``Guest`` (a domain) and ``BlockDevice`` (block jobs of a disk);
- ``blockjob``: waiting for block jobs on their events.
"""
