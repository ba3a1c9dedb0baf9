"""Tests for workbench.analysis.explore: the tables the notebooks show, on small Chinese fixtures and the seeds."""

from __future__ import annotations

import dataclasses
import html
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench import paths, runfolder
from workbench.analysis import explore, reading
from workbench.corpus import ingest
from workbench.corpus.units import split_units
from workbench.text import tokenize

# --------------------------------------------------------------------------------------------
# fixtures


def _doc(text: str, source: str, **meta) -> ingest.Document:
    return ingest.Document(doc_id=ingest.doc_id_for(text), source_file=source, record="", text=text, meta=meta)


@pytest.fixture(scope="module")
def seed_docs(seed_corpus):
    return list(seed_corpus.documents())


@pytest.fixture
def run_copy(seed_run, tmp_path) -> Path:
    """A private copy of the session's seed run, for tests that write labels or exports."""
    return Path(shutil.copytree(seed_run, tmp_path / "runs" / seed_run.name))


def _toy_run(tmp_path: Path) -> runfolder.Run:
    """Three topics: 0 poverty alleviation, 1 grid governance, 2 discipline inspection."""
    vocab = ["脱贫", "扶贫", "网格员", "社区", "纪检", "监察", "工作", "发展"]
    topic_term = np.array([
        [0.25, 0.15, 0.01, 0.04, 0.01, 0.01, 0.30, 0.23],
        [0.02, 0.01, 0.25, 0.20, 0.01, 0.01, 0.30, 0.20],
        [0.01, 0.01, 0.01, 0.02, 0.30, 0.20, 0.30, 0.15],
    ])
    terms = pd.DataFrame({"term_id": range(len(vocab)), "term": vocab,
                          "doc_freq": [5] * len(vocab), "corpus_freq": [120, 70, 110, 90, 130, 85, 400, 250]})
    doc_topics = pd.DataFrame({
        "doc_id": ["a", "a", "b"], "unit_id": ["a-p000", "a-p001", "b-p000"], "title": ["甲", "甲", "乙"],
        "text": ["脱贫攻坚是底线任务。", "网格员入户走访。", "纪检监察机关整治作风问题。"],
        "n_tokens": [4, 3, 5], "dominant_topic": [0, 1, 2],
        "topic_0": [0.8, 0.1, 0.1], "topic_1": [0.1, 0.8, 0.1], "topic_2": [0.1, 0.1, 0.8],
    })
    return runfolder.Run(path=tmp_path, manifest={}, doc_topics=doc_topics, topics=pd.DataFrame(), terms=terms,
                    topic_term=topic_term, labels={})


# --------------------------------------------------------------------------------------------
# corpus tables


def test_corpus_overview_counts_add_up_per_source_and_in_total():
    a = _doc("脱贫攻坚是底线任务。\n各地巩固脱贫成果。", "news/a.txt")
    b = _doc("网格员入户走访。", "news/b.txt")
    c = _doc("纪检监察机关整治作风。", "news/b.txt")  # a record file holding two articles
    units = [u for d in (a, b, c) for u in split_units(d, "paragraph")]
    tokens = [["脱贫攻坚", "底线", "任务"], ["巩固", "脱贫", "成果"], ["网格员", "走访"], ["纪检监察"]]
    table = explore.corpus_overview([a, b, c], units, tokens, dropped_units=[f"{c.doc_id}-p009"])

    assert list(table["source_file"]) == ["news/a.txt", "news/b.txt", "total"]
    by = table.set_index("source_file")
    assert by.loc["news/a.txt", "documents"] == 1 and by.loc["news/b.txt", "documents"] == 2
    assert by.loc["news/a.txt", "units"] == 2 and by.loc["news/b.txt", "units"] == 2
    assert by.loc["news/a.txt", "tokens"] == 6 and by.loc["news/b.txt", "tokens"] == 3
    assert by.loc["news/b.txt", "units_left_out"] == 1
    assert by.loc["news/a.txt", "characters"] == len("脱贫攻坚是底线任务。各地巩固脱贫成果。")
    for col in ("documents", "units", "units_left_out", "characters", "tokens"):
        assert by.loc["total", col] == by[col].drop("total").sum()
    assert by.loc["news/a.txt", "tokens_per_unit"] == 3.0
    assert by.loc["total", "tokens_per_unit"] == 2.5  # median of 3, 3, 2, 1


