"""The corpus store: records with their own metadata, texts stored once, named corpora, a migration, the token cache and its invalidation,
a reader during a write."""
import json
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from workbench import engines, models
from workbench.corpus import ingest, store
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
        assert (first.added, first.unchanged, first.updated) == (3, 0, 0)
        assert (again.added, again.unchanged, again.updated) == (0, 3, 0)
        # a copy under another name is a record of its own; its text is stored once
        assert (third.added, third.unchanged, third.repeated, len(third.skipped)) == (1, 3, 1, 0)
        assert third.summary() == ("corpus 'demo': 1 added, 3 unchanged, 0 updated, 0 skipped; "
                                   "1 with the text of an earlier record (modelled once)")
        assert conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 3
        # the same document may belong to two corpora, stored once
        other = store.ingest(conn, [src / "a.txt"], "other")
        assert other.added == 1
        assert conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 3
        assert store.corpus_names(conn) == ["demo", "other"]
        # a file named twice (on its own and inside its folder) is read once
        twice = store.ingest(conn, [src, src / "b.txt"], "demo")
        assert (twice.unchanged, len(twice.skipped)) == (4, 1)
        assert twice.skipped[0].what == "already read as src/b.txt"
        assert "1 skipped (1 read twice)" in twice.summary()


# Two exports of the same three stories: a.csv with wrong outlets and dates, b.csv corrected (and a
# fourth story); b.csv's rows are in another order. Chinese column names, Chinese values.
STORIES = [
    "驻村第一书记带领贫困户发展特色产业，推进脱贫攻坚。建档立卡贫困户实现稳定增收。\n"
    "驻村工作队帮扶到户，村集体经济不断壮大，群众获得感明显增强。",
    "社区网格员走访居民，网格党支部化解矛盾纠纷。城市基层党建引领社区治理。\n"
    "网格化管理提升治理效能，党员干部下沉社区报到服务群众。",
    "纪检监察机关立案查处违纪问题，给予党纪政务处分。严格落实中央八项规定精神。\n"
    "持续纠治四风，巡察整改落实到位，廉政风险防控有力。",
    "乡村振兴战略稳步推进，农村人居环境持续改善。合作社带动农民增收致富。\n"
    "驻村帮扶巩固脱贫攻坚成果，产业振兴带动群众就业。",
]


