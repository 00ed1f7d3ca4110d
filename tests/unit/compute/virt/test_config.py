"""config: plain objects to libvirt XML and back, on XML as libvirt 9.0
writes it (no libvirt needed)."""

import xml.etree.ElementTree as ET

import pytest

from snapvol_api import exception
from snapvol_compute.virt import config

SHARE = '/mnt/share'
GLUSTER = ('vm', 24007)

# A running domain's disk after an active commit started (libvirt 9.0): the
# mirror (the commit's base) follows the chain.
LIVE_FILE_DISK = """
<domain type='qemu' id='1'>
  <name>d</name>
  <devices>
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <target dev='hdc' bus='ide'/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='/mnt/share/volume-1.s3' index='1'/>
      <backingStore type='file' index='3'>
        <format type='qcow2'/>
        <source file='/mnt/share/volume-1.s1'/>
        <backingStore type='file' index='4'>
          <format type='raw'/>
          <source file='/mnt/share/volume-1'/>
          <backingStore/>
        </backingStore>
      </backingStore>
      <mirror type='file' job='active-commit' ready='yes'>
        <format type='qcow2'/>
        <source file='/mnt/share/volume-1.s1' index='3'/>
      </mirror>
      <target dev='vdb' bus='virtio'/>
      <serial>1111</serial>
      <alias name='virtio-disk1'/>
    </disk>
  </devices>
</domain>
"""

LIVE_NETWORK_DISK = """
<domain type='qemu'>
  <devices>
    <disk type='network' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source protocol='gluster' name='gv0/volume-2.s1' index='2'>
        <host name='vm' port='24007'/>
      </source>
      <backingStore type='network' index='1'>
        <format type='raw'/>
        <source protocol='gluster' name='gv0/volume-2'>
          <host name='vm' port='24007'/>
        </source>
        <backingStore/>
      </backingStore>
      <target dev='vdc' bus='virtio'/>
      <serial>2222</serial>
    </disk>
  </devices>
</domain>
"""


def file_source(name, fmt='qcow2'):
    return config.DiskSource('file', fmt, path=f'{SHARE}/{name}')


def gluster_source(name, fmt='qcow2'):
    return config.DiskSource('network', fmt, protocol='gluster',
                             name=f'gv0/{name}', hosts=[GLUSTER])


class TestDiskSource:

    def test_basename(self):
        assert file_source('volume-1.s1').basename == 'volume-1.s1'
        assert gluster_source('volume-1').basename == 'volume-1'
        deep = config.DiskSource('network', 'raw', protocol='gluster',
                                 name='gv0/dir/volume-1', hosts=[GLUSTER])
        assert deep.basename == 'volume-1'

    def test_with_basename(self):
        new = file_source('volume-1', 'raw').with_basename('volume-1.s1',
                                                           'qcow2')
        assert new == file_source('volume-1.s1')
        new = gluster_source('volume-1', 'raw').with_basename('volume-1.s1')
        assert new.name == 'gv0/volume-1.s1' and new.format == 'raw'
        assert new.hosts == (GLUSTER,)

    @pytest.mark.parametrize('bad', ['', '.', '..', 'a/b', '../x', '/x',
                                     'x\0'])
    def test_with_basename_refuses_paths(self, bad):
        with pytest.raises(exception.InvalidInput):
            file_source('volume-1').with_basename(bad)

    def test_validation(self):
        with pytest.raises(ValueError):
            config.DiskSource('nbd', 'raw', path='/x')
        with pytest.raises(ValueError):
            config.DiskSource('network', 'raw', path='/x')
        with pytest.raises(ValueError):
            config.DiskSource('file', 'raw', name='gv0/x')

    def test_hosts_are_normalised(self):
        source = config.DiskSource('network', 'raw', protocol='gluster',
                                   name='gv0/x', hosts=[['vm', '24007']])
        assert source.hosts == (('vm', 24007),)
        assert source == gluster_source('x', 'raw')


