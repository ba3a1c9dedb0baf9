"""Every stage's seconds (the manifest's timings) and a line on standard error for every stage that
runs longer than a second; --quiet silences them."""

from __future__ import annotations

import logging
import time

import pytest

from workbench import progress
from workbench.progress import Stages


def test_a_slow_stage_gets_a_line_and_a_quick_one_none(monkeypatch, caplog):
    monkeypatch.setattr(progress, "ANNOUNCE_AFTER", 0.2)
    stages = Stages(progress=True)
    with caplog.at_level(logging.INFO, logger="workbench"):
        with stages("ldavis", "writing the topic map (ldavis.html)"):
            time.sleep(0.5)
        with stages("model", "saving the model"):
            pass
    assert caplog.records[0].getMessage() == "writing the topic map (ldavis.html) …"
    assert caplog.records[1].getMessage().startswith("writing the topic map (ldavis.html): 0.")
    assert len(caplog.records) == 2  # nothing about the quick stage
    assert list(stages.seconds) == ["ldavis", "model"] and stages.seconds["ldavis"] >= 0.5
    assert stages.as_dict()["total"] == pytest.approx(sum(stages.seconds.values()), abs=1e-3)


def test_quiet_stages_and_a_stage_that_fails_say_nothing(monkeypatch, caplog):
    monkeypatch.setattr(progress, "ANNOUNCE_AFTER", 0.2)
    with caplog.at_level(logging.INFO, logger="workbench"):
        quiet = Stages(progress=False)
        with quiet("train", "training"):
            time.sleep(0.3)
        loud = Stages(progress=True)
        with pytest.raises(RuntimeError), loud.sequence() as seq:
            seq.next("read", "reading news.jsonl")
            raise RuntimeError("bad input")
        time.sleep(0.3)  # the timer was cancelled with the stage: no line after the error
    assert caplog.records == [] and quiet.seconds["train"] >= 0.3 and "read" in loud.seconds


def test_a_training_run_names_every_stage_and_quiet_silences_it(tmp_path, monkeypatch, capsys):
    from workbench.cli import main

    monkeypatch.setattr(progress, "ANNOUNCE_AFTER", 0)  # every stage is "slow": each shows its line
    monkeypatch.setenv("WORKBENCH_STORE", str(tmp_path / "store.sqlite"))
    args = ["train", "--iterations", "100", "--out", str(tmp_path / "runs")]
    assert main(args) == 0
    err = capsys.readouterr().err
    for line in ("loading the pipeline", "reading seeds", "looking for Traditional characters in 5 documents",
                 "counting quoted terms in 5 documents", "tokenizing 5 documents", "building the vocabulary of",
                 "scoring the coherence of 12 topics", "writing doc_topics.csv, topics.csv, keywords.csv",
                 "writing the topic map (ldavis.html)", "saving the model", "drawing the charts",
                 "hashing the run's files", "run written in"):
        assert f"workbench: {line}" in err, line
    # each stage once when it starts and once with its seconds
    assert err.count("workbench: writing the topic map (ldavis.html) …") == 1
    assert "workbench: writing the topic map (ldavis.html): " in err
    assert main([*args, "--quiet"]) == 0
    assert "workbench:" not in capsys.readouterr().err
