"""Storage (store): the only package that talks to the database."""
