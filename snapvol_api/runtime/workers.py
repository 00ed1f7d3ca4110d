"""The thread pool a manager runs its long work in."""

from concurrent import futures

from oslo_context import context
from oslo_log import log as logging

LOG = logging.getLogger(__name__)


class Workers:

    def __init__(self, size, name):
        self._executor = futures.ThreadPoolExecutor(
            size, thread_name_prefix=name)

    def spawn(self, func, *args):
        """Runs ``func(*args)`` in a worker. Nobody waits for it, so a
        failure is logged here; the work records its own outcome.

        The work goes on under the request that asked for it: its log
        lines carry that request's id, and so do the user messages it
        leaves. Work no request asked for (recovery at start) gets a
        request id of its own, as Cinder's periodic work does."""
        requested_by = context.get_current()

        def run():
            if requested_by is not None:
                requested_by.update_store()
            else:
                context.RequestContext(overwrite=True)
            try:
                func(*args)
            except Exception:
                LOG.exception('%s%r failed', func.__name__, args)
        return self._executor.submit(run)

    def stop(self, wait):
        self._executor.shutdown(wait=wait, cancel_futures=True)
