"""Plain objects for the parts of libvirt's XML we use, and the XML itself.

Objects map to XML and back; they make no decisions. ``domain_xml``,
``disk_xml`` and ``snapshot_xml`` render what they are given;
``parse_disks`` reads disks and their backing chains from a domain's XML.

A disk's chain is listed active file first. Each layer carries libvirt's
``index`` (from ``<source index=>``/``<backingStore index=>``): libvirt
numbers layers when it first sees them and keeps the number while the
domain runs, so indices are names, not positions (after an active commit
and pivot the base keeps its index and becomes the active layer). An
inactive domain's XML has no backing chain and no indices.
"""

import dataclasses
import posixpath
import xml.etree.ElementTree as ET

from snapvol_api import exception

SOURCE_TYPES = ('file', 'block', 'network')
NETWORK_PROTOCOLS = ('gluster', 'nfs')
GUEST_AGENT_CHANNEL = 'org.qemu.guest_agent.0'


@dataclasses.dataclass(frozen=True)
class DiskSource:
    """One image: a local file (``path``) or a network image (``protocol``,
    ``name`` = 'VOLUME/dir/file', ``hosts`` = ((host, port or None), ...))."""

    type: str
    format: str
    path: str | None = None
    protocol: str | None = None
    name: str | None = None
    hosts: tuple = ()

    def __post_init__(self):
        if self.type not in SOURCE_TYPES:
            raise ValueError(f'disk source type {self.type!r}')
        if self.type == 'network':
            if not self.name or not self.protocol:
                raise ValueError('a network source needs protocol and name')
        elif not self.path:
            raise ValueError(f'a {self.type} source needs a path')
        object.__setattr__(self, 'hosts', tuple(
            (str(host), None if port is None else int(port))
            for host, port in self.hosts))

    @property
    def location(self):
        """The path, or the network name."""
        return self.name if self.type == 'network' else self.path

    @property
    def basename(self):
        return posixpath.basename(self.location)

    def with_basename(self, basename, format=None):
        """The file ``basename`` in the same directory (or network volume
        directory), with this source's format unless ``format`` is given."""
        if (not basename or '/' in basename or '\0' in basename
                or basename in ('.', '..')):
            raise exception.InvalidInput(
                reason=f'{basename!r} is not a bare file name')
        location = posixpath.join(posixpath.dirname(self.location), basename)
        key = 'name' if self.type == 'network' else 'path'
        return dataclasses.replace(self, format=format or self.format,
                                   **{key: location})


@dataclasses.dataclass(frozen=True)
class Layer:
    """One image of a disk's chain and libvirt's index for it (None where
    libvirt gave none: an inactive domain)."""

    source: DiskSource
    index: int | None


@dataclasses.dataclass(frozen=True)
class BlockJobMirror:
    """A disk's ``<mirror>``: present during an active commit or a copy.
    ``ready`` is True once the job can be pivoted; ``phase`` is libvirt's
    raw ``ready`` attribute ('yes', 'pivot', 'abort' or None)."""

    job: str
    ready: bool
    phase: str | None = None
    source: DiskSource | None = None
    index: int | None = None


@dataclasses.dataclass(frozen=True)
class Disk:
    target: str
    bus: str | None
    serial: str | None
    chain: tuple
    mirror: BlockJobMirror | None = None

    @property
    def active(self):
        return self.chain[0]

    def layer(self, basename):
        """The layer whose file is ``basename``, or None."""
        for layer in self.chain:
            if layer.source.basename == basename:
                return layer
        return None

    def ref(self, layer):
        """libvirt's name for a layer in block job calls: 'vdb[3]'."""
        if layer.index is None:
            raise ValueError(f'layer {layer.source.location} of {self.target} '
                             f'has no index (is the domain running?)')
        return f'{self.target}[{layer.index}]'

    @property
    def formats(self):
        """{basename: format} of every layer."""
        return {layer.source.basename: layer.source.format
                for layer in self.chain}


@dataclasses.dataclass(frozen=True)
class DiskSpec:
    source: DiskSource
    target: str
    serial: str | None = None
    bus: str = 'virtio'


