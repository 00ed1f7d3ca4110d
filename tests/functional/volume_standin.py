"""A stand-in for the volume service, for tests of the compute service
alone: it listens on the volume manager's RPC topic on the stack's real
broker, hands out connection info for files the test made, and records
what the compute service reports. The real volume service replaces it in
the end-to-end tests."""

import collections
import queue

from oslo_config import cfg
import oslo_messaging as messaging
from oslo_messaging import conffixture

from snapvol_api import rpc
from snapvol_api.rpc import volume_rpcapi


class VolumeStandIn:

    target = messaging.Target(version='1.2')

    def __init__(self):
        self.connections = {}
        self.attached = {}
        self._reports = queue.Queue()
        # {snapshot id: [progress]} of the reports that only say how far
        # the work is (the snapshot's own status).
        self.progress = collections.defaultdict(list)

    def add_volume(self, volume_id, connection_info):
        self.connections[volume_id] = connection_info

    # The volume manager's RPC methods the compute service calls.

    def initialize_connection(self, ctxt, volume_id, connector):
        return self.connections[volume_id]

    def attach_volume(self, ctxt, volume_id, instance_id, host, device):
        self.attached[volume_id] = (instance_id, host, device)

    def detach_volume(self, ctxt, volume_id, instance_id):
        self.attached.pop(volume_id, None)

    def update_snapshot_status(self, ctxt, snapshot_id, status, progress,
                               file_format, reason=None, quiesced=None):
        if status in ('creating', 'deleting'):
            self.progress[snapshot_id].append(progress)
            return
        self._reports.put({'snapshot_id': snapshot_id, 'status': status,
                           'progress': progress, 'file_format': file_format,
                           'reason': reason, 'quiesced': quiesced})

    def update_group_snapshot_status(self, ctxt, group_snapshot_id, status,
                                     members, quiesced=None,
                                     freeze_seconds=None,
                                     freeze_warning=False, reason=None):
        # Queued with the others: report(group_snapshot_id) returns it.
        self._reports.put({'snapshot_id': group_snapshot_id,
                           'status': status, 'members': members,
                           'quiesced': quiesced,
                           'freeze_seconds': freeze_seconds,
                           'freeze_warning': freeze_warning,
                           'reason': reason})

    # For the test.

    def report(self, snapshot_id, timeout=120):
        """The next report, which must be about ``snapshot_id``."""
        report = self._reports.get(timeout=timeout)
        assert report['snapshot_id'] == snapshot_id, report
        return report

    def no_report(self, timeout):
        try:
            report = self._reports.get(timeout=timeout)
        except queue.Empty:
            return True
        raise AssertionError('unexpected report %r' % report)


class StandInServer:
    """The stand-in served on ``transport_url`` until ``stop()``."""

    def __init__(self, transport_url, control_exchange):
        self.endpoint = VolumeStandIn()
        conf = cfg.ConfigOpts()
        conf([], project='snapvol-test')
        # oslo.messaging's own fixture registers every option it reads on a
        # private configuration (some only exist on the global one);
        # replies go out through the transport's own exchange, which must
        # be the stack's before the transport exists.
        self._conf_fixture = conffixture.ConfFixture(conf)
        self._conf_fixture.setUp()
        conf.set_override('control_exchange', control_exchange)
        self._transport = messaging.get_rpc_transport(conf, url=transport_url)
        self._server = messaging.get_rpc_server(
            self._transport,
            messaging.Target(topic=volume_rpcapi.TOPIC, server='standin'),
            [self.endpoint], executor='threading',
            serializer=rpc.RequestContextSerializer())
        self._server.start()

    def stop(self):
        self._server.stop()
        self._server.wait()
        self._transport.cleanup()
        self._conf_fixture.cleanUp()
