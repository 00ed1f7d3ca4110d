"""Volume types on running services with two local shares, through
python-cinderclient: an administrator's type whose extra specs name a
share puts its volumes' files there; a type no share suits is refused
before anything is made; a private type shared with one project; the
3.52 filter, 3.62's project default types and 3.63's volume_type_id;
types in use or defaults stay."""

from cinderclient import exceptions as cinder_exc
import pytest

from . import harness


@pytest.fixture(params=['embedded', 'split'])
def two_shares(request, service_factory, tmp_path):
    """snapvol-all on SQLite, or the API and the volume service apart on
    PostgreSQL and RabbitMQ (migration 0007 on both databases)."""
    paths = [tmp_path / 'share-a', tmp_path / 'share-b']
    shares = ['local:%s' % p for p in paths]
    if request.param == 'embedded':
        svc = service_factory(embedded=True, shares=shares)
    else:
        svc = service_factory(mode='split', shares=shares)
    return svc, paths


def _available(cinder, **kwargs):
    volume = cinder.volumes.create(1, **kwargs)
    harness.wait_for_status(lambda: cinder.volumes.get(volume.id),
                            'available')
    return cinder.volumes.get(volume.id)


def _names(types):
    return sorted(t.name for t in types)


def test_types_choose_shares_and_defaults(two_shares):
    svc, (share_a, share_b) = two_shares
    admin = svc.client('admin', '3.63')
    alice = svc.client('alice', '3.63')
    alice_project = svc.user('alice').project

    on_b = admin.volume_types.create('on-b', description='the b share')
    on_b.set_keys({'volume_backend_name': 'local',
                   'snapvol:share': 'local:%s' % share_b})
    on_nfs = admin.volume_types.create('on-nfs')
    on_nfs.set_keys({'volume_backend_name': 'nfs'})
    hidden = admin.volume_types.create('hidden', is_public=False)
    with pytest.raises(cinder_exc.ClientException) as taken:
        admin.volume_types.create('on-b')
    assert taken.value.code == 409
    with pytest.raises(cinder_exc.Forbidden):
        alice.volume_types.create('mine')

    assert _names(alice.volume_types.list()) == [
        '__DEFAULT__', 'on-b', 'on-nfs']
    assert _names(admin.volume_types.list(is_public=None)) == [
        '__DEFAULT__', 'hidden', 'on-b', 'on-nfs']
    assert admin.volume_types.get(on_b.id).get_keys() == {
        'volume_backend_name': 'local',
        'snapvol:share': 'local:%s' % share_b}
    assert alice.volume_types.get(on_b.id).get_keys() == {}
    nfs_types = svc.client('admin', '3.52').volume_types.list(
        search_opts={'extra_specs': {'volume_backend_name': 'nfs'}})
    assert _names(nfs_types) == ['on-nfs']

    # Placement: every volume of on-b is on share b.
    for _ in range(2):
        volume = _available(alice, volume_type='on-b')
        assert (volume.volume_type, volume.volume_type_id) == (
            'on-b', on_b.id)
        assert (share_b / ('volume-%s' % volume.id)).exists()
        assert not (share_a / ('volume-%s' % volume.id)).exists()
    before = len(alice.volumes.list())
    with pytest.raises(cinder_exc.BadRequest, match='on-nfs'):
        alice.volumes.create(1, volume_type='on-nfs')
    with pytest.raises(cinder_exc.NotFound):
        alice.volumes.create(1, volume_type='hidden')
    with pytest.raises(cinder_exc.NotFound):
        alice.volumes.create(1, volume_type='nonesuch')
    assert len(alice.volumes.list()) == before

    # 3.62: alice's project defaults to on-b; others keep __DEFAULT__.
    admin.default_types.create('on-b', alice_project)
    assert admin.default_types.list(alice_project).volume_type_id == \
        on_b.id
    assert alice.volume_types.default().name == 'on-b'
    plain = _available(alice)
    assert plain.volume_type == 'on-b'
    assert (share_b / ('volume-%s' % plain.id)).exists()
    bobs = _available(svc.client('bob', '3.63'))
    assert (bobs.volume_type, bobs.volume_type_id) == (
        '__DEFAULT__', admin.volume_types.get('__DEFAULT__').id)

    with pytest.raises(cinder_exc.BadRequest, match='default'):
        admin.volume_types.delete(on_b)
    admin.default_types.delete(alice_project)
    assert admin.default_types.list() == []
    assert alice.volume_types.default().name == '__DEFAULT__'
    with pytest.raises(cinder_exc.BadRequest, match='volumes present'):
        admin.volume_types.delete(on_b)
    # A private type shared with alice's project (os-volume-type-access).
    admin.volume_type_access.add_project_access(hidden, alice_project)
    assert [a.project_id for a in admin.volume_type_access.list(
        hidden)] == [alice_project]
    assert _available(alice, volume_type='hidden').volume_type == 'hidden'
    with pytest.raises(cinder_exc.NotFound):
        svc.client('bob', '3.63').volume_types.get(hidden.id)
    admin.volume_type_access.remove_project_access(hidden, alice_project)
    with pytest.raises(cinder_exc.NotFound):
        alice.volume_types.get(hidden.id)

    admin.volume_types.delete(on_nfs)
    assert _names(admin.volume_types.list(is_public=None)) == [
        '__DEFAULT__', 'hidden', 'on-b']
