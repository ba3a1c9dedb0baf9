"""`workbench merge RUN 3+7=LABEL`: merged topics stored beside the labels, shown by export, prevalence,
effect, topics and the page, with the trained shares kept."""

import dataclasses
import json
import shutil

import numpy as np
import pandas as pd
import pytest

from workbench.analysis import covariates, explore, timeline
from workbench.cli import main
from workbench.outputs import export
from workbench.runfolder import load_run, update_labels, update_merges, verify_run
from workbench.runfolder.ldavis import _DATA_BLOCK
from workbench.runfolder.merges import MERGES_FILE, Merge, merge_shares, parse_group


@pytest.fixture()
def run(seed_run, tmp_path):
    copy = tmp_path / "run"
    shutil.copytree(seed_run, copy, ignore=shutil.ignore_patterns("inferred", "exports", "prevalence", "effects"))
    return copy


def _themes(path):
    """Two topics of the seed run that read as one theme: poverty alleviation (脱贫攻坚) and rural
    industry (产业): 产业扶贫."""
    r = load_run(path)
    poverty = int(r.topic_term[:, r.vocab.index("脱贫攻坚")].argmax())
    industry = int(r.topic_term[:, r.vocab.index("产业")].argmax())
    assert poverty != industry
    return tuple(sorted((poverty, industry)))


def _page_names(path):
    data = json.loads(_DATA_BLOCK.search((path / "ldavis.html").read_text(encoding="utf-8")).group(1))
    return data["topic.names"]


def test_merge_is_stored_beside_the_labels_and_shown_in_topics_csv_and_the_page(run):
    a, b = _themes(run)
    update_labels(run, {a: "脱贫攻坚"})
    trained = (run / "doc_topics.csv").read_bytes()
    before = {name: (run / name).read_bytes() for name in ("topics.csv", "ldavis.html")}
    assert main(["merge", str(run), f"{b}+{a}=产业扶贫"]) == 0  # either order
    assert json.loads((run / MERGES_FILE).read_text(encoding="utf-8")) == {f"{a}+{b}": "产业扶贫"}
    assert verify_run(run) == []  # merges.json pinned, topics.csv and the page re-hashed
    assert MERGES_FILE in json.loads((run / "manifest.json").read_text(encoding="utf-8"))["files"]
    topics = pd.read_csv(run / "topics.csv", encoding="utf-8-sig", keep_default_na=False)
    assert set(topics.loc[topics["topic"].isin([a, b]), "label"]) == {f"产业扶贫（{a}+{b}）"}
    names = _page_names(run)
    assert names[a] == f"{a} 产业扶贫（{a}+{b}）" and names[b] == f"{b} 产业扶贫（{a}+{b}）"  # both circles
    assert (run / "doc_topics.csv").read_bytes() == trained  # every trained share kept
    assert load_run(run).labels[a] == "脱贫攻坚"  # the topic's own label too
    assert main(["merge", str(run), f"{a}+{b}="]) == 0  # removed: the files are as before
    assert not (run / MERGES_FILE).exists() and verify_run(run) == []
    assert {name: (run / name).read_bytes() for name in before} == before


def test_the_merged_view_sums_the_shares_in_the_lowest_topics_column(run):
    a, b = _themes(run)
    update_merges(run, {f"{a}+{b}": "产业扶贫"})
    r = load_run(run)
    view = r.merged()
    cols = [f"topic_{k}" for k in range(r.num_topics)]
    np.testing.assert_allclose(view.doc_topics[f"topic_{a}"], r.doc_topics[f"topic_{a}"] + r.doc_topics[f"topic_{b}"])
    assert (view.doc_topics[f"topic_{b}"] == 0).all()
    np.testing.assert_allclose(view.doc_topics[cols].sum(axis=1), 1.0)
    assert (view.doc_topics["dominant_topic"] == view.doc_topics[cols].to_numpy().argmax(1)).all()
    np.testing.assert_allclose(view.topic_term[a].sum(), 1.0)
    assert view.labels[a] == view.labels[b] == f"产业扶贫（{a}+{b}）"


