"""snapvol-nfs-fuse's -o: libfuse options, the client's own, and the
kernel client's, which it ignores so that one share line serves both."""

import logging

from snapvol_api.runtime import nfsfuse


def test_defaults_keep_permissions_enforced_and_nothing_cached():
    fuse, ours = nfsfuse.parse_options('')
    assert fuse['default_permissions'] and fuse['allow_other']
    assert fuse['attr_timeout'] == 0 and ours == {}


def test_client_options_are_taken_out_and_typed():
    fuse, ours = nfsfuse.parse_options(
        'retry_timeout=60,connections=8,operation_timeout=5.5,noallow_other,'
        'max_read=131072')
    assert ours == {'retry_timeout': 60.0, 'connections': 8,
                    'operation_timeout': 5.5}
    assert 'allow_other' not in fuse and fuse['max_read'] == '131072'
    assert not set(ours) & set(fuse)


def test_kernel_nfs_options_are_ignored_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger=nfsfuse.LOG.name):
        fuse, ours = nfsfuse.parse_options(
            'vers=4.1,hard,timeo=600,noac,nolock,_netdev,connections=2,ro')
    assert fuse == dict(nfsfuse.DEFAULT_OPTIONS, ro=True)
    assert ours == {'connections': 2}
    assert 'vers=4.1,hard,timeo=600,noac,nolock,_netdev' in caplog.text