@dataclasses.dataclass(frozen=True)
class DomainSpec:
    uuid: str
    name: str
    memory_mib: int
    vcpus: int
    virt_type: str
    disks: tuple = ()
    kernel: str | None = None
    initrd: str | None = None
    cmdline: str | None = None
    guest_agent: bool = False
    console_log: str | None = None


# Rendering -----------------------------------------------------------------

def _to_string(element):
    ET.indent(element)
    return ET.tostring(element, encoding='unicode')


def _sub(parent, tag, text=None, **attrib):
    element = ET.SubElement(
        parent, tag, {k: str(v) for k, v in attrib.items() if v is not None})
    if text is not None:
        element.text = str(text)
    return element


def _source_element(parent, source):
    if source.type == 'network':
        element = _sub(parent, 'source', protocol=source.protocol,
                       name=source.name)
        for host, port in source.hosts:
            _sub(element, 'host', name=host, port=port)
    elif source.type == 'block':
        element = _sub(parent, 'source', dev=source.path)
    else:
        element = _sub(parent, 'source', file=source.path)
    return element


def _disk_element(spec):
    disk = ET.Element('disk', type=spec.source.type, device='disk')
    _sub(disk, 'driver', name='qemu', type=spec.source.format)
    _source_element(disk, spec.source)
    _sub(disk, 'target', dev=spec.target, bus=spec.bus)
    if spec.serial:
        _sub(disk, 'serial', spec.serial)
    return disk


def disk_xml(spec):
    """A ``<disk>`` for attach/detach; libvirt reads the backing chain from
    the image headers (the formats recorded there with ``-F``)."""
    return _to_string(_disk_element(spec))


def domain_xml(spec):
    domain = ET.Element('domain', type=spec.virt_type)
    _sub(domain, 'uuid', spec.uuid)
    _sub(domain, 'name', spec.name)
    _sub(domain, 'memory', spec.memory_mib, unit='MiB')
    _sub(domain, 'vcpu', spec.vcpus)
    os_ = _sub(domain, 'os')
    _sub(os_, 'type', 'hvm')
    if spec.kernel:
        _sub(os_, 'kernel', spec.kernel)
        if spec.initrd:
            _sub(os_, 'initrd', spec.initrd)
        if spec.cmdline:
            _sub(os_, 'cmdline', spec.cmdline)
    else:
        _sub(os_, 'boot', dev='hd')
    # ACPI: PCI hotplug (attaching a volume) depends on it.
    features = _sub(domain, 'features')
    _sub(features, 'acpi')
    _sub(features, 'apic')
    _sub(domain, 'on_poweroff', 'destroy')
    _sub(domain, 'on_reboot', 'restart')
    _sub(domain, 'on_crash', 'destroy')
    devices = _sub(domain, 'devices')
    for disk in spec.disks:
        devices.append(_disk_element(disk))
    serial = _sub(devices, 'serial', type='pty')
    if spec.console_log:
        _sub(serial, 'log', file=spec.console_log, append='off')
    _sub(devices, 'console', type='pty')
    if spec.guest_agent:
        channel = _sub(devices, 'channel', type='unix')
        _sub(channel, 'target', type='virtio', name=GUEST_AGENT_CHANNEL)
    _sub(devices, 'memballoon', model='none')
    return _to_string(domain)


def snapshot_xml(new_sources, untouched=()):
    """A disk-only ``<domainsnapshot>``: each target in ``new_sources``
    ({target: DiskSource}) gets the external qcow2 overlay given; each
    target in ``untouched`` is listed with snapshot='no' (libvirt would
    otherwise snapshot an unlisted disk too, into a name of its own)."""
    snapshot = ET.Element('domainsnapshot')
    disks = _sub(snapshot, 'disks')
    for target, source in new_sources.items():
        disk = _sub(disks, 'disk', name=target, snapshot='external',
                    type=source.type)
        _sub(disk, 'driver', type='qcow2')
        _source_element(disk, source)
    for target in untouched:
        _sub(disks, 'disk', name=target, snapshot='no')
    return _to_string(snapshot)


