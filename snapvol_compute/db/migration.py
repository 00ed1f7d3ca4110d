"""Schema upgrades of the compute database."""

import os

import migrations.compute
from snapvol_api.runtime import database

SCRIPT_LOCATION = os.path.dirname(migrations.compute.__file__)
VERSION_TABLE = 'alembic_version_compute'


def upgrade(url, revision='head'):
    database.upgrade(SCRIPT_LOCATION, url, revision)


def head_revision():
    return database.head_revision(SCRIPT_LOCATION)


def current_revision(url):
    return database.current_revision(url, VERSION_TABLE)
