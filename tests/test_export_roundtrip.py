"""Round trips from a source file through a run folder to every export format, read back with
pandas, pyreadstat, R's haven and LibreOffice where installed: each value as the source said it.

The source is a news-database style CSV with Chinese headers (标题, 正文, 发布时间, 作者, 报纸名称,
版面, 地区), a zero-padded code column, a 49-character column name, a text over Excel's 32,767
character cell limit, formula-like text in the text, the title and a metadata column, and full,
partial, free-text and missing dates."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import warnings
from contextlib import closing
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from workbench import engines, models
from workbench.corpus import store
from workbench.outputs.export import FORMATS, export_run
from workbench.runfolder import load_run, write_labels
from workbench.text import preprocess

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
PARAGRAPHS = [p for f in sorted(SEEDS.glob("*.txt")) for p in f.read_text(encoding="utf-8").split("\n")
              if len(p) > 60 and p.endswith("。")]
LONG_NAME = "受访群众对本社区网格化治理与基层党组织建设工作的总体满意程度评分（一到五分，五分为非常满意）及以上"
assert len(LONG_NAME) == 49


def _long_text() -> str:
    text, i = "", 0
    while len(text) <= 33_000:  # one paragraph over XLSX's 32,767-character cell limit
        text += PARAGRAPHS[i % len(PARAGRAPHS)]
        i += 1
    return text


HEADER = ["标题", "正文", "发布时间", "作者", "报纸名称", "版面", "地区", "区划代码", LONG_NAME, "备注"]
ROWS = [
    ["=1+1 标题0", "=SUM(1,2)" + PARAGRAPHS[0] + "\n" + PARAGRAPHS[1], "2020年5月21日", "殷明", "信阳日报",
     "A01", "河南省信阳市", "041100", "05", "-减少贫困"],
    ["脱贫攻坚在平桥", PARAGRAPHS[2] + "\n" + PARAGRAPHS[3], "2020年5月", "王清明", "=人民日报", "02", "平桥区",
     "000123", "4", "+86 热线"],
    ["-减少贫困", PARAGRAPHS[4] + "\n" + PARAGRAPHS[5], "2019", "", "@新华社", "03", "", "411503", "", "'=已加引号"],
    ["基层治理", _long_text(), "", "韩涛", "信阳日报", "04", "河南省", "041100", "3", ""],
    ["乡村振兴", PARAGRAPHS[6] + "\n" + PARAGRAPHS[7], "春节前后", "", "信阳日报", "", "河南省", "0", "01", "普通备注"],
    ["人才强区", PARAGRAPHS[8] + "\n" + PARAGRAPHS[9], "2021-09-28 09:58", "李四", "", "06", "河南省", "", "2", "#N/A"],
]
# What ingest makes of each source column: the recognised ones renamed, dates normalised.
FIELDS = {"标题": "title", "正文": "text", "发布时间": "date", "作者": "author", "报纸名称": "source"}
DATES = ["2020-05-21", "2020年5月", "2019", None, "春节前后", "2021-09-28"]
PARSED = [pd.Timestamp(2020, 5, 21), pd.Timestamp(2020, 5, 1), pd.Timestamp(2019, 1, 1), None, None,
          pd.Timestamp(2021, 9, 28)]
LABELS = {0: "脱贫攻坚", 1: "基层治理"}


def _expected(column: str) -> list:
    """The source's values of one column as the run's tables hold them (None: missing)."""
    name = FIELDS.get(column, column)
    if name == "date":
        return DATES
    values = [row[HEADER.index(column)] for row in ROWS]
    return [v if v != "" else None for v in values]


META = [c for c in HEADER if c != "正文"]


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("roundtrip")
    source = folder / "新闻.csv"
    with open(source, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *ROWS])
    path = engines.train([source], corpus_config=preprocess.CorpusConfig(unit="article", min_tokens=5),
                         model_config=models.ModelConfig(num_topics=2, iterations=50, no_below=1, no_above=1.0),
                         out_dir=folder / "runs", store_path=folder / "store.sqlite", progress=False)
    write_labels(path, LABELS)
    return path


@pytest.fixture(scope="module")
def exports(run, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("exports")
    loaded = load_run(run)
    out = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for fmt in FORMATS:
            out[fmt] = export_run(loaded, fmt, path=folder / f"doc_topics.{fmt}")
    assert [str(w.message) for w in caught if "32767" in str(w.message)]  # the xlsx cut is announced
    return out


def _by_source_order(frame: pd.DataFrame, titles) -> pd.DataFrame:
    """Rows in the source's order (the run keeps it; this makes the assertion independent of it)."""
    order = {t: i for i, t in enumerate(titles)}
    return frame.iloc[np.argsort([order[t] for t in titles])].reset_index(drop=True)


