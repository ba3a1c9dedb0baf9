"""Properties (hypothesis): round trips keep ids and texts, counts add up, doc-topic rows are dense
and sum to 1, and no input text, record file or byte string crashes ingest or the tokenizer."""
import json
import tempfile
from collections import Counter
from contextlib import closing
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from workbench import errors, files, models
from workbench.corpus import ingest, store
from workbench.outputs import export
from workbench.text import preprocess, vocabulary
from workbench.text.tokenize import default_config, get_tokenizer

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

CJK = "党建网格员社区居民纪检监察驻村第一书记脱贫攻坚乡村振兴八项规定四风貪腐贪腐㐀𠮷"
PUNCT = "，。！？；：“”（）《》、…—·「」 \u3000"
ASCII = "abcXYZ019 =+-@<>/&;'\"\\\t"
PIECES = list(CJK + PUNCT + ASCII) + ["\n", "\r\n", "\r", "<p>", "</p>", "<script>", "&amp;", "\x00", "\x07"]
mixed_text = st.lists(st.sampled_from(PIECES), max_size=120).map("".join)
WORDS = ("脱贫攻坚 第一书记 驻村 帮扶 贫困户 产业 网格员 社区 居民 矛盾纠纷 纪检监察 立案 审查 八项规定 四风 党支部 "
         "党员 学习教育 巡察 整改 廉政 警示教育 村集体经济 合作社").split()


# -- ingest -> store -> export round trip -------------------------------------------------------

@pytest.mark.slow
@FAST
@given(records=st.lists(st.tuples(mixed_text, st.sampled_from(["", "2023-05-01", "=1+1", "张三"])),
                        min_size=1, max_size=6))
def test_ingest_export_round_trip_keeps_ids_and_texts(records):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        f = tmp / "c.jsonl"
        f.write_text("\n".join(json.dumps({"text": t, "author": a}, ensure_ascii=False) for t, a in records) + "\n",
                     encoding="utf-8")
        expected = [d for i, (text, author) in enumerate(records, start=1)
                    if (d := ingest.make_document(text, "c.jsonl", f"line {i}", {"author": author})) is not None]
        with closing(store.connect(tmp / "s.sqlite")) as conn:
            report = store.ingest(conn, [f], "p")
            assert report.added == len(expected)  # every record, even one whose text an earlier one has
            assert report.added + len(report.skipped) == len(records)
            assert report.repeated == len(expected) - len({d.doc_id for d in expected})
            got = list(store.iter_records(conn, [r for r, _ in store.corpus_records(conn, "p")])) if expected else []
        assert len(got) == len(expected)  # every record, in source order, with its own metadata
        for d, want in zip(got, expected):
            assert d.doc_id == ingest.doc_id_for(d.text)  # ids are content hashes of the cleaned text
            assert (d.doc_id, d.text, d.record, d.meta) == (want.doc_id, want.text, want.record, want.meta)
        got = [d for i, d in enumerate(got) if d.doc_id not in {e.doc_id for e in got[:i]}]  # a text once
        if not got:
            return
        table = pd.DataFrame({"doc_id": [d.doc_id for d in got], "unit_id": [f"{d.doc_id}-a000" for d in got],
                              "text": [d.text for d in got], "author": [d.meta.get("author", "") for d in got],
                              "topic_0": 1.0})
        back = pd.read_parquet(export.export_table(table, tmp / "t.parquet", "parquet"))
        pd.testing.assert_frame_equal(back, table)
        back = pd.read_csv(export.export_table(table, tmp / "t.csv", "csv"), encoding="utf-8-sig", dtype=str,
                           keep_default_na=False)
        assert back["doc_id"].tolist() == table["doc_id"].tolist()
        # csv keeps the text, with a ' before a would-be formula (export's documented exception)
        assert back["text"].tolist() == [("'" + t if t.startswith(files.FORMULA_PREFIXES) else t)
                                         for t in table["text"]]


# -- counts add up ----------------------------------------------------------------------------

@SLOW
@given(docs=st.lists(st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12), min_size=1, max_size=3),
                     min_size=2, max_size=8),
       unit=st.sampled_from(["paragraph", "article"]))
def test_bag_of_words_counts_add_up_to_the_kept_tokens(docs, unit):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for i, paras in enumerate(docs):
            (tmp / f"{i:03d}.txt").write_text(f"第{i}篇。" + "\n".join("，".join(p) + "。" for p in paras),
                                              encoding="utf-8")
        cfg = preprocess.CorpusConfig(unit=unit, min_tokens=1, harvest_quoted=False, workers=1)
        try:
            corpus = preprocess.prepare([tmp], cfg, no_below=1, no_above=1.0, store_path=tmp / "s.sqlite",
                                      progress=False)
        except errors.PipelineError:
            assume(False)  # fewer than two units with tokens: nothing to count
        tokenizer = get_tokenizer(corpus.tokenizer_config)
        vocab = set(corpus.vocab.terms)
        bows = list(corpus.bows)
        assert len(bows) == len(corpus.token_ids) == len(corpus.unit_ids)
        for bow, ids, n, (_, unit_obj) in zip(bows, corpus.token_ids, corpus.n_tokens, corpus.iter_units()):
            assert sum(c for _, c in bow) == len(ids) == n > 0
            kept = [t for t in tokenizer.cut(unit_obj.text) if t in vocab]
            assert Counter(kept) == Counter({corpus.vocab.terms[i]: c for i, c in bow})
        assert corpus.vocab.corpus_freq.sum() == corpus.n_tokens.sum()
        assert sorted({corpus.vocab.terms[i] for ids in corpus.token_ids for i in ids}) == sorted(vocab)


