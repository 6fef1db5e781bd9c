from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from safefeed import model
from safefeed.wellbeing import family

words = st.lists(st.sampled_from(["diet", "fasting", "sad", "#fyp", "gym"]), max_size=4).map(tuple)
switch = st.none() | st.booleans()


def test_codes_are_unambiguous_and_normalised() -> None:
    code = family.new_code()
    assert len(code) == family.CODE_LENGTH
    assert not set(code) & set("01OIL")
    assert family.digest(code.lower()) == family.digest(f" {code[:4]}-{code[4:]} ")


def test_merge_takes_the_strictest_limit_and_names_who_set_it() -> None:
    merged = family.merge(
        "t",
        ["mum", "dad"],
        [
            family.GuardianControls("mum", daily_limit_minutes=90),
            family.GuardianControls("dad", daily_limit_minutes=45),
        ],
    )
    assert (merged.daily_limit_minutes, merged.limit_set_by) == (45, "dad")
    assert merged.guardians == ("dad", "mum")


@given(
    own_filters=words,
    own_personalised=switch,
    own_autoplay=switch,
    guardian_filters=st.lists(words, max_size=3),
    guardian_switches=st.lists(st.tuples(switch, switch, switch), max_size=3),
)
def test_guardian_controls_never_loosen_the_teens_own_settings(
    own_filters: tuple[str, ...],
    own_personalised: bool | None,
    own_autoplay: bool | None,
    guardian_filters: list[tuple[str, ...]],
    guardian_switches: list[tuple[bool | None, bool | None, bool | None]],
) -> None:
    own = model.AccountSettings(keyword_filters=own_filters, personalised=own_personalised, autoplay=own_autoplay)
    each = [
        family.GuardianControls(f"g{n}", keyword_filters=f, personalised=p, autoplay=a, streaks=s)
        for n, (f, (p, a, s)) in enumerate(zip(guardian_filters, guardian_switches, strict=False))
    ]
    merged = family.merge("t", [c.guardian_id for c in each], each)
    tight = family.apply(own, merged)
    assert set(own_filters) <= set(tight.keyword_filters)
    assert set(merged.keyword_filters) <= set(tight.keyword_filters)
    if own_personalised is False or any(c.personalised is False for c in each):
        assert tight.personalised is False
    else:
        assert tight.personalised == own_personalised
    if own_autoplay is False:
        assert tight.autoplay is False
    # Applying twice changes nothing more.
    assert family.apply(tight, merged) == tight
