"""The run folder's vectorised outputs against gensim and against the whole-table CSVs:
c_npmi (models.coherence), TF-IDF keywords (models.tfidf_keywords, runfolder.keyword_chunks) and
doc_topics.csv / keywords.csv written in blocks of units."""
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from gensim.corpora import Dictionary
from gensim.models import TfidfModel
from gensim.models.coherencemodel import CoherenceModel

from workbench import files, models, runfolder
from workbench.text import preprocess

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


@pytest.fixture(scope="module")
def seed_fit(seed_corpus):
    cfg = models.ModelConfig(num_topics=6, iterations=100)
    return models.fit(seed_corpus.bows, seed_corpus.vocab, cfg, progress=False, token_ids=seed_corpus.token_ids)


def gensim_npmi(topics, texts, dictionary):
    """gensim's CoherenceModel c_npmi per topic, non-finite values as NaN (models.coherence's rule)."""
    cm = CoherenceModel(topics=topics, texts=texts, dictionary=dictionary, coherence="c_npmi", topn=len(topics[0]),
                        processes=1)
    return [float(x) if math.isfinite(x) else float("nan") for x in cm.get_coherence_per_topic()]


def assert_same_values(mine, expected):
    assert len(mine) == len(expected)
    for a, b in zip(mine, expected):
        assert (math.isnan(a) and math.isnan(b)) or abs(a - b) <= 1e-9, (mine, expected)


# ---------------------------------------------------------------------------------------------
# c_npmi


def test_npmi_matches_gensim_on_the_seeds(seed_corpus, seed_fit):
    terms = seed_corpus.vocab.terms
    topics = [[terms[i] for i in row] for row in models.top_term_ids(seed_fit.topic_term, 10)]
    expected = gensim_npmi(topics, [list(t) for t in seed_corpus.tokens], seed_corpus.vocab.dictionary)
    assert all(math.isfinite(x) for x in expected)
    for kwargs in ({"token_ids": seed_corpus.token_ids},
                   {"token_lists": seed_corpus.tokens, "dictionary": seed_corpus.vocab.dictionary}):
        mean, per = models.coherence(seed_fit.topic_term, terms, **kwargs)
        assert_same_values(per, expected)
        assert mean == pytest.approx(np.mean(expected), abs=1e-9)


# Texts shorter than the window (and empty), texts without any top word, a word repeated
# inside one window (gensim drops it from the window set when its first copy leaves), and a
# top word (航天) that is in the dictionary but in no text.
FIXTURE_TEXTS = [
    ["改革", "开放", "发展"],
    [],
    ["天气", "晴朗", "气温", "上升", "降雨"],
    ["改革", "创新", "改革", "开放", "改革", "经济", "增长", "创新", "人民", "生活", "改革", "开放", "发展",
     "经济", "经济", "创新", "改革", "人民", "发展", "开放", "创新", "增长"],
    ["脱贫", "攻坚", "乡村", "振兴", "脱贫", "乡村", "产业", "振兴", "脱贫", "攻坚", "乡村", "人民"],
    ["人民", "生活", "改善"],
    ["创新", "驱动", "发展", "战略", "科技", "创新", "科技", "人才", "创新", "发展", "科技", "自立", "自强"],
    ["天气", "晴朗"],
    ["会议", "召开", "代表", "出席", "会议", "听取", "报告", "审议", "通过", "决议", "代表", "表决", "闭幕"],
]
FIXTURE_TOPICS = [
    ["改革", "开放", "发展", "经济", "创新"],
    ["脱贫", "乡村", "振兴", "攻坚", "人民"],
    ["科技", "创新", "人才", "航天", "发展"],
    ["天气", "晴朗", "生活", "改善", "增长"],
]


def fixture_model():
    dictionary = Dictionary(FIXTURE_TEXTS + [["航天"]])
    terms = [dictionary[i] for i in range(len(dictionary))]
    topic_term = np.zeros((len(FIXTURE_TOPICS), len(terms)))
    for t, words in enumerate(FIXTURE_TOPICS):
        for rank, w in enumerate(words):
            topic_term[t, terms.index(w)] = 1.0 - rank / 10
    return dictionary, terms, topic_term


def test_npmi_matches_gensim_on_hand_made_texts():
    dictionary, terms, topic_term = fixture_model()
    expected = gensim_npmi(FIXTURE_TOPICS, FIXTURE_TEXTS, dictionary)
    assert math.isnan(expected[2]) and sum(math.isnan(x) for x in expected) == 1  # 航天 never occurs
    mean, per = models.coherence(topic_term, terms, FIXTURE_TEXTS, dictionary, "c_npmi", 5)
    assert_same_values(per, expected)
    assert mean == pytest.approx(np.nanmean(expected), abs=1e-9)
    ids = [np.array([terms.index(w) for w in text], dtype=np.int32) for text in FIXTURE_TEXTS]
    assert_same_values(models.coherence(topic_term, terms, token_ids=ids, topn=5)[1], expected)


