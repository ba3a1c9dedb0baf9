"""Fighting Words (`workbench contrast`): the formula against a hand computation and topica's, then the
government work reports before and after 1978, and one-line errors."""

import math

import numpy as np
import pandas as pd
import pytest
from test_stm import gov_subset

from workbench import cli
from workbench.analysis import contrast
from workbench.errors import UsageError
from workbench.runfolder import load_run, tokenizer_config


def test_the_formula_by_hand():
    # Three terms, three tokens per group; the background is the two groups together, prior 0.5:
    # alpha = 0.5 * (2, 2, 2) = (1, 1, 1), alpha_0 = 3, n_a = n_b = 3.
    # 甲: odds_a = (2+1)/(3+3-2-1) = 1, odds_b = (0+1)/(3+3-0-1) = 1/5, delta = log 5,
    #     var = 1/3 + 1/1 = 4/3, z = log 5 / sqrt(4/3) = 1.3938; 乙 the mirror image; 丙 even.
    delta, se, z = contrast.fighting_words([2, 0, 1], [0, 2, 1], [2, 2, 2], prior=0.5)
    assert delta == pytest.approx([math.log(5), -math.log(5), 0.0])
    assert se == pytest.approx([math.sqrt(4 / 3)] * 2 + [1.0])
    assert z == pytest.approx([1.3938, -1.3938, 0.0], abs=1e-4)


def test_the_formula_is_topicas_fighting_words():
    from topica import fighting_words as topica_fighting_words

    rng = np.random.default_rng(0)
    vocab = [f"词{i}" for i in range(40)]
    docs_a = [list(rng.choice(vocab[:30], 50)) for _ in range(5)]
    docs_b = [list(rng.choice(vocab[10:], 50)) for _ in range(7)]
    y_a = np.array([sum(d.count(w) for d in docs_a) for w in vocab])
    y_b = np.array([sum(d.count(w) for d in docs_b) for w in vocab])
    _, _, z = contrast.fighting_words(y_a, y_b, y_a + y_b, prior=0.05)
    theirs = dict(topica_fighting_words(docs_a, docs_b, prior=0.05, informative=True))
    assert z == pytest.approx([theirs[w] for w in vocab], rel=1e-12)


@pytest.fixture(scope="module")
def gov_run(tmp_path_factory):
    """LDA on the sections of every 5th report (the contrast reads tokens, not the model: few sweeps)."""
    from workbench import engines
    from workbench.models.lda import ModelConfig
    from workbench.text.preprocess import CorpusConfig

    src = gov_subset(tmp_path_factory.mktemp("src") / "reports.jsonl")
    return engines.train([src], corpus_config=CorpusConfig(unit="section"),
                         model_config=ModelConfig(num_topics=4, iterations=20),
                         out_dir=tmp_path_factory.mktemp("contrast_runs"), progress=False)


def test_the_run_is_tokenized_as_it_was_trained(gov_run):
    run = load_run(gov_run)
    assert tokenizer_config(run.manifest).fingerprint() == run.manifest["tokenizer"]["fingerprint"]


def test_planned_economy_before_1978_reform_after(gov_run, tmp_path):
    result, csv, png = contrast.write_contrast(gov_run, "year", ["1954-1977", "1978-2025"],
                                               contrast.ContrastConfig(min_count=1), out_dir=tmp_path)
    t = result.table
    assert result.groups == ("1954-1977", "1978-2025")
    assert t["count_a"].sum() == result.n_tokens[0] and t["count_b"].sum() == result.n_tokens[1]
    years = pd.to_numeric(load_run(gov_run).doc_topics["date"].str[:4])
    assert result.n_units == (int((years <= 1977).sum()), int((years >= 1978).sum()))
    z = t.set_index("term")["z"]
    assert z["五年计划"] > 5 and z["工业"] > 5                 # the planned economy
    assert z["改革"] < -5 and z["制度"] < -3                   # the reform era
    assert t["z"].is_monotonic_decreasing
    assert (t.loc[t["z"] > 1.96, "favours"] == "1954-1977").all()
    back = pd.read_csv(csv, encoding="utf-8-sig", keep_default_na=False)
    assert list(back.columns) == list(contrast.COLUMNS) and back["term"].iloc[0] == t["term"].iloc[0]
    assert png.stat().st_size > 20_000


def test_errors_name_the_column_and_the_values(gov_run, capsys):
    with pytest.raises(UsageError, match=r"--by 'regoin': no such column in run .*; columns there: .*region"):
        contrast.contrast(gov_run, "regoin", ["北京", "上海"])
    with pytest.raises(UsageError, match=r"no unit of run .* has region = '北京'; values there: 全国"):
        contrast.contrast(gov_run, "region", ["北京", "全国"])
    with pytest.raises(UsageError, match=r"no unit .* has year = '1900-1950'"):
        contrast.contrast(gov_run, "year", ["1900-1950", "1978-2025"])
    with pytest.raises(UsageError, match=r"units are in both groups"):
        contrast.contrast(gov_run, "year", ["1954-1990", "1978-2025"])
    with pytest.raises(UsageError, match=r"give two different groups"):
        contrast.contrast(gov_run, "doc_type", ["government_work_report"])
    assert cli.main(["contrast", str(gov_run), "--by", "region", "--groups", "北京,上海"]) == cli.EXIT_USAGE
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "region = '北京'" in err[0]


def test_cli_contrast(gov_run, capsys, tmp_path):
    code = cli.main(["contrast", str(gov_run), "--by", "doc_type", "--groups",
                     "npc_resolution_on_gwr,government_work_report", "--out", str(tmp_path)])
    out = capsys.readouterr().out.splitlines()
    assert code == cli.EXIT_OK
    assert out[0].startswith("Fighting Words, doc_type: npc_resolution_on_gwr (")
    assert "会议" in out[1] or "批准" in out[1]                 # what a resolution says: the session approves
    assert out[-1].endswith("contrast_doc_type_npc_resolution_on_gwr_vs_government_work_report.csv")


def test_traditional_documents_are_counted_as_the_run_tokenized_them(tmp_path):
    # The 1954 report is written in Traditional characters; the run converts it (the default), so the
    # contrast must count 发展, not 發展 beside it.
    import json

    from test_stm import REPORTS

    from workbench import engines
    from workbench.models.lda import ModelConfig
    from workbench.text.preprocess import CorpusConfig
    from workbench.text.tokenize import traditional_share

    rows = [json.loads(line) for line in REPORTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if r["doc_type"] == "government_work_report" and r["date"][:4] in ("1954", "2024")]
    src = tmp_path / "reports.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    run = load_run(engines.train([src], corpus_config=CorpusConfig(unit="section"),
                                 model_config=ModelConfig(num_topics=3, iterations=20),
                                 out_dir=tmp_path / "runs", progress=False))
    assert run.manifest["corpus"]["stats"]["traditional"]["converted_documents"] == 1
    table = contrast.contrast(run, "year", ["1954", "2024"]).table
    traditional = [t for t in table["term"] if traditional_share(t)[1]]
    assert not traditional, traditional[:10]
    assert table.set_index("term").loc["工业", "count_a"] > 0  # 工業 in the 1954 text
