"""Start-up and shut-down shared by every snapvol console script."""

import signal
import threading

from oslo_log import log as logging
from oslo_messaging import opts as messaging_opts

from snapvol_api import rpc
from snapvol_api.conf import CONF

LOG = logging.getLogger(__name__)


def prepare(argv, default_transport_url=None):
    """Parses the command line and config files and sets up logging and
    the RPC transport."""
    logging.register_options(CONF)
    if default_transport_url:
        # oslo.messaging registers transport_url only when it builds a
        # transport; register it now so that its default can change.
        for group, opts in messaging_opts.list_opts():
            if group is None:
                CONF.register_opts(opts)
        CONF.set_default('transport_url', default_transport_url)
    CONF(argv[1:], project='snapvol')
    logging.setup(CONF, 'snapvol')
    CONF.log_opt_values(LOG, logging.DEBUG)
    rpc.init(CONF)


def wait_for_signal(*stoppers):
    """Blocks until SIGTERM or SIGINT, then calls each stopper in turn."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()
    LOG.info('Stopping')
    for stopper in stoppers:
        try:
            stopper()
        except Exception:
            LOG.exception('Error while stopping')
    rpc.cleanup()