def test_window_counts_follow_gensim_on_a_repeated_word():
    # 改革 at 0 and 2 (window 3): gensim's windows [改革 创新 改革] [创新 改革 开放] [改革 开放 人民];
    # sliding to the second window clears 改革 although its copy at 2 is still inside.
    terms = ["改革", "创新", "开放", "人民"]
    occ, pairs, n = models.window_counts([np.array([0, 1, 0, 2, 3])], np.array([0, 2]), len(terms), window=3)
    assert n == 3
    assert occ.tolist() == [1, 2]  # a plain boolean window would give 改革 3 windows
    assert pairs[0, 1] == 0


def test_npmi_matches_gensim_on_random_texts(seed_corpus):
    rng = np.random.default_rng(7)
    vocab = list(seed_corpus.vocab.terms[:40])  # few words, so repeats inside a window are common
    texts = [list(rng.choice(vocab, size=rng.integers(0, 30))) for _ in range(300)]
    dictionary = Dictionary([vocab])
    terms = [dictionary[i] for i in range(len(dictionary))]
    topic_term = rng.random((8, len(terms)))
    topics = [[terms[i] for i in row] for row in models.top_term_ids(topic_term, 10)]
    expected = gensim_npmi(topics, texts, dictionary)
    assert_same_values(models.coherence(topic_term, terms, texts, dictionary)[1], expected)


def test_other_measures_still_use_gensim(seed_corpus, seed_fit):
    terms = seed_corpus.vocab.terms
    topics = [[terms[i] for i in row] for row in models.top_term_ids(seed_fit.topic_term, 10)]
    cm = CoherenceModel(topics=topics, texts=[list(t) for t in seed_corpus.tokens],
                        dictionary=seed_corpus.vocab.dictionary, coherence="c_v", topn=10, processes=1)
    _, per = models.coherence(seed_fit.topic_term, terms, dictionary=seed_corpus.vocab.dictionary,
                              measure="c_v", token_ids=seed_corpus.token_ids)
    assert per == pytest.approx(cm.get_coherence_per_topic(), abs=1e-12)


# ---------------------------------------------------------------------------------------------
# TF-IDF keywords


def gensim_keywords(bows, terms, n):
    model = TfidfModel(bows, smartirs="ntc")
    return [[(terms[t], float(s)) for t, s in sorted(model[bow], key=lambda x: (-x[1], terms[x[0]]))[:n]]
            for bow in bows]


def assert_same_keywords(mine, expected):
    assert len(mine) == len(expected)
    for a, b in zip(mine, expected):
        assert [t for t, _ in a] == [t for t, _ in b]
        assert [s for _, s in a] == [s for _, s in b]  # bit for bit, so ties and printed digits agree


def test_tfidf_matches_gensim_on_the_seeds(seed_corpus):
    terms = seed_corpus.vocab.terms
    bows = list(seed_corpus.bows)
    assert_same_keywords(models.tfidf_keywords(bows, terms, 10), gensim_keywords(bows, terms, 10))
    assert_same_keywords(models.tfidf_keywords(bows, terms, 3), gensim_keywords(bows, terms, 3))


def test_tfidf_ties_break_on_the_term_and_empty_bags_stay_empty():
    # ids in an order unlike the strings' order; 经济/改革/开放 tie in the first bag, 人民/创新 in the
    # fourth; bag 2 and 5 are empty (they still count as documents for the idf).
    terms = ["经济", "改革", "开放", "人民", "创新", "发展"]
    bows = [[(0, 1), (1, 1), (2, 1), (5, 2)], [], [(0, 2), (3, 1)], [(3, 1), (4, 1), (5, 1)], [],
            [(1, 3), (2, 3), (4, 1)]]
    expected = gensim_keywords(bows, terms, 2)
    mine = models.tfidf_keywords(bows, terms, 2)
    assert_same_keywords(mine, expected)
    assert mine[1] == [] and mine[4] == []
    assert [t for t, _ in models.tfidf_keywords(bows, terms, 4)[0]] == ["发展", "开放", "改革", "经济"]


