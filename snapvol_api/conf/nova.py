"""How a separate volume manager (snapvol-volume) reaches the compute admin
API: keystoneauth1's session and auth options (auth_type http_basic with
endpoint, username and password; admin_token with endpoint and token under
noauth; password for keystone), as Cinder's [nova] group. snapvol-volume
refuses to start without them unless [volume] compute_api_required is
false; snapvol-all needs none (it calls its own compute API) and uses only
the session options (timeout, cafile...)."""

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

group = cfg.OptGroup('nova', title='Compute admin API client options')

opts = [
    cfg.StrOpt('api_version',
               default='2.1',
               help='Compute API microversion the volume manager asks for.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)
    ks_loading.register_session_conf_options(conf, group.name)
    ks_loading.register_auth_conf_options(conf, group.name)


def list_opts():
    return {group: (opts + ks_loading.get_session_conf_options()
                    + ks_loading.get_auth_common_conf_options()
                    + ks_loading.get_auth_plugin_conf_options(
                        'http_basic'))}