def test_corpus_overview_rejects_tokens_that_do_not_match_units():
    d = _doc("脱贫攻坚。", "a.txt")
    with pytest.raises(ValueError, match="1 units but 0 token lists"):
        explore.corpus_overview([d], split_units(d), [])


def test_seed_overview_has_every_seed_file_and_the_corpus_totals(seed_corpus, seed_docs):
    units = seed_corpus.units
    tokens = explore.kept_tokens(seed_corpus, units)
    table = explore.corpus_overview(seed_docs, units, tokens, seed_corpus.dropped_units)
    seeds = sorted(p.name for p in paths.seeds_dir().glob("*.txt"))
    assert [Path(s).name for s in table["source_file"][:-1]] == seeds
    total = table.set_index("source_file").loc["total"]
    assert total["documents"] == 5
    assert total["units"] == len(seed_corpus.unit_ids)
    assert total["units_left_out"] == len(seed_corpus.dropped_units)
    # kept tokens include the words the vocabulary filter drops (in more than half the units)
    assert total["tokens"] >= int(seed_corpus.n_tokens.sum())


def test_kept_tokens_keep_frequent_words_the_vocabulary_drops(seed_corpus):
    kept = explore.kept_tokens(seed_corpus)
    assert len(kept) == len(seed_corpus.unit_ids)
    in_vocab = set(seed_corpus.vocab.terms)
    kept_terms = {t for toks in kept for t in toks}
    assert "党建" in kept_terms  # the corpus's most frequent word ...
    assert in_vocab <= kept_terms
    assert all(t not in kept_terms for t in ("的", "，", "2018"))  # stopwords, punctuation, numbers


def test_unit_lengths_one_row_per_unit():
    d = _doc("脱贫攻坚是底线任务。\n网格员入户走访。", "a.txt")
    units = split_units(d)
    table = explore.unit_lengths(units, [["脱贫攻坚", "底线", "任务"], ["网格员"]])
    assert list(table.columns) == ["unit_id", "doc_id", "characters", "tokens"]
    assert table["characters"].tolist() == [10, 8]
    assert table["tokens"].tolist() == [3, 1]
    assert (table["doc_id"] == d.doc_id).all()


def test_term_frequencies_counts_units_and_breaks_ties_by_term():
    token_lists = [["脱贫", "攻坚", "脱贫"], ["社区", "网格员"], ["攻坚", "社区"]]
    table = explore.term_frequencies(token_lists, n=3)
    assert table["term"].tolist() == ["攻坚", "社区", "脱贫"]  # all three occur twice: term order
    assert table["count"].tolist() == [2, 2, 2]
    assert table["units"].tolist() == [2, 2, 1]  # 脱贫 twice in one unit
    full = explore.term_frequencies(token_lists, n=None)
    assert len(full) == 4 and full["share"].sum() == pytest.approx(1.0)
    assert full.iloc[-1]["term"] == "网格员"


def test_term_frequencies_of_nothing_is_an_empty_table():
    table = explore.term_frequencies([], n=5)
    assert table.empty and list(table.columns) == ["term", "count", "units", "share"]


def test_distinctive_terms_find_the_slogan_of_the_seed_article_about_it(seed_corpus, seed_docs):
    table = explore.distinctive_terms(seed_corpus, 10)
    assert len(table) == 5
    assert list(table.columns) == ["doc_id", "source_file", "title", "terms", "scores"]
    row = table.set_index("title").loc["党建激活“新动能”"]
    terms = row["terms"].split("、")
    assert terms[0] == "整县推进"  # the article that coined it
    assert len(terms) == 10 and row["scores"] == sorted(row["scores"], reverse=True)
    # a word in every article is not distinctive of any
    everywhere = set.intersection(*[{t for t, _ in bag} for bag in _article_terms(seed_corpus).values()])
    assert everywhere and not everywhere & {t for ts in table["terms"] for t in ts.split("、")}


