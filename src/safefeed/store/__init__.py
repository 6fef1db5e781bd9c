"""Persistence behind one repository, `repository.Store`: SQLite by default, PostgreSQL at scale."""