def write_csv(path: Path, rows: list[dict]) -> Path:
    import csv

    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def two_exports(folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    a = write_csv(folder / "a.csv", [{"标题": f"旧标题{i}", "日期": "2019-01-01", "来源": "人民日报", "正文": t}
                                     for i, t in enumerate(STORIES[:3])])
    b = write_csv(folder / "b.csv", [{"标题": f"报道{i}", "日期": f"2020-0{i + 1}-15", "来源": "光明日报", "版面": "第三版",
                                      "正文": STORIES[i]} for i in (2, 0, 1, 3)])
    return a, b


def doc_topics(run: Path):
    import pandas as pd

    return pd.read_csv(run / "doc_topics.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)


def train(sources, db: Path, out: Path, **kw) -> Path:
    mc = models.ModelConfig(num_topics=3, iterations=50, no_below=1, no_above=1.0)
    return engines.train(sources, corpus_config=preprocess.CorpusConfig(min_tokens=3, workers=1), model_config=mc,
                         store_path=db, out_dir=out, progress=False, **kw)


def test_a_run_carries_the_metadata_of_the_records_it_was_given(tmp_path):
    a, b = two_exports(tmp_path / "exports")
    db = tmp_path / "s.sqlite"
    run_a = doc_topics(train([a], db, tmp_path / "runs"))
    assert set(run_a["source_file"]) == {"a.csv"} and set(run_a["source"]) == {"人民日报"}
    assert "other_records" not in run_a.columns  # no text repeats here

    run_b = doc_topics(train([b], db, tmp_path / "runs"))
    assert set(run_b["source_file"]) == {"b.csv"}  # not a.csv, which held the same texts first
    assert set(run_b["source"]) == {"光明日报"} and set(run_b["版面"]) == {"第三版"}
    by_doc = run_b.drop_duplicates("doc_id").set_index("doc_id")
    for i, text in enumerate(STORIES):
        row = by_doc.loc[ingest.doc_id_for(text)]
        assert (row["title"], row["date"]) == (f"报道{i}", f"2020-0{i + 1}-15")
        assert row["record"] == f"line {2 * (2, 0, 1, 3).index(i) + 2}"  # each row spans two lines
    assert "旧标题0" not in set(run_b["title"])

    # both exports at once: each text modelled once, its row from its first record, the other named
    both = doc_topics(train([a, b], db, tmp_path / "runs"))
    assert both["unit_id"].is_unique and both["doc_id"].nunique() == 4
    shares = both[[c for c in both.columns if c.startswith("topic_")]].astype(float)
    assert ((shares.sum(axis=1) - 1).abs() < 1e-8).all()
    assert list(both.columns[:5]) == ["doc_id", "unit_id", "source_file", "record", "other_records"]
    first = both.drop_duplicates("doc_id").set_index("doc_id")
    story0 = first.loc[ingest.doc_id_for(STORIES[0])]
    assert (story0["source_file"], story0["record"], story0["source"]) == ("a.csv", "line 2", "人民日报")
    assert story0["other_records"] == "b.csv:line 4"
    story3 = first.loc[ingest.doc_id_for(STORIES[3])]
    assert (story3["source_file"], story3["other_records"], story3["source"]) == ("b.csv", "", "光明日报")


def test_reingest_with_changed_metadata_updates_the_records(tmp_path):
    a, _ = two_exports(tmp_path / "exports")
    with closing(store.connect(tmp_path / "s.sqlite")) as conn:
        first = store.ingest(conn, [a], "两报")
        rows = [{"标题": f"更正标题{i}", "日期": "2019-01-01", "来源": "人民日报", "正文": t} for i, t in enumerate(STORIES[:3])]
        rows[2]["正文"] = STORIES[3]  # line 6 now holds another story
        write_csv(a, rows)
        again = store.ingest(conn, [a], "两报")
        assert (first.added, again.added, again.unchanged, again.updated) == (3, 0, 0, 3)
        assert again.summary() == ("corpus '两报': 0 added, 0 unchanged, 3 updated, 0 skipped; "
                                   "columns: 正文 -> text, 标题 -> title, 日期 -> date, 来源 -> source (a.csv)")
        docs = list(store.iter_records(conn, [rid for rid, _ in store.corpus_records(conn, "两报")]))
        assert [d.meta["title"] for d in docs] == ["更正标题0", "更正标题1", "更正标题2"]
        assert [d.record for d in docs] == ["line 2", "line 4", "line 6"]  # in the order first added
        assert docs[2].text == STORIES[3]
        # the text no record holds any more is gone from the store
        stored = {r[0] for r in conn.execute("SELECT doc_id FROM documents")}
        assert stored == {ingest.doc_id_for(t) for t in (STORIES[0], STORIES[1], STORIES[3])}
        assert store.ingest(conn, [a], "两报").unchanged == 3


def test_a_named_corpus_keeps_every_record(tmp_path):
    a, b = two_exports(tmp_path / "exports")
    db = tmp_path / "s.sqlite"
    with closing(store.connect(db)) as conn:
        assert store.ingest(conn, [a], "两报").added == 3
        rep = store.ingest(conn, [b], "两报")
        assert (rep.added, rep.unchanged, rep.repeated) == (4, 0, 0)  # texts seen before, records new
        records = store.corpus_records(conn, "两报")
        assert len(records) == 7 and len({d for _, d in records}) == 4
    table = doc_topics(train(None, db, tmp_path / "runs", corpus_name="两报"))
    first = table.drop_duplicates("doc_id").set_index("doc_id")
    row = first.loc[ingest.doc_id_for(STORIES[2])]
    assert (row["source_file"], row["record"], row["other_records"]) == ("a.csv", "line 6", "b.csv:line 2")
    assert first.loc[ingest.doc_id_for(STORIES[3]), "source"] == "光明日报"


def test_two_files_of_one_name_stay_apart(tmp_path):
    old = write_csv((tmp_path / "2019").mkdir() or tmp_path / "2019" / "news.csv",
                    [{"正文": STORIES[0], "来源": "人民日报"}])
    new = write_csv((tmp_path / "2020").mkdir() or tmp_path / "2020" / "news.csv",
                    [{"正文": STORIES[1], "来源": "光明日报"}])
    with closing(store.connect(tmp_path / "s.sqlite")) as conn:
        rep = store.ingest(conn, [old, new], "c")
        docs = list(store.iter_records(conn, rep.records))
    assert rep.added == 2 and [d.source_file for d in docs] == ["2019/news.csv", "2020/news.csv"]


# The layout of stores made before records (one row per text, metadata of its first record).
OLD_SCHEMA = """
CREATE TABLE documents (doc_id TEXT PRIMARY KEY, source_file TEXT NOT NULL, record TEXT NOT NULL,
    text TEXT NOT NULL, meta TEXT NOT NULL, removed TEXT NOT NULL, added_at REAL NOT NULL);
CREATE TABLE corpus_docs (seq INTEGER PRIMARY KEY AUTOINCREMENT, corpus TEXT NOT NULL,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id), UNIQUE (corpus, doc_id));
CREATE TABLE word_sets (id INTEGER PRIMARY KEY, digest TEXT NOT NULL UNIQUE, words TEXT NOT NULL);
CREATE TABLE segments (unit TEXT NOT NULL, word_set INTEGER NOT NULL, tokens TEXT NOT NULL, tags TEXT NOT NULL,
    PRIMARY KEY (unit, word_set));
CREATE TABLE kept (unit TEXT NOT NULL, word_set INTEGER NOT NULL, filter TEXT NOT NULL, tokens TEXT NOT NULL,
    PRIMARY KEY (unit, word_set, filter));
"""


def old_store(path: Path, corpora: dict[str, list[Path]], cached: list[str]) -> None:
    """A store as the first layout's ingest left it (the first record of a text wins), with the
    segmentations of ``cached`` in its token cache."""
    import sqlite3

    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.executescript(OLD_SCHEMA)
        for name, sources in corpora.items():
            for d in ingest.read_sources(sources):
                conn.execute("INSERT OR IGNORE INTO documents VALUES (?,?,?,?,?,?,?)",
                             (d.doc_id, d.source_file, d.record, d.text, json.dumps(d.meta, ensure_ascii=False),
                              json.dumps(list(d.removed), ensure_ascii=False), time.time()))
                conn.execute("INSERT OR IGNORE INTO corpus_docs (corpus, doc_id) VALUES (?,?)", (name, d.doc_id))
        token_cache.SegmentCache(conn, Tokenizer(default_config())).kept(cached)


def test_a_store_of_the_old_layout_opens_and_keeps_its_records(tmp_path):
    a, b = two_exports(tmp_path / "exports")
    db = tmp_path / "old.sqlite"
    old_store(db, {"两报": [a, b]}, STORIES)
    with closing(store.connect(db)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION
        docs = list(store.iter_records(conn, [rid for rid, _ in store.corpus_records(conn, "两报")]))
        # the old store knew a.csv's three records and b.csv's new story: those, with their metadata
        assert [(d.source_file, d.record, d.meta["source"]) for d in docs] == [
            ("a.csv", "line 2", "人民日报"), ("a.csv", "line 4", "人民日报"), ("a.csv", "line 6", "人民日报"),
            ("b.csv", "line 8", "光明日报")]
        assert [d.text for d in docs] == [STORIES[0], STORIES[1], STORIES[2], STORIES[3]]
        # re-ingesting: the known records unchanged, b.csv's other three records added
        rep = store.ingest(conn, [a, b], "两报")
        assert (rep.added, rep.unchanged, rep.updated) == (3, 4, 0)
        cache = token_cache.SegmentCache(conn, Tokenizer(default_config()))
        cache.kept(STORIES)
        assert (cache.hits, cache.misses) == (4, 0)
    with closing(store.connect(db)) as conn:  # opening again migrates nothing
        assert len(store.corpus_records(conn, "两报")) == 7


def test_unknown_corpus_message(tmp_path):
    with closing(store.connect(tmp_path / "s.sqlite")) as conn:
        with pytest.raises(KeyError, match="no corpus named 'missing'"):
            store.corpus_records(conn, "missing")


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


@pytest.mark.slow
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
from workbench.corpus import ingest, store
from workbench.text import token_cache
conn = store.connect(sys.argv[1])
seen = set()
end = time.time() + float(sys.argv[2])
while time.time() < end:
    for doc_id, text, meta in conn.execute("SELECT r.doc_id, d.text, r.meta FROM records r JOIN documents d USING (doc_id)"):
        assert text.endswith("。"), text[-20:]   # never half a document
        json.loads(meta)
    n = conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]
    seen.add(n)
print(len(seen))
"""


@pytest.mark.slow
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


# ---------------------------------------------------------------------------
# a store another process keeps locked

HOLD_SQLITE = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")  # a notebook or the sqlite3 shell with a write left open
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""
HOLD_WORKBENCH = """
import sys, time
from workbench.corpus import store
with store.write_transaction(store.connect(sys.argv[1])):
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def hold(db: Path, code: str, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", code, str(db), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "holding"
    return proc


def ingest_cli(db: Path, src: Path, *args: str) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "WORKBENCH_STORE": str(db)}
    return subprocess.run([sys.executable, "-m", "workbench", "ingest", str(src), "--corpus", "c",
                           "--report", str(db.parent / "report.txt"), *args],
                          capture_output=True, text=True, env=env, timeout=120, check=False)


@pytest.fixture
def one_doc(tmp_path) -> tuple[Path, Path]:
    src = tmp_path / "a.txt"
    src.write_text("驻村第一书记带领贫困户发展产业，推进脱贫攻坚，帮扶群众增收。", encoding="utf-8")
    db = tmp_path / "store.sqlite"
    store.connect(db).close()
    return db, src


@pytest.mark.parametrize("holder", ["workbench", "sqlite3"])
def test_a_store_locked_too_long_is_a_message_naming_the_holder(one_doc, holder):
    import os

    db, src = one_doc
    if holder == "sqlite3" and not os.path.exists("/proc/locks"):
        pytest.skip("a process that is not the workbench's is named from /proc/locks (Linux)")
    proc = hold(db, HOLD_WORKBENCH if holder == "workbench" else HOLD_SQLITE, 30)
    try:
        t0 = time.monotonic()
        r = ingest_cli(db, src, "--wait", "1")
        waited = time.monotonic() - t0
        train = subprocess.run([sys.executable, "-m", "workbench", "train", str(src), "--wait", "1", "--quiet",
                                "--out", str(db.parent / "runs")], capture_output=True, text=True, timeout=120,
                               env={**os.environ, "WORKBENCH_STORE": str(db)}, check=False)
    finally:
        proc.kill()
        proc.wait()
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    (line,) = r.stderr.splitlines()
    assert line.startswith(f"workbench: error: {db}: the store is locked by process {proc.pid} (")
    assert (f"-c '…' {db} 30), writing for " if holder == "workbench"
            else "-c import sqlite3, sys, time") in line
    assert (" s; waited 1 s." if holder == "workbench" else "); waited 1 s.") in line and "--wait SECONDS" in line
    assert waited < 30  # it waited about the second it was given, not 60
    assert train.returncode == 1 and "Traceback" not in train.stderr  # train, as ingest
    assert train.stderr.splitlines()[-1].startswith(f"workbench: error: {db}: the store is locked by process {proc.pid}")


def test_wait_outlasts_a_short_hold_and_the_writer_record_goes_with_the_lock(one_doc):
    db, src = one_doc
    proc = hold(db, HOLD_WORKBENCH, 1.5)
    assert (db.parent / "store.sqlite-writer").is_file()  # who writes, while it writes
    assert ingest_cli(db, src, "--wait", "-1").returncode == 2
    r = ingest_cli(db, src, "--wait", "30")
    proc.wait(timeout=30)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("corpus 'c': 1 added")
    assert not (db.parent / "store.sqlite-writer").exists()
    assert store.lock_holder(db) is None