def _plain(values) -> list:
    return [None if v is None or (not isinstance(v, str) and pd.isna(v)) else v for v in values]


def test_ingest_says_which_column_was_taken_for_which(run, tmp_path):
    source = run.parent.parent / "新闻.csv"
    with closing(store.connect(tmp_path / "s.sqlite")) as conn:
        report = store.ingest(conn, [source], "新闻")
    summary = report.summary()
    for column, field in FIELDS.items():
        assert f"{column} -> {field}" in summary
    assert "版面 ->" not in summary and "地区 ->" not in summary


def test_run_tables_keep_the_source_values_exactly(run):
    loaded = load_run(run)
    table = loaded.doc_topics
    assert len(table) == len(ROWS)
    assert table["title"].tolist() == _expected("标题")  # "=1+1 标题0": no guard in memory
    for column in META:
        name = FIELDS.get(column, column)
        assert _plain(table[name]) == _expected(column), column
    assert table["text"].iloc[0].startswith("=SUM(1,2)")
    assert len(table["text"].iloc[3]) > 32_767
    assert table["区划代码"].tolist()[:3] == ["041100", "000123", "411503"]
    assert loaded.headers == {"text": "正文", "title": "标题", "date": "发布时间", "author": "作者", "source": "报纸名称"}
    # The run's own CSV keeps the spreadsheet guard (it opens in Excel).
    raw = (run / "doc_topics.csv").read_text(encoding="utf-8-sig")
    assert "'=1+1 标题0" in raw and "''=已加引号" in raw


