"""Choosing K (workbench.analysis.sweep): metrics, the held-out split, the recommendation rule, the folder."""
import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench import models
from workbench.analysis import sweep
from workbench.models.lda import ModelConfig

ROOT = Path(__file__).resolve().parents[1]
FAST = ModelConfig(iterations=200)


@pytest.fixture(scope="module")
def seed_sweep(seed_corpus):
    return sweep.run_sweep(seed_corpus, [3, 6], [0, 1], FAST, progress=False)


# ------------------------------------------------------------------------------ the sweep table


def test_one_row_per_k_and_seed_with_sane_metrics(seed_sweep):
    t = seed_sweep.table
    assert list(t.columns) == sweep.COLUMNS
    assert sorted(zip(t["num_topics"], t["seed"])) == [(3, 0), (3, 1), (6, 0), (6, 1)]
    assert np.isfinite(t[["c_npmi", "c_v", "perplexity", "diversity", "stability"]].to_numpy()).all()
    assert ((t["diversity"] > 0) & (t["diversity"] <= 1)).all()
    assert t["c_npmi"].between(-1, 1).all()
    assert (t["perplexity"] > 1).all()
    assert t["stability"].between(0, 1).all()
    # stability is per K: the same on every seed's row
    assert t.groupby("num_topics")["stability"].nunique().eq(1).all()
    assert seed_sweep.recommended_k in (3, 6)
    assert (seed_sweep.recommended_k, seed_sweep.reason) == sweep.recommend_k(t)


def test_models_never_see_held_out_articles(seed_corpus, seed_sweep):
    s = seed_sweep.split
    assert s["n_test_articles"] >= 1 and s["n_train_articles"] >= 1
    assert s["n_train_articles"] + s["n_test_articles"] == len(seed_corpus.doc_ids)
    assert s["n_train_units"] + s["n_test_units"] <= len(seed_corpus.unit_ids)
    assert set(s["test_doc_ids"]) <= set(seed_corpus.doc_ids)


def test_single_seed_has_no_stability(seed_corpus):
    r = sweep.run_sweep(seed_corpus, [3], [0], replace(FAST, iterations=50), progress=False)
    assert len(r.table) == 1 and math.isnan(r.table["stability"].iloc[0])
    assert r.recommended_k == 3


def test_perplexity_repeats_and_gensim_works(seed_corpus):
    split = sweep._split_corpus(seed_corpus, 0.1, 0)
    test_bows = sweep._bows(split.test_ids)
    for cfg in (replace(FAST, num_topics=4, iterations=50, term_weight="one"),
                replace(FAST, num_topics=4, iterations=50, term_weight="idf"),
                replace(FAST, num_topics=4, iterations=50, term_weight="pmi"),
                ModelConfig(engine="gensim", num_topics=4, passes=2)):
        fitted = models.fit(sweep._bows(split.train_ids), split.vocab, cfg, progress=False,
                            token_ids=split.train_ids)
        p1 = sweep.held_out_perplexity(fitted, test_bows, split.vocab, cfg)
        assert np.isfinite(p1) and p1 > 1
        if cfg.engine == "tomotopy":
            assert sweep.held_out_perplexity(fitted, test_bows, split.vocab, cfg) == p1
        assert math.isnan(sweep.held_out_perplexity(fitted, [], split.vocab, cfg))


# ------------------------------------------------------------------------------ the split


def _unit_ids(n_articles, n_units=3):
    return [f"{a:016x}-p{i:03d}" for a in range(n_articles) for i in range(n_units)]


def test_split_keeps_articles_whole():
    ids = _unit_ids(60, 4)
    train, test = sweep.held_out_split(ids, 0.2, seed=0)
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(len(ids)))
    train_articles = {sweep.article_id(ids[i]) for i in train}
    test_articles = {sweep.article_id(ids[i]) for i in test}
    assert train_articles and test_articles and not train_articles & test_articles
    assert 3 <= len(test_articles) <= 25  # about 20 % of 60 articles


