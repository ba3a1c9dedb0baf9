"""Tests for workbench.outputs.export: csv/xlsx/parquet/dta round trips, formula safety, aggregation."""

from __future__ import annotations

import hashlib
import re
import warnings

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from workbench.files import neutralize_formulas
from workbench.outputs.export import FORMATS, aggregate_to_articles, apply_labels, export_table, stata_names

LABELS = {0: "脱贫攻坚", 1: "网格化治理", 2: "纪检监察"}

LONG_TEXT = (
    "坚决打赢脱贫攻坚战，是以习近平同志为核心的党中央作出的重大决策部署。"
    "各级纪检监察机关把监督保障脱贫攻坚作为重要政治任务，社区网格员走村入户，摸清底数。"
) * 50  # about 4,000 characters, 12,000 UTF-8 bytes: over Stata's 2,045-byte str limit

ARTICLES = [
    ("坚决打赢脱贫攻坚战", "新华社", ["脱贫攻坚是全面建成小康社会的底线任务。", "=HYPERLINK(\"http://example.com\",\"点击查看\")"]),
    ("网格员守护社区", "@人民日报", ["社区网格员每天入户走访，收集群众诉求。", "+86 热线：网格员随叫随到。", "-网格化管理全覆盖"]),
    ("纪检监察在行动", "中央纪委国家监委网站", [LONG_TEXT]),
]
SHARES = [
    [0.90, 0.05, 0.05],
    [0.30, 0.60, 0.10],
    [0.10, 0.85, 0.05],
    [0.20, 0.70, 0.10],
    [0.15, 0.80, 0.05],
    [0.05, 0.05, 0.90],
]
N_TOKENS = [12, 4, 10, 6, 4, 1500]
CLICKS = [1024, -1, 300, 25, 7, 88]  # -1: "unknown", must stay a number


def _doc_topics() -> pd.DataFrame:
    rows, i = [], 0
    for record, (title, source, units) in enumerate(ARTICLES):
        doc_id = hashlib.sha256("".join(units).encode("utf-8")).hexdigest()[:16]
        for j, unit in enumerate(units):
            shares = SHARES[i]
            rows.append(
                {
                    "doc_id": doc_id,
                    "unit_id": f"{doc_id}-p{j:03d}",
                    "source_file": "people_2020.csv",
                    "record": record,
                    "title": title,
                    "date": f"2020-0{record + 1}-15",
                    "source": source,
                    "点击量": CLICKS[i],
                    "text": unit,
                    "n_tokens": N_TOKENS[i],
                    "dominant_topic": int(np.argmax(shares)),
                    **{f"topic_{k}": s for k, s in enumerate(shares)},
                }
            )
            i += 1
    return pd.DataFrame(rows)


def _topic_cols(frame):
    return [c for c in frame.columns if re.fullmatch(r"topic_\d+", str(c))]


def _assert_round_trip(original: pd.DataFrame, back: pd.DataFrame, *, neutralized: bool):
    assert back["doc_id"].tolist() == original["doc_id"].tolist()
    assert back["unit_id"].tolist() == original["unit_id"].tolist()
    expected_text = original["text"].tolist()
    if neutralized:
        expected_text = ["'" + t if t[0] in "=+-@\t\r" else t for t in expected_text]
    assert back["text"].tolist() == expected_text
    cols = _topic_cols(original)
    np.testing.assert_allclose(back[cols].to_numpy(float), original[cols].to_numpy(float), rtol=0, atol=1e-9)


# ---------------------------------------------------------------------------
# formula neutralisation


def test_neutralize_formulas_only_touches_text_columns():
    frame = _doc_topics()
    safe = neutralize_formulas(frame)
    assert safe.loc[1, "text"].startswith("'=HYPERLINK(")
    assert safe.loc[3, "text"] == "'+86 热线：网格员随叫随到。"
    assert safe.loc[4, "text"] == "'-网格化管理全覆盖"
    assert safe.loc[2, "source"] == "'@人民日报"
    assert safe.loc[0, "text"] == frame.loc[0, "text"]
    assert safe["点击量"].tolist() == CLICKS  # numbers untouched
    assert pd.api.types.is_integer_dtype(safe["点击量"])
    assert frame.loc[1, "text"].startswith("=")  # input not modified


