"""Tests for workbench.analysis.effects: prevalence by metadata with cluster bootstrap, OLS with CR1 errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.analysis.effects import add_year, estimate_effect, prevalence_by

YEARS = range(2015, 2021)
BASE, SLOPE = 0.20, 0.04  # true mean share of topic 0 in year y: BASE + SLOPE * (y - 2015)
SOURCE_EFFECT = 0.10  # 新华社 articles carry this much more of topic 0 than 人民日报


def true_share(year):
    return BASE + SLOPE * (np.asarray(year) - 2015)


def synth(docs_per_year: int, *, units_per_doc: int = 4, seed: int = 1, doc_sd=0.06, unit_sd=0.03,
          with_source=False) -> pd.DataFrame:
    """Paragraph-level doc_topics with 3 topics; topic 0 rises with year.

    Paragraphs of one article share a random article effect (doc_sd), so they are correlated,
    as in real paragraph-level models.  Token counts are independent of the shares, so the
    token-weighted mean estimates the true mean.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for year in YEARS:
        for d in range(docs_per_year):
            doc_id = f"{year}{d:012x}"
            source = "新华社" if with_source and d % 2 else "人民日报"
            mean = true_share(year) + (SOURCE_EFFECT if source == "新华社" else 0.0)
            doc_effect = rng.normal(0, doc_sd)
            split = rng.uniform(0.3, 0.7)
            for p in range(units_per_doc):
                t0 = float(np.clip(mean + doc_effect + rng.normal(0, unit_sd), 0.01, 0.99))
                rows.append(
                    {
                        "doc_id": doc_id,
                        "unit_id": f"{doc_id}-p{p:03d}",
                        "title": f"关于{year}年脱贫攻坚工作的报告（{d}）",
                        "date": f"{year}年05月21日",
                        "source": source,
                        "n_tokens": int(rng.integers(20, 200)),
                        "topic_0": t0,
                        "topic_1": (1 - t0) * split,
                        "topic_2": (1 - t0) * (1 - split),
                    }
                )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------- add_year


@pytest.mark.parametrize(
    ("value", "year"),
    [
        ("2019年05月21日", 2019),
        ("2021-09-28 09:58", 2021),
        ("2025", 2025),
        ("2019/5/21", 2019),
        ("二〇一九年五月二十一日", 2019),
        ("发布时间：2023年1月3日 来源：人民网", 2023),
        ("1558396800", None),  # epoch seconds are not a year
        ("未知", None),
        ("", None),
        (None, None),
    ],
)
def test_add_year_parses_common_formats(value, year):
    out = add_year(pd.DataFrame({"date": [value]}))
    assert str(out["year"].dtype) == "Int64"
    got = out["year"].iloc[0]
    assert (pd.isna(got) if year is None else got == year)


def test_add_year_numeric_and_datetime_columns_and_copy():
    df = pd.DataFrame({"date": [2019, 2020.0, np.nan]})
    out = add_year(df)
    assert out["year"].tolist()[:2] == [2019, 2020] and pd.isna(out["year"].iloc[2])
    assert "year" not in df.columns  # input untouched
    dt = pd.DataFrame({"d": pd.to_datetime(["2018-01-02", None])})
    assert add_year(dt, date_col="d")["year"].iloc[0] == 2018
    with pytest.raises(KeyError, match="date"):
        add_year(pd.DataFrame({"x": [1]}))


# -------------------------------------------------------------------------------- prevalence_by


def test_prevalence_recovers_trend_and_ci_covers_truth():
    df = add_year(synth(60))
    res = prevalence_by(df, "year", topics=[0], ci=0.99, seed=3)
    assert list(res.columns) == ["year", "topic", "share", "lo", "hi", "n_units", "n_docs"]
    assert res["year"].tolist() == list(YEARS)
    truth = true_share(res["year"].to_numpy(float))
    assert np.all((res["lo"] <= truth) & (truth <= res["hi"])), res.assign(truth=truth)
    slope = np.polyfit(res["year"].to_numpy(float), res["share"].to_numpy(), 1)[0]
    assert slope == pytest.approx(SLOPE, abs=0.01)
    assert (res["n_docs"] == 60).all() and (res["n_units"] == 240).all()


