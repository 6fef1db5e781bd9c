from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from safefeed.store import repository, schema
from safefeed.wellbeing import family, notifications, screen_time
from safefeed.wellbeing.records import pairing, privacy, unlocks
from safefeed.wellbeing.records import store as wellbeing_store

T0 = dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC)
DAY = dt.date(2026, 5, 4)


def test_advance_is_compare_and_set(store: repository.Store) -> None:
    wb = wellbeing_store.WellbeingStore(store.engine)
    first = screen_time.Clock(last=T0, session_start=T0)
    assert wb.activity.advance("a", 0, first, [screen_time.Slice(DAY, 12, 30.0)])
    # A second writer that read version 0 too loses, and its screen time is not added.
    assert not wb.activity.advance("a", 0, first, [screen_time.Slice(DAY, 12, 30.0)])
    assert wb.activity.clock("a").version == 1
    assert wb.activity.clock("a").last == T0
    assert wb.activity.seconds_by_hour("a", DAY, DAY) == {(DAY, 12): 30.0}
    assert wb.activity.advance("a", 1, first, [screen_time.Slice(DAY, 12, 15.0), screen_time.Slice(DAY, 13, 5.0)])
    assert wb.activity.day_seconds("a", DAY) == 50.0


def test_a_pairing_code_is_claimed_once(store: repository.Store) -> None:
    wb = wellbeing_store.WellbeingStore(store.engine)
    digest = family.digest("ABCD-EFGH")
    wb.pairing.add_code(digest, "mum", T0, T0 + dt.timedelta(minutes=15))
    assert wb.pairing.claim_code(digest, "teen", T0)
    assert not wb.pairing.claim_code(digest, "sibling", T0)
    assert wb.pairing.code(digest) == pairing.Code("mum", T0 + dt.timedelta(minutes=15), used=True)
    assert wb.pairing.teens_of("mum") == ["teen"]
    wb.pairing.add_code(family.digest("ZZZZ-ZZZZ"), "dad", T0, T0 + dt.timedelta(minutes=15))
    assert not wb.pairing.claim_code(family.digest("ZZZZ-ZZZZ"), "teen", T0 + dt.timedelta(minutes=15))  # expired


def test_deduplicated_notifications_are_queued_once(store: repository.Store) -> None:
    wb = wellbeing_store.WellbeingStore(store.engine)
    kind = notifications.Kind.WEEKLY_RECAP
    assert wb.inbox.notify("teen", kind, "t", "b", T0, key="recap:2026-W18")
    assert not wb.inbox.notify("teen", kind, "t", "b", T0, key="recap:2026-W18")
    assert wb.inbox.notify("teen", notifications.Kind.TIME_DECISION, "t", "b", T0, key=None)
    assert wb.inbox.notify("teen", notifications.Kind.TIME_DECISION, "t", "b", T0, key=None)  # no key: no dedupe
    assert wb.inbox.inbox("teen") == []  # nothing delivered yet
    assert wb.inbox.deliver("teen", T0) == 3
    assert len(wb.inbox.inbox("teen")) == 3


def test_delete_account_leaves_no_wellbeing_row(store: repository.Store) -> None:
    wb = wellbeing_store.WellbeingStore(store.engine)
    wb.activity.advance("teen", 0, screen_time.Clock(last=T0), [screen_time.Slice(DAY, 12, 30.0)])
    wb.unlocks.put_passcode("teen", "teen", "$argon2id$secret", T0)
    wb.pairing.add_code(family.digest("ABCD-EFGH"), "mum", T0, T0 + dt.timedelta(minutes=15))
    wb.pairing.claim_code(family.digest("ABCD-EFGH"), "teen", T0)
    wb.pairing.put_controls("teen", family.GuardianControls("mum", daily_limit_minutes=30), T0)
    wb.pairing.add_request("teen", 10, T0)
    wb.inbox.notify("teen", notifications.Kind.TIME_DECISION, "t", "b", T0, key=None)
    wb.marks.mark("teen", "wind_down_dismissed", "2026-05-04", T0)
    wb.unlocks.add_grant("teen", unlocks.Grant(DAY, 15, "passcode", T0))
    exported = wb.export_account("teen")
    assert exported["screen_time"][0]["seconds"] == 30.0
    assert "hash" not in exported["passcodes"][0]  # the hash is not handed out, even to its owner
    assert exported["family_controls"][0]["daily_limit_minutes"] == 30
    wb.delete_account("teen")
    with store.engine.connect() as connection:
        for name in privacy.BY_ACCOUNT:
            assert (
                connection.execute(sa.select(sa.func.count()).select_from(schema.metadata.tables[name])).scalar() == 0
            )
        assert connection.execute(sa.select(sa.func.count()).select_from(schema.guardian_links)).scalar() == 0
