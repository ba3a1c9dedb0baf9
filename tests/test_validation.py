"""Validation (`workbench validate`): word- and topic-intrusion sheets with a separate key, scoring an
answered sheet, stm's exclusivity and semantic coherence, stability across chains."""

import numpy as np
import pandas as pd
import pytest

from workbench import cli
from workbench.analysis import validation
from workbench.errors import UsageError
from workbench.runfolder import load_run


def test_word_intrusion_sheet_and_key(seed_run, tmp_path):
    sheet_path, key_path = validation.write_tasks(seed_run, "word-intrusion", tmp_path / "tasks.xlsx")
    assert key_path == tmp_path / "tasks.key.csv"
    sheet = pd.read_excel(sheet_path, dtype=str, keep_default_na=False)
    key = pd.read_csv(key_path, encoding="utf-8-sig", dtype=str)
    run = load_run(seed_run)
    assert list(sheet.columns) == ["item", "A", "B", "C", "D", "E", "F", "answer"]
    assert len(sheet) == run.num_topics and (sheet["answer"] == "").all()
    assert "topic" not in sheet.columns and "intruder" not in sheet.columns  # raters do not see the key
    for row, truth in zip(sheet.itertuples(), key.itertuples()):
        words = [getattr(row, c) for c in "ABCDEF"]
        assert getattr(row, truth.answer) == truth.intruder
        phi = run.topic_term[int(truth.topic)]
        prob = dict(zip(run.vocab, phi))
        fifth = np.sort(phi)[-5]  # the five shown are the topic's top five (ties in any order)
        assert all(prob[w] >= fifth for w in words if w != truth.intruder)
        assert prob[truth.intruder] <= np.median(phi)
    again, _ = validation.word_intrusion(run)
    other, _ = validation.word_intrusion(run, validation.TaskConfig(seed=1))
    assert again.equals(sheet.astype(again.dtypes.to_dict())) and not other.equals(again)


def _answer(sheet_path, key_path, answers):
    sheet = pd.read_excel(sheet_path, dtype=str, keep_default_na=False)
    sheet["answer"] = answers(sheet, pd.read_csv(key_path, encoding="utf-8-sig", dtype=str))
    sheet.to_excel(sheet_path, index=False)


def test_scoring_counts_right_wrong_and_blank(seed_run, tmp_path):
    sheet_path, key_path = validation.write_tasks(seed_run, "word-intrusion", tmp_path / "tasks.xlsx")

    def answers(sheet, key):
        right = key["answer"].tolist()
        wrong = ["A" if a != "A" else "B" for a in right]
        return right[:8] + wrong[8:10] + ["", ""] + right[12:]

    _answer(sheet_path, key_path, answers)
    per_topic, summary = validation.score_tasks(sheet_path)
    assert summary["answered"] == 10 and summary["unanswered"] == 2
    assert summary["precision"] == pytest.approx(0.8)
    assert per_topic["items"].sum() == 12 and per_topic["correct"].sum() == 8
    assert set(per_topic["precision"].dropna()) == {0.0, 1.0}


def test_a_sheet_that_does_not_match_its_key(seed_run, tmp_path):
    sheet_path, key_path = validation.write_tasks(seed_run, "word-intrusion", tmp_path / "tasks.xlsx")
    other, _ = validation.write_tasks(seed_run, "word-intrusion", tmp_path / "other.xlsx",
                                      validation.TaskConfig(seed=5))
    with pytest.raises(UsageError, match=r"other.xlsx: row 2 \(W001\): its choices differ from the key tasks.key.csv"):
        validation.score_tasks(other, key_path)
    _answer(sheet_path, key_path, lambda s, k: ["Z"] + [""] * (len(s) - 1))
    with pytest.raises(UsageError, match=r"row 2 \(W001\): answer 'Z' is not one of A, B, C, D, E, F"):
        validation.score_tasks(sheet_path)
    assert cli.main(["validate", str(seed_run), "--score", str(sheet_path)]) == cli.EXIT_USAGE


def test_topic_intrusion_shows_three_likely_topics_and_an_unlikely_one(seed_run, tmp_path):
    run = load_run(seed_run)
    sheet, key = validation.topic_intrusion(run, validation.TaskConfig(n_units=10))
    assert len(sheet) == 10 and list(sheet.columns[-5:]) == ["A", "B", "C", "D", "answer"]
    theta = run.doc_topic
    row_of = {u: i for i, u in enumerate(run.doc_topics["unit_id"])}
    for s, k in zip(sheet.itertuples(), key.itertuples()):
        u = row_of[k.unit_id]
        ranked = list(np.argsort(-theta[u]))
        assert ranked.index(int(k.topic)) >= run.num_topics // 2
        assert s.text and s.text in " ".join(str(run.doc_topics["text"].iloc[u]).split())


def test_quality_and_stability(seed_run, keyed_run):
    quality = validation.topic_quality(seed_run)
    assert len(quality) == load_run(seed_run).num_topics
    assert quality["semantic_coherence"].notna().all() and (quality["semantic_coherence"] < 0).all()
    assert quality["exclusivity"].between(0, 10).all()
    same = validation.stability(seed_run, [seed_run])
    np.testing.assert_allclose(same["mean"], 1.0, atol=1e-9)
    other = validation.stability(seed_run, [keyed_run])
    assert other["min"].between(0, 1).all() and other["mean"].mean() < 1


def test_cli_validate(seed_run, tmp_path, capsys):
    out = tmp_path / "t.xlsx"
    assert cli.main(["validate", str(seed_run), "--task", "topic-intrusion", "--out", str(out)]) == cli.EXIT_OK
    assert out.is_file() and (tmp_path / "t.key.csv").is_file()
    assert cli.main(["validate", str(seed_run), "--score", str(out)]) == cli.EXIT_OK
    assert "0 of" in capsys.readouterr().out
    assert cli.main(["validate", str(seed_run)]) == cli.EXIT_OK
    assert "exclusivity" in capsys.readouterr().out
    assert cli.main(["validate", str(seed_run), "--task", "word-intrusion", "--out", str(tmp_path / "x.csv")]) \
        == cli.EXIT_USAGE
