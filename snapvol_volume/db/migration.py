"""Schema upgrades of the volume database."""

import os

import migrations.volume
from snapvol_api.runtime import database

SCRIPT_LOCATION = os.path.dirname(migrations.volume.__file__)
VERSION_TABLE = 'alembic_version_volume'


def upgrade(url, revision='head'):
    database.upgrade(SCRIPT_LOCATION, url, revision)


def head_revision():
    return database.head_revision(SCRIPT_LOCATION)


def current_revision(url):
    return database.current_revision(url, VERSION_TABLE)
