"""Alembic environments, one per service database."""
