from alembic import context

from snapvol_volume.db import api as db_api
from snapvol_volume.db import models

config = context.config


def run_migrations_offline():
    context.configure(url=config.get_main_option('sqlalchemy.url'),
                      target_metadata=models.Base.metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    engine = db_api.create_engine(config.get_main_option('sqlalchemy.url'))
    with engine.connect() as connection:
        context.configure(connection=connection,
                          target_metadata=models.Base.metadata)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
