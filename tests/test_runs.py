"""The run folder contract (docs/run-folder.md) on the bundled seeds."""
import json
import re

import numpy as np
import pandas as pd
import pytest

from workbench import engines, models
from workbench.runfolder.reader import load_run, verify_run
from workbench.text import preprocess


def test_run_folder_complete(seed_run):
    names = {p.name for p in seed_run.iterdir()}
    assert {"manifest.json", "doc_topics.csv", "topics.csv", "keywords.csv", "terms.csv", "topic_term.npy",
            "labels.json", "ldavis.html", "model"} <= names
    assert {p.name for p in (seed_run / "model").iterdir()} == {"dictionary.txt", "tomotopy.bin"}
    assert not any(p.name.startswith(".") for p in seed_run.parent.iterdir())  # no temp folder left


def test_manifest_records_everything(seed_run):
    m = json.loads((seed_run / "manifest.json").read_text(encoding="utf-8"))
    model = m["config"]["model"]
    for key in ("engine", "num_topics", "alpha", "eta", "iterations", "passes", "no_below", "no_above",
                "random_state", "term_weight", "keyed_prior"):
        assert key in model
    assert m["seed"] == model["random_state"] == 0
    assert m["corpus"]["n_documents"] == 5 and len(m["corpus"]["doc_ids"]) == 5
    assert len(m["corpus"]["unit_ids"]) == m["corpus"]["n_units"]
    assert set(m["tokenizer"]["stopword_files"]) and all(len(h) == 64 for h in m["tokenizer"]["stopword_files"].values())
    assert "整县推进" in m["tokenizer"]["harvested_terms"]
    assert {"jieba", "gensim", "tomotopy", "pyLDAvis", "python"} <= set(m["versions"])
    assert np.isfinite(m["metrics"]["c_npmi"])
    assert verify_run(seed_run) == []


def test_doc_topics_dense_and_readable(seed_run):
    raw = (seed_run / "doc_topics.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM for Excel
    run = load_run(seed_run)
    df = run.doc_topics
    k = run.num_topics
    cols = [f"topic_{i}" for i in range(k)]
    assert list(df.columns[-k:]) == cols
    shares = df[cols].to_numpy()
    assert (shares > 0).all()  # dense: every topic, never dropped below a threshold
    np.testing.assert_allclose(shares.sum(axis=1), 1.0, atol=1e-8)
    assert (df["dominant_topic"].to_numpy() == shares.argmax(axis=1)).all()
    assert {"doc_id", "unit_id", "source_file", "title", "date", "author", "source", "text"} <= set(df.columns)
    assert df["text"].str.len().min() > 10
    assert df["source_file"].str.startswith("seeds/").all()
    assert df["unit_id"].is_unique
    assert all(u.startswith(d + "-p") for d, u in zip(df["doc_id"], df["unit_id"]))


def test_topics_and_keywords_tables(seed_run):
    run = load_run(seed_run)
    t = run.topics
    assert list(t.columns) == ["topic", "label", "rank", "term", "weight"]
    assert sorted(t["topic"].unique()) == list(range(run.num_topics))
    kw = pd.read_csv(seed_run / "keywords.csv", encoding="utf-8-sig", keep_default_na=False)
    assert set(kw["level"]) == {"unit", "article"}
    art = kw[kw["level"] == "article"]
    assert art["doc_id"].nunique() == 5 and art.groupby("doc_id")["rank"].max().eq(10).all()
    poverty_article = art[art["doc_id"] == run.doc_topics.loc[run.doc_topics["text"].str.contains("花河边村"), "doc_id"].iloc[0]]
    assert "整县推进" in set(poverty_article["term"])  # a harvested slogan is one token and a keyword
    np.testing.assert_allclose(run.topic_term.sum(axis=1), 1.0)
    assert run.topic_term.shape[1] == len(run.terms)


def test_ldavis_offline(seed_run):
    html = (seed_run / "ldavis.html").read_text(encoding="utf-8")
    for m in re.finditer(r"<(script|link)[^>]*(src|href)\s*=\s*[\"']([^\"']+)", html):
        assert not m.group(3).startswith(("http", "//")), m.group(0)


def test_rerun_byte_identical(seed_run, tmp_path):
    again = engines.train(out_dir=tmp_path, progress=False)
    for name in ("doc_topics.csv", "topics.csv", "keywords.csv", "terms.csv", "topic_term.npy", "ldavis.html"):
        assert (again / name).read_bytes() == (seed_run / name).read_bytes(), name


def test_the_manifest_times_every_stage(seed_run):
    m = json.loads((seed_run / "manifest.json").read_text(encoding="utf-8"))
    timings = m["timings"]
    # in the order they ran; no charts: the library call draws none unless given figures=
    assert list(timings) == ["read", "traditional", "harvest", "tokenize", "vocabulary", "train", "coherence",
                             "fingerprint", "tables", "ldavis", "model", "hashes", "total"]
    assert all(isinstance(v, float) and v >= 0 for v in timings.values())
    assert timings["total"] == pytest.approx(sum(v for k, v in timings.items() if k != "total"), abs=0.01)
    assert timings["train"] > 0.1  # 2,000 Gibbs sweeps on the seeds
    # the tables' hashes are in the manifest; the timings are in no table
    assert "timings" not in (seed_run / "doc_topics.csv").read_text(encoding="utf-8-sig")


def test_article_unit_and_other_seed(tmp_path):
    run = engines.train(corpus_config=preprocess.CorpusConfig(unit="article", min_tokens=5),
                         model_config=models.ModelConfig(num_topics=2, random_state=7, iterations=200),
                         out_dir=tmp_path, progress=False)
    df = load_run(run).doc_topics
    assert len(df) == 5 and (df["unit_id"].str.endswith("-a000")).all()
    m = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert m["seed"] == 7 and m["num_topics"] == 2