def test_split_does_not_move_when_units_are_added():
    ids = _unit_ids(40)
    train, test = sweep.held_out_split(ids, 0.1, seed=3)
    # a new paragraph of an existing article, and a new article, inserted in the middle
    grown = ids[:10] + [f"{5:016x}-p099", "ffffffffffffffff-p000"] + ids[10:]
    train2, test2 = sweep.held_out_split(grown, 0.1, seed=3)
    held = {grown[i] for i in test2}
    assert {ids[i] for i in test} == held - {"ffffffffffffffff-p000"} - {f"{5:016x}-p099"}
    # the added paragraph sits with its article
    assert (f"{5:016x}-p099" in held) == (f"{5:016x}-p000" in held)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 9)), min_size=2, unique=True),
       st.floats(0.05, 0.5), st.integers(0, 5))
def test_split_properties(pairs, fraction, seed):
    ids = [f"doc{a:04d}-p{i:03d}" for a, i in pairs]
    if len({a for a, _ in pairs}) < 2:
        with pytest.raises(ValueError):
            sweep.held_out_split(ids, fraction, seed)
        return
    train, test = sweep.held_out_split(ids, fraction, seed)
    assert len(train) and len(test)
    assert not {sweep.article_id(ids[i]) for i in train} & {sweep.article_id(ids[i]) for i in test}
    again = sweep.held_out_split(list(reversed(ids)), fraction, seed)
    assert {ids[i] for i in test} == {ids[::-1][i] for i in again[1]}  # order does not matter


def test_article_id_uses_the_last_dash():
    assert sweep.article_id("3fa2c1d09b1e7a55-p004") == "3fa2c1d09b1e7a55"
    assert sweep.article_id("my-doc-s001") == "my-doc"


# ------------------------------------------------------------------------------ diversity


def test_topic_diversity_disjoint_and_identical():
    k, v = 4, 200
    disjoint = np.zeros((k, v))
    for t in range(k):
        disjoint[t, t * 25:(t + 1) * 25] = np.linspace(2, 1, 25)
    assert sweep.topic_diversity(disjoint) == 1.0
    same = np.tile(np.linspace(1, 0.01, v), (k, 1))
    assert sweep.topic_diversity(same) == pytest.approx(1 / k)
    half = disjoint.copy()
    half[1] = half[0]  # topics 0 and 1 identical: 3 distinct top lists of 4
    assert sweep.topic_diversity(half) == pytest.approx(3 / 4)
    assert sweep.topic_diversity(np.ones((2, 5))) == pytest.approx(1 / 2)  # V < topn


# ------------------------------------------------------------------------------ the rule


def _table(rows):
    return pd.DataFrame(rows, columns=["num_topics", "seed", "c_npmi", "c_v", "perplexity", "diversity",
                                       "stability"])


def test_rule_excludes_low_diversity_and_low_stability():
    rows = []
    for seed, jitter in enumerate([0.0, 0.002, -0.002]):
        rows += [(5, seed, 0.05 + jitter, 0.5, 900, 0.90, 0.80),
                 (10, seed, 0.08 + jitter, 0.5, 800, 0.85, 0.70),
                 (15, seed, 0.12 + jitter, 0.5, 700, 0.60, 0.75),   # best c_npmi, redundant topics
                 (20, seed, 0.11 + jitter, 0.5, 650, 0.80, 0.40)]   # not reproducible
    k, reason = sweep.recommend_k(_table(rows))
    assert k == 10
    assert "Eligible Ks (diversity >= 0.70 and stability >= 0.50): 5, 10" in reason
    assert "K=15 (diversity 0.60)" in reason and "K=20 (stability 0.40)" in reason
    assert "0.0800" in reason  # the deciding c_npmi


