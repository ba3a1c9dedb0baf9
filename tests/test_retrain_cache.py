"""Retraining after new documents: the token cache re-segments only the new units and the older
units that contain a newly harvested term, and the corpus equals a cold run's."""
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from workbench.corpus.ingest import Document, read_sources
from workbench.corpus.units import split_units
from workbench.text import preprocess
from workbench.text.tokenize import default_config, get_tokenizer, quoting_documents

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

# Two new articles quote 软弱涣散村, which the seeds use unquoted and jieba splits (软弱涣散 / 村).
NEW = {
    "new_a.txt": "全县抓好“软弱涣散村”整顿，驻村工作队帮扶到户，建强村党组织。\n第一书记推动产业发展。",
    "new_b.txt": "去年认定的“软弱涣散村”全部摘帽，党支部带领群众发展集体经济，稳定增收。",
}


def test_warm_prepare_after_new_documents_equals_cold(tmp_path):
    old = tmp_path / "old"
    shutil.copytree(SEEDS, old, ignore=shutil.ignore_patterns("*.toml"))
    new = tmp_path / "new"
    new.mkdir()
    for name, text in NEW.items():
        (new / name).write_text(text, encoding="utf-8")
    cfg = preprocess.CorpusConfig(workers=1)
    kw = dict(no_below=1, no_above=1.0, progress=False)
    first = preprocess.prepare([old], cfg, store_path=tmp_path / "warm.sqlite", **kw)
    warm = preprocess.prepare([old, new], cfg, store_path=tmp_path / "warm.sqlite", **kw)
    cold = preprocess.prepare([old, new], cfg, store_path=tmp_path / "cold.sqlite", **kw)

    assert set(warm.harvested) - set(first.harvested) == {"软弱涣散村"}
    old_units = [u for d in first.documents() for u in split_units(d, cfg.unit)]
    new_units = [u for d in warm.documents() for u in split_units(d, cfg.unit)][len(old_units):]
    touched = [u for u in old_units if "软弱涣散村" in u.text]
    assert len(new_units) == 3 and len(touched) >= 1
    # exactly the new units and the older units containing the new term were segmented again
    assert warm.stats["cache_misses"] == len(new_units) + len(touched)
    assert warm.stats["cache_hits"] == len(old_units) - len(touched)
    assert cold.stats["cache_hits"] == 0
    # and the run says why: new units, and older units touched by the changed user word
    assert warm.stats["retokenized"] == {"new_units": len(new_units), "touched_units": len(touched),
                                         "touched_by": {"软弱涣散村": len(touched)}}
    assert cold.stats["retokenized"]["touched_units"] == 0

    assert warm.harvested == cold.harvested
    assert warm.unit_ids == cold.unit_ids and warm.dropped_units == cold.dropped_units
    assert warm.vocab.terms == cold.vocab.terms
    assert all(np.array_equal(a, b) for a, b in zip(warm.token_ids, cold.token_ids, strict=True))
    # the harvested term is one token where it occurs, in the older units too
    assert "软弱涣散村" in warm.vocab.terms and "软弱涣散村" not in first.vocab.terms
    assert "软弱涣散村" in get_tokenizer(warm.tokenizer_config).cut(touched[0].text)


def test_pipeline_harvest_leaves_out_only_words_that_change_no_token():
    texts = ["基层党建“整县推进”，推行“五星争创”，全镇“出名”的软弱涣散村，这“一般”不难。",
             "“整县推进”工作会。“一般”而言，“双培”“双带”，庆祝“七一”。"]
    counts = quoting_documents(texts)
    # 出名 (v), 双带 (n), 一般 (a): words of jieba's dictionary with a tag the filter keeps -> left out;
    # 双培: not a dictionary word; 七一: a dictionary word tagged m (numeral), which the filter drops
    assert preprocess.CorpusConfig().harvest_candidates(counts) == ["七一", "五星争创", "双培", "整县推进"]
    assert preprocess.CorpusConfig(pos_filter=False).harvest_candidates(counts) == ["五星争创", "双培", "整县推进"]
    assert preprocess.CorpusConfig(harvest_quoted=False).harvest_candidates(counts) == []
    assert preprocess.harvest(preprocess.CorpusConfig(), lambda: iter(texts)) == ["七一", "五星争创", "双培", "整县推进"]