def _article_terms(corpus):
    terms = corpus.vocab.terms
    out: dict[str, set] = {}
    for doc_id, ids in zip(corpus.unit_doc_ids, corpus.token_ids):
        out.setdefault(doc_id, set()).update((terms[i], 0) for i in ids)
    return out


def test_cleaning_report_lists_the_image_lines_of_the_seed_that_has_them(seed_docs):
    report = explore.cleaning_report(seed_docs)
    assert list(report.columns) == ["source_file", "doc_id", "title", "position", "category", "line"]
    images = report[report["line"] == "图片"]
    assert len(images) == 13
    assert set(images["source_file"]) == {"seeds/003_5685b76093e1ea42.txt"}
    assert set(images["category"]) == {"page furniture"}
    assert len(report) == sum(len(d.removed) for d in seed_docs)


def test_cleaning_report_says_why_each_line_went():
    raw = ("无障碍\n当前位置: 首页 > 党建工作\n强基固本风帆劲\n发布时间:2019年05月21日 作者:颜慧\n"
           "党旗高扬，万众一心。全市党员正以新担当开创新局面。\n打印 关闭\n新闻推荐\n绵阳新闻，新鲜有料。\n")
    doc = ingest.make_document(raw, "page.txt")
    report = explore.cleaning_report([doc])
    why = dict(zip(report["line"], report["category"]))
    assert why == {
        "无障碍": "page furniture",
        "当前位置: 首页 > 党建工作": "page furniture",
        "强基固本风帆劲": "headline → title",
        "发布时间:2019年05月21日 作者:颜慧": "byline → metadata",
        "打印 关闭": "page furniture",
        "新闻推荐": "related-news block",
        "绵阳新闻，新鲜有料。": "related-news block",  # a sentence, but inside the block
    }
    assert report["position"].tolist() == list(range(len(report)))


def test_cleaning_report_of_clean_text_is_empty():
    report = explore.cleaning_report([_doc("脱贫攻坚是底线任务。", "a.txt")])
    assert report.empty and "category" in report.columns


# --------------------------------------------------------------------------------------------
# segmentation


@pytest.fixture(scope="module")
def tokenizers():
    text = "变化始于全市开展的基层党建“整县推进”计划，激活了基层党建“新动能”。"
    config = tokenize.default_config(sorted(tokenize.quoting_documents([text])))
    return explore.plain_tokenizer(config), tokenize.get_tokenizer(config)


def test_plain_tokenizer_drops_only_the_added_words(tokenizers):
    plain, full = tokenizers
    assert plain.config.user_dicts == () and plain.config.extra_words == ()
    assert full.config.extra_words == ("整县推进", "新动能")
    assert plain.config.stopword_files == full.config.stopword_files
    assert plain.config.engine == full.config.engine and plain.config.hmm == full.config.hmm


def test_segmentation_changes_finds_the_quoted_slogan_split_by_plain_jieba(tokenizers):
    plain, full = tokenizers
    texts = ["变化始于全市开展的基层党建“整县推进”计划，激活了基层党建“新动能”。今天天气很好。"]
    table = explore.segmentation_changes(texts, plain, full)
    assert len(table) == 1  # the second sentence segments the same both ways
    row = table.iloc[0]
    assert row["sentence"].startswith("变化始于")
    assert "整县 / 推进" in row["before"] and "整县推进" not in row["before"].split(" / ")
    assert "整县推进" in row["after"].split(" / ")
    assert "整县推进" in row["joined"].split("、")
    assert row["before"].replace(" / ", "") == row["after"].replace(" / ", "") == row["sentence"]


