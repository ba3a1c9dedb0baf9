"""Tests for workbench.analysis.reading: relevance, FREX, topic tables, findThoughts, KWIC, labels."""

from __future__ import annotations

import hashlib
import json
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.analysis.reading import (
    RELEVANCE_FLOOR,
    excerpt,
    frex,
    kwic,
    relevance,
    representative_units,
    top_terms,
    topic_table,
)
from workbench.runfolder.labels import read_labels, topic_names, write_labels
from workbench.runfolder.schema import topic_columns_of

# Topic 0 is about poverty alleviation, topic 1 about grid workers, topic 2 about
# discipline inspection; 工作 ("work") is the most probable word of every topic.
VOCAB = ["脱贫", "攻坚", "网格员", "社区", "纪检", "监察", "工作", "发展"]
TOPIC_TERM = np.array(
    [
        [0.25, 0.15, 0.01, 0.04, 0.01, 0.01, 0.30, 0.23],
        [0.02, 0.01, 0.25, 0.20, 0.01, 0.01, 0.30, 0.20],
        [0.01, 0.01, 0.01, 0.02, 0.30, 0.20, 0.30, 0.15],
    ]
)
TERM_FREQUENCY = np.array([120, 70, 110, 90, 130, 85, 400, 250])


def _doc_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _doc_topics() -> pd.DataFrame:
    texts = [
        ("坚决打赢脱贫攻坚战", ["脱贫攻坚是全面建成小康社会的底线任务。", "各地要巩固拓展脱贫攻坚成果，防止规模性返贫。"]),
        ("网格员守护社区", ["网格员走街串巷。", "社区网格员每天入户走访，收集群众诉求。"]),
        ("纪检监察在行动", ["纪检监察机关持续整治群众身边的腐败和作风问题。"]),
    ]
    shares = [
        [0.90, 0.05, 0.05],
        [0.60, 0.30, 0.10],
        [0.10, 0.80, 0.10],
        [0.10, 0.80, 0.10],
        [0.05, 0.05, 0.90],
    ]
    rows, i = [], 0
    for title, units in texts:
        doc_id = _doc_id("".join(units))
        for j, unit in enumerate(units):
            rows.append({"doc_id": doc_id, "unit_id": f"{doc_id}-p{j:03d}", "title": title, "text": unit,
                         **{f"topic_{k}": s for k, s in enumerate(shares[i])}})
            i += 1
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------
# relevance


def test_relevance_at_lambda_one_is_log_probability():
    rel = relevance(TOPIC_TERM, TERM_FREQUENCY, lam=1.0)
    np.testing.assert_allclose(rel, np.log(TOPIC_TERM))
    assert top_terms(rel, VOCAB, 8) == top_terms(TOPIC_TERM, VOCAB, 8)


def test_relevance_matches_pyldavis_formula():
    p_w = TERM_FREQUENCY / TERM_FREQUENCY.sum()
    expected = 0.6 * np.log(TOPIC_TERM) + 0.4 * np.log(TOPIC_TERM / p_w)
    np.testing.assert_allclose(relevance(TOPIC_TERM, TERM_FREQUENCY), expected)


def test_relevance_at_lambda_zero_prefers_lift_over_frequency():
    # 工作 is the most probable word of topic 0 but appears everywhere: lift drops it.
    rel = relevance(TOPIC_TERM, TERM_FREQUENCY, lam=0.0)
    assert set(top_terms(rel, VOCAB, 2)[0]) == {"脱贫", "攻坚"}
    assert "工作" not in top_terms(rel, VOCAB, 3)[0]
    assert top_terms(TOPIC_TERM, VOCAB, 1)[0] == ["工作"]


def test_relevance_zeros_are_finite_and_last_without_warnings():
    beta = np.array([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]])
    freq = np.array([10, 0, 5])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rel = relevance(beta, freq, lam=0.6)
    assert np.all(np.isfinite(rel))
    assert rel[0, 2] == RELEVANCE_FLOOR  # p(w|k) = 0
    assert rel[0, 1] == RELEVANCE_FLOOR  # p(w) = 0
    assert top_terms(rel, ["甲", "乙", "丙"], 3)[0][0] == "甲"


def test_relevance_rejects_bad_input():
    with pytest.raises(ValueError):
        relevance(TOPIC_TERM, TERM_FREQUENCY, lam=1.5)
    with pytest.raises(ValueError):
        relevance(TOPIC_TERM, TERM_FREQUENCY[:3])


# ---------------------------------------------------------------------------
# FREX


