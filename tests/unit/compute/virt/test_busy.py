import pytest
import tenacity

from snapvol_api import exception
from snapvol_compute.virt import guest


def _flaky(failures, error):
    calls = []

    def start_job(*args, **kwargs):
        calls.append((args, kwargs))
        if len(calls) <= failures:
            raise error(reason='cannot acquire state change lock',
                        error_code=68)
        return 'started'
    return start_job, calls


def _no_wait(func):
    return guest.retry_when_busy(func).retry_with(wait=tenacity.wait_none())


def test_a_job_refused_while_the_domain_is_busy_is_asked_again():
    start_job, calls = _flaky(2, exception.HypervisorBusy)
    assert _no_wait(start_job)('vdb[2]', bandwidth_mib=0) == 'started'
    assert calls == [(('vdb[2]',), {'bandwidth_mib': 0})] * 3


def test_a_domain_busy_for_too_long_fails():
    start_job, calls = _flaky(10, exception.HypervisorBusy)
    with pytest.raises(exception.HypervisorBusy):
        _no_wait(start_job)('vdb[2]')
    assert len(calls) == 4


def test_other_libvirt_errors_are_not_retried():
    start_job, calls = _flaky(1, exception.HypervisorError)
    with pytest.raises(exception.HypervisorError):
        _no_wait(start_job)('vdb[2]')
    assert len(calls) == 1