class TestParseDisks:

    def test_file_chain_with_mirror(self):
        [disk] = config.parse_disks(LIVE_FILE_DISK)   # the cdrom is skipped
        assert (disk.target, disk.bus, disk.serial) == ('vdb', 'virtio',
                                                        '1111')
        assert [(layer.source.basename, layer.source.format, layer.index)
                for layer in disk.chain] == [('volume-1.s3', 'qcow2', 1),
                                             ('volume-1.s1', 'qcow2', 3),
                                             ('volume-1', 'raw', 4)]
        assert disk.active.source == file_source('volume-1.s3')
        assert disk.mirror == config.BlockJobMirror(
            job='active-commit', ready=True, phase='yes',
            source=file_source('volume-1.s1'), index=3)
        assert disk.layer('volume-1.s1') is disk.chain[1]
        assert disk.layer('volume-1.s2') is None
        assert disk.ref(disk.chain[2]) == 'vdb[4]'
        assert disk.formats == {'volume-1.s3': 'qcow2',
                                'volume-1.s1': 'qcow2', 'volume-1': 'raw'}

    def test_network_chain(self):
        [disk] = config.parse_disks(LIVE_NETWORK_DISK)
        assert disk.chain == (
            config.Layer(gluster_source('volume-2.s1'), 2),
            config.Layer(gluster_source('volume-2', 'raw'), 1))
        assert disk.mirror is None
        assert disk.ref(disk.active) == 'vdc[2]'

    def test_mirror_not_ready(self):
        xml = LIVE_FILE_DISK.replace(" ready='yes'", '')
        mirror = config.parse_disks(xml)[0].mirror
        assert mirror.job == 'active-commit' and not mirror.ready
        xml = LIVE_FILE_DISK.replace("ready='yes'", "ready='pivot'")
        mirror = config.parse_disks(xml)[0].mirror
        assert not mirror.ready and mirror.phase == 'pivot'

    def test_inactive_definition_has_no_indices(self):
        spec = config.DomainSpec('u', 'n', 64, 1, 'qemu', disks=[
            config.DiskSpec(file_source('volume-1.s1'), 'vdb', 'ser')])
        [disk] = config.parse_disks(config.domain_xml(spec))
        assert disk.chain == (config.Layer(file_source('volume-1.s1'),
                                           None),)
        with pytest.raises(ValueError):
            disk.ref(disk.active)

    def test_chain_of_ten(self):
        names = ['volume-1'] + [f'volume-1.s{i}' for i in range(1, 10)]
        inner = "<backingStore/>"
        for i, name in enumerate(names[:-1]):
            fmt = 'raw' if i == 0 else 'qcow2'
            inner = (f"<backingStore type='file' index='{i + 10}'>"
                     f"<format type='{fmt}'/><source file='{SHARE}/{name}'/>"
                     f"{inner}</backingStore>")
        xml = (f"<domain><devices><disk type='file' device='disk'>"
               f"<driver name='qemu' type='qcow2'/>"
               f"<source file='{SHARE}/{names[-1]}' index='99'/>{inner}"
               f"<target dev='vdb' bus='virtio'/></disk></devices></domain>")
        [disk] = config.parse_disks(xml)
        assert [layer.source.basename for layer in disk.chain] == names[::-1]
        assert [layer.index for layer in disk.chain] == \
            [99] + list(range(18, 9, -1))
        assert disk.serial is None