def test_rule_one_standard_error_prefers_the_smaller_k():
    rows = []
    for seed, (a, b) in enumerate([(0.100, 0.110), (0.104, 0.090), (0.096, 0.100)]):
        rows += [(5, seed, 0.06, 0.5, 900, 0.9, 0.8), (10, seed, a, 0.5, 800, 0.9, 0.8),
                 (15, seed, b, 0.5, 700, 0.9, 0.8)]
    # K=15 mean 0.1000, sd 0.01, SE 0.00577; K=10 mean 0.1000 too: tie on the mean -> smaller K
    assert sweep.recommend_k(_table(rows))[0] == 10
    rows = [r if r[0] != 15 else (15, r[1], r[2] + 0.004, *r[3:]) for r in rows]
    k, reason = sweep.recommend_k(_table(rows))
    # K=15 now best (0.1040) but K=10 (0.1000) is within one SE (0.0058): the smaller K wins
    assert k == 10
    assert "K=15 has the highest mean c_npmi (0.1040" in reason
    assert "K=10 is the smallest candidate within one standard error" in reason
    rows = [r if r[0] != 15 else (15, r[1], r[2] + 0.02, *r[3:]) for r in rows]
    assert sweep.recommend_k(_table(rows))[0] == 15  # now clearly better


def test_rule_single_seed_takes_the_best_and_ties_go_small():
    nan = float("nan")
    rows = [(5, 0, 0.05, 0.5, 900, 0.9, nan), (10, 0, 0.09, 0.5, 800, 0.9, nan),
            (15, 0, 0.09, 0.5, 700, 0.9, nan), (20, 0, 0.07, 0.5, 600, 0.9, nan)]
    k, reason = sweep.recommend_k(_table(rows))
    assert k == 10 and "one seed" in reason


def test_rule_falls_back_when_nothing_is_eligible_and_flags_the_edge():
    rows = [(5, s, 0.05, 0.5, 900, 0.5, 0.3) for s in (0, 1)] + \
           [(10, s, 0.08 + s * 0.001, 0.5, 800, 0.4, 0.3) for s in (0, 1)]
    k, reason = sweep.recommend_k(_table(rows))
    assert k == 10
    assert reason.startswith("Recommended K=10. No K met")
    assert "largest K tried" in reason


# ------------------------------------------------------------------------------ the folder


def test_write_sweep_folder(seed_sweep, tmp_path):
    folder = sweep.write_sweep(seed_sweep, tmp_path, config={"sources": ["seeds"]})
    assert folder.parent == tmp_path and folder.name.startswith("sweep-")
    assert {p.name for p in folder.iterdir()} == {"sweep.csv", "sweep.png", "recommendation.txt",
                                                  "manifest.json"}
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())  # no temp folder left
    raw = (folder / "sweep.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(folder / "sweep.csv", encoding="utf-8-sig")
    assert list(back.columns) == sweep.COLUMNS and len(back) == 4
    png = (folder / "sweep.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    text = (folder / "recommendation.txt").read_text(encoding="utf-8")
    assert text.startswith(seed_sweep.reason)
    m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert m["recommendation"] == {"num_topics": seed_sweep.recommended_k, "reason": seed_sweep.reason}
    assert m["ks"] == [3, 6] and m["seeds"] == [0, 1]
    assert m["config"]["model"]["iterations"] == 200 and m["config"]["sources"] == ["seeds"]
    assert len(m["corpus"]["fingerprint"]) == 64
    assert {"gensim", "tomotopy", "python"} <= set(m["versions"])
    assert set(m["files"]) == {"sweep.csv", "sweep.png", "recommendation.txt"}
    from workbench.files import sha256_file

    assert all(sha256_file(folder / n) == h for n, h in m["files"].items())


def test_sweep_convenience_writes_a_folder(tmp_path):
    folder = sweep.sweep([ROOT / "seeds"], [3], [0], model_config=replace(FAST, iterations=50),
                         out_dir=tmp_path, progress=False)
    assert (folder / "manifest.json").is_file() and (folder / "sweep.png").is_file()
    m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert m["config"]["corpus"]["unit"] == "paragraph"
