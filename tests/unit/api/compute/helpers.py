"""A small client for the compute API tests: requests under /v2.1/ with
one user's credentials."""

import uuid


class Client:

    def __init__(self, app, headers):
        self.app = app
        self.headers = dict(headers, Accept='application/json')

    @staticmethod
    def url(path):
        return '/v2.1/%s' % path.lstrip('/')

    def get(self, path, status=200, **kwargs):
        return self.app.get(self.url(path), headers=self.headers,
                            status=status, **kwargs)

    def post(self, path, body, status=200):
        return self.app.post_json(self.url(path), body,
                                  headers=self.headers, status=status)

    def put(self, path, body, status=200):
        return self.app.put_json(self.url(path), body, headers=self.headers,
                                 status=status)

    def delete(self, path, status=204):
        return self.app.delete(self.url(path), headers=self.headers,
                               status=status)

    def create_server(self, volume_id=None, status=202, **fields):
        server = {
            'name': 'vm1', 'flavorRef': '1', 'imageRef': '',
            'block_device_mapping_v2': [{
                'uuid': volume_id or str(uuid.uuid4()),
                'source_type': 'volume', 'destination_type': 'volume',
                'boot_index': 0}],
        }
        server.update(fields)
        return self.post('servers', {'server': server}, status=status)
