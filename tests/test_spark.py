"""The Spark engine (workbench.engines.spark) in local mode (local[2]).

One Spark session and one seeds run per module (a session costs about 6 s, the first jobs of a
session a few more while the Python workers start). What is checked: the run folder's contract
(docs/run-folder.md), that `workbench compare` and the notebook helpers read a Spark run, that
reading, cleaning, units and tokens are the local engine's (seeds; the shipped government work
reports; a folder of every input kind). Topic quality against labelled news (THUCNews NMI, Spark
vs gensim) is measured by bench/spark_thucnews_nmi.py, not here: that corpus does not ship.

Skipped only where Java is absent (Spark needs a Java 17/21 runtime); pyspark itself is a test
dependency (`pip install -e '.[test]'`).
"""

import json
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.engines import spark as wsp

pytestmark = pytest.mark.spark
ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"

needs_java = pytest.mark.skipif(wsp.java_executable() is None,
                                reason="Java is absent: Spark needs a Java 17 or 21 runtime "
                                       "(apt-get install openjdk-17-jre-headless)")


def test_missing_pyspark_is_explained(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark -> ImportError
    with pytest.raises(wsp.SparkUnavailable, match=r"pip install 'workbench\[spark\]'"):
        wsp.check_spark()


def test_missing_java_is_explained(monkeypatch):
    pytest.importorskip("pyspark")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(wsp.SparkUnavailable, match="Java runtime .* none was found"):
        wsp.check_spark()


def test_spark_run_refuses_keyed_topics():
    with pytest.raises(wsp.PipelineError, match="tomotopy"):
        wsp.train(themes_file=SEEDS / "themes.toml")


# ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def session(tmp_path_factory):
    spark = wsp.start_session(wsp.SparkConfig(master="local[2]"), tmp_path_factory.mktemp("spark"))
    yield spark
    spark.stop()


@pytest.fixture(scope="module")
def runs_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("spark-runs")


@pytest.fixture(scope="module")
def spark_seed_run(session, runs_dir):
    from workbench.models.lda import ModelConfig

    return wsp.train(model_config=ModelConfig(num_topics=6), spark_config=wsp.SparkConfig(max_iter=20),
                     out_dir=runs_dir, spark=session, progress=False)


@pytest.fixture(scope="module")
def local_seed_corpus(tmp_path_factory):
    from workbench.models.lda import ModelConfig
    from workbench.text import preprocess

    d = ModelConfig()
    return preprocess.prepare([SEEDS], preprocess.CorpusConfig(), no_below=d.no_below, no_above=d.no_above,
                            store_path=tmp_path_factory.mktemp("store") / "store.sqlite", progress=False)


@needs_java
def test_run_folder_contract(spark_seed_run, runs_dir):
    from workbench import runfolder

    run = spark_seed_run
    for name in ("manifest.json", "doc_topics.csv", "topics.csv", "keywords.csv", "terms.csv",
                 "topic_term.npy", "labels.json", "ldavis.html", "model/dictionary.txt"):
        assert (run / name).is_file(), name
    assert [p.name for p in runs_dir.iterdir() if p.name.startswith(".")] == []  # renamed whole
    assert not (run / ".spark").exists()
    m = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert m["engine"] == "spark" and m["num_topics"] == 6
    assert m["spark"]["master"] == "local[2]" and m["spark"]["version"].startswith("4.")
    assert m["spark"]["optimizer"] == "online" and m["versions"]["pyspark"]
    assert m["config"]["model"]["engine"] == "spark" and m["config"]["spark"]["master"] == "local[2]"
    assert len(m["corpus"]["unit_ids"]) == m["corpus"]["n_units"] and m["corpus"]["n_documents"] == 5
    assert np.isfinite(m["metrics"]["c_npmi"]) and m["model_settings"]["passes"] == 4
    assert runfolder.verify_run(run) == []

    raw = (run / "doc_topics.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    loaded = runfolder.load_run(run)
    dt = loaded.doc_topics
    assert list(dt.columns[:4]) == ["doc_id", "unit_id", "source_file", "record"]
    assert list(dt.columns[-9:]) == ["text", "n_tokens", "dominant_topic", *runfolder.topic_columns(6)]
    shares = loaded.doc_topic
    assert shares.shape == (m["corpus"]["n_units"], 6) and (shares >= 0).all()
    assert np.allclose(shares.sum(axis=1), 1.0, atol=1e-8)
    dominant = dt["dominant_topic"].to_numpy()  # the largest share (ties at 10 decimals either way)
    assert (shares[np.arange(len(shares)), dominant] == shares.max(axis=1)).all()
    assert dt["unit_id"].tolist() == m["corpus"]["unit_ids"]

    tt = np.load(run / "topic_term.npy", allow_pickle=False)
    assert tt.shape == (6, len(loaded.terms)) and np.allclose(tt.sum(axis=1), 1.0)
    assert loaded.topics.groupby("topic").size().to_dict() == {k: 20 for k in range(6)}
    kw = pd.read_csv(run / "keywords.csv", encoding="utf-8-sig", keep_default_na=False)
    assert set(kw["level"]) == {"unit", "article"} and kw.groupby(["level", "doc_id", "unit_id"]).size().max() <= 10
    page = (run / "ldavis.html").read_text(encoding="utf-8")
    assert "<script src=" not in page and "cdn." not in page and "6 topics, numbered 0 to 5" in page


@needs_java
def test_compare_and_notebook_helpers_read_a_spark_run(seed_run, spark_seed_run):
    from workbench import runfolder
    from workbench.analysis import compare, explore

    table = compare.compare_runs(seed_run, spark_seed_run)  # a local run against a Spark run
    assert set(table["status"]) <= {"matched", "split", "merged", "new", "vanished"}
    assert table["topic_b"].dropna().astype(int).isin(range(6)).all()
    summary = explore.run_summary(runfolder.load_run(spark_seed_run)).set_index("item")["value"]
    assert summary["engine"] == "spark" and summary["documents"] == "5"


@needs_java
def test_seed_tokens_vocabulary_keywords_and_coherence_are_the_local_engines(spark_seed_run, local_seed_corpus):
    from gensim.corpora import Dictionary

    from workbench import models, runfolder

    local = local_seed_corpus
    run = runfolder.load_run(spark_seed_run)
    m = run.manifest
    assert m["corpus"]["unit_ids"] == list(local.unit_ids)
    assert m["corpus"]["doc_ids"] == list(local.doc_ids)
    assert m["corpus"]["dropped_units"] == list(local.dropped_units)
    assert m["tokenizer"]["harvested_terms"] == list(local.harvested)
    assert m["tokenizer"]["fingerprint"] == local.tokenizer_config.fingerprint()
    assert m["corpus"]["stats"]["no_above_effective"] == local.stats["no_above_effective"]
    assert run.doc_topics["n_tokens"].tolist() == local.n_tokens.tolist()
    assert run.doc_topics["text"].tolist() == [u.text for u in local.units]

    spark_terms = run.terms.set_index("term")
    assert set(spark_terms.index) == set(local.vocab.terms)
    local_terms = pd.DataFrame({"doc_freq": local.vocab.doc_freq, "corpus_freq": local.vocab.corpus_freq},
                               index=list(local.vocab.terms))
    assert (spark_terms.loc[local_terms.index, ["doc_freq", "corpus_freq"]] == local_terms).all().all()

    # keywords.csv: the same TF-IDF keywords as runfolder.build_keywords on the local corpus
    mine = pd.read_csv(spark_seed_run / "keywords.csv", encoding="utf-8-sig", keep_default_na=False)
    theirs = runfolder.build_keywords(local)
    assert mine[["level", "doc_id", "unit_id", "rank", "term"]].values.tolist() == \
        theirs[["level", "doc_id", "unit_id", "rank", "term"]].values.tolist()
    assert np.allclose(mine["score"], theirs["score"], atol=1e-9)

    # c_npmi counted per partition on Spark = gensim's CoherenceModel over the same units
    dictionary = Dictionary.load_from_text(str(spark_seed_run / "model" / "dictionary.txt"))
    expected, per = models.coherence(run.topic_term, run.vocab, local.tokens, dictionary)
    assert m["metrics"]["c_npmi"] == pytest.approx(expected, abs=1e-9)
    assert m["metrics"]["c_npmi_per_topic"] == pytest.approx(per, abs=1e-9, nan_ok=True)


@needs_java
def test_a_corpus_of_the_store_prepares_as_the_local_engine(session, local_seed_corpus, tmp_path):
    from contextlib import closing

    from workbench.corpus import store
    from workbench.models.lda import ModelConfig

    db = tmp_path / "store.sqlite"
    with closing(store.connect(db)) as conn:
        store.ingest(conn, [SEEDS], "seeds")
    d = ModelConfig()
    mine = wsp.prepare(session, None, corpus_name="seeds", store_path=db, scratch="file:" + str(tmp_path / "s"),
                       no_below=d.no_below, no_above=d.no_above)
    rows = sorted(mine.modelled().select(*wsp.ORDER, "uidx", "unit_id", "ids").collect(),
                  key=lambda r: (r.src, r.sub, r.fkey, r.pos, r.uidx))
    assert [r.unit_id for r in rows] == list(local_seed_corpus.unit_ids)
    assert [[mine.terms[i] for i in r.ids] for r in rows] == [list(t) for t in local_seed_corpus.tokens]
    with pytest.raises(wsp.PipelineError, match="no corpus named 'nope'"):
        wsp.prepare(session, None, corpus_name="nope", store_path=db, scratch="file:" + str(tmp_path / "t"))


@needs_java
def test_reading_every_input_kind_matches_the_local_reader(session, tmp_path, monkeypatch):
    from workbench.corpus import ingest

    folder = tmp_path / "来稿"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_bytes("平桥区召开党建工作会议\n发布时间：2021-09-28 09:58\n会议强调，要持续推进“整县推进”。\n".encode("gb18030"))
    (folder / "sub" / "b 2.txt").write_text("网格党支部\n全面推行网格化治理，打通服务群众最后一公里。\n", encoding="utf-16")
    (folder / "copy.md").write_bytes((folder / "a.txt").read_bytes())  # a duplicate under another name
    (folder / "broken.txt").write_bytes(b"%PDF-1.4 binary")
    (folder / ".hidden.txt").write_text("不读", encoding="utf-8")
    (folder / "sub" / "page.html").write_text("<html><body><h1>基层治理</h1><p>推进网格化治理，服务群众。</p></body></html>",
                                              encoding="utf-8")
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4")
    (folder / "news.jsonl").write_text(
        '{"id": 1, "title": "乡村振兴", "text": "扎实推进乡村振兴，巩固拓展脱贫攻坚成果。", "year": 2021}\n'
        "\n{broken\n[1, 2]\n"
        '{"id": 4, "content": "纪检监察机关严格落实八项规定精神。"}\n{"id": 5, "body": null}\n',
        encoding="utf-8")
    (folder / "table.csv").write_text("标题,正文,地区\n两学一做,深入开展两学一做学习教育。,河南\n坏行,只有两列\n",
                                      encoding="utf-8-sig")
    pd.DataFrame({"text": ["三会一课制度落实到位。", ""], "date": ["2020年5月21日", "2020-01-01"]}).to_parquet(
        folder / "sub" / "p.parquet")

    problems: list = []
    local = list(ingest.read_sources([folder], problems=problems))
    rows = wsp.read_documents(session, [folder]).collect()
    docs = [r for r in rows if r.kind == "doc"]
    key = lambda d: (d[1], d[2], d[0])  # noqa: E731 - (source_file, record, doc_id)
    assert sorted((r.doc_id, r.source_file, r.record) for r in docs) == \
        sorted((d.doc_id, d.source_file, d.record) for d in local)
    assert sorted(((r.doc_id, r.source_file, r.record, r.text, json.loads(r.meta)) for r in docs), key=key) == \
        sorted(((d.doc_id, d.source_file, d.record, d.text, d.meta) for d in local), key=key)
    spark_problems = sorted((r.source_file, r.record, r.text) for r in rows if r.kind == "problem")
    assert spark_problems == sorted((p.path, p.where, p.what) for p in problems)

    # a JSONL file above WHOLE_JSONL_MAX is split by Spark: same documents, same line numbers
    monkeypatch.setattr(wsp, "WHOLE_JSONL_MAX", 0)
    jsonl = folder / "news.jsonl"
    problems = []
    local = sorted((d.doc_id, d.record, json.dumps(d.meta, ensure_ascii=False))
                   for d in ingest.read_sources([jsonl], problems=problems))
    rows = wsp.read_documents(session, [jsonl]).collect()
    assert sorted((r.doc_id, r.record, r.meta) for r in rows if r.kind == "doc") == local
    assert sorted((r.record, r.text) for r in rows if r.kind == "problem") == \
        sorted((p.where, p.what) for p in problems)

    # a glob reads only what it matches; a file named directly is named by its file name
    globbed = wsp.read_documents(session, [str(folder / "*.jsonl")]).filter("kind = 'doc'").collect()
    assert sorted(r.source_file for r in globbed) == ["news.jsonl", "news.jsonl"]
    with pytest.raises(ingest.IngestError, match="no such file or folder"):
        wsp.read_documents(session, [str(tmp_path / "nothing-*.jsonl")])


@needs_java
def test_government_work_reports_tokenize_as_the_local_engine(session, tmp_path):
    """The shipped example corpus (72 reports and resolutions, 1954-2025), by paragraph: the same
    harvested terms, vocabulary, frequencies, units and tokens as the local engine."""
    from workbench.models.lda import ModelConfig
    from workbench.text import preprocess

    src = ROOT / "examples" / "gov-reports" / "gov_work_reports_national.jsonl"
    cc, d = preprocess.CorpusConfig(unit="paragraph"), ModelConfig()
    local = preprocess.prepare([src], cc, no_below=d.no_below, no_above=d.no_above,
                             store_path=tmp_path / "store.sqlite", progress=False)
    mine = wsp.prepare(session, [src], cc, scratch="file:" + str(tmp_path / "scratch"), no_below=d.no_below,
                       no_above=d.no_above)
    assert len(local.unit_ids) > 5000
    assert mine.harvested == local.harvested
    assert set(mine.terms) == set(local.vocab.terms)
    index = {t: i for i, t in enumerate(mine.terms)}
    order = [index[t] for t in local.vocab.terms]
    assert (mine.doc_freq[order] == local.vocab.doc_freq).all()
    assert (mine.corpus_freq[order] == local.vocab.corpus_freq).all()
    rows = mine.modelled().select(*wsp.ORDER, "uidx", "unit_id", "ids").collect()
    rows.sort(key=lambda r: (r.src, r.sub, r.fkey, r.pos, r.uidx))
    assert [r.unit_id for r in rows] == list(local.unit_ids)
    assert [[mine.terms[i] for i in r.ids] for r in rows] == [list(t) for t in local.tokens]


@needs_java
def test_both_engines_write_the_same_folder(seed_run, spark_seed_run):
    """One writer: the seeds trained locally and on Spark give the same files (the engine's own
    model files aside), the same columns and dtypes in every table, the same permissions and the
    same corpus fingerprint and manifest layout."""
    import stat

    local, spark = seed_run, spark_seed_run

    def listing(run):
        return {str(p.relative_to(run)): stat.S_IMODE(p.stat().st_mode) for p in run.rglob("*")
                if not p.relative_to(run).parts[0] == "model" or p.name == "dictionary.txt"}

    assert listing(local) == listing(spark)
    assert stat.S_IMODE(local.stat().st_mode) == stat.S_IMODE(spark.stat().st_mode)
    for table in ("doc_topics.csv", "topics.csv", "keywords.csv", "terms.csv"):
        a = pd.read_csv(local / table, encoding="utf-8-sig")
        b = pd.read_csv(spark / table, encoding="utf-8-sig")
        if table == "doc_topics.csv":  # K differs (12 locally, 6 here): compare the topic columns' kind
            a, b = a.iloc[:, :-12], b.iloc[:, :-6]
        assert list(a.columns) == list(b.columns), table
        assert a.dtypes.tolist() == b.dtypes.tolist(), table
    ma, mb = (json.loads((r / "manifest.json").read_text(encoding="utf-8")) for r in (local, spark))
    assert ma["corpus"]["fingerprint"] == mb["corpus"]["fingerprint"]
    assert list(ma["corpus"]) == list(mb["corpus"])
    assert [k for k in mb if k != "spark"] == list(ma)
    # every stage's seconds, the writer's the same for both engines
    writer = ["fingerprint", "tables", "ldavis", "model", "hashes", "total"]
    for m in (ma, mb):
        assert [k for k in m["timings"] if k in writer] == writer and m["timings"]["train"] > 0
    assert {"read", "tokenize", "vocabulary", "infer", "keywords", "coherence"} <= set(mb["timings"])
    # the same vocabulary in the same order, so topic_term columns line up across engines
    assert (local / "terms.csv").read_bytes() == (spark / "terms.csv").read_bytes()
    assert (local / "model" / "dictionary.txt").read_bytes() == (spark / "model" / "dictionary.txt").read_bytes()
    assert (local / "keywords.csv").read_bytes() == (spark / "keywords.csv").read_bytes()


def _two_sources_sharing_texts(folder):
    """A CSV export with Chinese headers and a JSONL export that repeat each other's texts (and one
    text twice in the CSV) with other metadata; a bad line in each; a column named like ours."""
    a = "深入开展党史学习教育，推动全面从严治党向纵深发展，巩固拓展脱贫攻坚成果同乡村振兴有效衔接。"
    b = "各级党组织要落实主体责任，持续整治形式主义官僚主义，为基层减负，让干部把更多精力放在抓落实上。"
    c = "坚持以人民为中心的发展思想，推进基层治理体系和治理能力现代化，打通服务群众最后一公里。"
    d = "加强生态文明建设，坚持绿水青山就是金山银山理念，推动经济社会发展全面绿色转型。"
    e = "纪检监察机关严格落实中央八项规定精神，驰而不息纠治四风，营造风清气正的政治生态。"
    folder.mkdir()
    (folder / "报道.csv").write_text(
        f"标题,正文,日期,地区,topic_0\n学习教育,{a},2021-03-01,河南,甲\n减负,{b},2021-04-02,湖北,乙\n坏行,只有两列\n"
        f"基层治理,{c},2021-05-03,河南,丙\n重复一遍,{a},2021-06-04,山东,丁\n", encoding="utf-8-sig")
    rows = [{"title": "转载", "text": b, "date": "2022-01-05", "region": "北京", "likes": 3},
            {"title": "生态", "text": d, "date": "2022-02-06", "region": "浙江", "likes": 7},
            {"title": "转载二", "text": a, "date": "2022-03-07", "region": "上海"},
            {"title": "纪检", "text": e, "date": "2022-04-08", "likes": 1}]
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    (folder / "news.jsonl").write_text("\n".join(lines[:2] + ["{broken"] + lines[2:]) + "\n", encoding="utf-8")
    return [folder / "报道.csv", folder / "news.jsonl"]


@needs_java
def test_records_sharing_texts_keep_their_metadata_as_on_the_local_engine(session, tmp_path, caplog):
    """Two sources give the same texts with other metadata: both engines model each text once,
    with its first record's source, line and metadata, name the other records in other_records,
    and say the same about the inputs (no "duplicate" messages: a repeated text is not a bad input)."""
    import logging

    from workbench.engines import local as wl
    from workbench.models.lda import ModelConfig
    from workbench.text.preprocess import CorpusConfig

    sources = _two_sources_sharing_texts(tmp_path / "来稿")
    mc = ModelConfig(num_topics=2, no_below=1, no_above=1.0)

    def trained(train):
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="workbench"):
            run = train()
        said = [r.getMessage() for r in caplog.records
                if r.levelno >= logging.WARNING or r.getMessage().startswith("renamed")]
        return run, said

    local, said_local = trained(lambda: wl.train(sources, corpus_config=CorpusConfig(), model_config=mc,
                                                 out_dir=tmp_path / "runs", store_path=tmp_path / "store.sqlite",
                                                 progress=False))
    spark, said_spark = trained(lambda: wsp.train(sources, model_config=mc, spark_config=wsp.SparkConfig(max_iter=5),
                                                  out_dir=tmp_path / "runs", spark=session, progress=False))
    assert said_spark == said_local == [
        f"{sources[0]}:line 4: wrong number of fields: 2 where the header has 5 (skipped)",
        f"{sources[1]}:line 3: malformed JSON (Expecting property name enclosed in double quotes, column 2) (skipped)",
        "renamed, as the workbench's own column names: topic_0 -> source_topic_0 (报道.csv)"]

    def table(run):
        dt = pd.read_csv(run / "doc_topics.csv", encoding="utf-8-sig", keep_default_na=False, dtype=str)
        return dt[[c for c in dt.columns if not c.startswith("topic_") and c != "dominant_topic"]]

    mine, theirs = table(spark), table(local)
    assert list(mine.columns) == list(theirs.columns) == [
        "doc_id", "unit_id", "source_file", "record", "other_records", "title", "date", "地区", "source_topic_0",
        "region", "likes", "text", "n_tokens"]
    assert mine.values.tolist() == theirs.values.tolist()
    first = mine.set_index(["source_file", "record"]).loc[("报道.csv", "line 2")]
    assert (first["other_records"], first["地区"]) == ("报道.csv:line 6; news.jsonl:line 4", "河南")
    assert mine.set_index("title").loc["减负", "other_records"] == "news.jsonl:line 1"
    assert ((spark / "doc_topics.columns.json").read_text(encoding="utf-8")
            == (local / "doc_topics.columns.json").read_text(encoding="utf-8"))
    ms, ml = (json.loads((r / "manifest.json").read_text(encoding="utf-8"))["corpus"] for r in (spark, local))
    assert ms["skipped_inputs"] == ml["skipped_inputs"] == said_local[:2]
    for key in ("n_records", "records_repeating_a_text"):
        assert ms["stats"][key] == ml["stats"][key], key
    assert (ms["stats"]["n_records"], ms["stats"]["records_repeating_a_text"]) == (8, 3)
    assert ms["n_documents"] == ml["n_documents"] == 5


@needs_java
def test_the_scratch_folder_goes_when_a_run_fails_is_interrupted_or_was_killed(session, tmp_path, monkeypatch,
                                                                             caplog):
    """Spark's scratch beside the runs (``.spark-work.PID.XXXXXXXX``) is removed when the run fails
    or is interrupted, and named; one left by a killed run goes at the next run's start."""
    import logging
    import subprocess

    out = tmp_path / "runs"
    out.mkdir()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    killed = out / f".spark-work.{gone.stdout.strip()}.k1ll3d00"  # its process has ended
    (killed / "scratch" / "raw").mkdir(parents=True)
    empty = tmp_path / "空"
    empty.mkdir()
    (empty / "a.txt").write_text("图片\n打印本页\n", encoding="utf-8")  # page furniture only
    with caplog.at_level(logging.WARNING, logger="workbench"):
        with pytest.raises(wsp.PipelineError, match="no documents with text found"):
            wsp.train([empty], out_dir=out, spark=session, progress=False)
    assert list(out.iterdir()) == []
    said = caplog.messages
    assert f"{out}: removed 1 staging folder(s) left by killed runs: {killed.name}" in said
    # the skipped input is said before the run fails, as the local engine says it ("see messages above")
    assert f"{empty / 'a.txt'}: no text left after cleaning (only page furniture, markup, digits or symbols) " \
           "(skipped)" in said
    failed = [m for m in said if m.endswith("removed the scratch folder of a run that failed")]
    assert len(failed) == 1 and failed[0].startswith(f"{out}/.spark-work.{os.getpid()}.")

    def interrupted(*args, **kwargs):
        assert [p.name.split(".")[1:3] for p in out.iterdir()] == [["spark-work", str(os.getpid())]]
        raise KeyboardInterrupt

    monkeypatch.setattr(wsp, "prepare", interrupted)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="workbench"):
        with pytest.raises(KeyboardInterrupt):
            wsp.train([SEEDS], out_dir=out, spark=session, progress=False)
    assert list(out.iterdir()) == []
    assert [m.split(": ", 1)[1] for m in caplog.messages] == ["removed the scratch folder of a run that was interrupted"]
