"""Tests for workbench.outputs.charts: every chart renders Chinese with the bundled Noto Sans CJK SC font.

"Renders Chinese" is checked the way matplotlib reports failure: a ``Glyph ... missing from
font(s)`` warning when a character has no glyph (it is then drawn as a box) and ``findfont``
log messages when a family is not found.  A negative control proves the check can fail.
"""

from __future__ import annotations

import contextlib
import io
import logging
import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from fontTools.ttLib import TTFont
from matplotlib.figure import Figure
from PIL import Image

from workbench.analysis.effects import add_year, prevalence_by
from workbench.outputs import charts

LABELS = {"0": "脱贫攻坚", "1": "网格化治理", "2": "纪检监察", "3": "理论学习中心组专题学习新时代中国特色社会主义思想"}
TITLES = [
    "习近平在湖南考察时强调 坚持精准扶贫 打赢脱贫攻坚战",
    "以网格化治理推动基层社会治理现代化",
    "中央纪委国家监委通报第一季度全国纪检监察机关监督检查审查调查情况",
    "深入学习贯彻党的二十大精神",
]
COMPLAINTS = ("missing from font", "glyph", "findfont")


@pytest.fixture(scope="module")
def doc_topics() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for d, title in enumerate(TITLES * 3):
        doc_id = f"{d:016x}"
        for p in range(3):
            theta = rng.dirichlet(np.full(4, 0.6))
            rows.append(
                {
                    "doc_id": doc_id,
                    "unit_id": f"{doc_id}-p{p:03d}",
                    "title": title,
                    "date": f"{2018 + d % 4}年05月21日",
                    "source": ["人民日报", "新华社", "求是"][d % 3],
                    "n_tokens": int(rng.integers(20, 200)),
                    **{f"topic_{k}": theta[k] for k in range(4)},
                }
            )
    return pd.DataFrame(rows)


TERMS = {
    0: [("脱贫", 0.05), ("扶贫", 0.04), ("贫困户", 0.03), ("精准", 0.02)],
    1: [("网格", 0.06), ("社区", 0.04), ("网格员", 0.03)],
    2: [("纪检", 0.05), ("监察", 0.045), ("问责", 0.02), ("违纪违法", 0.01)],
    3: [("学习", 0.05), ("思想", 0.03), ("理论", 0.02)],
}


@contextlib.contextmanager
def no_font_complaints():
    """Fail if matplotlib warns about missing glyphs or logs findfont problems inside the block."""
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Collect(level=logging.INFO)
    logger = logging.getLogger("matplotlib")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)  # findfont fallbacks are WARNING, "not found" INFO in some versions
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    messages = [str(w.message) for w in caught] + [r.getMessage() for r in records]
    bad = [m for m in messages if any(c in m.lower() for c in COMPLAINTS)]
    assert not bad, bad


def assert_png(path: Path, min_bytes: int = 8_000) -> None:
    assert path.is_file() and path.stat().st_size > min_bytes
    with Image.open(path) as im:
        assert im.format == "PNG"
        assert im.width > 300 and im.height > 200
        # Not a blank canvas.
        assert len(set(np.asarray(im.convert("L")).ravel().tolist())) > 10


# ----------------------------------------------------------------------------------------- font


def test_font_is_noto_from_mplfonts_and_registered():
    font = charts.cjk_font()
    assert font.path.name == "NotoSansCJKsc-Regular.otf"
    assert font.path.parent.name == "fonts" and font.path.parent.parent.name == "mplfonts"
    assert font.family == "Noto Sans CJK SC"
    assert "simhei" not in str(font.path).lower()
    def registered():
        return [f for f in mpl.font_manager.fontManager.ttflist if Path(f.fname) == font.path]

    # matplotlib 3.11 lists one file under each of its family names; repeat calls add nothing.
    first = len(registered())
    assert first >= 1
    assert charts.cjk_font() is font  # cached: repeat calls are free
    assert len(registered()) == first
    assert mpl.font_manager.findfont(font.properties) == str(font.path)


def test_font_cmap_covers_the_chinese_we_draw():
    font = TTFont(charts.cjk_font().path, lazy=True)
    cmap = font.getBestCmap()
    text = "脱贫攻坚网格纪检监察" + "".join(LABELS.values()) + "".join(TITLES) + "主题占比文档分布一致性困惑度（）：，…"
    missing = [ch for ch in text if not ch.isspace() and ord(ch) not in cmap]
    assert not missing, missing