def test_export_carries_the_merged_share_and_unmerged_gives_every_topic(run):
    a, b = _themes(run)
    update_merges(run, {f"{a}+{b}": "产业扶贫"})
    r = load_run(run)
    merged = pd.read_csv(export.export_run(r, "csv"), encoding="utf-8-sig", keep_default_na=False)
    assert f"topic_{b}" not in merged.columns and f"topic_{a}" in merged.columns
    np.testing.assert_allclose(merged[f"topic_{a}"], r.doc_topics[f"topic_{a}"] + r.doc_topics[f"topic_{b}"], atol=1e-9)
    assert f"{a} 产业扶贫（{a}+{b}）" in set(merged["dominant_label"])
    stata = pd.read_stata(export.export_run(r, "dta"))
    assert f"topic_{b}" not in stata.columns and f"{a} 产业扶贫（{a}+{b}）" not in stata.columns
    whole = pd.read_csv(export.export_run(r, "csv", merged=False, path=run / "all.csv"), encoding="utf-8-sig")
    assert f"topic_{b}" in whole.columns


def test_prevalence_effect_and_topics_show_one_merged_topic(run, capsys):
    a, b = _themes(run)
    plain = timeline.prevalence_table(run, by="source_file", n_boot=0)
    update_merges(run, {f"{a}+{b}": "产业扶贫"})
    merged = timeline.prevalence_table(run, by="source_file", n_boot=0)
    assert b not in set(merged["topic"]) and a in set(merged["topic"])
    share = lambda t, k: t[t["topic"] == k].set_index("source_file")["share"]
    pd.testing.assert_series_equal(share(merged, a), share(plain, a) + share(plain, b), check_names=False)
    assert set(merged.loc[merged["topic"] == a, "label"]) == {f"产业扶贫（{a}+{b}）"}
    assert timeline.prevalence_table(run, by="source_file", topics=[b], n_boot=0)["topic"].unique().tolist() == [a]
    effect = covariates.estimate_effect(run, "source_file", config=covariates.EffectConfig(nsims=5))
    assert b not in set(effect.table["topic"]) and "merged topics summed per draw" in effect.draws
    table = explore.run_topic_table(load_run(run))
    assert b not in set(table["topic"]) and len(table) == load_run(run).num_topics - 1
    every = explore.run_topic_table(dataclasses.replace(load_run(run), merges=())).set_index("topic")["share"]
    assert table.set_index("topic")["share"][a] == pytest.approx(every[a] + every[b])
    assert main(["topics", str(run), "--docs", "1"]) == 0
    out = capsys.readouterr().out
    assert f"[{a} 产业扶贫（{a}+{b}）]" in out and f"\n[{b}]" not in out and f"{a}+{b} merged" in out


def test_bad_merges_are_one_line_and_change_nothing(run, capsys):
    a, b = _themes(run)
    update_merges(run, {f"{a}+{b}": "产业扶贫"})
    manifest = (run / "manifest.json").read_bytes()
    other = next(k for k in range(12) if k not in (a, b))
    for args, message in [([f"{a}+{other}=别的"], f"topic {a} is in two merges"),
                          ([f"{other}+99=别的"], "topic 99 is out of range"),
                          ([f"{other}+{other}=别的"], "a merge needs two different topics"),
                          ([f"{other}=别的"], "write the topics to merge as TOPIC+TOPIC"),
                          ([f"{other}+{(other + 1) % 12}="], "no merge")]:
        assert main(["merge", str(run), *args]) == 1, args
        assert message in capsys.readouterr().err
    assert (run / "manifest.json").read_bytes() == manifest


def test_merge_shares_of_draws_keeps_the_sum_to_one():
    rng = np.random.default_rng(0)
    draws = rng.dirichlet(np.ones(5), size=(3, 4))  # draws x units x topics
    out = merge_shares(draws, [Merge(parse_group("1+3"), "x")])
    np.testing.assert_allclose(out.sum(axis=-1), 1.0)
    np.testing.assert_allclose(out[..., 1], draws[..., 1] + draws[..., 3])
    assert (out[..., 3] == 0).all()
