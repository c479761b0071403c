"""Alembic environment for HQ: the engine is handed in by hq_server.db (no alembic.ini)."""

from alembic import context

from hq_server.models import metadata

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=engine.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()
