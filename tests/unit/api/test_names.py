"""The one check of file names from outside."""

import pytest

from snapvol_api import exception
from snapvol_api import names


@pytest.mark.parametrize('value', [
    'volume-1', 'volume-1.2', 'a', 'A_b-c.d', 'x' * 255])
def test_bare_names_pass(value):
    assert names.is_file_name(value)
    assert names.check_file_name(value, 'new_file') == value


@pytest.mark.parametrize('value', [
    '', '.', '..', '.hidden', '-x', 'a/b', '/etc/passwd', '../etc/passwd',
    'a..b', 'a b', 'a\x00b', 'é', 'x' * 256, 5, b'volume-1', ['a']])
def test_anything_else_is_refused(value):
    assert not names.is_file_name(value)
    with pytest.raises(exception.InvalidCreateInfo, match='new_file'):
        names.check_file_name(value, 'new_file',
                              exception.InvalidCreateInfo)


def test_none_stays_none():
    assert names.check_file_name(None, 'merge_target_file') is None
