"""A guardian's consent to For You: recorded with who and when, the strictest answer wins, gone with the link."""

from __future__ import annotations

import datetime as dt

import pytest

from safefeed.recommend import context as policy_context
from safefeed.store import repository
from safefeed.wellbeing import errors, notifications, service
from tests.wellbeing.conftest import add_account, make_service

NOON = dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


def pair(wellbeing: service.Wellbeing, guardian: str, teen_id: str) -> None:
    code = wellbeing.pairing_code(guardian, NOON)
    wellbeing.accept_pairing(wellbeing.accounts.account(teen_id), code, NOON + MINUTE)


def test_consent_is_recorded_with_who_and_when_and_reaches_the_feeds_account(
    wellbeing: service.Wellbeing, store: repository.Store
) -> None:
    teen = add_account(store, "teen")
    assert wellbeing.effective_account(teen).feed_consent is False
    pair(wellbeing, "mum", "teen")
    assert wellbeing.effective_account(teen).feed_consent is False  # pairing is not consent
    controls = wellbeing.set_feed_consent("mum", teen, True, NOON + 2 * MINUTE)
    assert controls.feed_consent is True
    (mine,) = controls.by_guardian
    assert (mine.guardian_id, mine.feed_consent, mine.feed_consent_at) == ("mum", True, NOON + 2 * MINUTE)
    assert wellbeing.effective_account(teen).feed_consent is True
    # Other controls set later keep the consent (one row per guardian holds both).
    wellbeing.guardian_set_limit("mum", teen, 45, NOON + 3 * MINUTE)
    assert wellbeing.family_controls(teen).feed_consent is True
    kinds = [(n.kind, n.title) for n in wellbeing.notifications(teen, NOON + 4 * MINUTE)]
    assert (notifications.Kind.FAMILY_PAIRING, "For You is on") in kinds


def test_one_guardians_withdrawal_outweighs_anothers_consent(
    wellbeing: service.Wellbeing, store: repository.Store
) -> None:
    teen = add_account(store, "teen")
    pair(wellbeing, "mum", "teen")
    pair(wellbeing, "dad", "teen")
    wellbeing.set_feed_consent("mum", teen, True, NOON)
    assert wellbeing.effective_account(teen).feed_consent is True
    wellbeing.set_feed_consent("dad", teen, False, NOON)
    assert wellbeing.effective_account(teen).feed_consent is False
    wellbeing.unlink("dad", "teen", NOON)  # what dad said goes with dad
    assert wellbeing.effective_account(teen).feed_consent is True
    wellbeing.unlink("mum", "teen", NOON)
    assert wellbeing.effective_account(teen).feed_consent is False


def test_only_a_linked_guardian_may_consent(wellbeing: service.Wellbeing, store: repository.Store) -> None:
    teen = add_account(store, "teen")
    with pytest.raises(errors.NotGuardian):
        wellbeing.set_feed_consent("stranger", teen, True, NOON)
    assert wellbeing.effective_account(teen).feed_consent is False


def test_the_controls_say_whether_the_policy_needs_consent(store: repository.Store) -> None:
    teen = add_account(store, "teen")
    adult = add_account(store, "adult", birth_year=1990)
    assert make_service(store).family_controls(teen).consent_needed is False
    strict = make_service(store, "ny-ca")
    assert strict.family_controls(teen).consent_needed is True
    assert strict.family_controls(adult).consent_needed is False


def test_the_feed_reads_consent_only_where_the_policy_asks(store: repository.Store) -> None:
    strict = make_service(store, "ny-ca")
    teen = add_account(store, "teen")
    pair(strict, "mum", "teen")
    without = policy_context.decide(strict.policy, strict.effective_account(teen), NOON)
    assert without.following_only and without.tab_served("for_you") == "following"
    assert without.tab_served("stem") == "stem"
    strict.set_feed_consent("mum", teen, True, NOON)
    given = policy_context.decide(strict.policy, strict.effective_account(teen), NOON)
    assert not given.following_only and given.tab_served("for_you") == "for_you"
