"""Schema upgrades of the volume database with alembic."""

import os

from alembic import command
from alembic import config as alembic_config
from alembic import migration
import sqlalchemy as sa

import migrations.volume

SCRIPT_LOCATION = os.path.dirname(migrations.volume.__file__)


def _config(url):
    cfg = alembic_config.Config()
    cfg.set_main_option('script_location', SCRIPT_LOCATION)
    # alembic's ini interpolation would eat a '%' in a password.
    cfg.set_main_option('sqlalchemy.url', url.replace('%', '%%'))
    return cfg


def upgrade(url, revision='head'):
    command.upgrade(_config(url), revision)


def current_revision(url):
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return migration.MigrationContext.configure(
                connection).get_current_revision()
    finally:
        engine.dispose()
