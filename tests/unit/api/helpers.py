"""Users, credentials and a small client for the API tests."""

import base64
import functools

import bcrypt

# name: (password, project field, roles field) as in the htpasswd file.
USERS = {
    'alice': ('alice-pw', 'p1', ''),
    'bob': ('bob-pw', 'p2', ''),
    'carol': ('carol-pw', '', ''),        # project defaults to "carol"
    'root': ('root-pw', 'ops', 'member,admin'),
}


def basic_auth(user, password=None):
    password = USERS[user][0] if password is None else password
    token = base64.b64encode(('%s:%s' % (user, password)).encode())
    return {'Authorization': 'Basic ' + token.decode()}


@functools.cache
def _bcrypt_hash(password):
    # Once per password and process: most tests write a file of the same
    # users, and a hash costs a millisecond or two.
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4))


def write_htpasswd(path, users=USERS):
    lines = ['# snapvol test users', '']
    for name, (password, project, roles) in users.items():
        hashed = _bcrypt_hash(password)
        fields = [name, hashed.decode()]
        if project or roles:
            fields.append(project)
        if roles:
            fields.append(roles)
        lines.append(':'.join(fields))
    path.write_text('\n'.join(lines) + '\n')
    return path


class Client:
    """Requests under /v3/<project>/ with one user's credentials."""

    def __init__(self, app, headers, project):
        self.app = app
        # Real clients (keystoneauth) ask for JSON; pecan checks Accept.
        self.headers = dict(headers, Accept='application/json')
        self.project = project

    def at(self, version):
        """This client, asking for microversion ``version`` ("3.14")."""
        return Client(self.app, dict(
            self.headers, **{'OpenStack-API-Version': 'volume ' + version}),
            self.project)

    def url(self, path):
        return '/v3/%s/%s' % (self.project, path.lstrip('/'))

    def get(self, path, status=200, **kwargs):
        return self.app.get(self.url(path), headers=self.headers,
                            status=status, **kwargs)

    def post(self, path, body, status=202):
        return self.app.post_json(self.url(path), body,
                                  headers=self.headers, status=status)

    def put(self, path, body, status=200):
        return self.app.put_json(self.url(path), body, headers=self.headers,
                                 status=status)

    def delete(self, path, status=202):
        return self.app.delete(self.url(path), headers=self.headers,
                               status=status)

    def create_volume(self, **fields):
        fields.setdefault('size', 1)
        return self.post('volumes', {'volume': fields}).json['volume']

    def create_snapshot(self, volume_id, **fields):
        fields['volume_id'] = volume_id
        return self.post('snapshots', {'snapshot': fields}).json['snapshot']
