"""What SafeFeed knows about an account: shown, editable, exportable, deletable; and what protections did."""

from __future__ import annotations

from safefeed import model
from safefeed.recommend import feed
from safefeed.store import repository
from tests.recommend.conftest import T0
from tests.recommend.test_protections import binge_sad


def test_profile_shows_inferred_interests_and_an_edit_lasts(world: repository.Store) -> None:
    engine = feed.build(world)
    engine.record([model.Event("other", model.EventKind.LIKE, T0, video_id=f"pets-{i:02d}") for i in range(6)])
    profile = engine.profile("other", now=T0)
    assert profile["inferred_interests"][0]["topic"] == "pets"  # type: ignore[index]
    engine.forget_interest("other", "pets")
    for fresh in (engine, feed.build(world)):
        topics = [entry["topic"] for entry in fresh.profile("other", now=T0)["inferred_interests"]]  # type: ignore[attr-defined]
        assert "pets" not in topics
        assert not fresh.account_state("other").interactions


def test_export_holds_everything_and_delete_leaves_nothing(world: repository.Store) -> None:
    engine = feed.build(world)
    engine.feed("teen", n=5, now=T0)
    engine.record([model.Event("teen", model.EventKind.SEARCH, T0, query="how to draw")])
    exported = world.export_account("teen")
    assert len(exported["events"]) == world.count_events() == 6  # 5 impressions and the search
    removed = world.delete_account("teen")
    engine.forget("teen")
    assert removed == 6
    assert world.events(account_id="teen") == [] and world.snapshot("teen") is None
    assert world.count_events() == 0


def test_protections_are_counted_by_region_and_age_band(world: repository.Store) -> None:
    engine = feed.build(world)
    binge_sad(engine, "teen", pages=5)
    engine.flush_protections()
    counts = world.protection_counts()
    assert counts.get(("KE", "13-15", "age_gated"), 0) > 0
    # Likely-sensitive videos are held from a minor's feed altogether, so the cap has little left to disperse:
    # what held them, and what was held as likely harmful, is counted instead.
    assert counts.get(("KE", "13-15", "sensitive_held"), 0) > 0
    assert counts.get(("KE", "13-15", "likely_harmful_held"), 0) > 0
    engine.flush_protections()  # nothing new: totals unchanged
    assert world.protection_counts() == counts
