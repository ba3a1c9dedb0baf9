"""Candidate terms: statistics of quoted strings, and the report a researcher reviews in Excel."""
import math
from pathlib import Path

import pandas as pd

from workbench.analysis.terms import COLUMNS, TermsConfig, candidate_table, dictionary_words, terms_report
from workbench.cli import main
from workbench.corpus.ingest import Document, read_sources
from workbench.text.terms import term_statistics

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

# 整县推进 is quoted wherever it is named; 一劳永逸地 is quoted once and used plainly elsewhere;
# 县推 is a fragment of 整县推进 (always between the same neighbours).
STORIES = [
    "黄冈市推行基层党建“整县推进”，村党支部书记说，软弱涣散问题不能指望“一劳永逸地”解决。",
    "全省召开“整县推进”现场会，交流党建引领乡村振兴的做法。罗田县整县推进见成效。",
    "治理河道污染不可能一劳永逸地完成，需要建立长效机制。",
    "整治群众身边的腐败问题，没有一劳永逸地办法，必须常抓不懈。",
]


def test_term_statistics_count_occurrences_quotes_and_documents():
    stats = {s.term: s for s in term_statistics(lambda: iter(STORIES), ["整县推进", "一劳永逸地", "县推"])}
    s = stats["整县推进"]
    assert (s.occurrences, s.quoted, s.documents, s.quoting_documents) == (3, 2, 2, 2)
    assert s.quoted_share == 1.0
    p = stats["一劳永逸地"]
    assert (p.occurrences, p.quoted, p.documents, p.quoting_documents) == (3, 1, 3, 1)
    assert math.isclose(p.quoted_share, 1 / 3, abs_tol=1e-4)
    # examples: quoted uses first, as left【term】right
    assert s.examples[0] == "黄冈市推行基层党建“【整县推进】”，村党支部书记说，软弱涣散问"  # 15 characters either side
    assert all("【一劳永逸地】" in e for e in p.examples) and p.examples[0].count("“【") == 1
    # 县推 always sits between 整 and 进: no boundary freedom; 整县推进 has quotes and several neighbours
    f = stats["县推"]
    assert f.occurrences == 3 and f.left_entropy == 0.0 and f.right_entropy == 0.0
    assert s.left_entropy > 0.5 and s.right_entropy > 0.5


def test_pmi_is_the_weakest_cut_of_the_string():
    texts = STORIES + ["各地各部门扎实推进，地方党委认真落实，基层党组织地位突出。", "两个确立两个维护，一劳永逸。"]
    stats = {s.term: s for s in term_statistics(lambda: iter(texts), ["整县推进", "一劳永逸地"])}
    n = sum(map(len, texts))
    f = lambda x: sum(t.count(x) for t in texts)  # none of these strings overlaps itself
    for w, s in stats.items():
        expect = min(math.log(f(w) * n / (f(w[:i]) * f(w[i:]))) for i in range(1, len(w)))
        assert math.isclose(s.pmi, expect, abs_tol=1e-3), w
    # 一劳永逸 + 地, a common character, is the weaker string
    assert stats["整县推进"].pmi > stats["一劳永逸地"].pmi


def test_candidate_table_on_the_seeds_lists_what_the_dictionary_lacks():
    docs = [d.text for d in read_sources([SEEDS]) if isinstance(d, Document)]
    table = candidate_table(lambda: iter(docs))
    assert list(table.columns[:len(COLUMNS)]) == list(COLUMNS) and "example_2" in table.columns
    known = dictionary_words()
    assert "整县推进" in known and "整县推进" not in set(table["term"])  # in dictionaries/ already
    assert not set(table["term"]) & known
    # a seed slogan the dictionary lacks: quoted once, then used plainly twice in the same article
    row = table.set_index("term").loc["五心服务"]
    assert (row["occurrences"], row["quoted_occurrences"], row["documents"]) == (3, 1, 1)
    assert bool(row["harvested"]) and "“【五心服务】”" in row["example_1"]
    assert (table["quoting_documents"] <= table["documents"]).all()
    assert (table["quoted_occurrences"] <= table["occurrences"]).all()
    # most-quoted first
    assert table["quoting_documents"].is_monotonic_decreasing


def test_the_harvested_column_is_the_harvest_rule(tmp_path):
    stories = STORIES + ["安全生产没有一劳永逸地解决之道，要压实企业主体责任。"]  # 一劳永逸地: quoted in 1 of 4
    table = candidate_table(lambda: iter(stories), known=set()).set_index("term")
    assert bool(table.loc["整县推进", "harvested"]) and not bool(table.loc["一劳永逸地", "harvested"])
    # in 1 of 3 it passes the default share of 0.3
    assert bool(candidate_table(lambda: iter(STORIES), known=set()).set_index("term").loc["一劳永逸地", "harvested"])
    from workbench.text import preprocess

    loose = TermsConfig(corpus=preprocess.CorpusConfig(harvest_min_share=0.0))
    assert bool(candidate_table(lambda: iter(stories), loose, known=set()).set_index("term").loc[
        "一劳永逸地", "harvested"])


def test_terms_command_writes_a_csv_for_excel(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_STORE", str(tmp_path / "store.sqlite"))
    src = tmp_path / "src"
    src.mkdir()
    # a context that starts like a formula must not run in Excel
    for i, text in enumerate(STORIES + ["=A1+1 全县开展“五好家庭”评选活动，推动形成良好家风，五好家庭示范户带动邻里。"]):
        (src / f"{i}.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "terms.csv"
    assert main(["terms", str(src), "--out", str(out)]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw  # Excel on a Chinese-locale machine
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert "一劳永逸地" in set(table["term"]) and "整县推进" not in set(table["term"])  # dictionary word
    assert table.set_index("term").loc["五好家庭", "example_1"].startswith("'=A1+1")
    assert not any(str(c).startswith("=") for c in table.to_numpy().ravel())
    assert main(["terms", "--out", str(out)]) == 2  # neither SOURCE nor --corpus


def test_terms_report_names_a_bad_source(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_STORE", str(tmp_path / "store.sqlite"))
    src = tmp_path / "src"
    src.mkdir()
    (src / "good.txt").write_text(STORIES[0], encoding="utf-8")
    (src / "bad.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    report = terms_report([src], out=tmp_path / "t.csv")
    assert len(report.problems) == 1 and "bad.txt: not a text file" in str(report.problems[0])
    assert "一劳永逸地" in set(report.table["term"])  # the good file is still reported
