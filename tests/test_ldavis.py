"""Fast tests of workbench.runfolder.ldavis: the offline, 0-based, deterministic pyLDAvis page."""

import html.parser
import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from workbench.runfolder.ldavis import write_ldavis_html

HOSTILE = "</script><script>alert(1)</script>"

# Three themes of Chinese government text; topic k is built from THEMES[k].
THEMES = [
    ["脱贫攻坚", "精准扶贫", "第一书记", "驻村工作队", "贫困户", "易地搬迁", "产业扶贫",
     "建档立卡", "乡村振兴", "帮扶", "两不愁三保障", "小额信贷", "合作社"],
    ["网格员", "社区", "基层治理", "居委会", "党建引领", "志愿者", "物业", "矛盾纠纷",
     "调解", "街道", "服务中心", "枫桥经验", "楼栋长"],
    ["纪检监察", "立案", "处分", "审查调查", "违纪", "中央八项规定", "问责", "廉政",
     "巡视", "留置", "党纪", "通报", "谈话函询"],
]
SHARED = ["党员", "干部", "群众", "工作", "落实"]
LABELS = {0: "脱贫攻坚", 1: "基层治理", 2: "纪检监察"}


def make_arrays(extra_terms=()):
    """(topic_term, doc_topic, doc_lengths, vocab, term_frequency) for 3 topics, 20 documents.

    Topic 2 covers the most tokens and topic 0 the fewest, so pyLDAvis's default sorting would
    renumber them; `extra_terms` are added to topic 2's theme.
    """
    vocab = [term for theme in THEMES for term in theme] + SHARED + list(extra_terms)
    index = {term: i for i, term in enumerate(vocab)}
    topic_term = np.full((3, len(vocab)), 0.2)
    for topic, theme in enumerate(THEMES):
        for rank, term in enumerate(theme):
            topic_term[topic, index[term]] = 12.0 / (1 + 0.3 * rank)
        for term in SHARED:
            topic_term[topic, index[term]] = 3.0
    for term in extra_terms:
        topic_term[2, index[term]] = 8.0
    topic_term /= topic_term.sum(axis=1, keepdims=True)

    mains = [0] * 4 + [1] * 6 + [2] * 10
    doc_topic = np.full((20, 3), 0.1)
    for doc, main in enumerate(mains):
        doc_topic[doc, main] = 0.8
    doc_lengths = np.array([60 + 7 * doc for doc in range(20)])
    expected = doc_lengths @ doc_topic @ topic_term
    term_frequency = np.maximum(np.rint(expected), 1).astype(int)
    return topic_term, doc_topic, doc_lengths, vocab, term_frequency