def test_segmentation_changes_shows_each_new_word_once_and_at_most_n(tokenizers):
    plain, full = tokenizers
    texts = ["激发“新动能”。", "推进“整县推进”工作。", "坚持“整县推进”不动摇。", "抓好“整县推进”。"]
    table = explore.segmentation_changes(texts, plain, full, n=5)
    assert table["sentence"].tolist() == ["推进“整县推进”工作。", "激发“新动能”。"]
    assert table["sentences"].tolist() == [3, 1]  # the word joined most often comes first
    assert len(explore.segmentation_changes(texts, plain, full, n=1)) == 1


def test_segmentation_changes_is_empty_when_nothing_changes(tokenizers):
    plain, _ = tokenizers
    table = explore.segmentation_changes(["推进“整县推进”工作。"], plain, plain)
    assert table.empty and list(table.columns) == ["sentence", "before", "after", "joined", "sentences"]


def test_segmentation_changes_on_the_seeds_show_dictionary_and_harvested_words(seed_corpus, seed_docs):
    plain = explore.plain_tokenizer(seed_corpus.tokenizer_config)
    full = tokenize.get_tokenizer(seed_corpus.tokenizer_config)
    table = explore.segmentation_changes((d.text for d in seed_docs), plain, full, n=None)
    joined = {w for ws in table["joined"] for w in ws.split("、")}
    assert {"整县推进", "两学一做"} <= joined  # harvested (and in the dictionary) / dictionary
    assert table["sentences"].is_monotonic_decreasing
    first_five = {w for ws in table["joined"][:5] for w in ws.split("、")}
    assert "整县推进" in first_five  # joined in a dozen sentences: among the first examples
    assert (table["sentence"].str.len() <= 80).all()


# --------------------------------------------------------------------------------------------
# runs


def test_load_run_or_latest_prefers_the_argument_then_the_environment(seed_run, run_copy, monkeypatch):
    monkeypatch.setenv(explore.RUN_ENV, str(seed_run))
    assert explore.load_run_or_latest().path == seed_run
    assert explore.load_run_or_latest(run_copy).path == run_copy
    assert explore.load_run_or_latest(str(run_copy)).num_topics == runfolder.load_run(seed_run).num_topics


def test_load_run_or_latest_takes_the_newest_run_folder(seed_run, tmp_path, monkeypatch):
    root = tmp_path / "runs"
    for name in ("20240101-000000-aaaaaaaa", "20250101-000000-bbbbbbbb"):
        shutil.copytree(seed_run, root / name)
    (root / ".20990101-000000-cccccccc.tmp").mkdir()  # a half-written run is never picked
    monkeypatch.delenv(explore.RUN_ENV, raising=False)
    monkeypatch.setenv(explore.RUNS_ENV, str(root))
    assert explore.load_run_or_latest().path.name == "20250101-000000-bbbbbbbb"


def test_load_run_or_latest_finds_a_relative_run_from_the_notebooks_folder(seed_run, tmp_path, monkeypatch):
    shutil.copytree(seed_run, tmp_path / "runs" / "r1")
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")  # where a notebook's kernel starts
    monkeypatch.setenv(explore.RUN_ENV, "runs/r1")
    assert explore.load_run_or_latest().path.resolve() == (tmp_path / "runs" / "r1").resolve()


def test_load_run_or_latest_says_what_to_do_without_runs(tmp_path, monkeypatch):
    monkeypatch.delenv(explore.RUN_ENV, raising=False)
    monkeypatch.setenv(explore.RUNS_ENV, str(tmp_path / "none"))
    with pytest.raises(FileNotFoundError, match="workbench train"):
        explore.load_run_or_latest()
    with pytest.raises(FileNotFoundError, match="not a run folder"):
        explore.load_run_or_latest(tmp_path)


def test_run_summary_reports_the_manifest(seed_run):
    run = runfolder.load_run(seed_run)
    summary = dict(zip(*explore.run_summary(run).T.values))
    assert summary["topics"] == str(run.num_topics)
    assert summary["documents"] == "5"
    assert summary["units modelled"] == str(len(run.doc_topics))
    assert summary["run"] == seed_run.name