# Stories of the kind xinwenlianbo broadcasts: 整县推进 is a slogan, quoted wherever it is named;
# 一劳永逸地 is an ordinary phrase (jieba: 一劳永逸 / 地) that one story happened to quote.
PHRASE_AND_SLOGAN = {
    "a.txt": "黄冈市推行基层党建“整县推进”，村党支部书记说，软弱涣散问题不能指望“一劳永逸地”解决。",
    "b.txt": "全省召开“整县推进”现场会，交流党建引领乡村振兴的做法。",
    "c.txt": "治理河道污染不可能一劳永逸地完成，需要建立长效机制。",
    "d.txt": "整治群众身边的腐败问题，没有一劳永逸地办法，必须常抓不懈。",
    "e.txt": "安全生产没有一劳永逸地解决之道，要压实企业主体责任。",
}


def test_the_harvest_keeps_slogans_and_leaves_quoted_phrases(tmp_path):
    for name, text in PHRASE_AND_SLOGAN.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    corpus = preprocess.prepare([tmp_path], preprocess.CorpusConfig(workers=1, min_tokens=1),
                                store_path=tmp_path / "s.sqlite", no_below=1, no_above=1.0, progress=False)
    # 整县推进: quoted in both stories that name it; 一劳永逸地: in 1 of the 4
    assert "整县推进" in corpus.harvested and "一劳永逸地" not in corpus.harvested
    assert "整县推进" in corpus.vocab.terms
    every = preprocess.CorpusConfig(workers=1, min_tokens=1, harvest_min_share=0.0)
    assert "一劳永逸地" in preprocess.harvest(every, lambda: iter(PHRASE_AND_SLOGAN.values()))


