"""The volume manager as an RPC server, and the one place that wires the
manager's parts together."""

import uuid

from oslo_log import log as logging
import oslo_messaging as messaging

from snapvol_api import rpc
from snapvol_api.conf import CONF
from snapvol_api.rpc import compute_rpcapi
from snapvol_api.rpc import volume_rpcapi
from snapvol_api.runtime import coordination as coordination_mod
from snapvol_api.runtime import heartbeat as heartbeat_mod
from snapvol_api.runtime import workers as workers_mod
from snapvol_volume import assisted as assisted_mod
from snapvol_volume import attachments as attachments_mod
from snapvol_volume import backups as backups_mod
from snapvol_volume import compute as compute_mod
from snapvol_volume import drivers
from snapvol_volume import exports as exports_mod
from snapvol_volume import group_snapshots as group_snapshots_mod
from snapvol_volume import groups as groups_mod
from snapvol_volume import locks as locks_mod
from snapvol_volume import manager as manager_mod
from snapvol_volume import messages as messages_mod
from snapvol_volume import quotas as quotas_mod
from snapvol_volume import recovery as recovery_mod
from snapvol_volume import reports as reports_mod
from snapvol_volume import services as services_mod
from snapvol_volume import shares as shares_mod
from snapvol_volume import snapshots as snapshots_mod
from snapvol_volume import transfers as transfers_mod
from snapvol_volume import volume_types as volume_types_mod
from snapvol_volume import volumes as volumes_mod
from snapvol_volume.db import api as db_api

LOG = logging.getLogger(__name__)


class _OnFirstUse:
    """Made when first used: a deployment without attached volumes needs
    no compute service."""

    def __init__(self, make):
        self._make = make
        self._made = None

    def __getattr__(self, name):
        if self._made is None:
            self._made = self._make()
        return getattr(self._made, name)


def build_manager(host=None, db=None, share_drivers=None, compute=None,
                  compute_rpc=None, reports=None, locks=None, workers=None,
                  recovery_workers=None, run_id=None, live_runs=None,
                  coordinator=None):
    """A VolumeManager with its parts; each left out is the default one.

    ``compute``: the compute admin API client (default: from [nova]);
    ``compute_rpc``: the compute manager's rpcapi; ``workers``: where the
    file work runs (``spawn(func, *args)``, ``stop(wait)``), and
    ``recovery_workers`` where start-up reconciles run; ``run_id``: this
    run's id in the services table; ``live_runs()``: the owners of work
    not to take over (default: the live volume managers' runs);
    ``coordinator``: where the volumes' locks come from (default: from
    [coordination]; whoever passes one starts and stops it).
    """
    host = host or CONF.host
    cluster = CONF.cluster
    # This run of the manager: the owner of the work it begins (recovery
    # takes over only the work of dead runs).
    owner = '%s/%s' % (host, run_id or uuid.uuid4().hex[:12])
    db = db or db_api
    locks = locks or locks_mod.Locks(
        coordinator or coordination_mod.from_conf(owner))
    shares = shares_mod.Shares(
        share_drivers if share_drivers is not None else drivers.load_shares(),
        db, locks, host)
    workers = workers or workers_mod.Workers(CONF.volume.worker_threads,
                                             'volume-worker')
    assisted = assisted_mod.Assisted(
        db, shares, compute or compute_mod.ComputeClient(),
        compute_rpc or _OnFirstUse(compute_rpcapi.ComputeAPI),
        reports or reports_mod.Reports(
            db, CONF.volume.report_poll_interval, owner))
    messages = messages_mod.Messages(db)
    quotas = quotas_mod.Quotas(db)
    types = volume_types_mod.VolumeTypes(db, shares)
    volumes = volumes_mod.Volumes(db, shares, locks, workers, host, owner,
                                  messages, quotas, assisted, types,
                                  cluster=cluster)
    snapshots = snapshots_mod.Snapshots(db, shares, locks, workers, assisted,
                                        owner, messages, quotas)
    live_runs = live_runs or (
        lambda: db.service_live_runs(services_mod.BINARY))
    recovery = recovery_mod.Recovery(
        db, shares, locks, volumes, snapshots,
        recovery_workers or workers_mod.Workers(CONF.volume.worker_threads,
                                                'volume-recovery'),
        host, cluster, owner, live_runs)
    exports = exports_mod.Exports(db, shares, locks, workers, messages,
                                  owner)
    backups = backups_mod.Backups(db, shares, locks, workers, volumes,
                                  quotas, owner, host, live_runs=live_runs,
                                  exports=exports)
    return manager_mod.VolumeManager(
        db, shares, volumes, snapshots, assisted,
        attachments_mod.Attachments(db, shares, locks), recovery, workers,
        groups_mod.Groups(db, volumes, host, quotas),
        group_snapshots_mod.GroupSnapshots(db, shares, locks, workers,
                                           assisted, snapshots, owner,
                                           quotas),
        quotas, transfers_mod.Transfers(db, locks, quotas), types,
        backups=backups, exports=exports)


class VolumeService:

    def __init__(self, host=None, compute=None, manager=None,
                 coordinator=None):
        """``compute``: the compute admin API client (snapvol-all passes
        its in-process one); default: from the [nova] options.
        ``manager``: a VolumeManager made elsewhere (tests);
        ``coordinator``: its locks' (default: from [coordination])."""
        self.host = host or CONF.host
        # This run of the manager: its heartbeat names it, and the work
        # it begins is recorded as "host/run_id".
        self.run_id = heartbeat_mod.new_run_id()
        self.coordinator = coordinator or coordination_mod.from_conf(
            '%s/%s' % (self.host, self.run_id))
        self.manager = manager or build_manager(
            self.host, compute=compute, coordinator=self.coordinator,
            run_id=self.run_id)
        # Calls about this host's volumes, and with a cluster, calls about
        # the cluster's: its members share them.
        self.servers = [rpc.get_server(
            messaging.Target(topic=volume_rpcapi.TOPIC, server=name),
            [self.manager]) for name in filter(None, (self.host,
                                                       CONF.cluster))]
        self.heartbeat = services_mod.heartbeat(
            db_api, self.host, services_mod.BINARY, self.run_id,
            topic=volume_rpcapi.TOPIC,
            cluster_name=CONF.cluster or self.host)
        # The work of members that died since start, taken over as soon
        # as a heartbeat is late.
        self.periodic = heartbeat_mod.Heartbeat(
            self.manager.periodic_tasks, name='volume-periodic')

    def start(self):
        """ConfigInvalid when a volume manager of another host is up
        while this one has no coordination backend: their locks would
        not keep each other out."""
        if not self.coordinator.distributed:
            services_mod.refuse_other_hosts(db_api, self.host)
        # In the services table (this run alive) before recovery looks
        # for the work of dead runs.
        self.heartbeat.start()
        # Recovery decides what it resumes, and holds those volumes,
        # before the first request is served; it takes locks.
        self.coordinator.start()
        self.manager.init_host()
        for server in self.servers:
            server.start()
        self.periodic.start()
        LOG.info('Volume service of host %s started', self.host)

    def stop(self):
        self.periodic.stop()
        for server in self.servers:
            server.stop()
        for server in self.servers:
            server.wait()
        self.manager.stop()
        self.coordinator.stop()
        self.heartbeat.stop()
