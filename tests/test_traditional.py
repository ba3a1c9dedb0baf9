"""Documents written in Traditional characters: detected, converted for tokenizing by default,
said so in the log and the manifest; --keep-traditional and --to-simplified as before."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from workbench.text import preprocess
from workbench.text.tokenize import is_traditional, simplify_traditional, traditional_share

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "examples" / "gov-reports" / "gov_work_reports_national.jsonl"
SEEDS = ROOT / "seeds"


def _reports() -> dict[str, str]:
    out = {}
    for line in REPORTS.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["doc_type"] == "government_work_report":
            out[record["date"]] = record["text"]
    return out


def test_the_1954_report_is_traditional_and_the_seeds_are_not():
    reports = _reports()
    han, trad = traditional_share(reports["1954"])
    assert trad > 6000 and 0.25 < trad / han < 0.4  # 國, 業, 們, 這 ...
    assert is_traditional(reports["1954"]) and is_traditional(reports["1957"])  # 227 in eleven paragraphs
    assert not is_traditional(reports["1955"])  # six characters in one heading of a long report
    assert not any(is_traditional(reports[y]) for y in ("1978", "2013", "2025"))
    assert not any(is_traditional(p.read_text(encoding="utf-8")) for p in SEEDS.glob("*.txt"))
    # a stray Traditional character in Simplified text is no reason to convert it; 乾 and 於 are Simplified too
    assert traditional_share("引以为鑑，乾隆年间，於是") == (10, 1)
    assert not is_traditional("各地引以为鑑，推进全面从严治党向纵深发展，以案为鑑、以案促改。")
    assert simplify_traditional("國家經濟發展，工業化建設，人民們的生活") == "国家经济发展，工业化建设，人民们的生活"


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> Path:
    """Two seed articles and the 1954 report (Traditional) as one folder of text files."""
    folder = tmp_path_factory.mktemp("mixed")
    for p in sorted(SEEDS.glob("*.txt"))[:2]:
        (folder / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "1954.txt").write_text(_reports()["1954"], encoding="utf-8")
    return folder


def _prepare(folder, tmp_path, **config):
    return preprocess.prepare([folder], preprocess.CorpusConfig(workers=1, **config), no_below=1, no_above=1.0,
                              store_path=tmp_path / "store.sqlite", progress=False)


def test_a_traditional_document_is_converted_by_default_and_the_log_says_so(mixed, tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="workbench"):
        auto = _prepare(mixed, tmp_path)
    terms = list(auto.vocab.terms)
    assert "发展" in terms and "發展" not in terms and "工業" not in terms
    assert not [t for t in terms if traditional_share(t)[1]]
    stats = auto.stats["traditional"]
    assert stats["converted_documents"] == 1 and stats["min_share"] == 0.005
    [doc] = stats["documents"]
    assert doc["traditional_characters"] > 6000
    assert "1 of 3 documents are written in Traditional characters (mixed" in caplog.text
    assert "1954.txt" in caplog.text and "31.2%): converted to Simplified for tokenizing" in caplog.text
    # the stored text, hence the tables, keep the source's characters
    assert any("發展" in d.text for d in auto.documents())
    kept = _prepare(mixed, tmp_path, to_simplified=False)
    assert {"发展", "發展"} <= set(kept.vocab.terms) and "traditional" not in kept.stats
    freq = dict(zip(auto.vocab.terms, auto.vocab.corpus_freq))
    kept_freq = dict(zip(kept.vocab.terms, kept.vocab.corpus_freq))
    # one term, counted in all three documents (segmenting Simplified text finds one more)
    assert freq["发展"] >= kept_freq["发展"] + kept_freq["發展"] > kept_freq["发展"] + 50
    every = _prepare(mixed, tmp_path, to_simplified=True)  # the old opt-in converts every document
    assert list(every.vocab.terms) == terms and every.tokenizer_config.to_simplified is True
    with pytest.raises(ValueError, match="to_simplified is True, False or 'auto'"):
        preprocess.CorpusConfig(to_simplified="yes")


def test_the_manifest_and_the_command_line(mixed, tmp_path, capsys):
    from workbench.cli import main

    env_store = tmp_path / "store.sqlite"
    common = ["train", str(mixed), "--topics", "3", "--iterations", "50", "--quiet", "--out", str(tmp_path / "runs")]
    import os
    os.environ["WORKBENCH_STORE"] = str(env_store)
    try:
        assert main(common) == 0
        run = Path(capsys.readouterr().out.strip().splitlines()[-1])
        manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["config"]["corpus"]["to_simplified"] == "auto"
        assert manifest["corpus"]["stats"]["traditional"]["converted_documents"] == 1
        assert manifest["tokenizer"]["to_simplified"] is False  # the tokenizer itself converts nothing
        assert main([*common, "--keep-traditional"]) == 0
        run = Path(capsys.readouterr().out.strip().splitlines()[-1])
        assert json.loads((run / "manifest.json").read_text(encoding="utf-8"))["config"]["corpus"]["to_simplified"] is False
        with pytest.raises(SystemExit) as exit_:
            main([*common, "--keep-traditional", "--to-simplified"])
        assert exit_.value.code == 2 and "not allowed with argument" in capsys.readouterr().err
    finally:
        os.environ.pop("WORKBENCH_STORE")