def test_representative_paragraphs_are_each_topics_highest_shares(seed_run):
    run = runfolder.load_run(seed_run)
    table = explore.representative_paragraphs(run, n=2, max_chars=50)
    assert len(table) == 2 * run.num_topics
    assert list(table.columns) == ["topic", "name", "rank", "share", "title", "date", "source_file", "doc_id",
                                   "unit_id", "text"]
    for k, rows in table.groupby("topic"):
        column = run.doc_topics[f"topic_{k}"]
        assert rows["share"].iloc[0] == pytest.approx(column.max())
        assert rows["share"].is_monotonic_decreasing
        assert rows["rank"].tolist() == [1, 2]
    assert (table["text"].str.len() <= 50).all()
    assert table["text"].str.endswith("…").any()


def test_representative_paragraphs_use_the_labels(tmp_path):
    run = _toy_run(tmp_path)
    run = dataclasses.replace(run, labels={0: "脱贫攻坚"})
    table = explore.representative_paragraphs(run, n=1, max_chars=None)
    assert table["name"].tolist() == ["0 脱贫攻坚", "1", "2"]
    assert table["text"].tolist() == run.doc_topics["text"].tolist()


def test_kwic_in_run_finds_every_occurrence_with_its_topic(seed_run):
    run = runfolder.load_run(seed_run)
    table = explore.kwic_in_run(run, "脱贫", width=10)
    assert len(table) == sum(t.count("脱贫") for t in run.doc_topics["text"])
    assert list(table.columns) == ["unit_id", "title", "topic", "left", "term", "right"]
    assert (table["term"] == "脱贫").all() and (table["left"].str.len() <= 10).all()
    dominant = run.doc_topics.set_index("unit_id")["dominant_topic"]
    assert table["topic"].tolist() == [str(dominant[u]) for u in table["unit_id"]]
    assert explore.kwic_in_run(run, "不存在的词").empty


def _srcdoc(widget) -> str:
    match = re.search(r'srcdoc="([^"]*)"', widget.data)
    assert match, "no srcdoc attribute"
    return html.unescape(match.group(1))


def test_show_ldavis_embeds_the_run_page_in_a_sandboxed_frame(seed_run):
    widget = explore.show_ldavis(runfolder.load_run(seed_run), height=700)
    assert "<iframe" in widget.data and 'sandbox="allow-scripts"' in widget.data
    assert "height:700px" in widget.data
    # escaped: the page's own tags cannot end the attribute or run in the notebook page
    assert widget.data.count("<script") == 0
    assert _srcdoc(widget) == (seed_run / "ldavis.html").read_text(encoding="utf-8")


def test_show_ldavis_shows_labels_set_after_training(run_copy):
    runfolder.write_labels(run_copy, {1: "脱贫攻坚 <&>"})
    page = _srcdoc(explore.show_ldavis(runfolder.load_run(run_copy)))
    assert "脱贫攻坚 &lt;&amp;&gt;" in page  # in the page's legend, escaped there too
    assert not re.search(r"<(script|link)[^>]+(src|href)=", page)  # everything inline: offline
    assert page == (run_copy / "ldavis.html").read_text(encoding="utf-8")  # the run's own page has them


def test_suggest_labels_picks_the_topic_whose_top_terms_hold_the_cues(tmp_path):
    run = _toy_run(tmp_path)
    rules = {"纪检监察": ["纪检", "监察"], "脱贫攻坚": ["脱贫", "扶贫"], "网格化治理": ["网格员", "社区"]}
    assert explore.suggest_labels(run, rules, n_terms=3) == {0: "脱贫攻坚", 1: "网格化治理", 2: "纪检监察"}


def test_suggest_labels_falls_back_to_probability_and_skips_unknown_cues(tmp_path):
    run = _toy_run(tmp_path)
    # with one top term per topic no cue is on top: the topic giving the cues most probability wins
    assert explore.suggest_labels(run, {"扶贫": ["扶贫"]}, n_terms=1, lam=1.0) == {0: "扶贫"}
    assert explore.suggest_labels(run, {"反腐": ["巡视", "留置"]}) == {}
    assert explore.suggest_labels(run, {}) == {}