def test_csv_export_guards_formulas_and_keeps_zeros(run, exports):
    back = pd.read_csv(exports["csv"], encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert back["title"].tolist()[0] == "'=1+1 标题0"
    assert back["text"].iloc[0].startswith("'=SUM(1,2)")
    assert back["备注"].tolist()[:3] == ["'-减少贫困", "'+86 热线", "''=已加引号"]
    assert back["区划代码"].tolist() == [v or "" for v in _expected("区划代码")]
    assert back[LONG_NAME].tolist() == [v or "" for v in _expected(LONG_NAME)]
    assert len(back["text"].iloc[3]) > 32_767


def test_xlsx_export_is_exact_text_in_string_cells(run, exports):
    book = openpyxl.load_workbook(exports["xlsx"])
    sheet = book["doc_topics"]
    header = [c.value for c in sheet[1]]
    assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    rows = list(sheet.iter_rows(min_row=2))
    title = rows[0][header.index("title")]
    assert title.data_type == "s" and title.value == "=1+1 标题0"
    assert sheet[1][header.index("title")].comment.text == "标题"
    back = pd.read_excel(exports["xlsx"], dtype=str, keep_default_na=False)  # "#N/A" is text here
    for column in META:
        assert [v or None for v in back[FIELDS.get(column, column)]] == _expected(column), column
    # Excel's cell limit: the long text is cut at 32,767 characters (announced); other formats keep it.
    full = load_run(run).doc_topics["text"].iloc[3]
    assert back["text"].iloc[3] == full[:32_767]
    codebook = pd.read_excel(exports["xlsx"], sheet_name="columns", dtype=str, keep_default_na=False)
    labels = dict(zip(codebook["column"], codebook["label"]))
    assert labels["title"] == "标题" and labels["date"] == "发布时间" and labels["topic_0"] == "topic_0 脱贫攻坚"


def test_parquet_export_keeps_text_types_and_dates(run, exports):
    import pyarrow.parquet as pq

    back = pd.read_parquet(exports["parquet"])
    for column in META:
        name = FIELDS.get(column, column)
        if name != "date":
            assert _plain(back[name]) == _expected(column), column
    assert back["text"].iloc[0].startswith("=SUM(1,2)")
    assert back["text"].tolist() == load_run(run).doc_topics["text"].tolist()
    schema = pq.read_schema(exports["parquet"])
    assert str(schema.field("date").type) == "date32[day]"
    assert _plain(pd.to_datetime(back["date"])) == PARSED
    assert _plain(back["date_text"]) == DATES
    assert schema.field("title").metadata == {b"label": "标题".encode()}


def test_dta_export_read_by_pandas_and_pyreadstat(run, exports):
    pyreadstat = pytest.importorskip("pyreadstat")
    data, meta = pyreadstat.read_dta(str(exports["dta"]))
    labels = meta.column_names_to_labels
    by_label = {label: name for name, label in labels.items()}
    assert labels["title"] == "标题" and labels["date"] == "发布时间"
    for column in ("区划代码", LONG_NAME, "版面", "地区", "备注"):
        name = by_label[column]
        assert len(name) <= 32
        assert [v if v != "" else None for v in data[name]] == _expected(column), column
    assert data["title"].tolist()[0] == "=1+1 标题0"
    assert data["text"].tolist() == load_run(run).doc_topics["text"].tolist()  # strL: no length limit
    assert meta.original_variable_types["date"] == "%td"
    assert [None if pd.isna(d) else pd.Timestamp(d) for d in data["date"]] == PARSED
    assert [v or None for v in data["date_text"]] == DATES
    assert meta.variable_value_labels["dominant_topic"] == {0: "脱贫攻坚", 1: "基层治理"}
    assert labels["topic_0"] == "topic_0 脱贫攻坚"
    assert run.name in meta.file_label
    back = pd.read_stata(exports["dta"], convert_categoricals=False)
    assert back["区划代码" if "区划代码" in back else by_label["区划代码"]].tolist()[:3] == ["041100", "000123", "411503"]


def test_dta_read_by_r_haven(run, exports, tmp_path):
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript is not installed (Debian: r-base-core r-cran-haven; .ci/run installs them)")
    if subprocess.run(["Rscript", "-e", "library(haven)"], capture_output=True).returncode != 0:
        pytest.skip("R's haven is not installed (Debian: r-cran-haven)")
    out = tmp_path / "haven.tsv"
    script = f"""
    library(haven)
    d <- read_dta({json.dumps(str(exports["dta"]))})
    lab <- function(x) {{ l <- attr(x, "label"); if (is.null(l)) "" else l }}
    code <- names(d)[sapply(d, lab) == "区划代码"]
    vl <- attr(d$dominant_topic, "labels")
    res <- list(code = as.character(d[[code]]), title = as.character(d$title),
                date = format(d$date, "%Y-%m-%d"), date_class = class(d$date), title_label = lab(d$title),
                value_labels = names(vl)[order(vl)], long = nchar(d$text[4]))
    lines <- sapply(names(res), function(k) paste(c(k, ifelse(is.na(res[[k]]), "NA", res[[k]])), collapse = "\\t"))
    writeLines(enc2utf8(lines), {json.dumps(str(out))}, useBytes = TRUE)
    """
    subprocess.run(["Rscript", "-e", script], check=True, capture_output=True)
    res = {line.split("\t")[0]: line.split("\t")[1:] for line in out.read_text(encoding="utf-8").splitlines()}
    assert res["code"] == [v or "" for v in _expected("区划代码")]  # Stata's missing string is ""
    assert res["title"][0] == "=1+1 标题0"
    assert res["date_class"] == ["Date"]
    assert res["date"] == [d.strftime("%Y-%m-%d") if d is not None else "NA" for d in PARSED]
    assert res["title_label"] == ["标题"]
    assert res["value_labels"] == ["脱贫攻坚", "基层治理"]
    assert res["long"] == [str(len(load_run(run).doc_topics["text"].iloc[3]))]


def test_xlsx_read_by_libreoffice(run, exports, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (Debian: libreoffice-calc-nogui; .ci/run installs it)")
    # Filter options: comma, double quote, UTF-8 (76), first line 1; the whole sheet as text.
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                    "--convert-to", 'csv:Text - txt - csv (StarCalc):44,34,76,1', "--outdir", str(tmp_path),
                    str(exports["xlsx"])], check=True, capture_output=True, timeout=300)
    back = pd.read_csv(tmp_path / "doc_topics.csv", encoding="utf-8", dtype=str, keep_default_na=False)
    assert back["title"].tolist() == [v or "" for v in _expected("标题")]  # no formula ran
    assert back["区划代码"].tolist() == [v or "" for v in _expected("区划代码")]  # zeros kept
    assert back[LONG_NAME].tolist() == [v or "" for v in _expected(LONG_NAME)]
    assert back["备注"].tolist() == [v or "" for v in _expected("备注")]
    np.testing.assert_allclose(back["topic_0"].astype(float), load_run(run).doc_topics["topic_0"], atol=1e-9)