# ---------------------------------------------------------------------------
# every format


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_writes_atomically_and_returns_path(tmp_path, fmt):
    path = export_table(_doc_topics(), tmp_path / f"doc_topics.{fmt}", fmt)
    assert path == tmp_path / f"doc_topics.{fmt}"
    assert path.stat().st_size > 0
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_export_rejects_unknown_format(tmp_path):
    with pytest.raises(ValueError, match="csv"):
        export_table(_doc_topics(), tmp_path / "x.sav", "sav")


def test_csv_round_trip_bom_and_formula_safety(tmp_path):
    frame = _doc_topics()
    path = export_table(frame, tmp_path / "doc_topics.csv", "csv", labels=LABELS)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    body = raw.decode("utf-8-sig")
    assert "脱贫攻坚" in body
    assert '"\'=HYPERLINK(' in body
    assert ",-1," in body and ",'-1," not in body
    back = pd.read_csv(path, encoding="utf-8-sig", dtype={"doc_id": str, "unit_id": str, "text": str})
    _assert_round_trip(frame, back, neutralized=True)
    assert back["点击量"].tolist() == CLICKS
    assert back["dominant_label"].tolist() == ["0 脱贫攻坚", "1 网格化治理", "1 网格化治理", "1 网格化治理", "1 网格化治理", "2 纪检监察"]
    assert list(back.columns).index("dominant_label") == list(back.columns).index("dominant_topic") + 1
    assert _topic_cols(back) == ["topic_0", "topic_1", "topic_2"]