def test_a_newly_quoted_phrase_sends_no_older_story_back(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    for name in ("b.txt", "c.txt", "d.txt", "e.txt"):
        (old / name).write_text(PHRASE_AND_SLOGAN[name], encoding="utf-8")
    (new / "a.txt").write_text(PHRASE_AND_SLOGAN["a.txt"], encoding="utf-8")
    cfg = preprocess.CorpusConfig(workers=1, min_tokens=1, unit="article")
    kw = dict(no_below=1, no_above=1.0, progress=False, store_path=tmp_path / "s.sqlite")
    first = preprocess.prepare([old], cfg, **kw)
    warm = preprocess.prepare([old, new], cfg, **kw)
    assert first.harvested == warm.harvested == ("整县推进",)
    # the three older stories with an unquoted 一劳永逸地 are reused: only the new story is segmented
    assert warm.stats["retokenized"] == {"new_units": 1, "touched_units": 0, "touched_by": {}}
    assert warm.stats["cache_misses"] == 1


def test_on_the_seeds_the_harvest_gives_the_tokens_of_harvesting_every_quoted_term():
    docs = [d for d in read_sources([SEEDS]) if isinstance(d, Document)]
    counts = quoting_documents(d.text for d in docs)
    every = get_tokenizer(default_config(sorted(counts)))
    chosen_terms = preprocess.harvest(preprocess.CorpusConfig(), lambda: (d.text for d in docs))
    assert 0 < len(chosen_terms) < len(counts)
    chosen = get_tokenizer(default_config(chosen_terms))
    paragraphs = [p for d in docs for p in d.text.split("\n") if p.strip()]
    assert len(paragraphs) > 100
    assert all(every.cut(p) == chosen.cut(p) for p in paragraphs)


def test_the_segmenting_pool_returns_what_one_process_does():
    docs = [d for d in read_sources([SEEDS]) if isinstance(d, Document)]
    texts = [p for d in docs for p in d.text.split("\n") if p.strip()] * 3  # the seeds hold 20,000 characters
    assert sum(map(len, texts)) >= preprocess.POOL_MIN_CHARS  # enough text to start the pool
    tokenizer = get_tokenizer(default_config())
    segmenter = preprocess._Segmenter(tokenizer, 2)
    try:
        pooled = segmenter(texts)
        assert segmenter.pool is not None
    finally:
        segmenter.close()
    assert pooled == [tokenizer.segment_joined(t) for t in texts]


def _same_corpus(a, b):
    assert a.harvested == b.harvested
    assert a.unit_ids == b.unit_ids and a.dropped_units == b.dropped_units
    assert a.vocab.terms == b.vocab.terms
    assert np.array_equal(a.vocab.doc_freq, b.vocab.doc_freq) and np.array_equal(a.vocab.corpus_freq, b.vocab.corpus_freq)
    assert all(np.array_equal(x, y) for x, y in zip(a.token_ids, b.token_ids, strict=True))


def _seeds_and_new(tmp_path):
    old = tmp_path / "old"
    shutil.copytree(SEEDS, old, ignore=shutil.ignore_patterns("*.toml"))
    new = tmp_path / "new"
    new.mkdir()
    for name, text in NEW.items():
        (new / name).write_text(text, encoding="utf-8")
    return old, new


def test_a_warm_run_takes_untouched_documents_whole_from_the_cache(tmp_path):
    old, new = _seeds_and_new(tmp_path)
    cfg = preprocess.CorpusConfig(workers=1, unit="article")
    kw = dict(no_below=1, no_above=1.0, progress=False)
    first = preprocess.prepare([old], cfg, store_path=tmp_path / "warm.sqlite", **kw)
    warm = preprocess.prepare([old, new], cfg, store_path=tmp_path / "warm.sqlite", **kw)
    cold = preprocess.prepare([old, new], cfg, store_path=tmp_path / "cold.sqlite", **kw)
    old_docs = list(first.documents())
    touched = [d for d in old_docs if "软弱涣散村" in d.text]
    assert 1 <= len(touched) < len(old_docs)
    # the older documents without the new user word come whole from the document cache
    assert warm.stats["documents_reused"] == len(old_docs) - len(touched)
    assert warm.stats["cache_misses"] == len(NEW) + len(touched)
    assert warm.stats["retokenized"]["touched_by"] == {"软弱涣散村": len(touched)}
    assert cold.stats["documents_reused"] == 0 and first.stats["documents_reused"] == 0
    _same_corpus(warm, cold)
    again = preprocess.prepare([old, new], cfg, store_path=tmp_path / "warm.sqlite", **kw)
    assert again.stats["documents_reused"] == len(old_docs) + len(NEW) and again.stats["cache_misses"] == 0
    _same_corpus(again, cold)
    # another unit kind is another layout: nothing reused whole, the unit cache still serves
    paragraphs = preprocess.prepare([old, new], preprocess.CorpusConfig(workers=1), store_path=tmp_path / "warm.sqlite", **kw)
    assert paragraphs.stats["documents_reused"] == 0
    _same_corpus(paragraphs, preprocess.prepare([old, new], preprocess.CorpusConfig(workers=1),
                                                store_path=tmp_path / "cold2.sqlite", **kw))


def test_a_dictionary_edit_sends_back_exactly_the_documents_containing_the_word(tmp_path, monkeypatch):
    from workbench import paths

    shipped = paths.user_dict_files()
    extra = tmp_path / "dicts" / "extra.txt"
    extra.parent.mkdir()
    extra.write_text("", encoding="utf-8")
    monkeypatch.setattr(paths, "user_dict_files", lambda: (*shipped, extra))
    old, _ = _seeds_and_new(tmp_path)
    cfg = preprocess.CorpusConfig(workers=1, unit="article")
    kw = dict(no_below=1, no_above=1.0, progress=False)
    before = preprocess.prepare([old], cfg, store_path=tmp_path / "warm.sqlite", **kw)
    docs = list(before.documents())
    holding = [d for d in docs if "绿时光合作社" in d.text]
    assert len(holding) == 1 and "绿时光合作社" not in before.vocab.terms

    extra.write_text("绿时光合作社 nz\n", encoding="utf-8")  # a word the harvest never scans for
    edited = preprocess.prepare([old], cfg, store_path=tmp_path / "warm.sqlite", **kw)
    assert edited.stats["documents_reused"] == len(docs) - 1
    assert edited.stats["retokenized"] == {"new_units": 0, "touched_units": 1, "touched_by": {"绿时光合作社": 1}}
    assert "绿时光合作社" in edited.vocab.terms
    _same_corpus(edited, preprocess.prepare([old], cfg, store_path=tmp_path / "cold.sqlite", **kw))

    extra.write_text("绿时光合作社 v\n", encoding="utf-8")  # the same word, another tag
    retagged = preprocess.prepare([old], cfg, store_path=tmp_path / "warm.sqlite", **kw)
    assert retagged.stats["documents_reused"] == len(docs) - 1 and retagged.stats["cache_misses"] == 1
    assert "绿时光合作社" in retagged.vocab.terms  # v is kept by the filter too

    extra.write_text("", encoding="utf-8")  # removed: the document's first segmentation serves again
    back = preprocess.prepare([old], cfg, store_path=tmp_path / "warm.sqlite", **kw)
    assert back.stats["documents_reused"] == len(docs) - 1 and back.stats["cache_misses"] == 0
    _same_corpus(back, before)


def test_a_stopword_edit_refilters_without_reusing_stale_documents(tmp_path, monkeypatch):
    from workbench import paths

    old, _ = _seeds_and_new(tmp_path)
    cfg = preprocess.CorpusConfig(workers=1, unit="article")
    kw = dict(no_below=1, no_above=1.0, progress=False)
    before = preprocess.prepare([old], cfg, store_path=tmp_path / "warm.sqlite", **kw)
    assert "合作社" in before.vocab.terms
    stop = tmp_path / "stop.txt"
    stop.write_text("合作社\n", encoding="utf-8")
    shipped = paths.stopword_files()
    monkeypatch.setattr(paths, "stopword_files", lambda: (*shipped, stop))
    after = preprocess.prepare([old], cfg, store_path=tmp_path / "warm.sqlite", **kw)
    assert "合作社" not in after.vocab.terms
    assert after.stats["documents_reused"] == 0 and after.stats["cache_misses"] == 0  # re-filtered, not re-segmented
    _same_corpus(after, preprocess.prepare([old], cfg, store_path=tmp_path / "cold.sqlite", **kw))


@pytest.mark.slow
def test_a_warm_retrain_writes_the_doc_topics_of_a_cold_one(tmp_path):
    from workbench import engines, models

    old, new = _seeds_and_new(tmp_path)
    mc = models.ModelConfig(num_topics=3, iterations=100)
    engines.train([old], model_config=mc, store_path=tmp_path / "warm.sqlite", out_dir=tmp_path / "r0", progress=False)
    warm = engines.train([old, new], model_config=mc, store_path=tmp_path / "warm.sqlite", out_dir=tmp_path / "r1",
                         progress=False)
    cold = engines.train([old, new], model_config=mc, store_path=tmp_path / "cold.sqlite", out_dir=tmp_path / "r2",
                         progress=False)
    m = json.loads((warm / "manifest.json").read_text(encoding="utf-8"))
    assert m["corpus"]["stats"]["documents_reused"] > 0
    for name in ("doc_topics.csv", "topics.csv"):
        assert (warm / name).read_bytes() == (cold / name).read_bytes()


def test_resegmenting_the_stretches_with_a_changed_word_gives_the_whole_segmentation():
    from workbench.text.token_cache import resegment
    from workbench.text.tokenize import Tokenizer, WordFinder

    docs = [d for d in read_sources([SEEDS]) if isinstance(d, Document)]
    texts = [d.text for d in docs] + [p for d in docs for p in d.text.split("\n") if p.strip()]
    # words the seeds hold that jieba splits, added as user words; one of the dictionary's removed
    added = ["绿时光合作社", "花河边村", "村企共建", "产业党小组", "六项工程", "汉滨区党建", "三真"]
    # and words that start or end inside a token jieba makes now: the tokens beside them change too
    plain = Tokenizer(default_config()).raw_tokens(docs[1].text)
    added += [a[1:] + b for a, b in zip(plain, plain[1:]) if len(a) > 2 and b.isalpha()][:15]
    added += [a + b[:-1] for a, b in zip(plain[1::7], plain[2::7]) if len(b) > 2 and a.isalpha()][:15]
    without, with_words = Tokenizer(default_config()), Tokenizer(default_config(added))
    n = changed_tokens = 0
    for before, after in ((without, with_words), (with_words, without)):  # words added, then removed
        changed = WordFinder(after.changed_words(before.word_set))
        assert set(added) <= after.changed_words(before.word_set)
        for text in texts:
            tokens, tags = before.segment_joined(text)
            seg = resegment(after, text, tokens, tags, changed)
            if not changed.spans(text):
                assert seg is None
                continue
            n += 1
            assert seg == after.segment_joined(text), text[:40]
            changed_tokens += seg != (tokens, tags)
    assert n >= 8 and changed_tokens >= 8  # texts whose tokens the words change, resegmented in part


def test_a_document_in_traditional_characters_is_detected_once_and_tokenized_as_cold(tmp_path):
    old, new = _seeds_and_new(tmp_path)
    (new / "trad.txt").write_text("全縣抓好“軟弱渙散村”整頓，駐村工作隊幫扶到戶，建強村黨組織。\n第一書記推動產業發展，"
                                  "黨支部帶領群眾發展集體經濟。", encoding="utf-8")
    cfg = preprocess.CorpusConfig(workers=1, unit="article")
    kw = dict(no_below=1, no_above=1.0, progress=False)
    preprocess.prepare([old], cfg, store_path=tmp_path / "warm.sqlite", **kw)
    warm = preprocess.prepare([old, new], cfg, store_path=tmp_path / "warm.sqlite", **kw)
    cold = preprocess.prepare([old, new], cfg, store_path=tmp_path / "cold.sqlite", **kw)
    assert warm.stats["traditional"]["converted_documents"] == 1 == cold.stats["traditional"]["converted_documents"]
    _same_corpus(warm, cold)
    assert "软弱涣散村" in warm.harvested  # quoted in Simplified and, converted, in Traditional
    again = preprocess.prepare([old, new], cfg, store_path=tmp_path / "warm.sqlite", **kw)
    assert again.stats["traditional"] == cold.stats["traditional"]
    assert again.stats["documents_reused"] == len(again.doc_ids) and again.stats["cache_misses"] == 0
    _same_corpus(again, cold)