@pytest.mark.slow
def test_import_and_plotting_leave_global_rcparams_alone(doc_topics, tmp_path):
    code = (
        "import matplotlib as mpl; before = {k: mpl.rcParams[k] for k in ('font.family', 'font.sans-serif', "
        "'axes.unicode_minus')}; import workbench.outputs.charts; "
        "after = {k: mpl.rcParams[k] for k in before}; assert before == after, (before, after)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[1])
    before = (list(mpl.rcParams["font.family"]), mpl.rcParams["axes.unicode_minus"])
    charts.plot_topic_shares_by_article(doc_topics, LABELS)
    assert (list(mpl.rcParams["font.family"]), mpl.rcParams["axes.unicode_minus"]) == before
    with charts.cjk_style() as font:
        assert mpl.rcParams["font.family"][0] == font.family
        assert mpl.rcParams["axes.unicode_minus"] is False
    assert list(mpl.rcParams["font.family"]) == before[0]


def test_use_cjk_font_sets_globals_on_request():
    with mpl.rc_context():  # undo after the test
        font = charts.use_cjk_font()
        assert mpl.rcParams["font.family"][0] == font.family
        assert mpl.rcParams["font.sans-serif"][0] == font.family
        assert mpl.rcParams["axes.unicode_minus"] is False


def test_negative_control_default_font_complains():
    # Proves no_font_complaints can fail: DejaVu Sans has no Chinese glyphs.
    fig = Figure()
    fig.subplots().set_title("脱贫攻坚", family="DejaVu Sans")
    with pytest.raises(AssertionError, match="missing from font"):
        with no_font_complaints():
            fig.savefig(io.BytesIO(), format="png")


def test_truncate_counts_chinese_as_double_width():
    assert charts.truncate("脱贫攻坚", 8) == "脱贫攻坚"
    short = charts.truncate("中央纪委国家监委通报第一季度", 10)
    assert short.endswith("…") and len(short) <= 6
    assert charts.truncate("abc  def\n", 20) == "abc def"
    assert charts.topic_name(3, LABELS, 10).startswith("3 理论学习") and charts.topic_name(9, LABELS) == "9"


# ---------------------------------------------------------------------------------------- plots


def test_doc_topic_heatmap(doc_topics, tmp_path):
    path = tmp_path / "heatmap.png"
    with no_font_complaints():
        fig = charts.plot_doc_topic_heatmap(doc_topics, LABELS, path=path)
    assert_png(path)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()][:3] == ["0 脱贫攻坚", "1 网格化治理", "2 纪检监察"]
    assert any(t.get_text().startswith("习近平在湖南") for t in ax.get_yticklabels())


def test_doc_topic_heatmap_limits_rows_and_article_level(doc_topics, tmp_path):
    with no_font_complaints():
        fig = charts.plot_doc_topic_heatmap(doc_topics, LABELS, max_rows=10)
        assert len(fig.axes[0].get_yticklabels()) == 10
        assert "10 / 36" in fig.axes[0].get_title()
        art = charts.plot_doc_topic_heatmap(doc_topics, LABELS, level="article", path=tmp_path / "a.png")
    assert len(art.axes[0].get_yticklabels()) == doc_topics["doc_id"].nunique()
    assert_png(tmp_path / "a.png")


def test_topic_shares_by_article(doc_topics, tmp_path):
    path = tmp_path / "shares.png"
    with no_font_complaints():
        fig = charts.plot_topic_shares_by_article(doc_topics, LABELS, path=path)
    assert_png(path)
    ax = fig.axes[0]
    first = ax.get_yticklabels()[0].get_text()
    assert first == charts.truncate(TITLES[0], 30) and first.startswith("习近平") and first.endswith("…")
    # Stacked token-weighted shares of each article reach 1.
    widths = np.array([p.get_width() for p in ax.patches]).reshape(4, -1)
    np.testing.assert_allclose(widths.sum(axis=0), 1.0)


def test_topic_shares_fall_back_to_doc_id_without_titles(doc_topics):
    with no_font_complaints():
        fig = charts.plot_topic_shares_by_article(doc_topics.drop(columns=["title", "n_tokens"]), LABELS)
    assert fig.axes[0].get_yticklabels()[0].get_text() == doc_topics["doc_id"].iloc[0]


