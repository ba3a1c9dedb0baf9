"""The stopping rule (models.convergence), --iterations auto|N, and what a run folder records of it."""
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from workbench import cli, models
from workbench.models.convergence import Criterion, Monitor, min_overlap
from workbench.models.lda import ModelConfig
from workbench.text import preprocess

TOPS = np.arange(40).reshape(4, 10)  # 4 topics, 10 term ids each


def feed(monitor, lls, tops=lambda i: TOPS):
    for i, ll in enumerate(lls):
        if monitor.update((i + 1) * monitor.criterion.check_every, ll, tops(i)):
            return (i + 1) * monitor.criterion.check_every
    return None


def test_flat_trace_with_stable_topics_stops_at_the_floor():
    crit = Criterion(tol=1e-3, window=50, check_every=10, min_iterations=200, max_iterations=2000)
    m = Monitor(crit)
    assert feed(m, [-7.5] * 100) == 200 and m.converged
    assert m.record()["stopped_by"] == "criterion" and m.record()["sweeps"] == 200


def test_climbing_chain_does_not_stop_until_it_flattens():
    crit = Criterion(tol=1e-3, window=50, check_every=10, min_iterations=50, max_iterations=2000)
    lls = [-9 + 2 * (1 - np.exp(-i / 30)) for i in range(200)]  # ll per token rising to -7
    stop = feed(Monitor(crit), lls)
    # the stop comes where the 50-sweep means differ by < 0.1%, not earlier
    means = lambda s: np.mean(lls[s // 10 - 5:s // 10])  # noqa: E731
    assert abs(means(stop) - means(stop - 50)) / abs(means(stop)) < 1e-3
    assert abs(means(stop - 10) - means(stop - 60)) / abs(means(stop - 10)) >= 1e-3


def test_churning_top_terms_block_the_stop_and_the_cap_ends_it():
    crit = Criterion(min_iterations=50, max_iterations=300, top_overlap=9)
    churn = lambda i: TOPS + i * 100  # noqa: E731  every id changes each block
    m = Monitor(crit)
    assert feed(m, [-7.0] * 100, churn) == 300
    assert not m.converged and m.record()["stopped_by"] == "max_iterations"
    assert min_overlap(TOPS, TOPS[:, ::-1]) == 10  # order within the top terms does not matter


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        Criterion(window=45, check_every=10)
    with pytest.raises(ValueError):
        ModelConfig(iterations=0)
    with pytest.raises(ValueError):
        ModelConfig(iterations="fast")
    with pytest.raises(SystemExit):
        cli.main(["train", "--iterations", "0"])


def test_fixed_iterations_run_exactly_n(seed_corpus):
    f = models.fit(seed_corpus.bows, seed_corpus.vocab, ModelConfig(iterations=35), progress=False,
                   token_ids=seed_corpus.token_ids)
    conv = f.settings["convergence"]
    assert f.settings["iterations"] == 35 and conv["stopped_by"] == "iterations"
    assert [row[0] for row in conv["trace"]] == [10, 20, 30, 35]


def test_auto_stops_between_floor_and_cap_and_is_deterministic(seed_corpus):
    crit = Criterion(tol=0.05, min_iterations=60, max_iterations=400, top_overlap=5)
    cfg = ModelConfig(convergence=crit)
    fits = [models.fit(seed_corpus.bows, seed_corpus.vocab, cfg, progress=False, token_ids=seed_corpus.token_ids)
            for _ in range(2)]
    s = fits[0].settings
    assert 60 <= s["iterations"] < 400 and s["convergence"]["converged"]
    assert s["convergence"]["trace"][-1][0] == s["iterations"]
    assert fits[0].doc_topic.tobytes() == fits[1].doc_topic.tobytes()
    assert fits[0].settings["convergence"] == fits[1].settings["convergence"]
    # a fixed run of the sweeps auto chose is the same chain
    fixed = models.fit(seed_corpus.bows, seed_corpus.vocab, replace(cfg, iterations=s["iterations"]), progress=False,
                       token_ids=seed_corpus.token_ids)
    assert fixed.doc_topic.tobytes() == fits[0].doc_topic.tobytes()


def test_cli_run_records_the_chain_and_draws_it(tmp_path, capsys):
    assert cli.main(["train", "--iterations", "40", "--quiet", "--out", str(tmp_path)]) == 0
    run = Path(capsys.readouterr().out.strip().splitlines()[-1])
    m = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    ms = m["model_settings"]
    assert ms["iterations"] == 40 and m["config"]["model"]["iterations"] == 40
    assert ms["convergence"]["trace"][-1][0] == 40 and "sweeps" in ms["convergence"]["criterion"]
    assert len(ms["alpha"]) == m["num_topics"] and ms["workers"] == m["config"]["model"]["workers"]
    assert "workers" in ms["results_depend_on"]
    png = run / "convergence.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and "convergence.png" in m["files"]


def test_rerun_from_the_manifest_settings_is_byte_identical_with_two_workers(tmp_path, capsys):
    from workbench import engines

    assert cli.main(["train", "--iterations", "60", "--train-workers", "2", "--quiet", "--out", str(tmp_path / "a")]) == 0
    first = Path(capsys.readouterr().out.strip().splitlines()[-1])
    m = json.loads((first / "manifest.json").read_text(encoding="utf-8"))
    saved = dict(m["config"]["model"])
    saved["convergence"] = Criterion(**saved["convergence"])
    assert m["model_settings"]["workers"] == 2
    again = engines.train(corpus_config=preprocess.CorpusConfig(**m["config"]["corpus"]),
                          model_config=ModelConfig(**saved), out_dir=tmp_path / "b", progress=False)
    for name in ("doc_topics.csv", "topics.csv", "topic_term.npy"):
        assert (again / name).read_bytes() == (first / name).read_bytes(), name