# Parsing -------------------------------------------------------------------

def _index(element):
    value = element.get('index') if element is not None else None
    return int(value) if value is not None else None


def _parse_source(source_type, fmt, source):
    if source is None:
        return None
    if source_type == 'network':
        hosts = tuple((host.get('name'), host.get('port'))
                      for host in source.findall('host'))
        return DiskSource('network', fmt, protocol=source.get('protocol'),
                          name=source.get('name'), hosts=hosts)
    if source_type == 'block':
        return DiskSource('block', fmt, path=source.get('dev'))
    return DiskSource(source_type or 'file', fmt, path=source.get('file'))


def _format_of(element):
    fmt = element.find('format')
    return fmt.get('type') if fmt is not None else None


def _parse_chain(disk):
    driver = disk.find('driver')
    source = disk.find('source')
    top = _parse_source(disk.get('type'),
                        driver.get('type') if driver is not None else None,
                        source)
    if top is None:
        return ()
    chain = [Layer(top, _index(source))]
    backing = disk.find('backingStore')
    while backing is not None and backing.get('type'):
        source = backing.find('source')
        layer_source = _parse_source(backing.get('type'),
                                     _format_of(backing), source)
        if layer_source is None:
            break
        # libvirt puts the index on <backingStore>; accept it on <source>.
        index = _index(backing)
        chain.append(Layer(layer_source,
                           index if index is not None else _index(source)))
        backing = backing.find('backingStore')
    return tuple(chain)


def _parse_mirror(disk):
    mirror = disk.find('mirror')
    if mirror is None:
        return None
    phase = mirror.get('ready')
    source = mirror.find('source')
    fmt = _format_of(mirror) or mirror.get('format')
    if source is not None:
        parsed = _parse_source(mirror.get('type'), fmt, source)
    elif mirror.get('file'):  # the old form, <mirror file= format=>
        parsed = DiskSource('file', fmt, path=mirror.get('file'))
    else:
        parsed = None
    return BlockJobMirror(job=mirror.get('job'), ready=phase == 'yes',
                          phase=phase, source=parsed,
                          index=_index(source))


def without_backing_chain(xml, serial, active_file=None,
                          active_format=None):
    """The domain XML with no ``<backingStore>`` under the disk whose serial
    is ``serial``: libvirt then reads that chain from the image headers
    when the domain starts, instead of trusting a recorded one. With
    ``active_file`` (a bare name in the same directory), that file, of
    ``active_format``, is the disk's source instead."""
    root = ET.fromstring(xml)
    for disk in root.findall('./devices/disk'):
        found = disk.find('serial')
        if found is not None and (found.text or '').strip() == serial:
            for backing in disk.findall('backingStore'):
                disk.remove(backing)
            if active_file is not None:
                _replace_source(disk, active_file, active_format)
    return _to_string(root)


def active_file_of(xml, serial):
    """The file name the disk whose serial is ``serial`` opens as its
    active file (None: no such disk)."""
    for disk in parse_disks(xml):
        if disk.serial == serial and disk.chain:
            return disk.chain[0].source.basename
    return None


def _replace_source(disk, basename, fmt):
    driver, source = disk.find('driver'), disk.find('source')
    if driver is None:
        driver = _sub(disk, 'driver', name='qemu')
    current = _parse_source(disk.get('type'), driver.get('type'), source)
    new = current.with_basename(basename, fmt)
    disk.remove(source)
    _source_element(disk, new)
    driver.set('type', new.format)


def parse_disks(xml):
    """The disks (device='disk') of a domain's XML, in XML order."""
    root = ET.fromstring(xml)
    disks = []
    for disk in root.findall('./devices/disk'):
        if disk.get('device', 'disk') != 'disk':
            continue
        target = disk.find('target')
        serial = disk.find('serial')
        disks.append(Disk(
            target=target.get('dev'),
            bus=target.get('bus'),
            serial=serial.text.strip() if serial is not None and serial.text
            else None,
            chain=_parse_chain(disk),
            mirror=_parse_mirror(disk)))
    return disks