class _PageParser(html.parser.HTMLParser):
    """Collects every tag's attributes and the text of each <script> block."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []          # (tag, attrs dict)
        self.scripts = []       # (attrs dict, text)
        self._script = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "script":
            self._script = (attrs, [])

    def handle_data(self, data):
        if self._script is not None:
            self._script[1].append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script[0], "".join(self._script[1])))
            self._script = None


def parse_page(path):
    parser = _PageParser()
    parser.feed(pathlib.Path(path).read_text(encoding="utf-8"))
    parser.close()
    return parser


def page_data(path):
    """The JSON the page hands to LDAvis, parsed the way JSON.parse would."""
    blocks = [text for attrs, text in parse_page(path).scripts
              if attrs.get("type") == "application/json"]
    assert len(blocks) == 1
    return json.loads(blocks[0], parse_constant=_reject_constant)


def _reject_constant(name):
    raise AssertionError(f"non-JSON constant {name} in page data")


@pytest.fixture()
def page(tmp_path):
    arrays = make_arrays(extra_terms=[HOSTILE, "R&D"])
    return write_ldavis_html(tmp_path / "ldavis.html", *arrays, topic_labels=LABELS)


def test_returns_path_and_writes_utf8_page_with_charset_and_title(page, tmp_path):
    assert page == tmp_path / "ldavis.html"
    text = page.read_bytes().decode("utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in text
    titles = [attrs for tag, attrs in parse_page(page).tags if tag == "title"]
    assert len(titles) == 1
    assert "<title>LDAvis: 3 topics</title>" in text


def test_page_loads_nothing_remote(page):
    parser = parse_page(page)
    scripts = [attrs for tag, attrs in parser.tags if tag == "script"]
    links = [attrs for tag, attrs in parser.tags if tag == "link"]
    assert scripts, "page has no scripts"
    for attrs in scripts + links:
        for key in ("src", "href"):
            value = (attrs.get(key) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//")), attrs
    # Everything is inline: no script is loaded by URL, no stylesheet is linked.
    assert all("src" not in attrs for attrs in scripts)
    assert links == []
    text = page.read_text(encoding="utf-8")
    assert "cdn.jsdelivr.net" not in text
    assert "d3js.org/d3.v5.js" not in text


def test_d3_and_ldavis_code_are_inlined(page):
    import pyLDAvis.urls as urls

    text = page.read_text(encoding="utf-8")
    d3 = pathlib.Path(urls.D3_LOCAL).read_text(encoding="utf-8")
    css = pathlib.Path(urls.LDAVIS_CSS_LOCAL).read_text(encoding="utf-8")
    assert d3.strip() in text
    assert css.strip() in text
    assert "var LDAvis = function(to_select, data_or_file_name, color1, color2)" in text
    # the inline boot script hands the parsed data to LDAvis
    boot = parse_page(page).scripts[-1][1]
    assert "JSON.parse" in boot and "new LDAvis(" in boot


def test_chinese_terms_are_in_the_page(page):
    text = page.read_text(encoding="utf-8")
    assert "脱贫攻坚" in text and "纪检监察" in text
    data = page_data(page)
    shown = set(data["tinfo"]["Term"])
    assert {"脱贫攻坚", "网格员", "纪检监察", "立案", "处分", "第一书记"} <= shown


def test_topics_are_numbered_from_zero_in_row_order(page):
    topic_term, doc_topic, doc_lengths, vocab, _ = make_arrays(extra_terms=[HOSTILE, "R&D"])
    data = page_data(page)
    assert data["mdsDat"]["topics"] == [0, 1, 2]
    assert data["topic.order"] == [0, 1, 2]
    assert set(data["tinfo"]["Category"]) == {"Default", "Topic0", "Topic1", "Topic2"}
    assert set(data["token.table"]["Topic"]) == {0, 1, 2}
    # Not sorted by size: circle k has row k's share of tokens (topic 2 is the largest).
    topic_tokens = doc_lengths @ doc_topic
    shares = 100 * topic_tokens / topic_tokens.sum()
    assert np.allclose(data["mdsDat"]["Freq"], shares, rtol=1e-5)
    assert shares[2] > shares[1] > shares[0]
    # Topic k's most probable term is row k's most probable term.
    tinfo = data["tinfo"]
    for topic in range(3):
        rows = [i for i, cat in enumerate(tinfo["Category"]) if cat == f"Topic{topic}"]
        best = max(rows, key=lambda i: tinfo["logprob"][i])
        assert tinfo["Term"][best] == vocab[int(np.argmax(topic_term[topic]))]
    assert vocab[int(np.argmax(topic_term[0]))] == "脱贫攻坚"


def test_same_inputs_give_identical_bytes(tmp_path):
    arrays = make_arrays(extra_terms=[HOSTILE])
    first = write_ldavis_html(tmp_path / "a.html", *arrays, topic_labels=LABELS)
    second = write_ldavis_html(tmp_path / "b.html", *arrays, topic_labels=LABELS)
    assert first.read_bytes() == second.read_bytes()
    other = write_ldavis_html(tmp_path / "c.html", *arrays, topic_labels={0: "其他"})
    assert other.read_bytes() != first.read_bytes()


def test_hostile_term_cannot_leave_the_data_block(page):
    text = page.read_text(encoding="utf-8")
    start = text.index('<script type="application/json"')
    block = text[text.index(">", start) + 1:text.index("</script>", start)]
    assert "</script" not in block.lower()
    assert "<" not in block and ">" not in block and "&" not in block
    assert "\\u003c/script\\u003e" in block
    # every </script> in the page closes one of the page's own script blocks
    assert text.lower().count("</script>") == text.lower().count("<script")
    # and the term survives parsing intact
    data = page_data(page)
    assert HOSTILE in data["tinfo"]["Term"]
    assert "R&D" in data["tinfo"]["Term"]


def test_labels_are_listed_and_escaped(tmp_path):
    arrays = make_arrays()
    labels = {"0": "脱贫攻坚", 2: "<b>纪检</b> & 监察"}  # string keys as in labels.json
    page = write_ldavis_html(tmp_path / "p.html", *arrays, topic_labels=labels)
    text = page.read_text(encoding="utf-8")
    assert '<td class="wb-topic">0</td><td>脱贫攻坚</td>' in text
    assert '<td class="wb-topic">2</td><td>&lt;b&gt;纪检&lt;/b&gt; &amp; 监察</td>' in text
    assert "<b>纪检</b>" not in text
    assert '<td class="wb-topic">1</td>' not in text


def test_without_labels_there_is_no_label_table(tmp_path):
    page = write_ldavis_html(tmp_path / "p.html", *make_arrays())
    assert "wb-topic-labels" not in page.read_text(encoding="utf-8")


def test_zero_probabilities_do_not_put_infinity_or_nan_in_the_data(tmp_path):
    topic_term, doc_topic, doc_lengths, vocab, term_frequency = make_arrays()
    # topic 0 never uses the other themes: fewer than R terms with p > 0, log 0 = -inf
    topic_term[0, 13:39] = 0.0
    topic_term /= topic_term.sum(axis=1, keepdims=True)
    page = write_ldavis_html(tmp_path / "p.html", topic_term, doc_topic, doc_lengths,
                             vocab, term_frequency, R=len(vocab))
    text = page.read_text(encoding="utf-8")
    assert "Infinity" not in text.split('type="application/json"')[1]
    page_data(page)  # raises on NaN / Infinity


def test_r_sets_bars_and_is_capped_at_what_ldavis_draws(tmp_path):
    arrays = make_arrays()
    small = page_data(write_ldavis_html(tmp_path / "s.html", *arrays, R=10))
    assert small["R"] == 10
    assert small["tinfo"]["Category"].count("Default") == 10
    big = page_data(write_ldavis_html(tmp_path / "b.html", *arrays, R=100))
    assert big["R"] == 30


def test_page_size_is_reasonable(page):
    # ~250 KB of d3 plus ~55 KB of ldavis.js; the data for 3 topics is small
    assert page.stat().st_size < 400_000


@pytest.mark.parametrize("change, message", [
    (lambda a: a.update(topic_term=a["topic_term"][:1], doc_topic=a["doc_topic"][:, :1]),
     "at least 2 topics"),
    (lambda a: a.update(topic_term=a["topic_term"] * 2), "sum to 1"),
    (lambda a: a.update(doc_topic=a["doc_topic"][:, :2]), "doc_topic"),
    (lambda a: a.update(vocab=a["vocab"][:-1] + [a["vocab"][0]]), "duplicate"),
    (lambda a: a.update(term_frequency=a["term_frequency"][:-1]), "term_frequency"),
    (lambda a: a.update(doc_lengths=a["doc_lengths"] * 0), "doc_lengths"),
    (lambda a: a.update(topic_labels={3: "多余"}), "topic_labels"),
])
def test_bad_inputs_are_rejected(tmp_path, change, message):
    topic_term, doc_topic, doc_lengths, vocab, term_frequency = make_arrays()
    args = dict(topic_term=topic_term, doc_topic=doc_topic, doc_lengths=doc_lengths,
                vocab=vocab, term_frequency=term_frequency)
    change(args)
    labels = args.pop("topic_labels", None)
    with pytest.raises(ValueError, match=message):
        write_ldavis_html(tmp_path / "p.html", **args, topic_labels=labels)
    assert not (tmp_path / "p.html").exists()


@pytest.mark.slow
def test_no_warnings_and_global_warning_filters_untouched():
    # A fresh interpreter: importing pyLDAvis calls warnings.simplefilter("always",
    # DeprecationWarning) for the whole process; the writer must undo that, and under
    # -W error nothing it does may warn.
    code = (
        "import sys, tempfile, warnings, pathlib\n"
        f"sys.path.insert(0, {str(pathlib.Path(__file__).parent)!r})\n"
        "from test_ldavis import make_arrays\n"
        "from workbench.runfolder.ldavis import write_ldavis_html\n"
        "before = list(warnings.filters)\n"
        "with tempfile.TemporaryDirectory() as folder:\n"
        "    write_ldavis_html(pathlib.Path(folder) / 'p.html', *make_arrays())\n"
        "assert 'pyLDAvis' in sys.modules\n"
        "assert list(warnings.filters) == before, 'warning filters changed'\n"
    )
    result = subprocess.run([sys.executable, "-W", "error", "-c", code],
                            cwd=pathlib.Path(__file__).parents[1],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_topic_names_are_in_the_data_and_drawn_by_the_script(page):
    data = page_data(page)
    assert data["topic.names"] == ["0 脱贫攻坚", "1 基层治理", "2 纪检监察"]
    text = page.read_text(encoding="utf-8")
    # the circles, the bar chart's title and the topic box take the names from the data
    assert "return topic_name(d.topics);" in text
    assert "Most Relevant Terms for Topic \" + topic_name(topics)" in text
    assert 'getElementById(topicID + "-value").textContent = topic_name(topics)' in text


def test_unlabelled_topics_are_named_by_their_number(tmp_path):
    plain = write_ldavis_html(tmp_path / "p.html", *make_arrays(), topic_labels={1: "基层治理"})
    assert page_data(plain)["topic.names"] == ["0", "1 基层治理", "2"]


def test_relabelling_a_page_gives_the_bytes_of_a_page_written_with_those_labels(tmp_path):
    from workbench.runfolder.ldavis import relabel_page

    arrays = make_arrays(extra_terms=[HOSTILE, "R&D"])
    before = write_ldavis_html(tmp_path / "before.html", *arrays).read_text(encoding="utf-8")
    new = {0: "精准扶贫", 2: "纪检监察 & 巡视 <中央>"}
    after = write_ldavis_html(tmp_path / "after.html", *arrays, topic_labels=new).read_text(encoding="utf-8")
    assert relabel_page(before, new) == after
    assert relabel_page(after, {}) == before  # and back: labels removed
    assert page_data(tmp_path / "after.html")["topic.names"][2] == "2 纪检监察 & 巡视 <中央>"
    with pytest.raises(ValueError, match="topics are 0..2"):
        relabel_page(before, {3: "多余"})
    with pytest.raises(ValueError, match="no data block"):
        relabel_page("<html><body>别的页面</body></html>", new)
