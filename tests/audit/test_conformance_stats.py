"""The suite's intervals hold their invariants for every count, and verdicts follow the judged bound."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from safefeed.audit.conformance import requirements, results, stats

counts = st.integers(min_value=1, max_value=5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))


@given(counts)
def test_proportion_intervals_contain_the_estimate_within_zero_and_one(case: tuple[int, int]) -> None:
    k, n = case
    for interval in (stats.wilson(k, n), stats.clopper_pearson(k, n)):
        assert 0.0 <= interval.low <= interval.estimate <= interval.high <= 1.0
    if k == 0:  # a zero's exact upper bound, the figure the E1 test reports: 1 - 0.025^(1/n)
        assert abs(stats.clopper_pearson(k, n).high - (1 - 0.025 ** (1 / n))) < 1e-9


@given(counts, counts)
def test_difference_and_ratio_intervals_contain_their_estimate(first: tuple[int, int], second: tuple[int, int]) -> None:
    (a, n), (b, m) = first, second
    difference = stats.difference(a, n, b, m)
    assert -1.0 <= difference.low <= difference.estimate <= difference.high <= 1.0
    ratio = stats.ratio(a, n, b, m)
    assert 0.0 < ratio.low <= ratio.estimate <= ratio.high


@given(st.integers(0, 5), st.integers(0, 5))
def test_the_permutation_p_value_is_a_probability(a_accounts: int, b_accounts: int) -> None:
    first = [["x"] * 5 + ["y"] * i for i in range(a_accounts)]
    second = [["y"] * 5 + ["x"] * i for i in range(b_accounts)]
    test = stats.same_mix(first, second, rounds=49)
    assert 0.0 <= test.p_value.low <= test.p_value.estimate <= test.p_value.high <= 1.0
    assert 0.0 <= test.distance <= 1.0


def measure(judge: requirements.Judge, comparator: requirements.Comparator, threshold: float) -> requirements.Measure:
    return requirements.Measure(
        name="m", metric="m", comparator=comparator, threshold=threshold, judge=judge, why="known answer"
    )


def test_the_verdict_reads_the_bound_the_scenario_names() -> None:
    # Child minus adult share of -5 pp with a 95% CI of -11 to +1 pp: the estimate is below zero, the upper bound
    # is not, so "measurably safer" (judge = upper) fails while a judge on the estimate would pass.
    value = stats.Interval(-0.05, -0.11, 0.01)
    assert results.meets(measure("estimate", "<=", 0.0), value)
    assert not results.meets(measure("upper", "<=", 0.0), value)
    assert results.meets(measure("lower", ">=", -0.2), value)