def test_frex_ranks_exclusive_term_above_term_frequent_everywhere():
    scores = frex(TOPIC_TERM)
    work, poverty, grid, discipline = VOCAB.index("工作"), VOCAB.index("脱贫"), VOCAB.index("网格员"), VOCAB.index("纪检")
    assert scores[0, poverty] > scores[0, work]
    assert scores[1, grid] > scores[1, work]
    assert scores[2, discipline] > scores[2, work]
    assert top_terms(scores, VOCAB, 1) == [["脱贫"], ["网格员"], ["纪检"]]


def test_frex_matches_stm_calcfrex_by_hand():
    # Worked through stm's calcfrex by hand: ranks averaged over ties, ECDF = rank / V,
    # FREX = 1 / (w / F + (1 - w) / E).
    beta = np.array([[0.5, 0.4, 0.1], [0.1, 0.8, 0.1]])
    # topic 0: F = [1, 2/3, 1/3]; exclusivity [5/6, 1/3, 1/2] -> E = [1, 1/3, 2/3]
    # topic 1: F = [1/2, 1, 1/2] (tie);  exclusivity [1/6, 2/3, 1/2] -> E = [1/3, 1, 2/3]
    expected = np.array(
        [
            [1.0, 1 / (0.5 * 1.5 + 0.5 * 3), 1 / (0.5 * 3 + 0.5 * 1.5)],
            [1 / (0.5 * 2 + 0.5 * 3), 1.0, 1 / (0.5 * 2 + 0.5 * 1.5)],
        ]
    )
    np.testing.assert_allclose(frex(beta), expected)


def test_frex_weight_is_on_frequency_as_in_stm():
    beta = np.array([[0.5, 0.4, 0.1], [0.1, 0.8, 0.1]])
    # Term 1 is frequent but not exclusive in topic 0, term 2 the reverse.
    by_frequency = frex(beta, w=0.8)
    by_exclusivity = frex(beta, w=0.2)
    assert by_frequency[0, 1] > by_frequency[0, 2]
    assert by_exclusivity[0, 2] > by_exclusivity[0, 1]
    np.testing.assert_allclose(by_frequency[0, 1], 1 / (0.8 * 1.5 + 0.2 * 3))


def test_frex_shrinkage_follows_stm_js_estimate():
    beta = np.array([[0.5, 0.4, 0.1], [0.1, 0.8, 0.1]])
    # Huge counts: no shrinkage, same as plain FREX.
    np.testing.assert_allclose(frex(beta, wordcounts=[1e12] * 3), frex(beta))
    # Count 1: js.estimate returns uniform, so every exclusivity ties at rank 2 of 3.
    shrunk = frex(beta, wordcounts=[1, 1, 1])
    freq_score = np.array([[1, 2 / 3, 1 / 3], [0.5, 1, 0.5]])
    np.testing.assert_allclose(shrunk, 1 / (0.5 / freq_score + 0.5 / (2 / 3)))


