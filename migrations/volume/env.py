from alembic import context

from snapvol_api.runtime import database
from snapvol_volume.db import migration
from snapvol_volume.db import models


def run_migrations_online():
    engine = database.create_engine(
        context.config.get_main_option('sqlalchemy.url'))
    with engine.connect() as connection:
        # A table of its own: both services may share one database.
        context.configure(connection=connection,
                          target_metadata=models.Base.metadata,
                          version_table=migration.VERSION_TABLE)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
