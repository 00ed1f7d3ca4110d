import os
import shutil
import subprocess

import bcrypt
import pytest

from snapvol_api import exception
from snapvol_api.rest import htpasswd


def _hash(password, prefix=b'$2b$'):
    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4))
    return (prefix + hashed[4:]).decode()


def test_parse_line_fields():
    user = htpasswd.parse_line('bob:%s:p2:admin, member' % _hash('x'))
    assert (user.name, user.project_id, user.roles) == (
        'bob', 'p2', ('admin', 'member'))
    user = htpasswd.parse_line('bob:%s' % _hash('x'))
    assert (user.project_id, user.roles) == ('bob', ())
    user = htpasswd.parse_line('bob:%s::admin' % _hash('x'))
    assert (user.project_id, user.roles) == ('bob', ('admin',))
    assert htpasswd.parse_line('  # comment') is None
    assert htpasswd.parse_line('') is None


@pytest.mark.parametrize('line', [
    'bob', ':%s' % _hash('x'), 'bob:{SHA}abcdef=', 'bob:$apr1$salt$hash',
    'bob:plaintext', 'bob:crypthash:p:r:extra',
], ids=['no-hash', 'no-name', 'sha', 'apr1', 'plaintext', 'extra-field'])
def test_bad_lines_are_refused(line):
    with pytest.raises(ValueError):
        htpasswd.parse_line(line)


def test_bad_lines_are_skipped_with_a_warning(tmp_path, caplog):
    path = tmp_path / 'users'
    path.write_text('bob:{SHA}abc=\nann:%s\nann:%s\n'
                    % (_hash('a'), _hash('b')))
    users = htpasswd.UserFile(str(path))
    assert users.authenticate('ann', 'a')
    assert not users.authenticate('ann', 'b')
    assert not users.authenticate('bob', 'abc')
    assert 'line 1 ignored' in caplog.text
    assert 'line 3 ignored' in caplog.text


@pytest.mark.parametrize('prefix', [b'$2y$', b'$2b$', b'$2a$'])
def test_bcrypt_variants(tmp_path, prefix):
    path = tmp_path / 'users'
    path.write_text('ann:%s\n' % _hash('pw', prefix))
    users = htpasswd.UserFile(str(path))
    assert users.authenticate('ann', 'pw').name == 'ann'
    assert users.authenticate('ann', 'PW') is None
    assert users.authenticate('nobody', 'pw') is None


def test_long_passwords_are_cut_as_htpasswd_does(tmp_path):
    password = 'p' * 100
    path = tmp_path / 'users'
    path.write_text('ann:%s\n' % _hash(password[:72]))
    assert htpasswd.UserFile(str(path)).authenticate('ann', password)


@pytest.mark.skipif(not shutil.which('htpasswd'), reason='needs htpasswd')
def test_file_written_by_htpasswd(tmp_path):
    path = tmp_path / 'users'
    subprocess.run(['htpasswd', '-B', '-C', '4', '-b', '-c', str(path),
                    'ann', 's3cret'], check=True, capture_output=True)
    with open(path, 'a') as f:
        f.write(subprocess.run(
            ['htpasswd', '-B', '-C', '4', '-b', '-n', 'root', 'pw'],
            check=True, capture_output=True, text=True).stdout.strip()
            + ':ops:admin\n')
    users = htpasswd.UserFile(str(path))
    assert users.authenticate('ann', 's3cret').project_id == 'ann'
    assert users.authenticate('root', 'pw').roles == ('admin',)


def test_unreadable_file_is_a_config_error(tmp_path):
    with pytest.raises(exception.ConfigInvalid, match='missing'):
        htpasswd.UserFile(str(tmp_path / 'missing'))
    path = tmp_path / 'latin1'
    path.write_bytes(b'\xe9t\xe9:x\n')
    with pytest.raises(exception.ConfigInvalid):
        htpasswd.UserFile(str(path))


def test_changes_are_picked_up(tmp_path):
    path = tmp_path / 'users'
    path.write_text('ann:%s\n' % _hash('one'))
    users = htpasswd.UserFile(str(path))
    assert users.authenticate('ann', 'one')
    path.write_text('ann:%s\n' % _hash('two'))
    stat = os.stat(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert not users.authenticate('ann', 'one')
    assert users.authenticate('ann', 'two')
