"""Alembic environment: runs on a connection passed by the caller, else on DATABASE_URL."""

from __future__ import annotations

from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection

from crawler.storage.engine import make_engine, normalise_url, resolve_database_url
from crawler.storage.models import Base, UTCDateTime, include_in_autogenerate

config = context.config
target_metadata = Base.metadata


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    """Render the project's UTC type as a plain DateTime so revisions import only sqlalchemy."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        render_item=render_item,
        include_object=include_in_autogenerate,
        **kwargs,
    )


def database_url() -> str:
    return config.get_main_option("sqlalchemy.url") or resolve_database_url(None)


def run_migrations_offline() -> None:
    _configure(url=normalise_url(database_url()), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def _run_on(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    engine = make_engine(database_url())
    try:
        with engine.connect() as own_connection:
            _run_on(own_connection)
            own_connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