def test_keywords_table_matches_gensim_per_unit_and_article(seed_corpus):
    from collections import Counter

    terms = seed_corpus.vocab.terms
    unit_bows = list(seed_corpus.bows)
    articles: dict[str, Counter] = {}
    for did, bow in zip(seed_corpus.unit_doc_ids, unit_bows):
        articles.setdefault(did, Counter()).update(dict(bow))
    article_bows = [sorted(c.items()) for c in articles.values()]
    expected = []
    for level, ids, units, bows in (("unit", seed_corpus.unit_doc_ids, seed_corpus.unit_ids, unit_bows),
                                    ("article", list(articles), [""] * len(articles), article_bows)):
        for did, uid, kws in zip(ids, units, gensim_keywords(bows, terms, 10)):
            expected += [[level, did, uid, r + 1, t, s] for r, (t, s) in enumerate(kws)]
    table = runfolder.build_keywords(seed_corpus)
    assert table[["level", "doc_id", "unit_id", "rank", "term"]].values.tolist() == [e[:5] for e in expected]
    assert table["score"].tolist() == [e[5] for e in expected]
    assert pd.concat(runfolder.keyword_chunks(seed_corpus, chunk_units=7), ignore_index=True).equals(table)


# ---------------------------------------------------------------------------------------------
# CSVs written in blocks


@pytest.fixture(scope="module")
def meta_corpus(tmp_path_factory):
    """Records whose metadata would get other dtypes block by block: an int column missing in
    some records (float over the whole table), a bool column, int and str in one column, a
    column named like one of ours (text), and a formula-like cell."""
    paragraphs = [p for f in sorted(SEEDS.glob("*.txt")) for p in f.read_text(encoding="utf-8").split("\n")
                  if len(p) > 60][:9]
    metas = [{"title": "平桥区党建", "page": 3, "flag": True, "vol": 1},
             {"title": "=乡村振兴", "flag": False, "vol": "第二卷", "text": "原文"},
             {"page": 7, "vol": 2, "date": "2023-05-01"},
             {"title": "+脱贫攻坚", "page": 12, "vol": 3},
             {"title": "基层治理", "page": 1, "flag": True, "vol": 4, "author": "-殷明"},
             {"title": "人才", "page": 2, "vol": 5},
             {"title": "学习", "page": 5, "vol": 6},
             {"title": "产业", "page": 9, "vol": 7, "source": "@新华社"},
             {"title": "民生", "page": 4, "vol": 8}]
    path = tmp_path_factory.mktemp("meta") / "records.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for p, m in zip(paragraphs, metas):
            fh.write(json.dumps({"content": p, **m}, ensure_ascii=False) + "\n")
    return preprocess.prepare([path], preprocess.CorpusConfig(unit="article", text_column="content"), no_below=1,
                            no_above=1.0, store_path=path.parent / "s.sqlite", progress=False)


def test_doc_topics_in_blocks_are_the_whole_table(meta_corpus, tmp_path):
    n = len(meta_corpus.unit_ids)
    assert n == 9
    doc_topic = np.random.default_rng(0).dirichlet(np.full(4, 0.3), size=n)
    whole, blocks = tmp_path / "whole.csv", tmp_path / "blocks.csv"
    runfolder.write_doc_topics(meta_corpus, doc_topic, whole, chunk_units=n)
    runfolder.write_doc_topics(meta_corpus, doc_topic, blocks, chunk_units=2)
    assert blocks.read_bytes() == whole.read_bytes()
    raw = whole.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") == n + 1
    header = raw[3:raw.index(b"\r\n")].decode()
    assert header.split(",")[:8] == ["doc_id", "unit_id", "source_file", "record", "title", "date", "author",
                                     "source"]
    assert header.split(",")[8:12] == ["page", "flag", "vol", "source_text"]
    table = pd.read_csv(whole, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert table["page"].tolist()[:3] == ["3", "", "7"]  # ints with a gap stay ints over the table
    assert table["flag"].tolist()[:3] == ["True", "False", ""]
    assert table["title"].tolist()[:4] == ["平桥区党建", "'=乡村振兴", "", "'+脱贫攻坚"]
    assert table["source_text"].tolist()[:2] == ["", "原文"]


def test_keywords_in_blocks_are_the_whole_table(seed_corpus, tmp_path):
    whole, blocks = tmp_path / "whole.csv", tmp_path / "blocks.csv"
    files.write_csv(runfolder.build_keywords(seed_corpus), whole)
    files.write_csv_chunks(runfolder.keyword_chunks(seed_corpus, chunk_units=3), blocks)
    assert blocks.read_bytes() == whole.read_bytes()
    table = pd.read_csv(whole, encoding="utf-8-sig", keep_default_na=False)
    assert list(table.columns) == list(runfolder.KEYWORD_COLUMNS)
    assert set(table["level"]) == {"unit", "article"}
