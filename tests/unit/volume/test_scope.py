"""Project isolation and the filters of a listing."""

import pytest

from snapvol_api import context
from snapvol_api import exception
from snapvol_volume import scope

ALICE = context.RequestContext(user_id='alice', project_id='a')
ADMIN = context.RequestContext(user_id='admin', project_id='adm',
                               roles=['admin'])


def test_a_project_sees_its_own():
    assert scope.project(ALICE) == 'a'
    assert scope.project(ADMIN) is None
    assert scope.visible(ALICE, {'project_id': 'a'})
    assert not scope.visible(ALICE, {'project_id': 'b'})
    assert scope.visible(ADMIN, {'project_id': 'b'})


def test_only_an_administrator_passes():
    scope.require_admin(ADMIN)
    with pytest.raises(exception.Forbidden):
        scope.require_admin(ALICE)


@pytest.mark.parametrize('ctxt,filters,expected', [
    (ALICE, {}, {'project_id': 'a'}),
    (ALICE, {'all_tenants': 'true', 'project_id': 'b'}, {'project_id': 'a'}),
    (ADMIN, {}, {'project_id': 'adm'}),
    (ADMIN, {'all_tenants': '1'}, {}),
    (ADMIN, {'all_tenants': True, 'project_id': 'b'}, {'project_id': 'b'}),
    (ADMIN, {'project_id': 'b'}, {'project_id': 'b'}),
    (ADMIN, {'all_tenants': 'no'}, {'project_id': 'adm'}),
    (ALICE, {'name': 'v', 'host': 'h'}, {'name': 'v', 'project_id': 'a'}),
])
def test_list_filters(ctxt, filters, expected):
    assert scope.list_filters(ctxt, filters, scope.VOLUME_FILTERS) == expected