def test_suggest_labels_gives_each_topic_one_label(tmp_path):
    run = _toy_run(tmp_path)
    labels = explore.suggest_labels(run, {"扶贫一": ["脱贫"], "扶贫二": ["脱贫", "扶贫"]}, n_terms=3)
    assert labels[0] == "扶贫一" and len(labels) == 2 and len(set(labels)) == 2


def test_suggest_labels_finds_poverty_alleviation_in_the_seed_run(seed_run):
    run = runfolder.load_run(seed_run)
    labels = explore.suggest_labels(run, {"脱贫攻坚": ["脱贫", "扶贫", "脱贫攻坚", "贫困户", "第一书记"]})
    [(topic, label)] = labels.items()
    assert label == "脱贫攻坚"
    top = reading.top_terms(run.topic_term, run.vocab, 20)[topic]
    assert {"脱贫", "扶贫", "脱贫攻坚", "贫困户", "第一书记"} & set(top)


def test_export_run_writes_every_format_for_units_and_articles(run_copy):
    runfolder.write_labels(run_copy, {0: "脱贫攻坚"})
    run = runfolder.load_run(run_copy)
    files = explore.export_run(run)
    assert files["format"].tolist() == ["csv", "xlsx", "parquet", "dta"] * 2
    assert files["level"].tolist() == ["unit"] * 4 + ["article"] * 4
    for p in files["path"]:
        assert Path(p).parent == run_copy / "exports" and Path(p).stat().st_size > 0
    units = files.set_index(["level", "format"]).loc[("unit", "csv"), "path"]
    assert Path(units).read_bytes().startswith(b"\xef\xbb\xbf")  # Excel needs the BOM
    table = pd.read_csv(units, encoding="utf-8-sig", dtype={"doc_id": str, "unit_id": str})
    assert len(table) == len(run.doc_topics)
    assert (table.loc[table["dominant_topic"] == 0, "dominant_label"] == "0 脱贫攻坚").all()
    articles = pd.read_stata(run_copy / "exports" / "articles.dta")
    assert len(articles) == 5 and set(run.doc_topics["doc_id"]) == set(articles["doc_id"])
    shares = articles[[f"topic_{k}" for k in range(run.num_topics)]].sum(axis=1)
    assert np.allclose(shares, 1.0)
    with pd.io.stata.StataReader(run_copy / "exports" / "doc_topics.dta") as reader:
        assert reader.variable_labels()["topic_0"] == "topic_0 脱贫攻坚"


def test_export_run_to_a_chosen_folder_and_format(run_copy, tmp_path):
    files = explore.export_run(runfolder.load_run(run_copy), tmp_path / "out", formats=["parquet"], levels=["unit"])
    assert files["path"].tolist() == [str(tmp_path / "out" / "doc_topics.parquet")]
    assert not (run_copy / "exports").exists()
    with pytest.raises(ValueError, match="unknown level"):
        explore.export_run(runfolder.load_run(run_copy), tmp_path / "out", levels=["sentence"])


def test_labels_written_by_the_notebook_recipe_reach_every_table(run_copy):
    """The 03 notebook's steps: suggest, merge, write, reload; then tables and exports show them."""
    run = runfolder.load_run(run_copy)
    labels = {**run.labels, **explore.suggest_labels(run, {"脱贫攻坚": ["脱贫", "扶贫", "第一书记"]})}
    runfolder.write_labels(run.path, labels)
    run = explore.load_run_or_latest(run.path)
    [topic] = [k for k, v in run.labels.items() if v == "脱贫攻坚"]
    assert json.loads((run_copy / "labels.json").read_text(encoding="utf-8"))[str(topic)] == "脱贫攻坚"
    table = reading.topic_table(run.topic_term, run.terms["corpus_freq"], run.vocab, labels=run.labels)
    assert table.loc[topic, "label"] == "脱贫攻坚"
    assert explore.representative_paragraphs(run, 1)["name"][topic] == f"{topic} 脱贫攻坚"
