"""The corpus store: dedup by content, named corpora, the token cache and its invalidation,
a reader during a write."""
import json
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from workbench import engines, models
from workbench.corpus import store
from workbench.text import preprocess, token_cache
from workbench.text.tokenize import Tokenizer, TokenizerConfig, default_config

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

ARTICLES = {
    "a.txt": "驻村第一书记带领贫困户发展产业，推进脱贫攻坚。\n建档立卡贫困户实现稳定增收，驻村工作队帮扶到户。",
    "b.txt": "社区网格员走访居民，网格党支部化解矛盾纠纷。\n城市基层党建引领社区治理，服务群众。",
    "c.txt": "纪检监察机关立案查处违纪问题，给予党纪政务处分。\n严格落实中央八项规定精神，持续纠治四风。",
}


def write(folder: Path, files: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_reingest_is_a_noop(tmp_path):
    src = write(tmp_path / "src", ARTICLES)
    with closing(store.connect(tmp_path / "s.sqlite")) as conn:
        first = store.ingest(conn, [src], "demo")
        again = store.ingest(conn, [src], "demo")
        (src / "copy_of_a.txt").write_text(ARTICLES["a.txt"], encoding="utf-8")
        third = store.ingest(conn, [src], "demo")
        assert (first.added, first.unchanged) == (3, 0)
        assert (again.added, again.unchanged) == (0, 3)
        assert (third.added, third.unchanged, len(third.skipped)) == (0, 3, 1)
        assert "duplicate of" in third.skipped[0].what
        assert conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 3
        # the same document may belong to two corpora, stored once
        other = store.ingest(conn, [src / "a.txt"], "other")
        assert other.added == 1
        assert conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 3
        assert store.corpus_names(conn) == ["demo", "other"]
        assert "3 unchanged, 1 skipped (1 duplicate)" in third.summary()


def test_unknown_corpus_message(tmp_path):
    with closing(store.connect(tmp_path / "s.sqlite")) as conn:
        with pytest.raises(KeyError, match="no corpus named 'missing'"):
            store.corpus_doc_ids(conn, "missing")


def test_retrain_tokenizes_only_new_units(tmp_path):
    db = tmp_path / "s.sqlite"
    src = write(tmp_path / "src", ARTICLES)
    cfg = preprocess.CorpusConfig(min_tokens=2, workers=1)
    first = preprocess.prepare([src], cfg, no_above=1.0, no_below=1, store_path=db, progress=False)
    assert first.stats["cache_misses"] == 6 and first.stats["cache_hits"] == 0
    write(src, {"d.txt": "网格员巡查小区，居民反映问题及时解决。"})
    second = preprocess.prepare([src], cfg, no_above=1.0, no_below=1, store_path=db, progress=False)
    assert second.stats["cache_misses"] == 1 and second.stats["cache_hits"] == 6


def test_dictionary_change_invalidates_exactly_the_affected_units(tmp_path):
    base = default_config()
    user = tmp_path / "extra.txt"
    user.write_text("矛盾纠纷化解 n\n", encoding="utf-8")
    changed = TokenizerConfig(user_dicts=base.user_dicts + (str(user),), stopword_files=base.stopword_files)
    a, b = Tokenizer(base), Tokenizer(changed)
    texts = ["网格党支部做好矛盾纠纷化解工作。", "纪检监察机关立案查处违纪问题。", "社区网格员走访居民，化解矛盾。"]
    with closing(store.connect(tmp_path / "s.sqlite")) as conn:
        first = token_cache.SegmentCache(conn, a).kept(texts)
        cache = token_cache.SegmentCache(conn, b)
        again = cache.kept(texts)
        assert (cache.misses, cache.hits) == (1, 2)  # only the text that contains the added word
        assert "矛盾纠纷化解" in again[0] and "矛盾纠纷化解" not in first[0]
        assert again == [b.cut(t) for t in texts] and again[1:] == first[1:]
        back = token_cache.SegmentCache(conn, a)  # the old dictionary again: its rows are still there
        assert back.kept(texts) == first and back.misses == 0
        user.write_text("矛盾纠纷化解 vn\n", encoding="utf-8")  # the same word, another tag
        retagged = token_cache.SegmentCache(conn, Tokenizer(changed))
        assert retagged.kept(texts) == again and (retagged.misses, retagged.hits) == (1, 2)
        user.write_text("", encoding="utf-8")  # removed again: the base rows serve every text
        removed = token_cache.SegmentCache(conn, Tokenizer(changed))
        assert removed.kept(texts) == first and removed.misses == 0


def test_stopword_change_needs_no_retokenizing(tmp_path):
    base = default_config()
    extra = tmp_path / "stop.txt"
    extra.write_text("网格员\n", encoding="utf-8")
    more = TokenizerConfig(user_dicts=base.user_dicts, stopword_files=base.stopword_files + (str(extra),))
    a, b = Tokenizer(base), Tokenizer(more)
    text = "社区网格员走访居民。"
    assert a.word_set_digest == b.word_set_digest and a.filter_digest != b.filter_digest
    assert a.config.fingerprint() != b.config.fingerprint()
    with closing(store.connect(tmp_path / "s.sqlite")) as conn:
        assert "网格员" in token_cache.SegmentCache(conn, a).kept([text])[0]
        cache = token_cache.SegmentCache(conn, b)
        assert cache.kept([text]) == [b.cut(text)] and "网格员" not in b.cut(text)
        assert (cache.misses, cache.hits) == (0, 1)  # the stored segmentation, filtered anew
        count = lambda table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        assert (count("segments"), count("kept")) == (1, 2)  # one segmentation, kept tokens per filter


def test_train_from_named_corpus_matches_train_from_files(tmp_path):
    db = tmp_path / "s.sqlite"
    with closing(store.connect(db)) as conn:
        store.ingest(conn, [SEEDS], "seeds")
    mc = models.ModelConfig(iterations=200)
    by_name = engines.train(corpus_name="seeds", model_config=mc, store_path=db, out_dir=tmp_path / "r1", progress=False)
    by_files = engines.train([SEEDS], model_config=mc, store_path=db, out_dir=tmp_path / "r2", progress=False)
    assert (by_name / "doc_topics.csv").read_bytes() == (by_files / "doc_topics.csv").read_bytes()
    m = json.loads((by_files / "manifest.json").read_text(encoding="utf-8"))
    assert m["corpus"]["stats"]["cache_misses"] == 0  # the second run tokenized nothing


READER = r"""
import sqlite3, sys, time, json
from workbench.corpus import store
from workbench.text import token_cache
conn = store.connect(sys.argv[1])
seen = set()
end = time.time() + float(sys.argv[2])
while time.time() < end:
    for doc_id, text, meta in conn.execute("SELECT doc_id, text, meta FROM documents"):
        assert text.endswith("。"), text[-20:]   # never half a document
        json.loads(meta)
    n = conn.execute("SELECT COUNT(*) FROM corpus_docs").fetchone()[0]
    seen.add(n)
print(len(seen))
"""


def test_reader_during_ingest_sees_whole_documents(tmp_path):
    db = tmp_path / "s.sqlite"
    store.connect(db).close()
    src = tmp_path / "many"
    src.mkdir()
    for i in range(3000):
        (src / f"{i:05d}.txt").write_text(f"第{i}篇：网格员走访居民，化解矛盾纠纷，服务群众。" * 20, encoding="utf-8")
    reader = subprocess.Popen([sys.executable, "-c", READER, str(db), "6"], stdout=subprocess.PIPE, text=True)
    time.sleep(0.5)
    with closing(store.connect(db)) as conn:
        report = store.ingest(conn, [src], "many")
    out, _ = reader.communicate(timeout=60)
    assert reader.returncode == 0
    assert report.added == 3000
    assert int(out) >= 2  # the reader saw the corpus grow while it read
