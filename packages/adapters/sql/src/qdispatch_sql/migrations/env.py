"""Alembic's entry point, run by qdispatch_sql.migrate on a connection it provides."""

from alembic import context

from qdispatch_sql.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if context.is_offline_mode() or connection is None:
    raise RuntimeError("qdispatch migrations run through qdispatch_sql.migrate, online only")

context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=config.attributes["version_table"],
    # SQLite alters tables by copying them; batch mode lets later migrations do that.
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
