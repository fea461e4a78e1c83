"""Project Scrapy commands (COMMANDS_MODULE): `scrapy migrate`, `scrapy export`."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError


def describe_error(error: BaseException) -> str:
    """One readable line for a database error, without SQLAlchemy's SQL dump and help link."""
    if isinstance(error, SQLAlchemyError):
        cause = getattr(error, "orig", None) or error.__cause__ or error
        text = str(cause)
    else:
        text = str(error)
    first_line = text.strip().splitlines()[0] if text.strip() else type(error).__name__
    return first_line