def test_prevalence_shares_sum_to_one_over_topics():
    res = prevalence_by(add_year(synth(10)), "year", n_boot=50)
    assert res.groupby("year")["share"].sum().to_numpy() == pytest.approx(1.0)


def test_ci_narrows_with_more_documents():
    small = prevalence_by(add_year(synth(20, seed=2)), "year", topics=0)
    large = prevalence_by(add_year(synth(320, seed=2)), "year", topics=0)
    width = lambda r: (r["hi"] - r["lo"]).mean()  # noqa: E731
    # Expected ratio sqrt(20/320) = 0.25.
    assert width(large) < 0.4 * width(small)


def test_clustering_by_article_widens_intervals():
    # Paragraphs of one article are correlated; resampling paragraphs pretends they are not.
    df = add_year(synth(30, doc_sd=0.08, unit_sd=0.01))
    by_doc = prevalence_by(df, "year", topics=0, cluster="doc_id")
    by_unit = prevalence_by(df, "year", topics=0, cluster=None)
    assert ((by_doc["hi"] - by_doc["lo"]).mean()) > 1.5 * ((by_unit["hi"] - by_unit["lo"]).mean())
    pd.testing.assert_series_equal(by_doc["share"], by_unit["share"])


def test_bootstrap_is_deterministic_for_a_seed_and_independent_of_topic_selection():
    df = add_year(synth(15))
    a = prevalence_by(df, "year", seed=7, n_boot=300)
    b = prevalence_by(df, "year", seed=7, n_boot=300)
    pd.testing.assert_frame_equal(a, b)
    c = prevalence_by(df, "year", seed=8, n_boot=300)
    assert not np.allclose(a["lo"], c["lo"])
    only0 = prevalence_by(df, "year", topics=[0], seed=7, n_boot=300)
    pd.testing.assert_frame_equal(only0, a[a["topic"] == 0].reset_index(drop=True), check_dtype=False)


def test_weighting_by_tokens_versus_equal():
    df = pd.DataFrame(
        {
            "doc_id": ["a", "b"],
            "source": ["人民日报", "人民日报"],
            "n_tokens": [300, 100],
            "topic_0": [1.0, 0.0],
            "topic_1": [0.0, 1.0],
        }
    )
    weighted = prevalence_by(df, "source", n_boot=0)
    equal = prevalence_by(df, "source", weight=None, n_boot=0)
    assert weighted.loc[weighted.topic == 0, "share"].item() == pytest.approx(0.75)
    assert equal.loc[equal.topic == 0, "share"].item() == pytest.approx(0.5)
    assert weighted["lo"].isna().all()  # n_boot=0: no interval


def test_prevalence_errors_are_clear():
    df = synth(2)
    with pytest.raises(KeyError, match="add_year"):
        prevalence_by(df, "year")
    with pytest.raises(KeyError, match="weight=None"):
        prevalence_by(df.drop(columns="n_tokens"), "source")
    with pytest.raises(KeyError, match="topics"):
        prevalence_by(df, "source", topics=[9])


def test_missing_group_values_are_left_out():
    df = add_year(synth(3))
    df.loc[df.index[:4], "year"] = pd.NA
    res = prevalence_by(df, "year", n_boot=20)
    assert res["year"].notna().all()
    assert res.loc[res.topic == 0, "n_units"].sum() == len(df) - 4


@settings(max_examples=40, deadline=None)
@given(
    data=st.lists(
        st.tuples(
            st.integers(0, 5),  # doc
            st.sampled_from(["人民日报", "新华社", "求是"]),
            st.integers(0, 60),  # n_tokens (0 = dropped)
            st.lists(st.floats(0.0, 1.0), min_size=3, max_size=3),
        ),
        min_size=1,
        max_size=25,
    ),
    seed=st.integers(0, 2**32 - 1),
)
def test_property_shares_in_unit_interval_and_inside_ci(data, seed):
    rows = []
    for i, (doc, source, n_tokens, raw) in enumerate(data):
        theta = np.asarray(raw) + 1e-3
        theta = theta / theta.sum()
        rows.append({"doc_id": f"d{doc}", "unit_id": f"d{doc}-p{i}", "source": source, "n_tokens": n_tokens,
                     **{f"topic_{k}": theta[k] for k in range(3)}})
    df = pd.DataFrame(rows)
    res = prevalence_by(df, "source", n_boot=30, seed=seed)
    assert ((0 <= res["lo"]) & (res["lo"] <= res["share"]) & (res["share"] <= res["hi"]) & (res["hi"] <= 1)).all()
    kept = df[df["n_tokens"] > 0]
    per_group = res[res.topic == 0].set_index("source")
    assert per_group["n_units"].sum() == len(kept)
    assert (per_group["n_docs"] == kept.groupby("source")["doc_id"].nunique().reindex(per_group.index)).all()