class TestRendering:

    def test_domain_round_trip(self):
        disks = [config.DiskSpec(file_source('volume-1.s1'), 'vdb', 'v1'),
                 config.DiskSpec(gluster_source('volume-2', 'raw'), 'vdc',
                                 'v2', bus='scsi')]
        spec = config.DomainSpec(
            uuid='6b1c4f7e-1111-4222-8333-944455556666', name='inst',
            memory_mib=64, vcpus=2, virt_type='qemu', disks=disks,
            kernel='/k', initrd='/i', cmdline='console=ttyS0',
            guest_agent=True, console_log='/var/log/c.log')
        xml = config.domain_xml(spec)
        root = ET.fromstring(xml)
        assert root.get('type') == 'qemu'
        assert root.findtext('uuid') == spec.uuid
        assert root.findtext('name') == 'inst'
        assert root.find('memory').get('unit') == 'MiB'
        assert root.findtext('memory') == '64'
        assert root.findtext('vcpu') == '2'
        assert [root.findtext(f'os/{t}') for t in
                ('type', 'kernel', 'initrd', 'cmdline')] == \
            ['hvm', '/k', '/i', 'console=ttyS0']
        assert root.find('features/acpi') is not None
        channel = root.find("devices/channel/target")
        assert channel.get('name') == 'org.qemu.guest_agent.0'
        assert root.find('devices/serial/log').get('file') == '/var/log/c.log'
        parsed = config.parse_disks(xml)
        assert [(d.target, d.bus, d.serial, d.active.source)
                for d in parsed] == [(s.target, s.bus, s.serial, s.source)
                                     for s in disks]
        host = root.find("devices/disk[@type='network']/source/host")
        assert (host.get('name'), host.get('port')) == ('vm', '24007')

    def test_domain_without_extras(self):
        root = ET.fromstring(config.domain_xml(
            config.DomainSpec('u', 'n', 64, 1, 'kvm')))
        assert root.get('type') == 'kvm'
        assert root.find('os/boot').get('dev') == 'hd'
        assert root.find('os/kernel') is None
        assert root.find('devices/channel') is None
        assert root.find('devices/serial/log') is None

    def test_disk_xml(self):
        xml = config.disk_xml(config.DiskSpec(file_source('volume-1', 'raw'),
                                              'vdd', 'v'))
        disk = ET.fromstring(xml)
        assert disk.tag == 'disk' and disk.get('type') == 'file'
        assert disk.find('driver').get('type') == 'raw'
        assert disk.find('source').get('file') == f'{SHARE}/volume-1'
        assert disk.findtext('serial') == 'v'

    def test_snapshot_xml(self):
        xml = config.snapshot_xml(
            {'vdb': file_source('volume-1.s2', 'raw'),
             'vdc': gluster_source('volume-2.s1')},
            untouched=['vda'])
        root = ET.fromstring(xml)
        assert root.tag == 'domainsnapshot'
        disks = {d.get('name'): d for d in root.findall('disks/disk')}
        assert set(disks) == {'vda', 'vdb', 'vdc'}
        assert disks['vda'].attrib == {'name': 'vda', 'snapshot': 'no'}
        vdb, vdc = disks['vdb'], disks['vdc']
        assert (vdb.get('snapshot'), vdb.get('type')) == ('external', 'file')
        # Always qcow2: the overlay's format, whatever the source says.
        assert vdb.find('driver').get('type') == 'qcow2'
        assert vdb.find('source').get('file') == f'{SHARE}/volume-1.s2'
        assert (vdc.get('snapshot'), vdc.get('type')) == ('external',
                                                          'network')
        source = vdc.find('source')
        assert (source.get('protocol'), source.get('name')) == \
            ('gluster', 'gv0/volume-2.s1')
        assert source.find('host').attrib == {'name': 'vm', 'port': '24007'}


def test_without_backing_chain_touches_only_that_disk():
    xml = LIVE_FILE_DISK.replace("<disk type='file' device='cdrom'>", """
    <disk type='file' device='disk'>
      <source file='/mnt/share/volume-2.s1'/>
      <backingStore type='file'><source file='/mnt/share/volume-2'/>
      </backingStore>
      <target dev='vdc' bus='virtio'/>
      <serial>2222</serial>
    </disk>
    <disk type='file' device='cdrom'>""")
    disks = config.parse_disks(config.without_backing_chain(xml, '1111'))
    by_serial = {d.serial: d for d in disks}
    assert [layer.source.path for layer in by_serial['1111'].chain] == [
        '/mnt/share/volume-1.s3']
    assert [layer.source.path for layer in by_serial['2222'].chain] == [
        '/mnt/share/volume-2.s1', '/mnt/share/volume-2']
    # An offline commit made the file below the active one.
    disks = config.parse_disks(config.without_backing_chain(
        xml, '2222', 'volume-2', 'raw'))
    (vdc,) = [d for d in disks if d.serial == '2222']
    assert [(layer.source.path, layer.source.format)
            for layer in vdc.chain] == [('/mnt/share/volume-2', 'raw')]
    with pytest.raises(exception.InvalidInput):
        config.without_backing_chain(xml, '2222', '../etc/passwd', 'raw')