# -- doc-topic rows are dense and sum to 1 ------------------------------------------------------

@pytest.mark.parametrize("engine", models.ENGINES)
@SLOW
@given(data=st.data())
def test_doc_topic_rows_dense_and_sum_to_one(engine, data):
    n_terms = data.draw(st.integers(1, 25), label="terms")
    units = data.draw(st.lists(st.lists(st.integers(0, n_terms - 1), min_size=1, max_size=30), min_size=1,
                               max_size=15), label="units")
    k = data.draw(st.integers(1, 6), label="topics")
    token2id = {f"词{i}": i for i in range(n_terms)}
    raw = [np.array(u, dtype=np.int32) for u in units]
    vocab, remap, _ = vocabulary.build_vocabulary(token2id, raw, no_below=1, no_above=1.0)
    token_ids = [remap[u] for u in raw]
    bows = preprocess.Bows(token_ids)
    fitted = models.fit(bows, vocab, models.ModelConfig(engine=engine, num_topics=k, iterations=5, passes=1,
                                                        random_state=data.draw(st.integers(0, 3))),
                        progress=False, token_ids=token_ids)
    dt = fitted.doc_topic
    assert dt.shape == (len(units), k)  # dense: every unit, every topic
    assert np.all(np.isfinite(dt)) and np.all(dt >= 0)
    np.testing.assert_allclose(dt.sum(axis=1), 1.0, atol=1e-6)
    assert fitted.topic_term.shape == (k, len(vocab.terms))
    np.testing.assert_allclose(fitted.topic_term.sum(axis=1), 1.0, atol=1e-6)


# -- nothing crashes ------------------------------------------------------------------------------

@FAST
@given(text=st.text())
def test_arbitrary_unicode_never_crashes_cleaning(text):
    cleaned = ingest.clean_article(text)
    for p in cleaned.paragraphs:
        assert p and p == p.strip() and not set(p) & set("\r\n\x00\x0b\x0c\x85\u2028\u2029\ufeff")
    doc = ingest.make_document(text, "x.txt")
    if doc is not None:
        assert doc.doc_id == ingest.doc_id_for(doc.text) and doc.text.strip()
    ingest.make_document(text, "x.jsonl", "line 1", {"title": text}, html=True)
    assert isinstance(ingest.looks_like_html(text), bool)


@FAST
@given(text=st.lists(st.sampled_from(list("<>/!-?=\"' \nap&;#x") + ["<p>", "<script>", "</script>", "<!--", "-->",
                                                                   "<br/>", "网格"])).map("".join))
def test_markup_like_text_never_crashes_html_extraction(text):
    out = ingest.html_to_text(text)
    assert all(line == line.strip() and line for line in out.split("\n")) or out == ""


@FAST
@given(text=st.text())
def test_arbitrary_unicode_never_crashes_the_tokenizer(text):
    tokenizer = get_tokenizer(default_config())
    for token in tokenizer.cut(text):
        assert token and not any(ch.isspace() for ch in token)
    tokens, tags = tokenizer.segment_joined(text)
    assert len(tokens.split(" ")) == len(tags.split(" ")) or tokens == ""


@FAST
@given(data=st.binary(max_size=600))
def test_arbitrary_bytes_decode_or_are_named(data):
    try:
        text, encoding = ingest.decode_bytes(data)
    except ingest.DecodeError as exc:
        assert str(exc)
        return
    assert isinstance(text, str) and encoding


@FAST
@given(content=st.lists(st.sampled_from(list('ab,"\n\r\t{}[]:\x00 ') + ["text", "正文", "网格员走访。"]),
                        max_size=200).map("".join),
       suffix=st.sampled_from([".csv", ".tsv", ".jsonl"]))
def test_arbitrary_record_files_never_crash(content, suffix):
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / f"r{suffix}"
        f.write_text(content, encoding="utf-8")
        problems: list[ingest.Problem] = []
        try:
            docs = list(ingest.read_sources([f], problems=problems))
        except ingest.IngestError as exc:  # only: the one file has no text column
            assert "no text column" in str(exc)
            return
        for p in problems:
            assert p.path == str(f) and p.what
        for d in docs:
            assert d.doc_id == ingest.doc_id_for(d.text) and d.record.startswith("line ")
