"""Tests for workbench.analysis.compare: matching topics between two models, on small Chinese fixtures."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.analysis.compare import (
    COLUMNS,
    DEFAULT_SPLIT_THRESHOLD,
    DEFAULT_THRESHOLD,
    align_vocab,
    carry_labels,
    compare_runs,
    mask_thin_topics,
    match_topics,
    stability,
    top_terms,
    topic_similarity,
    write_comparison,
)

# Topic blocks: each topic puts most of its mass on its own block, the rest on shared filler.
POVERTY_1 = ["脱贫攻坚", "第一书记", "驻村", "工作队", "结对帮扶", "精准识别"]
POVERTY_2 = ["贫困户", "产业扶贫", "易地搬迁", "两不愁三保障", "建档立卡", "小额信贷"]
GOVERNANCE = ["网格员", "社区", "居民", "物业", "志愿者", "议事会", "楼栋长", "矛盾纠纷"]
PARTY = ["党支部", "党员", "三会一课", "组织生活", "主题党日", "发展党员", "党费", "书记抓党建"]
DISCIPLINE = ["纪检监察", "立案", "处分", "问责", "廉政", "八项规定", "审查调查", "留置"]
ECONOMY = ["招商引资", "营商环境", "项目签约", "园区", "民营企业", "税收", "产值", "开发区"]
RURAL_NEW = ["乡村振兴", "数字乡村", "人居环境", "集体经济", "高标准农田", "农文旅"]
FILLER = (
    "发展 工作 建设 推进 加强 落实 坚持 全面 深入 开展 提升 推动 完善 健全 机制 制度 群众 服务 "
    "管理 改革 创新 保障 质量 水平 能力 责任 任务 目标 措施 部署 会议 领导 干部 基层 组织 党委 "
    "政府 部门 单位 地区 乡镇 村级 县委 市委 省委 中央 精神 思想 学习 重要"
).split()

VOCAB_A = POVERTY_1 + POVERTY_2 + GOVERNANCE + PARTY + DISCIPLINE + ECONOMY + FILLER


def topic(vocab, block, rng, *, filler_share=0.2, filler=FILLER):
    """A topic over ``vocab``: ``1 - filler_share`` on ``block`` and the rest on ``filler``."""
    row = np.zeros(len(vocab))
    where = {t: k for k, t in enumerate(vocab)}
    row[[where[t] for t in block]] = (1 - filler_share) * rng.dirichlet(np.ones(len(block)))
    row[[where[t] for t in filler]] += filler_share * rng.dirichlet(np.full(len(filler), 0.5))
    return row


def base_model(rng):
    """Five topics over VOCAB_A: poverty (both halves), governance, party, discipline, economy."""
    blocks = [POVERTY_1 + POVERTY_2, GOVERNANCE, PARTY, DISCIPLINE, ECONOMY]
    return np.array([topic(VOCAB_A, b, rng) for b in blocks])


def statuses(df):
    return {(a, b): s for a, b, s in zip(df["topic_a"], df["topic_b"], df["status"])}


# --------------------------------------------------------------------------- identity and noise


def test_model_against_itself_matches_every_topic_with_similarity_one():
    tt = base_model(np.random.default_rng(0))
    sim = topic_similarity(tt, tt)
    df = match_topics(sim)
    assert list(df.columns) == COLUMNS
    assert (df["status"] == "matched").all()
    assert df["topic_a"].tolist() == df["topic_b"].tolist() == list(range(5))
    assert np.array_equal(df["similarity"].to_numpy(), np.ones(5))


def test_shuffled_topics_are_recovered_as_the_permutation():
    tt = base_model(np.random.default_rng(1))
    perm = np.array([3, 0, 4, 1, 2])  # B's topic j is A's topic perm[j]
    df = match_topics(topic_similarity(tt, tt[perm]))
    assert (df["status"] == "matched").all()
    recovered = dict(zip(df["topic_b"].astype(int), df["topic_a"].astype(int)))
    assert [recovered[j] for j in range(5)] == perm.tolist()
    np.testing.assert_allclose(df["similarity"], 1.0)


def test_small_dirichlet_noise_still_matches_the_origin():
    rng = np.random.default_rng(2)
    tt = base_model(rng)
    noisy = 0.85 * tt + 0.15 * rng.dirichlet(np.ones(tt.shape[1]), size=tt.shape[0])
    sim = topic_similarity(tt, noisy)
    df = match_topics(sim)
    assert (df["status"] == "matched").all()
    assert df["topic_a"].tolist() == df["topic_b"].tolist()
    assert (df["similarity"] > DEFAULT_THRESHOLD).all()
    assert (df["similarity"] < 1.0).all()


def test_cosine_metric_also_matches_a_permutation():
    tt = base_model(np.random.default_rng(3))
    perm = np.array([1, 2, 0, 4, 3])
    sim = topic_similarity(tt, tt[perm], metric="cosine")
    df = match_topics(sim)
    assert dict(zip(df["topic_b"].astype(int), df["topic_a"].astype(int))) == dict(
        enumerate(perm.tolist())
    )


# ------------------------------------------------------------------- split, merge, new, vanished


def regrown_model(rng):
    """Run B after "retraining on a grown corpus", built from A's topics so the answer is known.

    A: 0 poverty (mixture of two halves), 1 governance, 2 party, 3 discipline, 4 economy.
    B: 0 discipline (noisy), 1 poverty half 1, 2 governance + party merged, 3 rural revitalisation
    (new terms), 4 poverty half 2.  Economy is gone, and its terms with it.
    """
    tt_a = base_model(rng)
    vocab_b = [t for t in VOCAB_A if t not in ECONOMY and t != "重要"] + RURAL_NEW
    vocab_b = list(np.random.default_rng(99).permutation(vocab_b))  # another column order
    filler_b = [t for t in FILLER if t != "重要"]

    def on_b(row_a):
        row = np.array([row_a[VOCAB_A.index(t)] if t in VOCAB_A else 0.0 for t in vocab_b])
        return row / row.sum()

    discipline = on_b(0.9 * tt_a[3] + 0.1 * topic(VOCAB_A, DISCIPLINE, rng))
    # The two halves of A's poverty topic, each keeping its share of the filler.
    poverty_1 = on_b(np.where(np.isin(VOCAB_A, POVERTY_2), 0.0, tt_a[0]))
    poverty_2 = on_b(np.where(np.isin(VOCAB_A, POVERTY_1), 0.0, tt_a[0]))
    merged = on_b(0.5 * tt_a[1] + 0.5 * tt_a[2])
    rural = topic(vocab_b, RURAL_NEW, rng, filler=filler_b)
    tt_b = np.array([discipline, poverty_1, merged, rural, poverty_2])
    return tt_a, tt_b, vocab_b


def test_split_merge_new_and_vanished_are_reported():
    tt_a, tt_b, vocab_b = regrown_model(np.random.default_rng(4))
    aligned = align_vocab(tt_a, VOCAB_A, tt_b, vocab_b)
    raw = topic_similarity(aligned.A, aligned.B)
    # economy (gone, 19% of its mass on shared terms) and rural (new, 20%): their remainders are
    # filler, 0.34 alike, a match at 0.3 unless thin topics are kept out, as compare_runs does
    assert raw[4, 3] > DEFAULT_THRESHOLD
    df = match_topics(mask_thin_topics(raw, aligned))
    assert statuses(df) == {
        (0, 1): "split",
        (0, 4): "split",
        (1, 2): "merged",
        (2, 2): "merged",
        (3, 0): "matched",
        (4, pd.NA): "vanished",
        (pd.NA, 3): "new",
    }
    parts = df[df["status"].isin(["split", "merged"])]
    assert (parts["similarity"] >= DEFAULT_SPLIT_THRESHOLD).all()
    # Every topic of both models appears somewhere.
    assert set(df["topic_a"].dropna()) == set(range(5))
    assert set(df["topic_b"].dropna()) == set(range(5))
    # New rows come last; a new / vanished row carries its best similarity, below the threshold.
    assert df["status"].iloc[-1] == "new"
    lone = df[df["status"].isin(["new", "vanished"])]
    assert (lone["similarity"] < DEFAULT_THRESHOLD).all()


def test_even_split_of_disjoint_halves_scores_0_442_and_is_a_split():
    p = np.array([0.5, 0.5, 0.0, 0.0])
    q = np.array([0.0, 0.0, 0.5, 0.5])
    sim = topic_similarity(((p + q) / 2)[None, :], np.array([p, q]))
    np.testing.assert_allclose(sim, 0.44207695, atol=1e-7)
    df = match_topics(sim)
    assert df["status"].tolist() == ["split", "split"]
    # Symmetric: the two halves in A, the whole in B, is a merge.
    assert match_topics(sim.T)["status"].tolist() == ["merged", "merged"]


def test_unequal_numbers_of_topics():
    tt = base_model(np.random.default_rng(5))
    extra = np.random.default_rng(6).dirichlet(np.full(tt.shape[1], 0.05), size=3)
    df = match_topics(topic_similarity(tt[:3], np.vstack([extra, tt[:3]])))
    matched = df[df["status"] == "matched"]
    assert list(zip(matched["topic_a"], matched["topic_b"])) == [(0, 3), (1, 4), (2, 5)]
    assert sorted(df.loc[df["status"] == "new", "topic_b"]) == [0, 1, 2]
    df = match_topics(topic_similarity(np.vstack([extra, tt[:3]]), tt[:3]))
    assert sorted(df.loc[df["status"] == "vanished", "topic_a"]) == [0, 1, 2]


def test_nothing_to_match():
    df = match_topics(np.zeros((2, 0)))
    assert df["status"].tolist() == ["vanished", "vanished"]


# --------------------------------------------------------------------------- vocabulary alignment


def test_align_vocab_uses_shared_terms_and_reports_shared_mass():
    vocab_a = ["脱贫攻坚", "第一书记", "驻村", "贫困户", "招商引资"]
    vocab_b = ["乡村振兴", "贫困户", "驻村", "脱贫攻坚", "第一书记", "数字乡村"]
    tt_a = np.array([[0.4, 0.2, 0.1, 0.1, 0.2], [0.0, 0.0, 0.0, 0.0, 1.0]])
    # B's topic 0 is A's topic 0 on the shared terms, with 60 % of its mass on new terms.
    tt_b = np.array([[0.3, 0.05, 0.05, 0.2, 0.1, 0.3], [0.0, 0.5, 0.5, 0.0, 0.0, 0.0]])
    aligned = align_vocab(tt_a, vocab_a, tt_b, vocab_b)
    A, B, shared = aligned[:3]
    assert shared == ["脱贫攻坚", "第一书记", "驻村", "贫困户"]  # A's order, 招商引资 dropped
    np.testing.assert_allclose(A[0], np.array([0.4, 0.2, 0.1, 0.1]) / 0.8)
    np.testing.assert_allclose(B[0], A[0])
    np.testing.assert_allclose(B[1], [0.0, 0.0, 0.5, 0.5])
    np.testing.assert_allclose(A.sum(axis=1), 1.0)
    np.testing.assert_allclose(aligned.shared_mass_a, [0.8, 0.0])
    np.testing.assert_allclose(aligned.shared_mass_b, [0.4, 1.0])
    # A topic with nothing on shared terms is uniform (defined similarity), and says so by mass 0.
    np.testing.assert_allclose(A[1], 0.25)
    assert topic_similarity(A, B)[0, 0] == 1.0


def test_align_vocab_on_the_regrown_model():
    tt_a, tt_b, vocab_b = regrown_model(np.random.default_rng(4))
    aligned = align_vocab(tt_a, VOCAB_A, tt_b, vocab_b)
    assert aligned.shared_vocab == [t for t in VOCAB_A if t in set(vocab_b)]
    assert not set(ECONOMY) & set(aligned.shared_vocab)
    assert not set(RURAL_NEW) & set(aligned.shared_vocab)
    assert aligned.shared_mass_a[4] < 0.25  # economy lived on terms B no longer has
    assert aligned.shared_mass_b[3] < 0.25  # rural revitalisation lives on new terms
    assert aligned.shared_mass_b[0] > 0.95  # discipline is all on shared terms


def test_align_vocab_rejects_bad_input():
    with pytest.raises(ValueError, match="share no term"):
        align_vocab(np.ones((1, 2)) / 2, ["社区", "居民"], np.ones((1, 2)) / 2, ["立案", "处分"])
    with pytest.raises(ValueError, match="columns"):
        align_vocab(np.ones((1, 2)) / 2, ["社区"], np.ones((1, 1)), ["社区"])
    with pytest.raises(ValueError, match="duplicate"):
        align_vocab(np.ones((1, 2)) / 2, ["社区", "社区"], np.ones((1, 1)), ["社区"])
    with pytest.raises(ValueError, match="align_vocab"):
        topic_similarity(np.ones((1, 2)) / 2, np.ones((1, 3)) / 3)
    with pytest.raises(ValueError, match="metric"):
        topic_similarity(np.ones((1, 2)) / 2, np.ones((1, 2)) / 2, metric="kl")
    with pytest.raises(ValueError, match="non-negative"):
        topic_similarity(np.array([[1.5, -0.5]]), np.ones((1, 2)) / 2)


# --------------------------------------------------------------------------- labels


def test_labels_carry_over_to_matches_splits_and_merges():
    tt_a, tt_b, vocab_b = regrown_model(np.random.default_rng(4))
    aligned = align_vocab(tt_a, VOCAB_A, tt_b, vocab_b)
    df = match_topics(mask_thin_topics(topic_similarity(aligned.A, aligned.B), aligned))
    labels_a = {"0": "脱贫攻坚", "1": "基层治理", "2": "党建", "3": "纪检监察", "4": "招商引资"}
    carried = carry_labels(df, labels_a)
    split = df[df["status"] == "split"].sort_values("similarity", ascending=False)
    first, second = split["topic_b"].astype(int).tolist()
    merged = df[df["status"] == "merged"].sort_values("similarity", ascending=False)
    expected_merge = "/".join(labels_a[str(i)] for i in merged["topic_a"])
    assert carried == {
        0: "纪检监察",
        first: "脱贫攻坚（分1）",
        second: "脱贫攻坚（分2）",
        2: expected_merge,
    }
    assert set(expected_merge.split("/")) == {"基层治理", "党建"}
    assert 3 not in carried  # new topics get no label


def test_carry_labels_skips_unlabelled_topics_and_accepts_int_keys():
    tt = base_model(np.random.default_rng(7))
    df = match_topics(topic_similarity(tt, tt[[1, 0, 2, 3, 4]]))
    assert carry_labels(df, {0: "脱贫攻坚", 3: "纪检监察"}) == {1: "脱贫攻坚", 3: "纪检监察"}


# --------------------------------------------------------------------------- run folders


def write_run(folder, topic_term, vocab, labels=None):
    folder.mkdir()
    np.save(folder / "topic_term.npy", topic_term)
    terms = pd.DataFrame(
        {"term_id": range(len(vocab)), "term": vocab, "doc_freq": 3, "corpus_freq": 9}
    )
    terms.to_csv(folder / "terms.csv", index=False, encoding="utf-8-sig")
    if labels is not None:
        (folder / "labels.json").write_text(
            json.dumps({str(k): v for k, v in labels.items()}, ensure_ascii=False), encoding="utf-8"
        )
    return folder


def test_compare_runs_end_to_end(tmp_path):
    rng = np.random.default_rng(4)
    tt_a, tt_b, vocab_b = regrown_model(rng)
    # A topic mostly on new terms whose small shared remainder copies A's discipline topic:
    # without the shared-mass rule it would look like a second half of discipline.
    lookalike = 0.7 * topic(vocab_b, RURAL_NEW, rng, filler_share=0.0, filler=[]) + 0.3 * tt_b[0]
    tt_b = np.vstack([tt_b, lookalike])
    labels_a = {0: "脱贫攻坚", 1: "基层治理", 2: "党建", 3: "纪检监察", 4: "招商引资"}
    run_a = write_run(tmp_path / "20261122-081500-3fa2c1d0", tt_a, VOCAB_A, labels_a)
    run_b = write_run(tmp_path / "20261123-081500-9b1e7a55", tt_b, vocab_b)  # no labels.json

    df = compare_runs(run_a, run_b, n_terms=3)
    assert list(df.columns[: len(COLUMNS)]) == COLUMNS
    assert statuses(df) == {
        (0, 1): "split",
        (0, 4): "split",
        (1, 2): "merged",
        (2, 2): "merged",
        (3, 0): "matched",
        (4, pd.NA): "vanished",
        (pd.NA, 3): "new",
        (pd.NA, 5): "new",
    }
    row = df[df["status"] == "matched"].iloc[0]
    assert row["label_a"] == "纪检监察"
    assert row["label_b"] == ""
    assert row["carried_label"] == "纪检监察"
    assert row["top_terms_a"] == top_terms(tt_a, VOCAB_A, 3)[3]
    assert len(row["top_terms_a"].split("、")) == 3
    assert set(row["top_terms_a"].split("、")) <= set(DISCIPLINE)
    new_rows = df[df["status"] == "new"]
    assert all(set(t.split("、")) <= set(RURAL_NEW) for t in new_rows["top_terms_b"])
    assert (new_rows["top_terms_a"] == "").all() and (new_rows["label_a"] == "").all()
    lookalike_row = df[df["topic_b"] == 5].iloc[0]
    assert lookalike_row["shared_mass_b"] == pytest.approx(0.3)
    assert lookalike_row["similarity"] > 0.85  # its shared slice is discipline, yet it is new
    vanished = df[df["status"] == "vanished"].iloc[0]
    assert vanished["shared_mass_a"] < 0.25 and vanished["similarity"] < DEFAULT_SPLIT_THRESHOLD

    out = write_comparison(df, tmp_path / "comparison.csv")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(out, encoding="utf-8-sig", keep_default_na=False)
    assert back.columns[0] == "topic_a"
    assert back["status"].tolist() == df["status"].tolist()
    assert "纪检监察" in back["label_a"].tolist()


def test_compare_runs_rejects_terms_out_of_order(tmp_path):
    tt = base_model(np.random.default_rng(8))
    run = write_run(tmp_path / "a", tt, VOCAB_A)
    terms = pd.read_csv(run / "terms.csv", encoding="utf-8-sig")
    terms.iloc[::-1].to_csv(run / "terms.csv", index=False, encoding="utf-8-sig")
    with pytest.raises(ValueError, match="term_id"):
        compare_runs(run, run)


# --------------------------------------------------------------------------- stability


def test_stability_of_permuted_and_noisy_refits():
    rng = np.random.default_rng(9)
    tt = base_model(rng)
    perm = np.array([2, 0, 1, 4, 3])
    noisy = 0.8 * tt + 0.2 * rng.dirichlet(np.ones(tt.shape[1]), size=tt.shape[0])
    result = stability([tt, tt[perm], noisy], VOCAB_A)
    # Topic i of the first model is topic argsort(perm)[i] of the permuted one.
    assert result["matching"][0].tolist() == np.argsort(perm).tolist()
    assert result["matching"][1].tolist() == list(range(5))
    assert result["per_topic"].shape == (5,)
    assert (result["per_topic"] < 1).all() and (result["per_topic"] > DEFAULT_THRESHOLD).all()
    assert result["pairwise"][0, 1] == pytest.approx(1.0)
    assert result["pairwise"][0, 2] == pytest.approx(result["pairwise"][1, 2])
    np.testing.assert_allclose(result["pairwise"], result["pairwise"].T)
    assert result["mean"] == pytest.approx(result["per_topic"].mean())
    assert 0 < result["pairwise_mean"] < 1


def test_stability_is_low_for_unrelated_models():
    rng = np.random.default_rng(10)
    models = [rng.dirichlet(np.full(len(VOCAB_A), 0.05), size=5) for _ in range(3)]
    assert stability(models, VOCAB_A)["mean"] < DEFAULT_SPLIT_THRESHOLD


def test_stability_rejects_mismatched_models():
    tt = base_model(np.random.default_rng(11))
    with pytest.raises(ValueError, match="at least two"):
        stability([tt], VOCAB_A)
    with pytest.raises(ValueError, match="shape"):
        stability([tt, tt[:3]], VOCAB_A)
    with pytest.raises(ValueError, match="terms"):
        stability([tt, tt], VOCAB_A[:-1])


# --------------------------------------------------------------------------- properties


models = st.tuples(
    st.integers(0, 2**32 - 1),  # seed
    st.integers(1, 8),  # K
    st.integers(5, 60),  # V
    st.sampled_from([0.1, 0.3, 1.0, 3.0]),  # Dirichlet concentration
)


@settings(max_examples=60, deadline=None)
@given(models)
def test_random_permutation_is_always_recovered(spec):
    seed, k, v, alpha = spec
    rng = np.random.default_rng(seed)
    tt = rng.dirichlet(np.full(v, alpha), size=k)
    perm = rng.permutation(k)
    df = match_topics(topic_similarity(tt, tt[perm]))
    assert (df["status"] == "matched").all()
    assert dict(zip(df["topic_b"].astype(int), df["topic_a"].astype(int))) == dict(
        enumerate(perm.tolist())
    )


@settings(max_examples=60, deadline=None)
@given(models, st.integers(1, 8), st.sampled_from(["jsd", "cosine"]))
def test_similarity_is_symmetric_and_in_unit_interval(spec, kb, metric):
    seed, ka, v, alpha = spec
    rng = np.random.default_rng(seed)
    a = rng.dirichlet(np.full(v, alpha), size=ka)
    b = rng.dirichlet(np.full(v, alpha), size=kb)
    ab = topic_similarity(a, b, metric=metric)
    assert ab.shape == (ka, kb)
    assert np.all((ab >= 0) & (ab <= 1))
    np.testing.assert_allclose(ab, topic_similarity(b, a, metric=metric).T, atol=1e-12)
    np.testing.assert_allclose(np.diag(topic_similarity(a, a, metric=metric)), 1.0, atol=1e-7)


# --------------------------------------------------------------------------- the measured threshold

SPRING_FESTIVAL = ["春运", "返乡", "旅客", "铁路", "车票", "客流", "列车", "航班"]
ANTI_CORRUPTION = ["反腐", "腐败", "纪委", "巡视", "贪污", "受贿", "廉洁", "作风"]


def _reestimate(row, rng, keep):
    """``row`` re-estimated by another run: ``keep`` of its mass kept in place, the rest moved about
    its own words (as a retrain reweights a topic's terms)."""
    moved = rng.dirichlet(np.full(row.size, 0.3)) * (row > 0)
    return keep * row + (1 - keep) * moved / moved.sum()


def test_same_topics_at_0_45_are_matched_weakly_and_unrelated_ones_get_their_nearest_partner():
    from workbench.analysis.compare import WEAK_MATCH, legend

    rng = np.random.default_rng(3)
    vocab = SPRING_FESTIVAL + ANTI_CORRUPTION + ECONOMY + RURAL_NEW + FILLER
    a = np.array([topic(vocab, b, rng, filler_share=0.4) for b in (SPRING_FESTIVAL, ANTI_CORRUPTION, ECONOMY)])
    b = np.array([_reestimate(a[0], rng, 0.2), _reestimate(a[1], rng, 0.2),
                  topic(vocab, RURAL_NEW, rng, filler_share=0.4)])
    sim = topic_similarity(a, b)
    assert 0.3 < sim[0, 0] < WEAK_MATCH and 0.3 < sim[1, 1] < WEAK_MATCH  # as 春运 (0.48) and 反腐 (0.49) were
    assert sim[2, 2] < 0.3  # economy and rural revitalisation share only filler
    df = match_topics(sim)
    assert statuses(df) == {(0, 0): "matched", (1, 1): "matched", (2, pd.NA): "vanished", (pd.NA, 2): "new"}
    assert carry_labels(df, {0: "春运", 1: "反腐倡廉", 2: "招商引资"}) == {0: "春运", 1: "反腐倡廉"}
    assert match_topics(sim, threshold=0.5)["status"].tolist().count("matched") == 0  # the old rule lost both
    assert any("(weak)" in line for line in legend())


def test_compare_prints_the_nearest_partner_of_every_lone_topic_and_a_legend(seed_run, keyed_run, tmp_path, capsys):
    from workbench.cli import main

    out = tmp_path / "cmp.csv"
    assert main(["compare", str(seed_run), str(keyed_run), "--out", str(out), "--no-carry-labels"]) == 0
    lines = capsys.readouterr().out.splitlines()
    table = pd.read_csv(out, encoding="utf-8-sig", keep_default_na=False)
    assert {"nearest", "nearest_terms", "nearest_label"} <= set(table.columns)
    lone = [i for i, line in enumerate(lines) if line.startswith(("vanished", "new"))]
    assert lone, "12 free topics against 3 keyed + 12 free: some have no partner"
    rows = table[table["status"].isin(["vanished", "new"])].reset_index(drop=True)
    assert len(rows) == len(lone)
    for i, row in zip(lone, rows.itertuples()):
        side = "B" if row.status == "vanished" else "A"
        assert lines[i + 1].split()[:3] == ["nearest", side, str(row.nearest)]
        assert f"sim {row.similarity:.2f}" in lines[i + 1] and row.nearest_terms in lines[i + 1]
    start = lines.index("How to read this table:")
    assert start > max(lone) and lines[-1] == str(out)
    assert any(line.strip().startswith("vanished") and "nearest" in line for line in lines[start:])
