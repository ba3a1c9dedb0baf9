"""Topics over time (`workbench train --over-time year --slices ...`): the dynamic topic model's run
folder on the government work reports, term drift, the slices, and one-line errors."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_stm import gov_subset

from workbench import cli
from workbench.analysis import drift
from workbench.errors import UsageError
from workbench.models import dtm
from workbench.runfolder import load_run, verify_run

SLICES = "1954,1978,1993,2003,2013"


@pytest.fixture(scope="module")
def src(tmp_path_factory) -> Path:
    return gov_subset(tmp_path_factory.mktemp("src") / "reports.jsonl")


@pytest.fixture(scope="module")
def dtm_run(src, tmp_path_factory) -> Path:
    """The command line's run: K = 4 over five slices of every 5th report, 8 EM iterations."""
    out = tmp_path_factory.mktemp("dtm_runs")
    assert cli.main(["train", str(src), "--unit", "section", "--topics", "4", "--over-time", "year",
                     "--slices", SLICES, "--em-iterations", "8", "--out", str(out), "--quiet"]) == cli.EXIT_OK
    return next(p for p in out.iterdir() if not p.name.startswith("."))


def test_slices_start_at_the_given_years():
    years = pd.Series([1955, 1960, 1978, 1990, 2013, 2025], dtype=float)
    index, slices = dtm.assign_slices(years, [1978, 1954, 2013])
    assert index.tolist() == [0, 0, 1, 1, 2, 2]
    assert slices["period"].tolist() == ["1954-1977", "1978-2012", "2013-2025"]
    assert slices["n_units"].tolist() == [2, 2, 2]
    _, early = dtm.assign_slices(years, [1958, 2000])  # a year before the first start joins the first slice
    assert early["period"].tolist() == ["1955-1999", "2000-2025"] and early["n_units"].tolist() == [4, 2]
    with pytest.raises(UsageError, match=r"--slices: slice 1991-2012 of year has no units \(the units' year runs "
                                         r"1955-2025\)"):
        dtm.assign_slices(years, [1954, 1991, 2013])
    with pytest.raises(UsageError, match="at least two"):
        dtm.assign_slices(years, [1954])


def test_the_run_folder_keeps_its_contract_and_adds_the_slices(dtm_run, capsys):
    run = load_run(dtm_run)
    assert run.manifest["engine"] == "dtm" and run.manifest["config"]["dtm"]["slices"] == [1954, 1978, 1993, 2003, 2013]
    assert np.allclose(run.doc_topic.sum(axis=1), 1) and np.allclose(run.topic_term.sum(axis=1), 1)
    assert verify_run(dtm_run) == []
    assert (dtm_run / "topics_over_time.png").stat().st_size > 20_000 and (dtm_run / "ldavis.html").is_file()
    table = drift.over_time(dtm_run)
    assert list(table.columns) == list(dtm.COLUMNS)
    years = pd.to_numeric(run.doc_topics["date"].str[:4])
    slices = pd.DataFrame(run.manifest["model_settings"]["slices"])
    assert slices["n_units"].tolist() == [int(((years >= a) & (years <= b)).sum())
                                          for a, b in zip(slices["start"], slices["end"])]
    assert slices["n_units"].sum() == len(run.doc_topics)
    per_cell = table.groupby(["topic", "slice"]).size()
    assert len(per_cell) == 4 * 5 and (per_cell == 20).all()
    # topics.csv is the topics' token-weighted mean over the slices: its top term is a top term of some slice
    for k, d in table.groupby("topic"):
        assert run.top_terms(1)[k][0] in set(d["term"])
    wide = drift.topic_over_time(dtm_run, 0, n=5)
    assert wide.shape == (5, 5) and list(wide.columns) == slices["period"].tolist()


def test_terms_drift_with_the_decades(dtm_run):
    w = drift.term_weights(dtm_run, ["阶级斗争", "脱贫攻坚"]).pivot(index="slice", columns="term", values="weight")
    assert w["阶级斗争"].iloc[0] > 3 * w["阶级斗争"].iloc[-1]     # class struggle: the early decades
    assert w["脱贫攻坚"].iloc[-1] > 3 * w["脱贫攻坚"].iloc[0]     # poverty alleviation: after 2013
    with pytest.raises(UsageError, match="not in the vocabulary of run .*: 不存在的词"):
        drift.term_weights(dtm_run, ["不存在的词"])


def test_errors(src, tmp_path, capsys):
    base = ["train", str(src), "--unit", "section", "--topics", "3", "--em-iterations", "2", "--out", str(tmp_path),
            "--quiet"]
    assert cli.main([*base, "--over-time", "year"]) == cli.EXIT_USAGE
    assert "--over-time needs --slices" in capsys.readouterr().err
    assert cli.main([*base, "--over-time", "year", "--slices", "1954,1990,1991,2013"]) == cli.EXIT_USAGE
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == ("workbench: error: --slices: slice 1990 of year has no units (the units' year runs "
                       "1955-2025); choose other starts")
    assert cli.main([*base, "--over-time", "doc_type", "--slices", "1,2"]) == cli.EXIT_USAGE
    assert "not numeric" in capsys.readouterr().err
    assert cli.main([*base, "--over-time", "year", "--slices", SLICES, "--prevalence", "s(year)"]) == cli.EXIT_USAGE
    assert "choose one" in capsys.readouterr().err
    themes = str(Path(__file__).resolve().parents[1] / "seeds" / "themes.toml")
    for model in (["--model", "stm", "--prevalence", "s(year)"], ["--over-time", "year", "--slices", SLICES]):
        assert cli.main([*base, "--themes", themes, *model]) == cli.EXIT_USAGE
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "keyed themes train keyed LDA" in err[0], err
        if "stm" in model:  # and says what to use instead
            assert "`workbench effect RUN --covariate COLUMN`" in err[0] and "`workbench label`" in err[0], err
    assert not [p for p in tmp_path.iterdir() if not p.name.startswith(".")]


def test_effects_on_a_dtm_run_draw_from_its_own_dirichlet(dtm_run):
    from workbench.analysis import covariates

    draws, how = covariates.theta_draws(load_run(dtm_run), covariates.EffectConfig(nsims=3))
    assert "alpha=0.01" in how and draws.shape[0] == 3
    assert np.allclose(draws.sum(axis=2), 1)
