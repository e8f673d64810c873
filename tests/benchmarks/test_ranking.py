"""The ranking runner's statistics: bootstrap intervals for gaps measured on few labels."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from benchmarks.matching import roc_auc
from benchmarks.ranking import (
    BOOTSTRAP_ROUNDS,
    WORK_GROUPS,
    _best_and_worst,
    _rules_fired,
    auc_difference,
    bootstrap_counts,
    percentile_interval,
    resampled_means,
    split_by_vacancy,
)


def test_resampled_means_weigh_each_unit_by_how_often_it_was_drawn() -> None:
    values = np.array([1.0, np.nan, 3.0, 5.0])
    counts = np.array(
        [
            [1, 1, 1, 1],  # every unit once: the plain mean of the units with a value
            [2, 0, 0, 1],  # unit 0 twice: (1 + 1 + 5) / 3
            [0, 3, 0, 0],  # only the unit without a value: no mean
        ]
    )
    means = resampled_means(values, counts)
    assert means[0] == 3.0
    assert math.isclose(means[1], 7 / 3)
    assert math.isnan(means[2])


def test_bootstrap_draws_as_many_units_as_there_are_each_round() -> None:
    counts = bootstrap_counts(30, np.random.default_rng(1))
    assert counts.shape == (BOOTSTRAP_ROUNDS, 30)
    assert (counts.sum(axis=1) == 30).all()
    assert (counts == 0).any()  # with replacement: some units are left out of some rounds


def test_auc_difference_of_a_score_with_itself_is_exactly_zero() -> None:
    scores = [0.1, 0.4, 0.35, 0.8, 0.7, 0.2]
    positive = [False, False, True, True, True, False]
    assert auc_difference(scores, scores, positive) == {"difference": 0.0, "ci95": [0.0, 0.0]}


def test_auc_difference_is_the_difference_of_the_two_aucs_with_an_interval_around_it() -> None:
    rng = np.random.default_rng(3)
    positive = [i < 10 for i in range(60)]
    good = [float(rng.normal(1.5 if p else 0.0)) for p in positive]
    noise = [float(rng.normal()) for _ in positive]
    gap = auc_difference(good, noise, positive)
    assert math.isclose(
        gap["difference"], roc_auc(good, positive) - roc_auc(noise, positive), abs_tol=1e-4
    )
    low, high = gap["ci95"]
    assert 0 < low < gap["difference"] < high  # a clear gap: the interval excludes 0
    # the weakest positive pushed below one more negative: a loss of one pair in 500, which
    # the rounds that leave that positive or negative out do not see, so the interval reaches 0
    nudged = list(good)
    weakest_positive = min(range(10), key=lambda i: good[i])
    nudged[weakest_positive] -= 0.3
    small = auc_difference(nudged, good, positive)
    assert small["difference"] == -0.002
    assert small["ci95"][0] < small["difference"] and small["ci95"][1] == 0.0
    assert auc_difference(good, noise, positive) == gap  # seeded: the same interval each run


def test_auc_difference_needs_positives_and_negatives() -> None:
    assert auc_difference([1.0, 2.0], [2.0, 1.0], [True, True]) == {
        "difference": None,
        "ci95": None,
    }


def test_percentile_interval_ignores_rounds_without_a_value() -> None:
    replicates = np.array([np.nan, *np.linspace(0.0, 1.0, 401)])
    assert percentile_interval(replicates) == [0.025, 0.975]


def test_rules_fired_is_each_rule_s_share_of_each_work_group() -> None:
    sizes = Counter({"INFORMATION-TECHNOLOGY": 4, "ENGINEERING": 2, "CHEF": 3, "HR": 1})
    fired = {
        "information technology": Counter({"monitoring": 2}),
        "no software work": Counter({"monitoring": 1, "clean-code": 4}),
    }
    table = _rules_fired(sizes, fired)
    assert table["cvs"] == dict(zip(WORK_GROUPS, (4, 2, 4), strict=True))
    shares = {rule["code"]: rule["share"] for rule in table["rules"]}
    assert shares["monitoring"] == dict(zip(WORK_GROUPS, (0.5, 0.0, 0.25), strict=True))
    assert shares["clean-code"]["no software work"] == 1.0
    assert shares["doctorate"] == dict.fromkeys(WORK_GROUPS, 0.0)  # every rule has a row


def test_split_by_vacancy_is_a_fixed_preference_plus_each_cv_s_departure_from_it() -> None:
    scores = {1: [3.0, 1.0, 2.0], 2: [5.0, 1.0, 0.0], 7: [1.0, 4.0, 1.0]}
    preference, within = split_by_vacancy(scores)
    assert preference == {n: [3.0, 2.0, 1.0] for n in scores}
    assert within == {1: [0.0, -1.0, 1.0], 2: [2.0, -1.0, -1.0], 7: [-2.0, 2.0, 0.0]}
    for n, row in scores.items():
        assert [p + w for p, w in zip(preference[n], within[n], strict=True)] == row


def test_a_method_that_prefers_the_same_vacancies_for_every_cv_leaves_nothing_within() -> None:
    preference, within = split_by_vacancy({n: [5.0, 4.0, 3.0, 2.0, 1.0] for n in range(1, 4)})
    assert all(row == [5.0, 4.0, 3.0, 2.0, 1.0] for row in preference.values())
    assert all(row == [0.0] * 5 for row in within.values())


def test_best_and_worst_counts_each_vacancy_s_first_and_last_places() -> None:
    scores = [[0.9, 0.1, 0.5, 0.3, 0.2], [0.2, 0.8, 0.5, 0.1, 0.3], None]
    counts = _best_and_worst(scores)
    assert counts["cvs"] == 2
    assert counts["best"] == {"1": 1, "2": 1, "3": 0, "4": 0, "5": 0}
    assert counts["worst"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 0}
    # an annotator's ranks: 1 is the best place
    ranks = _best_and_worst([[2.0, 1.0, 3.0, 5.0, 4.0]], lower_is_better=True)
    assert ranks["best"]["2"] == 1 and ranks["worst"]["4"] == 1