def test_frex_handles_a_term_absent_from_every_topic():
    beta = np.array([[0.5, 0.5, 0.0], [0.3, 0.7, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scores = frex(beta)
    assert np.all(np.isfinite(scores))
    assert np.argmin(scores[0]) == 2


# ---------------------------------------------------------------------------
# top terms and topic table


def test_top_terms_breaks_ties_by_term_id():
    scores = np.array([[0.2, 0.5, 0.5, 0.1]])
    assert top_terms(scores, ["甲", "乙", "丙", "丁"], 3) == [["乙", "丙", "甲"]]


def test_topic_table_columns_and_joined_terms():
    table = topic_table(TOPIC_TERM, TERM_FREQUENCY, VOCAB, n=3, labels={0: "脱贫攻坚"})
    assert list(table.columns) == ["topic", "label", "prob", "relevance", "frex"]
    assert table["topic"].tolist() == [0, 1, 2]
    assert table["label"].tolist() == ["脱贫攻坚", "", ""]
    assert table.loc[0, "prob"] == "工作、脱贫、发展"
    assert table.loc[0, "relevance"].split("、")[0] == "脱贫"
    assert table.loc[2, "frex"].split("、")[0] == "纪检"


def test_topic_table_share_is_token_weighted():
    theta = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    table = topic_table(TOPIC_TERM, TERM_FREQUENCY, VOCAB, doc_topic=theta, doc_lengths=[6, 3, 1])
    np.testing.assert_allclose(table["share"], [0.6, 0.3, 0.1])
    equal = topic_table(TOPIC_TERM, TERM_FREQUENCY, VOCAB, doc_topic=theta)
    np.testing.assert_allclose(equal["share"], [1 / 3] * 3)


def test_topic_table_takes_doc_topics_frame_with_n_tokens():
    frame = _doc_topics().assign(n_tokens=[10, 10, 0, 0, 0])
    table = topic_table(TOPIC_TERM, TERM_FREQUENCY, VOCAB, doc_topic=frame)
    np.testing.assert_allclose(table["share"], [0.75, 0.175, 0.075])
    assert table["share"].sum() == pytest.approx(1.0)


def test_topic_columns_orders_numerically():
    frame = pd.DataFrame({f"topic_{k}": [0.1] for k in (10, 2, 0, 1, 3, 4, 5, 6, 7, 8, 9)})
    assert topic_columns_of(frame)[:3] == ["topic_0", "topic_1", "topic_2"]
    assert topic_columns_of(frame)[-1] == "topic_10"
    with pytest.raises(ValueError):
        topic_columns_of(pd.DataFrame({"topic_0": [1.0], "topic_2": [0.0]}))


# ---------------------------------------------------------------------------
# representative units


def test_representative_units_are_the_highest_share():
    frame = _doc_topics()
    top = representative_units(frame, 0, n=2)
    assert list(top.columns) == ["doc_id", "unit_id", "share", "title", "text"]
    assert top["text"].tolist() == ["脱贫攻坚是全面建成小康社会的底线任务。", "各地要巩固拓展脱贫攻坚成果，防止规模性返贫。"]
    assert top["share"].tolist() == [0.9, 0.6]
    assert representative_units(frame, 2, n=1)["text"].item().startswith("纪检监察机关")


def test_representative_units_ties_broken_by_unit_id():
    frame = _doc_topics()
    # The two 网格员 units share 0.8 of topic 1; shuffle so input order cannot decide.
    shuffled = frame.iloc[::-1].reset_index(drop=True)
    top = representative_units(shuffled, 1, n=2)
    assert top["unit_id"].tolist() == sorted(top["unit_id"].tolist())
    assert top["unit_id"].tolist() == representative_units(frame, 1, n=2)["unit_id"].tolist()


def test_representative_units_without_title_and_bad_topic():
    frame = _doc_topics().drop(columns="title")
    top = representative_units(frame, 1, n=10)
    assert list(top.columns) == ["doc_id", "unit_id", "share", "text"]
    assert len(top) == len(frame)
    with pytest.raises(KeyError):
        representative_units(frame, 7)


def test_representative_units_one_per_document_takes_each_articles_best_unit():
    frame = _doc_topics()
    top = representative_units(frame, 0, n=3, one_per_document=True)
    # the poverty article's two paragraphs lead topic 0 (0.9, 0.6); one per article leaves its best,
    # then the best paragraph of each other article
    assert top["text"].tolist()[0] == "脱贫攻坚是全面建成小康社会的底线任务。"
    assert top["doc_id"].is_unique and len(top) == 3
    assert top["share"].tolist() == [0.9, 0.1, 0.05]
    assert representative_units(frame, 0, n=3)["doc_id"].nunique() == 2


def test_excerpt_cuts_to_one_line_of_the_given_length():
    text = "各地要巩固拓展\n脱贫攻坚成果，  防止规模性返贫。"
    assert excerpt(text, None) == "各地要巩固拓展 脱贫攻坚成果， 防止规模性返贫。"
    assert excerpt(text, 8) == "各地要巩固拓展…" and len(excerpt(text, 8)) == 8
    assert excerpt("短句", 8) == "短句"


def test_topics_command_prints_each_topics_representative_documents(seed_run, capsys):
    from workbench.cli import main
    from workbench.runfolder import load_run

    assert main(["topics", str(seed_run), "--docs", "2", "--excerpt", "40"]) == 0
    out = capsys.readouterr().out
    run = load_run(seed_run)
    blocks = out.split("\n[")[1:]
    assert len(blocks) == run.num_topics
    dt = run.doc_topics
    for k, block in enumerate(blocks):
        lines = block.splitlines()
        docs = [i for i, line in enumerate(lines) if line.startswith(("    1. ", "    2. "))]
        assert len(docs) == 2, block
        best = dt.sort_values([f"topic_{k}", "unit_id"], ascending=[False, True]).iloc[0]
        first = lines[docs[0]]
        assert f"{best[f'topic_{k}']:.2f}" in first and best["source_file"] in first
        assert lines[docs[0] + 1].strip() == excerpt(best["text"], 40)
        second_source = lines[docs[1]].split()[-1]
        assert second_source != best["source_file"]  # another article (each seed file is one)
    with pytest.raises(SystemExit) as exc:
        main(["topics", str(seed_run), "--docs", "-1"])
    assert exc.value.code == 2


# ---------------------------------------------------------------------------
# KWIC


def test_kwic_finds_every_occurrence_with_context_cut_at_edges():
    texts = pd.Series(["脱贫攻坚是脱贫的关键，必须脱贫", "网格员", "没有"], index=["a", "b", "c"])
    hits = kwic(texts, "脱贫", width=3)
    assert list(hits.columns) == ["id", "left", "term", "right"]
    assert hits.to_dict("records") == [
        {"id": "a", "left": "", "term": "脱贫", "right": "攻坚是"},
        {"id": "a", "left": "攻坚是", "term": "脱贫", "right": "的关键"},
        {"id": "a", "left": "，必须", "term": "脱贫", "right": ""},
    ]


def test_kwic_escapes_regex_and_uses_given_ids():
    texts = ["推进“1+1”帮扶（试点）", "1+1", "11"]
    hits = kwic(texts, "1+1", width=1, ids=["x", "y", "z"])
    assert hits["id"].tolist() == ["x", "y"]
    assert hits.loc[0, "left"] == "“" and hits.loc[0, "right"] == "”"
    assert len(kwic(texts, "（试点）")) == 1


def test_kwic_empty_result_and_bad_term():
    hits = kwic(["纪检监察", None], "网格")
    assert hits.empty and list(hits.columns) == ["id", "left", "term", "right"]
    with pytest.raises(ValueError):
        kwic(["纪检"], "")


@settings(max_examples=80, deadline=None)
@given(
    texts=st.lists(st.text(alphabet="脱贫攻坚网格员a.*", max_size=40), max_size=6),
    term=st.text(alphabet="脱贫攻坚a.*", min_size=1, max_size=3),
    width=st.integers(min_value=0, max_value=5),
)
def test_kwic_count_equals_str_count(texts, term, width):
    hits = kwic(texts, term, width=width)
    assert len(hits) == sum(t.count(term) for t in texts)
    for row in hits.itertuples():
        window = row.left + row.term + row.right
        assert window in texts[row.id]
        assert len(row.left) <= width and len(row.right) <= width


# ---------------------------------------------------------------------------
# labels


def test_labels_round_trip_with_chinese_and_numeric_key_order(tmp_path):
    np.save(tmp_path / "topic_term.npy", np.full((12, 4), 0.25))
    labels = {10: "纪检监察", 2: "网格化治理", 0: "脱贫攻坚"}
    path = write_labels(tmp_path, labels)
    raw = path.read_text(encoding="utf-8")
    assert "脱贫攻坚" in raw and "\\u" not in raw
    assert list(json.loads(raw)) == ["0", "2", "10"]
    assert read_labels(tmp_path) == labels
    assert list(read_labels(tmp_path)) == [0, 2, 10]
    # The temporary file was moved into place, not left behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["labels.json", "topic_term.npy"]


def test_write_labels_rejects_out_of_range_ids(tmp_path):
    np.save(tmp_path / "topic_term.npy", np.full((3, 4), 0.25))
    with pytest.raises(ValueError, match=r"\b3\b"):
        write_labels(tmp_path, {0: "脱贫攻坚", 3: "不存在"})
    with pytest.raises(ValueError, match="-1"):
        write_labels(tmp_path, {-1: "负数"})
    with pytest.raises(ValueError, match="abc"):
        write_labels(tmp_path, {"abc": "坏"})
    assert not (tmp_path / "labels.json").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["topic_term.npy"]


def test_write_labels_knows_k_from_topics_csv(tmp_path):
    pd.DataFrame({"topic": [0, 0, 1], "label": ["", "", ""], "rank": [0, 1, 0], "term": ["脱贫", "攻坚", "网格员"],
                  "weight": [0.5, 0.3, 0.4]}).to_csv(tmp_path / "topics.csv", index=False, encoding="utf-8-sig")
    write_labels(tmp_path, {1: "网格员"})
    with pytest.raises(ValueError, match=r"\b2\b"):
        write_labels(tmp_path, {2: "纪检监察"})
    assert read_labels(tmp_path) == {1: "网格员"}


def test_read_labels_absent_file_and_unknown_k(tmp_path):
    assert read_labels(tmp_path) == {}
    write_labels(tmp_path, {"5": "纪检监察"})  # K unknown: any non-negative id is accepted
    assert read_labels(tmp_path) == {5: "纪检监察"}


def test_topic_names():
    assert topic_names(4, {0: "脱贫攻坚", 2: "  ", 3: "纪检监察"}) == ["0 脱贫攻坚", "1", "2", "3 纪检监察"]
    assert topic_names(2, None) == ["0", "1"]


def test_topic_names_accepts_json_string_keys():
    assert topic_names(2, {"1": "网格化治理"}) == ["0", "1 网格化治理"]