def test_typed_sources_stay_typed_and_text_stays_text(tmp_path):
    """A JSON number is a number in every typed format (an integer with gaps too); a JSON string
    of digits stays text with its zeros."""
    records = [{"content": PARAGRAPHS[i] + "\n" + PARAGRAPHS[i + 1], "headline": f"标题{i}", "clicks": c,
                "code": code, "share": share}
               for i, c, code, share in ((0, 1024, "007", 0.125), (2, -1, "010", 2.5), (4, None, "0", None))]
    source = tmp_path / "records.jsonl"
    source.write_text("".join(json.dumps({k: v for k, v in r.items() if v is not None}, ensure_ascii=False) + "\n"
                              for r in records), encoding="utf-8")
    path = engines.train([source], corpus_config=preprocess.CorpusConfig(unit="article", min_tokens=5),
                         model_config=models.ModelConfig(num_topics=2, iterations=20, no_below=1, no_above=1.0),
                         out_dir=tmp_path / "runs", store_path=tmp_path / "s.sqlite", progress=False)
    loaded = load_run(path)
    table = loaded.doc_topics
    assert str(table["clicks"].dtype) == "Int64" and _plain(table["clicks"]) == [1024, -1, None]
    assert table["code"].tolist() == ["007", "010", "0"]
    assert table["title"].tolist() == ["标题0", "标题2", "标题4"] and loaded.headers["title"] == "headline"
    assert _plain(table["share"]) == [0.125, 2.5, None]
    back = pd.read_parquet(export_run(loaded, "parquet", path=tmp_path / "t.parquet"))
    assert str(back["clicks"].dtype) == "Int64" and _plain(back["clicks"]) == [1024, -1, None]
    assert back["code"].tolist() == ["007", "010", "0"]
    dta = pd.read_stata(export_run(loaded, "dta", path=tmp_path / "t.dta"))
    assert _plain(dta["clicks"]) == [1024, -1, None] and dta["code"].tolist() == ["007", "010", "0"]
    csv_back = pd.read_csv(export_run(loaded, "csv", path=tmp_path / "t.csv"), encoding="utf-8-sig")
    assert csv_back["clicks"].tolist()[:2] == [1024, -1]  # a number, never guarded


def test_run_made_before_types_were_recorded_reads_text_as_text(run, tmp_path):
    old = tmp_path / run.name
    shutil.copytree(run, old)
    (old / "doc_topics.columns.json").unlink()
    table = load_run(old).doc_topics
    assert table["区划代码"].tolist()[:3] == ["041100", "000123", "411503"]  # nothing guessed into a number
    assert table["title"].iloc[0] == "=1+1 标题0"  # the guard is undone
    assert table["n_tokens"].dtype == np.int64 and table["topic_0"].dtype == np.float64