def test_xlsx_round_trip_has_no_formula_cells(tmp_path):
    frame = _doc_topics()
    path = export_table(frame, tmp_path / "doc_topics.xlsx", "xlsx", labels=LABELS)
    book = openpyxl.load_workbook(path)
    sheet = book["doc_topics"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    header = [c.value for c in sheet[1]]
    col = {name: i for i, name in enumerate(header)}
    rows = list(sheet.iter_rows(min_row=2))
    link = rows[1][col["text"]]
    # The guard of xlsx is the cell type: a string cell is never run, so the text stays exact.
    assert link.data_type == "s" and link.value.startswith("=HYPERLINK(")
    minus_one = rows[1][col["点击量"]]
    assert minus_one.data_type == "n" and minus_one.value == -1
    assert rows[5][col["text"]].value == LONG_TEXT
    back = pd.read_excel(path, dtype={"doc_id": str, "unit_id": str})
    _assert_round_trip(frame, back, neutralized=False)


def test_xlsx_keeps_error_like_text_as_text_and_drops_control_characters(tmp_path):
    frame = _doc_topics()
    frame.loc[0, "title"] = "#N/A"
    frame.loc[2, "title"] = "网格员\x07守护社区"
    path = export_table(frame, tmp_path / "t.xlsx", "xlsx")
    sheet = openpyxl.load_workbook(path)["doc_topics"]
    titles = [row[4] for row in sheet.iter_rows(min_row=2)]
    assert titles[0].data_type == "s" and titles[0].value == "#N/A"
    assert titles[2].value == "网格员守护社区"


def test_xlsx_cuts_text_over_excel_cell_limit_with_warning(tmp_path):
    frame = _doc_topics().head(1)
    frame.loc[0, "text"] = "脱" * 40_000
    with pytest.warns(UserWarning, match="32767"):
        path = export_table(frame, tmp_path / "t.xlsx", "xlsx")
    sheet = openpyxl.load_workbook(path)["doc_topics"]
    assert len(sheet.cell(row=2, column=9).value) == 32_767


def test_parquet_round_trip_is_exact(tmp_path):
    frame = _doc_topics()
    path = export_table(frame, tmp_path / "doc_topics.parquet", "parquet")
    back = pd.read_parquet(path)
    _assert_round_trip(frame, back, neutralized=False)
    assert back["点击量"].tolist() == CLICKS
    # date is a real date here (date32); every other column as it went in.
    assert [d.isoformat() for d in back["date"]] == frame["date"].tolist()
    pd.testing.assert_frame_equal(back.drop(columns="date"), frame.drop(columns="date"), check_dtype=False)


def test_dta_round_trip_names_and_labels(tmp_path):
    frame = _doc_topics()
    path = export_table(frame, tmp_path / "doc_topics.dta", "dta", labels=LABELS, source="runs/20261122-081500-3fa2c1d0")
    back = pd.read_stata(path)
    _assert_round_trip(frame, back, neutralized=False)
    assert back["text"].iloc[-1] == LONG_TEXT and len(LONG_TEXT.encode("utf-8")) > 2045
    assert back["title"].tolist() == frame["title"].tolist()
    with pd.io.stata.StataReader(path) as reader:
        variable_labels = reader.variable_labels()
        data_label = reader.data_label
    assert variable_labels["topic_0"] == "topic_0 脱贫攻坚"
    assert variable_labels["topic_2"] == "topic_2 纪检监察"
    assert variable_labels["doc_id"] == "doc_id"
    # A Chinese column name is a Stata name (Stata 14+): kept as it is.
    assert back["点击量"].tolist() == CLICKS
    assert "20261122-081500-3fa2c1d0" in data_label
    assert back["dominant_label"].tolist()[0] == "0 脱贫攻坚"


def test_dta_without_labels_and_with_missing_text(tmp_path):
    frame = _doc_topics()
    frame["author"] = pd.Series(["张三", None, "李四", None, None, "王五"], dtype="str")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no InvalidColumnName or other pandas warnings
        path = export_table(frame, tmp_path / "d.dta", "dta")
    back = pd.read_stata(path)
    assert back["author"].tolist() == ["张三", "", "李四", "", "", "王五"]
    with pd.io.stata.StataReader(path) as reader:
        assert reader.variable_labels()["topic_1"] == "topic_1"


def test_stata_names_are_valid_unique_and_stable():
    columns = ["topic_0", "地区", "2020年", "if", "a b", "a_b", "x" * 40, "x" * 40 + "y", "str5", "_n", "doc_id",
               "省/市", "（）", "区" * 40]
    names = stata_names(columns)
    assert list(names) == columns
    values = list(names.values())
    assert len(set(values)) == len(values)
    for name in values:
        # Stata 14+: a letter (any script) or _, then letters, ASCII digits and _, 32 characters at most
        assert len(name) <= 32 and (name[0] == "_" or name[0].isalpha()), name
        assert all(c == "_" or c.isalpha() or c in "0123456789" for c in name), name
        assert name not in {"if", "str5", "_n"}
    assert names["topic_0"] == "topic_0" and names["doc_id"] == "doc_id"
    assert names["地区"] == "地区"  # Chinese names are Stata names since Stata 14
    assert names["2020年"] == "v2020年"
    assert names["省/市"] == "省_市"
    assert names["（）"] == "v12"  # punctuation only: a positional name
    assert names["区" * 40] == "区" * 32


# ---------------------------------------------------------------------------
# labels and aggregation


def test_apply_labels_adds_column_after_dominant_topic():
    frame = _doc_topics()
    labelled = apply_labels(frame, {0: "脱贫攻坚"})
    cols = list(labelled.columns)
    assert cols[cols.index("dominant_topic") + 1] == "dominant_label"
    assert labelled["dominant_label"].tolist() == ["0 脱贫攻坚", "1", "1", "1", "1", "2"]
    assert _topic_cols(labelled) == ["topic_0", "topic_1", "topic_2"]
    no_dominant = apply_labels(frame.drop(columns="dominant_topic"), LABELS)
    assert no_dominant["dominant_topic"].tolist() == frame["dominant_topic"].tolist()


def test_aggregate_to_articles_token_weighted():
    frame = _doc_topics()
    articles = aggregate_to_articles(frame)
    assert articles["doc_id"].tolist() == list(dict.fromkeys(frame["doc_id"]))
    assert articles["n_units"].tolist() == [2, 3, 1]
    assert articles["n_tokens"].tolist() == [16, 20, 1500]
    # Article 0: (12 * [0.9, .05, .05] + 4 * [0.3, 0.6, 0.1]) / 16
    np.testing.assert_allclose(articles.loc[0, ["topic_0", "topic_1", "topic_2"]].to_numpy(float), [0.75, 0.1875, 0.0625])
    np.testing.assert_allclose(articles[_topic_cols(articles)].sum(axis=1), 1.0, atol=1e-12)
    assert articles["dominant_topic"].tolist() == [0, 1, 2]
    # Constant within an article: kept; varying (unit_id, text, 点击量): dropped.
    assert {"title", "date", "source", "source_file", "record"} <= set(articles.columns)
    assert not {"unit_id", "text", "点击量"} & set(articles.columns)
    assert articles["title"].tolist() == [a[0] for a in ARTICLES]


def test_aggregate_to_articles_equal_weights_without_n_tokens():
    frame = _doc_topics().drop(columns="n_tokens")
    articles = aggregate_to_articles(frame)
    np.testing.assert_allclose(articles.loc[0, ["topic_0", "topic_1", "topic_2"]].to_numpy(float), [0.6, 0.325, 0.075])
    np.testing.assert_allclose(aggregate_to_articles(_doc_topics(), weight=None).loc[0, "topic_0"], 0.6)
    with pytest.raises(KeyError):
        aggregate_to_articles(frame, weight="字数")


def test_aggregate_dominant_topic_recomputed_not_copied():
    frame = _doc_topics()
    frame["n_tokens"] = [1, 100, 10, 6, 4, 1500]  # the 0.3/0.6 unit now dominates article 0
    articles = aggregate_to_articles(frame)
    assert articles.loc[0, "dominant_topic"] == 1


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    n_units=st.integers(min_value=1, max_value=12),
    n_topics=st.integers(min_value=1, max_value=5),
)
def test_aggregate_rows_sum_to_one_and_stay_within_unit_range(data, n_units, n_topics):
    raw = data.draw(hnp.arrays(np.float64, (n_units, n_topics), elements=st.floats(0.001, 1.0)))
    theta = raw / raw.sum(axis=1, keepdims=True)
    docs = data.draw(st.lists(st.sampled_from(["甲", "乙", "丙"]), min_size=n_units, max_size=n_units))
    tokens = data.draw(st.lists(st.integers(0, 50), min_size=n_units, max_size=n_units))
    frame = pd.DataFrame({"doc_id": docs, "unit_id": [f"u{i}" for i in range(n_units)], "n_tokens": tokens})
    for k in range(n_topics):
        frame[f"topic_{k}"] = theta[:, k]
    articles = aggregate_to_articles(frame)
    shares = articles[_topic_cols(articles)].to_numpy(float)
    np.testing.assert_allclose(shares.sum(axis=1), 1.0, atol=1e-12)
    for row, doc in zip(shares, articles["doc_id"]):
        units = theta[np.array(docs) == doc]
        # A weighted mean lies between its units' smallest and largest share.
        assert np.all(row >= units.min(axis=0) - 1e-12) and np.all(row <= units.max(axis=0) + 1e-12)
    assert articles["n_units"].sum() == n_units
    assert articles["n_tokens"].sum() == sum(tokens)


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(
    texts=st.lists(
        st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=30),
        min_size=1,
        max_size=5,
    )
)
def test_parquet_and_dta_keep_any_text(tmp_path_factory, texts):
    folder = tmp_path_factory.mktemp("prop")
    frame = pd.DataFrame(
        {"doc_id": [f"{i:016x}" for i in range(len(texts))], "unit_id": [f"{i:016x}-p000" for i in range(len(texts))],
         "text": texts, "topic_0": 0.25, "topic_1": 0.75}
    )
    back_parquet = pd.read_parquet(export_table(frame, folder / "p.parquet", "parquet"))
    back_dta = pd.read_stata(export_table(frame, folder / "p.dta", "dta"))
    assert back_parquet["text"].tolist() == texts
    assert back_dta["text"].tolist() == texts
