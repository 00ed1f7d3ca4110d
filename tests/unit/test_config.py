"""The configuration contract later work relies on."""

import subprocess
import sys

from snapvol_api.conf import CONF
from snapvol_api.conf import opts


def test_contract_names_and_defaults():
    CONF([], project='snapvol', default_config_files=[])
    assert CONF.auth_strategy == 'http_basic'
    assert CONF.volume_api.port == 8776
    assert CONF.database.connection == 'sqlite:///%s/snapvol.sqlite' % (
        CONF.state_path)
    assert CONF.volume.shares_config is None
    for name in ('http_basic_auth_user_file', 'host', 'state_path'):
        assert name in CONF
    CONF.reset()


def test_every_option_has_help_and_reaches_the_sample(tmp_path):
    out = tmp_path / 'sample.conf'
    subprocess.run([sys.executable, '-m', 'oslo_config.generator',
                    '--namespace', 'snapvol', '--output-file', str(out)],
                   check=True)
    sample = out.read_text()
    for group, options in opts.list_opts():
        name = getattr(group, 'name', group)
        assert '[%s]' % name in sample
        for opt in options:
            assert opt.help, opt.name
            assert '#%s =' % opt.dest in sample, opt.name
