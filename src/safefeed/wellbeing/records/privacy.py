"""What the well-being tables hold about an account, handed out (export) or removed (delete), across every family."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from safefeed.store import schema

# The tables with one account column each; links, controls and notifications about someone are handled apart.
BY_ACCOUNT: Mapping[str, str] = {
    "screen_time": "account_id",
    "wellbeing_state": "account_id",
    "time_grants": "account_id",
    "prompt_marks": "account_id",
    "passcodes": "account_id",
    "time_requests": "teen_id",
    "notifications": "recipient_id",
}


class Privacy:
    """Every well-being row about an account, as a teen or as a guardian."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def export_account(self, account_id: str) -> dict[str, Any]:
        """Every well-being row about the account (passcode hashes left out), as JSON-ready data."""
        exported: dict[str, Any] = {}
        with self.engine.connect() as connection:
            for name, column in BY_ACCOUNT.items():
                table = schema.metadata.tables[name]
                rows = connection.execute(sa.select(table).where(table.c[column] == account_id)).mappings()
                exported[name] = [{k: v for k, v in row.items() if k != "hash"} for row in rows]
            about = schema.notifications
            exported["notifications_about_me"] = [
                dict(row)
                for row in connection.execute(sa.select(about).where(about.c.subject_id == account_id)).mappings()
            ]
            links = schema.guardian_links
            exported["guardian_links"] = [
                dict(row)
                for row in connection.execute(
                    sa.select(links).where(sa.or_(links.c.teen_id == account_id, links.c.guardian_id == account_id))
                ).mappings()
            ]
            controls = schema.family_controls
            exported["family_controls"] = [
                dict(row)
                for row in connection.execute(sa.select(controls).where(controls.c.teen_id == account_id)).mappings()
            ]
        return exported

    def delete_account(self, account_id: str) -> None:
        """Remove every well-being row about the account, as a teen or as a guardian."""
        with self.engine.begin() as connection:
            for name, column in BY_ACCOUNT.items():
                table = schema.metadata.tables[name]
                connection.execute(sa.delete(table).where(table.c[column] == account_id))
            about = schema.notifications
            connection.execute(sa.delete(about).where(about.c.subject_id == account_id))
            for table in (schema.guardian_links, schema.family_controls):
                connection.execute(
                    sa.delete(table).where(sa.or_(table.c.teen_id == account_id, table.c.guardian_id == account_id))
                )
            connection.execute(sa.delete(schema.passcodes).where(schema.passcodes.c.owner_id == account_id))
            connection.execute(sa.delete(schema.pairing_codes).where(schema.pairing_codes.c.guardian_id == account_id))
