"""Alembic environment: the engine is handed in by pos_app.store.db (no alembic.ini)."""

from alembic import context

from pos_app.store.tables import metadata

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
