"""Tests for workbench.analysis.timeline: topics over time and metadata on a run folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench import runfolder
from workbench.analysis import effects, explore, timeline

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "examples" / "gov-reports" / "gov_work_reports_national.jsonl"

VOCAB = ["反腐败", "廉政建设", "监督", "扶贫", "脱贫", "农村", "生态", "污染", "发展"]
# p(term | topic): topic 0 anti-corruption, 1 poverty, 2 environment
TOPIC_TERM = np.array([
    [0.30, 0.20, 0.25, 0.01, 0.01, 0.05, 0.01, 0.01, 0.16],
    [0.01, 0.01, 0.03, 0.30, 0.30, 0.20, 0.01, 0.01, 0.13],
    [0.01, 0.01, 0.03, 0.01, 0.01, 0.05, 0.40, 0.30, 0.18],
])


def _doc_topics() -> pd.DataFrame:
    """Two reports a year, 2010-2015, three sections each; topic 0 jumps from 0.1 to 0.3 in 2013."""
    rows = []
    for year in range(2010, 2016):
        for d, doc_type in enumerate(("government_work_report", "npc_resolution_on_gwr")):
            doc_id = f"{year}{d:012d}"
            for s in range(3):
                t0 = (0.3 if year >= 2013 else 0.1) + 0.02 * (s - 1)
                rows.append({
                    "doc_id": doc_id, "unit_id": f"{doc_id}-s{s:03d}", "source_file": "reports.jsonl",
                    "title": f"{year}年政府工作报告", "date": str(year), "doc_type": doc_type,
                    "text": "加强廉政建设，坚决反腐败。" * (3 if year >= 2013 else 1)
                            + "推进生态保护和污染防治。",
                    "n_tokens": 100, "dominant_topic": 1,
                    "topic_0": t0, "topic_1": 0.5 - t0 / 2, "topic_2": 0.5 - t0 / 2,
                })
    return pd.DataFrame(rows)


@pytest.fixture
def run(tmp_path) -> runfolder.Run:
    """A run built from arrays (no model): enough for every timeline function."""
    freq = np.array([40, 20, 30, 35, 30, 25, 30, 20, 80])
    return runfolder.Run(path=tmp_path, manifest={"run_id": "synthetic"}, doc_topics=_doc_topics(),
                    topics=pd.DataFrame(), terms=pd.DataFrame({"term": VOCAB, "corpus_freq": freq}),
                    topic_term=TOPIC_TERM, labels={1: "扶贫"})


# ------------------------------------------------------------------------------------ tables


def test_load_doc_topics_adds_the_year_and_filters(run):
    df = timeline.load_doc_topics(run, where={"doc_type": "government_work_report"})
    assert len(df) == 6 * 3
    assert df["year"].dtype == "Int64" and df["year"].tolist()[:3] == [2010] * 3
    assert "year" not in run.doc_topics.columns  # the run's table is left alone
    two = timeline.load_doc_topics(run, where={"year": [2010, 2011]})
    assert sorted(two["year"].unique()) == [2010, 2011] and len(two) == 12
    with pytest.raises(KeyError, match="region"):
        timeline.load_doc_topics(run, where={"region": "北京市"})
    with pytest.raises(ValueError, match="government_work_report"):
        timeline.load_doc_topics(run, where={"doc_type": "government_work_reports"})


def test_add_period_bins_years_into_ordered_periods():
    df = pd.DataFrame({"year": pd.array([1954, 1978, 1992, 1993, 2012, 2013, 2025, None], dtype="Int64")})
    out = timeline.add_period(df, (1978, 1993, 2013))
    assert out["period"].tolist()[:7] == ["1954-1977", "1978-1992", "1978-1992", "1993-2012", "1993-2012",
                                          "2013-2025", "2013-2025"]
    assert pd.isna(out["period"].iloc[7])
    assert list(out["period"].cat.categories) == ["1954-1977", "1978-1992", "1993-2012", "2013-2025"]
    assert out["period"].cat.ordered and "period" not in df.columns
    # starts outside the data add no empty period; a one-year period is named by its year
    out = timeline.add_period(df.dropna(), (1900, 2025, 2100), column="era")
    assert list(out["era"].cat.categories) == ["1954-2024", "2025"]
    with pytest.raises(KeyError, match="load_doc_topics"):
        timeline.add_period(pd.DataFrame({"date": ["2019"]}), (2000,))


@settings(max_examples=60, deadline=None)
@given(years=st.lists(st.integers(1950, 2030), min_size=1, max_size=30),
       starts=st.lists(st.integers(1940, 2040), max_size=5))
def test_every_year_lands_in_the_period_that_contains_it(years, starts):
    out = timeline.add_period(pd.DataFrame({"year": years}), starts)
    for year, period in zip(years, out["period"]):
        lo, _, hi = str(period).partition("-")
        assert int(lo) <= year <= int(hi or lo)
    cats = [int(str(c).split("-")[0]) for c in out["period"].cat.categories]
    assert cats == sorted(cats) and set(out["period"]) == set(out["period"].cat.categories)


def test_prevalence_table_is_prevalence_by_with_labels(run):
    table = timeline.prevalence_table(run, "year", [0, 1], where={"doc_type": "government_work_report"},
                                      n_boot=200)
    expected = effects.prevalence_by(effects.add_year(run.doc_topics[run.doc_topics["doc_type"] ==
                                                                     "government_work_report"]),
                                     "year", topics=[0, 1], n_boot=200)
    assert list(table.columns) == ["year", "topic", "label", "share", "lo", "hi", "n_units", "n_docs"]
    np.testing.assert_allclose(table["share"], expected["share"])
    np.testing.assert_allclose(table["lo"], expected["lo"])
    assert table.loc[table["topic"] == 1, "label"].eq("扶贫").all()
    assert table.loc[table["topic"] == 0, "label"].eq("").all()
    share0 = table[table["topic"] == 0].set_index("year")["share"]
    assert share0[2012] == pytest.approx(0.1) and share0[2013] == pytest.approx(0.3)
    assert table.attrs["by"] == "year" and table.attrs["cluster"] == "doc_id"
    # one report a year: resampling articles has nothing to resample, resampling sections has
    assert (table["n_docs"] == 1).all() and (table["lo"] == table["hi"]).all()
    units = timeline.prevalence_table(run, "year", 0, where={"doc_type": "government_work_report"}, cluster=None)
    assert (units["hi"] > units["lo"]).all() and units.attrs["cluster"] is None


def test_prevalence_by_period_resamples_reports(run):
    table = timeline.prevalence_table(run, "year", 0, periods=(2013,), n_boot=300)
    assert table["period"].astype(str).tolist() == ["2010-2012", "2013-2015"]
    assert table["share"].tolist() == pytest.approx([0.1, 0.3])
    assert table["n_docs"].tolist() == [6, 6] and table.attrs["by"] == "period"
    wide = timeline.to_wide(table)
    assert list(wide.columns) == ["period", "0", "0 lo", "0 hi"]


def test_to_wide_has_a_row_per_group_and_three_columns_per_topic(run):
    table = timeline.prevalence_table(run, "year", [0, 1], n_boot=50)
    wide = timeline.to_wide(table)
    assert len(wide) == 6 and wide["year"].tolist() == list(range(2010, 2016))
    assert list(wide.columns)[1:] == ["0", "0 lo", "0 hi", "1 扶贫", "1 扶贫 lo", "1 扶贫 hi"]


def test_regression_on_the_period_gives_the_jump(run):
    df = timeline.add_period(timeline.load_doc_topics(run, where={"doc_type": "government_work_report"}), (2013,))
    fit = effects.estimate_effect(df, 0, ["period"]).set_index("term")
    assert fit.loc["period[T.2013-2015]", "estimate"] == pytest.approx(0.2)
    assert fit.loc["Intercept", "estimate"] == pytest.approx(0.1)


# ------------------------------------------------------------------------------------ charts


def test_plot_prevalence_names_what_was_resampled(run, tmp_path):
    by_units = timeline.prevalence_table(run, "year", [0, 1], cluster=None, n_boot=50)
    fig = timeline.plot_prevalence(by_units, [0, 1], labels=run.labels, path=tmp_path / "a" / "year.png")
    assert "按段落/小节重抽样" in fig.axes[0].get_title()
    assert (tmp_path / "a" / "year.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    by_docs = timeline.prevalence_table(run, "year", 0, periods=(2013,), n_boot=50)
    assert "按文章重抽样" in timeline.plot_prevalence(by_docs, 0).axes[0].get_title()


def test_write_prevalence_writes_csv_for_excel_and_png_into_the_run(run):
    out = timeline.write_prevalence(run, [0, 1], "year", periods=(2013,), n_boot=50)
    assert out.csv == run.path / "prevalence" / "prevalence_by_period.csv"
    assert out.csv.read_bytes().startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(out.csv, encoding="utf-8-sig")
    assert back["period"].tolist() == ["2010-2012", "2010-2012", "2013-2015", "2013-2015"]
    assert "扶贫" in back["label"].tolist()
    assert out.png.stat().st_size > 0 and out.figure.axes
    named = timeline.write_prevalence(run, 0, "year", out_dir=run.path / "elsewhere", stem="anti", n_boot=0)
    assert named.csv.name == "anti.csv" and named.png.parent.name == "elsewhere"


# ------------------------------------------------------------------------------------ cue words


def test_find_topic_by_cue_words(run):
    assert timeline.find_topic(run, ["反腐败", "廉政建设"]) == 0
    assert timeline.find_topic(run, ["污染", "不在词表"]) == 2
    with pytest.raises(KeyError, match="vocabulary"):
        timeline.find_topic(run, ["八项规定", "四风"])
    # the same rule as explore.suggest_labels
    assert timeline.find_topic(run, ["扶贫"]) == next(iter(explore.suggest_labels(run, {"x": ["扶贫"]})))


def test_cue_table_shows_the_evidence(run):
    table = timeline.cue_table(run, ["反腐败", "监督", "八项规定"], n_terms=3, n=None)
    assert len(table) == 3 and table.loc[0, "topic"] == 0 and bool(table.loc[0, "chosen"])
    assert table.loc[0, "cue_hits"].startswith("反腐败(")
    assert table.loc[0, "cue_mass"] == pytest.approx(0.55)
    assert table["cue_mass"].iloc[1:].is_monotonic_decreasing
    assert table.attrs["missing"] == ["八项规定"]
    assert len(timeline.cue_table(run, ["反腐败"], n=1)) == 1


def test_cue_rate_counts_the_words_longest_first(run):
    table = timeline.cue_rate(run, ["腐败", "反腐败", "廉政建设"], "year",
                              where={"doc_type": "government_work_report"})
    assert table["year"].tolist() == list(range(2010, 2016))
    row = table.set_index("year").loc[2013]
    assert row["反腐败"] == 9 and row["腐败"] == 0  # 反腐败 three times in each of three sections
    assert row["hits"] == 18 and row["n_docs"] == 1
    text = run.doc_topics["text"].iloc[0]
    assert row["characters"] == 3 * len(run.doc_topics.loc[run.doc_topics["date"] == "2013", "text"].iloc[0])
    assert table.set_index("year").loc[2010, "per_10k"] == pytest.approx(6 / (3 * len(text)) * 10_000)
    periods = timeline.cue_rate(run, ["反腐败"], periods=(2013,))
    assert periods["period"].astype(str).tolist() == ["2010-2012", "2013-2015"]
    assert periods["hits"].tolist() == [18, 54]  # reports and resolutions: 3 years x 2 x 3 sections
    with pytest.raises(ValueError):
        timeline.cue_rate(run, [])


# ------------------------------------------------------------------------------------ seed run, comparison


def test_baseline_run_finds_the_newest_seed_only_run(seed_run, tmp_path, monkeypatch):
    root = tmp_path / "runs"
    old = Path(shutil.copytree(seed_run, root / "20000101-000000-aaaaaaaa"))
    newer = Path(shutil.copytree(seed_run, root / "29990101-000000-bbbbbbbb"))  # newest, but not seeds only
    manifest = json.loads((newer / "manifest.json").read_text(encoding="utf-8"))
    manifest["config"].update(sources=None, corpus_name="expanded")
    (newer / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    monkeypatch.delenv(explore.RUN_ENV, raising=False)
    monkeypatch.setenv(explore.RUNS_ENV, str(root))
    assert timeline.baseline_run(train=False).path == old
    monkeypatch.setenv(explore.RUN_ENV, str(newer))  # WORKBENCH_RUN names it: taken as is
    assert timeline.baseline_run(train=False).path == newer
    assert timeline.baseline_run(old, train=False).path == old
    monkeypatch.delenv(explore.RUN_ENV)
    shutil.rmtree(old)
    with pytest.raises(FileNotFoundError, match="seeds"):
        timeline.baseline_run(train=False)


def test_runs_dir_is_the_project_runs_folder_unless_set(monkeypatch, tmp_path):
    monkeypatch.delenv(explore.RUNS_ENV, raising=False)
    assert timeline.runs_dir() == ROOT / "runs"
    monkeypatch.setenv(explore.RUNS_ENV, str(tmp_path))
    assert timeline.runs_dir() == tmp_path


def test_compare_and_carry_writes_the_table_and_carries_labels(seed_run, tmp_path):
    a = Path(shutil.copytree(seed_run, tmp_path / "a"))
    b = Path(shutil.copytree(seed_run, tmp_path / "b"))
    runfolder.write_labels(b, {1: "已有的标签"})
    table = timeline.compare_and_carry(a, b, labels_a={0: "脱贫攻坚", 1: "网格化治理"})
    assert (table["status"] == "matched").all()  # a run against itself
    assert table.loc[table["topic_a"] == 0, "label_a"].item() == "脱贫攻坚"
    assert table.loc[table["topic_b"] == 0, "carried_label"].item() == "脱贫攻坚"
    assert Path(table.attrs["path"]) == b / "compare_a.csv"
    assert runfolder.read_labels(b) == {0: "脱贫攻坚", 1: "已有的标签"}  # an existing label is kept
    assert runfolder.read_labels(a) == {}  # A is only read
    untouched = Path(shutil.copytree(seed_run, tmp_path / "c"))
    timeline.compare_and_carry(a, untouched, labels_a={0: "x"}, write=False)
    assert not (untouched / "compare_a.csv").exists() and runfolder.read_labels(untouched) == {}


# ------------------------------------------------------------------------------------ a real run


@pytest.fixture(scope="module")
def reports_run(tmp_path_factory):
    """A small model of six government work reports (1995-1999, 2015-2019), by section."""
    from workbench import engines
    from workbench.models.lda import ModelConfig
    from workbench.text import preprocess

    folder = tmp_path_factory.mktemp("reports")
    wanted = {"1995", "1997", "1999", "2015", "2017", "2019"}
    lines = [line for line in REPORTS.read_text(encoding="utf-8").splitlines()
             if json.loads(line)["date"] in wanted]
    (folder / "reports.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return engines.train([folder / "reports.jsonl"], corpus_config=preprocess.CorpusConfig(unit="section"),
                          model_config=ModelConfig(num_topics=6, iterations=50), out_dir=folder / "runs",
                          progress=False)


def test_on_a_real_run_of_government_work_reports(reports_run):
    run = runfolder.load_run(reports_run)
    cues = ["反腐败", "腐败", "廉政建设", "廉洁", "监察", "作风", "形式主义"]
    k = timeline.find_topic(run, cues)
    assert 0 <= k < run.num_topics
    table = timeline.prevalence_table(run, "year", k, where={"doc_type": "government_work_report"},
                                      cluster=None, n_boot=100)
    assert table["year"].tolist() == [1995, 1997, 1999, 2015, 2017, 2019]
    assert ((table["lo"] <= table["share"]) & (table["share"] <= table["hi"])).all()
    rate = timeline.cue_rate(run, cues, "year", where={"doc_type": "government_work_report"})
    assert (rate["hits"] > 0).all() and (rate["n_docs"] == 1).all()
    by_period = timeline.prevalence_table(run, "year", k, periods=(2013,), n_boot=100)
    # 1995-1999: three reports; 2015-2019: three reports and the NPC resolutions on them
    assert by_period["n_docs"].tolist() == [3, 6]


# ------------------------------------------------------------------------------------ all topics by default


def test_prevalence_without_topics_draws_every_topic_as_small_multiples(seed_run, tmp_path, capsys):
    from workbench.cli import main

    run = Path(shutil.copytree(seed_run, tmp_path / "run"))
    assert main(["prevalence", str(run), "--by", "source_file", "--n-boot", "50"]) == 0
    png, csv = map(Path, capsys.readouterr().out.strip().splitlines()[-2:])
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and csv.is_file()
    table = pd.read_csv(csv, encoding="utf-8-sig")
    assert sorted(table["topic"].unique()) == list(range(12))
    out = timeline.write_prevalence(runfolder.load_run(run), by="source_file", n_boot=50)
    panels = [ax for ax in out.figure.axes if ax.get_visible()]
    # K=12 > MAX_LINES: one panel per topic, in id order, each titled with its topic
    assert [ax.get_title() for ax in panels] == [str(k) for k in range(12)]
    assert len({ax.get_ylim() for ax in panels}) == 1  # one y scale: the panels compare
    few = timeline.write_prevalence(runfolder.load_run(run), [0, 3], by="source_file", n_boot=50)
    assert len(few.figure.axes) == 1 and len(few.figure.axes[0].get_legend().get_texts()) == 2


# ------------------------------------------------------------------------------------ daily corpora


def test_calendar_bins_read_the_date_formats_of_news_exports():
    from workbench.corpus.dates import calendar_bins

    dates = pd.Series(["2019年05月21日", "2021-09-28 09:58", "2019/5/21", "20240101", "二〇一九年五月",
                       "一九五四年十二月二十三日", "2025", "春节前后", None, "2024-13-01"])
    assert calendar_bins(dates, "month").tolist() == ["2019-05", "2021-09", "2019-05", "2024-01", "2019-05",
                                                      "1954-12", pd.NA, pd.NA, pd.NA, pd.NA]
    assert calendar_bins(dates, "quarter").tolist()[:6] == ["2019Q2", "2021Q3", "2019Q2", "2024Q1", "2019Q2",
                                                            "1954Q4"]
    assert calendar_bins(dates, "year").tolist()[:7] == [2019, 2021, 2019, 2024, 2019, 1954, 2025]
    with pytest.raises(ValueError, match="calendar bins are year, quarter, month"):
        calendar_bins(dates, "week")


def test_a_daily_corpus_by_month_and_quarter(daily_run):
    run = runfolder.load_run(daily_run)
    months = timeline.prevalence_table(run, "month", n_boot=50)
    expected = [f"2023-{m:02d}" for m in range(1, 13)] + ["2024-01", "2024-02", "2024-03"]
    assert list(dict.fromkeys(months["month"])) == expected
    per_month = months.drop_duplicates("month")
    assert per_month["n_docs"].sum() == run.doc_topics["doc_id"].nunique()
    # the share of a month is the token-weighted mean of its stories' shares
    df = run.doc_topics[run.doc_topics["date"].astype(str).str.startswith("2023-05")]
    w = df["n_tokens"].astype(float)
    got = months[(months["month"] == "2023-05") & (months["topic"] == 2)]["share"].item()
    assert got == pytest.approx(float((df["topic_2"].astype(float) * w).sum() / w.sum()))
    quarters = timeline.prevalence_table(run, "quarter", 0, n_boot=50)
    assert quarters["quarter"].tolist() == ["2023Q1", "2023Q2", "2023Q3", "2023Q4", "2024Q1"]
    with pytest.raises(ValueError, match="periods bin years"):
        timeline.prevalence_table(run, "month", 0, periods=(2024,))


def test_a_daily_chart_writes_a_dozen_date_labels_in_time_order(daily_run, tmp_path):
    run = runfolder.load_run(daily_run)
    for by in ("date", "month"):
        out = timeline.write_prevalence(run, [0, 1], by, out_dir=tmp_path, n_boot=20)
        shown = [t.get_text() for t in out.figure.axes[0].get_xticklabels()]
        assert 4 <= len(shown) <= 12 and shown == sorted(shown) and shown[0].startswith("2023-01")
        assert out.figure.axes[0].get_lines()  # drawn as a line in time order, not as points


def test_prevalence_by_month_from_the_command_line(daily_run, tmp_path, capsys):
    from workbench.cli import main

    run = Path(shutil.copytree(daily_run, tmp_path / "run"))
    assert main(["prevalence", str(run), "--by", "quarter", "--n-boot", "20"]) == 0
    out = capsys.readouterr().out
    assert "2024Q1" in out and (run / "prevalence" / "prevalence_by_quarter.png").is_file()
    assert main(["prevalence", str(run), "--by", "date", "--topics", "0", "--n-boot", "0"]) == 0
    dates = runfolder.load_run(run).doc_topics["date"].nunique()
    assert dates > 100  # a story every third day, a few too short to model
    assert f"{dates} dates, a share for each; by month or quarter (--by month) bins them" in capsys.readouterr().err


def test_effect_of_the_quarter_reads_it_from_the_date():
    from workbench.models import stm

    rows = pd.DataFrame({"unit_id": ["a", "b", "c"], "date": ["2024-01-05", "2024-05-01", "2024年11月3日"]})
    assert stm.covariate_frame(rows, ["quarter"])["quarter"].tolist() == ["2024Q1", "2024Q2", "2024Q4"]
    assert stm.covariate_frame(rows, ["month"])["month"].tolist() == ["2024-01", "2024-05", "2024-11"]