# ------------------------------------------------------------------------------ estimate_effect


def cr1_by_loop(X, y, groups):
    """Reference CR1 computed the slow, obvious way: a Python loop over clusters."""
    n, p = X.shape
    beta = np.linalg.solve(X.T @ X, X.T @ y)
    e = y - X @ beta
    bread = np.linalg.inv(X.T @ X)
    meat = np.zeros((p, p))
    labels = sorted(set(groups))
    for g in labels:
        m = np.asarray(groups) == g
        s = X[m].T @ e[m]
        meat += np.outer(s, s)
    G = len(labels)
    v = G / (G - 1) * (n - 1) / (n - p) * bread @ meat @ bread
    return beta, np.sqrt(np.diag(v))


def test_estimate_effect_recovers_slope_and_category_within_ci():
    df = add_year(synth(40, with_source=True))
    res = estimate_effect(df, 0, ["year", "source"]).set_index("term")
    assert list(res.columns) == ["estimate", "std_error", "t", "p", "lo", "hi"]
    assert res.index.tolist() == ["Intercept", "year", "source[T.新华社]"]  # 人民日报 is the reference
    assert res.loc["year", "lo"] <= SLOPE <= res.loc["year", "hi"]
    assert res.loc["source[T.新华社]", "lo"] <= SOURCE_EFFECT <= res.loc["source[T.新华社]", "hi"]
    assert res.loc["year", "p"] < 1e-6
    assert res.attrs["n_clusters"] == 6 * 40 and res.attrs["n_units"] == len(df)


def test_estimate_effect_matches_reference_cr1():
    df = add_year(synth(8, with_source=True, seed=5))
    res = estimate_effect(df, 0, ["year", "source"])
    X = np.column_stack([np.ones(len(df)), df["year"].to_numpy(float), (df["source"] == "新华社").to_numpy(float)])
    beta, se = cr1_by_loop(X, df["topic_0"].to_numpy(), df["doc_id"].tolist())
    np.testing.assert_allclose(res["estimate"], beta, rtol=1e-9)
    np.testing.assert_allclose(res["std_error"], se, rtol=1e-9)


def test_cluster_robust_errors_exceed_unit_level_errors_for_correlated_paragraphs():
    df = add_year(synth(20, doc_sd=0.08, unit_sd=0.01))
    clustered = estimate_effect(df, 0, ["year"]).set_index("term")
    naive = estimate_effect(df, 0, ["year"], cluster=None).set_index("term")
    assert clustered.loc["year", "estimate"] == pytest.approx(naive.loc["year", "estimate"])
    assert clustered.loc["year", "std_error"] > 1.5 * naive.loc["year", "std_error"]


def test_estimate_effect_forced_categorical_and_errors():
    df = add_year(synth(40))
    res = estimate_effect(df, 0, ["C(year)"], ci=0.99)
    assert res["term"].tolist() == ["Intercept"] + [f"C(year)[T.{y}]" for y in range(2016, 2021)]
    # Year dummies estimate the differences from 2015: SLOPE per year.
    truth = SLOPE * np.arange(1, 6)
    assert ((res["lo"].iloc[1:] <= truth) & (truth <= res["hi"].iloc[1:])).all()
    with pytest.raises(ValueError, match="rank deficient"):
        estimate_effect(df.assign(const=1.0), 0, ["const"])
    with pytest.raises(KeyError, match="nope"):
        estimate_effect(df, 0, ["nope"])
    with pytest.raises(KeyError, match="topic 7"):
        estimate_effect(df, 7, ["year"])
