"""Persistence behind one repository (`store.repository.Store`): SQLite by default, PostgreSQL for many instances."""