def test_top_terms_from_dict_and_from_topics_table(tmp_path):
    path = tmp_path / "terms.png"
    with no_font_complaints():
        fig = charts.plot_top_terms(TERMS, LABELS, path=path)
    assert_png(path)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 4 and visible[0].get_title() == "0 脱贫攻坚"
    assert visible[0].get_yticklabels()[0].get_text() == "脱贫"  # largest weight on top
    table = pd.DataFrame(
        [{"topic": k, "label": LABELS[str(k)], "rank": r, "term": t, "weight": w}
         for k, terms in TERMS.items() for r, (t, w) in enumerate(terms)]
    )
    with no_font_complaints():
        fig2 = charts.plot_top_terms(table, n_terms=3, topics=[2, 1], path=tmp_path / "t2.png")
    assert [ax.get_title() for ax in fig2.axes if ax.get_visible()] == ["2 纪检监察", "1 网格化治理"]
    assert_png(tmp_path / "t2.png", min_bytes=4_000)


def test_prevalence_by_year_and_by_category(doc_topics, tmp_path):
    eff = prevalence_by(add_year(doc_topics), "year", n_boot=200)
    with no_font_complaints():
        fig = charts.plot_prevalence(eff, 0, labels=LABELS, path=tmp_path / "prev.png")
    assert_png(tmp_path / "prev.png")
    assert "脱贫攻坚" in fig.axes[0].get_title()
    assert fig.axes[0].collections  # the confidence band
    by_source = prevalence_by(doc_topics, "source", n_boot=200)
    with no_font_complaints():
        fig2 = charts.plot_prevalence(by_source, [0, 2], labels=LABELS, path=tmp_path / "src.png")
    assert_png(tmp_path / "src.png")
    assert {t.get_text() for t in fig2.axes[0].get_xticklabels()} == {"人民日报", "新华社", "求是"}


def test_sweep_with_seeds_and_missing_columns(tmp_path):
    rng = np.random.default_rng(0)
    sweep = pd.DataFrame(
        [
            {"num_topics": k, "seed": s, "c_npmi": 0.05 + k / 500 + rng.normal(0, 0.01),
             "c_v": 0.4 + rng.normal(0, 0.02), "perplexity": 900 - 10 * k, "diversity": 1 - k / 40,
             "stability": 0.8 - k / 100}
            for k in (5, 10, 15, 20) for s in range(3)
        ]
    )
    with no_font_complaints():
        fig = charts.plot_sweep(sweep, title="学习强国语料", path=tmp_path / "sweep.png")
    assert_png(tmp_path / "sweep.png")
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 5
    assert "3 个种子" in fig.get_suptitle()
    with no_font_complaints():
        fig2 = charts.plot_sweep(sweep[["num_topics", "c_v", "perplexity"]].drop_duplicates("num_topics"))
    assert len([ax for ax in fig2.axes if ax.get_visible()]) == 2
    with pytest.raises(ValueError, match="metric"):
        charts.plot_sweep(sweep[["num_topics"]])


def test_word_cloud_uses_cjk_font_and_is_deterministic(tmp_path):
    freqs = {"脱贫攻坚": 10, "网格化治理": 8, "纪检监察": 7, "乡村振兴": 6, "党建": 5, "基层": 4, "零": 0}
    path = tmp_path / "cloud.png"
    with no_font_complaints():
        im = charts.word_cloud(freqs, path=path, width=400, height=250)
    assert_png(path, min_bytes=4_000)
    assert im.size == (400, 250)
    again = charts.word_cloud(freqs, width=400, height=250)
    assert im.tobytes() == again.tobytes()
    with pytest.raises(ValueError, match="positive"):
        charts.word_cloud({"零": 0})


def test_returned_figures_still_render_chinese_outside_the_style_context(doc_topics):
    # Jupyter draws a returned figure after the function (and its rc_context) has exited.
    figs = [
        charts.plot_doc_topic_heatmap(doc_topics, LABELS),
        charts.plot_topic_shares_by_article(doc_topics, LABELS),
        charts.plot_top_terms(TERMS, LABELS),
    ]
    with no_font_complaints():
        for fig in figs:
            fig.set_size_inches(14, 10)  # forces new layout and possibly new tick objects
            fig.savefig(io.BytesIO(), format="png", dpi=60)
