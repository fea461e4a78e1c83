"""Alembic migrations of the archive schema (a package so code can locate it from any cwd)."""
