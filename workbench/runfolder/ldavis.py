"""The run folder's `ldavis.html`: an offline pyLDAvis page built from plain arrays.

pyLDAvis (3.4.1) does the numbers (`pyLDAvis.prepare`); this module does the page, because
pyLDAvis's own HTML (`prepared_data_to_html` / `save_html`) does not fit a run folder:

- it loads d3 and ldavis.js from CDNs, so the page is blank offline. Here the copies shipped in
  `pyLDAvis/js/` are inlined into the page;
- `prepare` numbers topics from 1 and sorts them by size, so the chart disagrees with
  `topics.csv`. Here `sort_topics=False, start_index=0` keeps topic k = row k of `topic_term`,
  and ldavis.js is patched where it takes 0 to mean "no topic selected" or assumes ids start
  at 1 (see `_JS_PATCHES`);
- it embeds the data as a JavaScript literal with random div ids. Here the data sits in a
  `<script type="application/json">` block with `<`, `>`, `&` escaped (a term cannot close the
  block), and the div id is a hash of the data, so the same inputs give the same bytes;
- it names topics by number only. Here the data carries `topic.names` (`labels.topic_names`:
  "3 纪检监察", or "3" unlabelled), shown in the circles, above the bar chart and beside the topic
  box. New labels rewrite the page from its own data (:func:`relabel_page`), without pyLDAvis."""

from __future__ import annotations

import hashlib
import html
import json
import pathlib
import re
import warnings
from collections.abc import Mapping

import numpy as np

__all__ = ["write_ldavis_html", "relabel_page"]

# ldavis.js draws at most 30 bars (`R = Math.min(data['R'], 30)`): a larger R only adds data.
_MAX_BARS = 30

# Floor for p(term | topic) before pyLDAvis takes logs. An exact zero gives log 0 = -inf, which
# JSON cannot carry and which turns the page's relevance scores into NaN (bars vanish).
_MIN_PROB = 1e-12

# Patches to pyLDAvis 3.4.1's ldavis.v3.0.0.js, as (why, old, new, how many times old occurs).
# The script uses topic 0 as "nothing selected" and `Topic - 1` as the index of a topic; with
# 0-based ids that hides topic 0 and shifts the circles when a term is hovered. Here -1 means
# "nothing selected" and the input box is empty then. Each old text must occur exactly the
# given number of times, so a different ldavis.js fails loudly instead of half-patched.
_JS_PATCHES: tuple[tuple[str, str, str, int], ...] = (
    ("no topic selected is -1",
     "            topic: 0,\n", "            topic: -1,\n", 1),
    ("topic 0 is a real topic",
     "vis_state.topic > 0", "vis_state.topic >= 0", 7),
    ("Next from nothing goes to topic 0; the last topic is K - 1",
     "var value_new = Math.min(K, +value_old + 1).toFixed(0);",
     "var value_new = Math.min(K - 1, (value_old === \"\" ? -1 : +value_old) + 1).toFixed(0);", 1),
    ("Previous from nothing goes to the last topic",
     "var value_new = Math.max(0, +value_old - 1).toFixed(0);",
     "var value_new = Math.max(0, (value_old === \"\" ? K : +value_old) - 1).toFixed(0);", 1),
    ("typed topic ids are 0..K-1",
     "if (!isNaN(value_new) && value_new > 0) {\n"
     "                    value_new = Math.min(K, Math.max(1, value_new));",
     "if (value_new !== \"\" && !isNaN(value_new) && value_new >= 0) {\n"
     "                    value_new = Math.min(K - 1, Math.max(0, Math.round(value_new)));", 1),
    ("the input box is empty when nothing is selected",
     "topicInput.value = \"0\";", "topicInput.value = \"\";", 1),
    ("the input box's max is the last topic",
     "topicInput.max = K;", "topicInput.max = K - 1;", 1),
    ("circle index = topic id (not id - 1)",
     "radius[dat2[i].Topic - 1]", "radius[dat2[i].Topic]", 1),
    ("label index = topic id (not id - 1)",
     "size[dat2[i].Topic - 1]", "size[dat2[i].Topic]", 1),
    ("an URL fragment may select topic 0 or nothing (-1)",
     "vis_state.topic = Math.round(Math.min(K, Math.max(0, vis_state.topic)));",
     "vis_state.topic = Math.round(Math.min(K - 1, Math.max(-1, vis_state.topic)));", 1),
    ("reset selects nothing (-1) and empties the input box",
     "document.getElementById(topicID).value = vis_state.topic = 0;",
     "vis_state.topic = -1;\n            document.getElementById(topicID).value = \"\";", 1),
    ("an empty input box is not a topic: topicID + \"\" is the input box itself",
     "function topic_on(circle) {\n            if (circle == null) return null;",
     "function topic_on(circle) {\n"
     "            if (circle == null || circle.tagName !== \"circle\") return null;", 1),
    ("same for topic_off",
     "function topic_off(circle) {\n            if (circle == null) return circle;",
     "function topic_off(circle) {\n"
     "            if (circle == null || circle.tagName !== \"circle\") return null;", 1),
    # Firefox gives location.origin "null" for file:// pages (Chromium gives "file://"), so
    # the rebuilt URL would name another file; the page's own href is right everywhere.
    ("file:// pages: keep the page's own URL",
     "return location.origin + location.pathname + \"#topic=\"",
     "return location.href.split(\"#\")[0] + \"#topic=\"", 1),
    # innerHTML gives "&amp;" for "&": the term would not match its element id or its data.
    ("terms with & < > keep their text",
     "vis_state.term = term.innerHTML;", "vis_state.term = term.textContent;", 1),
    ("terms with & < > keep their text in the guide title",
     "given term = '\" + term.innerHTML + \"'\"", "given term = '\" + term.textContent + \"'\"", 1),
    # Topic names (labels) from the data; a page without them shows the numbers as before.
    ("topic names come with the data",
     "        K = data['mdsDat'].x.length;\n",
     "        K = data['mdsDat'].x.length;\n"
     "        var topicNames = data['topic.names'] || [];\n"
     "        function topic_name(t) { return topicNames[t] === undefined ? String(t) : topicNames[t]; }\n", 1),
    ("circles show the topic's name",
     "            .text(function(d) {\n                return d.topics;\n            });",
     "            .text(function(d) {\n                return topic_name(d.topics);\n            });", 1),
    ("the bar chart's title names the topic",
     "\" Most Relevant Terms for Topic \" + topics + \" (\"",
     "\" Most Relevant Terms for Topic \" + topic_name(topics) + \" (\"", 1),
    ("the topic box is labelled with the shown topic's name",
     "            circle.style.opacity = highlight_opacity;\n",
     "            circle.style.opacity = highlight_opacity;\n"
     "            document.getElementById(topicID + \"-value\").textContent = topic_name(topics);\n", 1),
    ("and with nothing when no topic is shown",
     "            circle.style.opacity = base_opacity;\n",
     "            circle.style.opacity = base_opacity;\n"
     "            document.getElementById(topicID + \"-value\").textContent = \"\";\n", 1),
)

_PAGE_CSS = """
body { margin: 8px; background: white; }
.wb-legend { clear: both; font-family: sans-serif; font-size: 13px; margin: 4px 30px; }
.wb-legend table { border-collapse: collapse; }
.wb-legend th, .wb-legend td { border-bottom: 1px solid #ddd; padding: 2px 10px; text-align: left; }
.wb-legend td.wb-topic { text-align: right; font-variant-numeric: tabular-nums; }
"""


def write_ldavis_html(path, topic_term, doc_topic, doc_lengths, vocab, term_frequency, *,
                      topic_labels=None, R=30, lambda_step=0.01) -> pathlib.Path:
    """Write a self-contained pyLDAvis page whose topic k is row k of `topic_term`.

    Inputs (plain arrays, no model object):
      path: where to write the page (the parent folder must exist).
      topic_term: (K, V) p(term | topic), rows sum to 1, K >= 2.
      doc_topic: (N, K) p(topic | document), rows sum to 1.
      doc_lengths: (N,) tokens per document (weights the circle sizes).
      vocab: V distinct terms, in `topic_term` column order.
      term_frequency: (V,) corpus counts. pyLDAvis checks only its length: it draws the gray
        bars from `topic_term` weighted by topic size, not from these counts.
      topic_labels: optional {topic id: label}, e.g. {0: "脱贫攻坚"}; string keys ("0", as in
        labels.json) are accepted. Shown with the topic's id in its circle, above its bar chart
        and beside the topic box, and listed in a table under the chart.
      R: terms per bar chart (pyLDAvis's name); ldavis.js draws at most 30, so larger values
        are lowered to 30 (they would only add data).
      lambda_step: grid step of the relevance slider (pyLDAvis's name).

    Output: `path` as a pathlib.Path. The page is UTF-8 with d3, ldavis.js and its CSS inlined
    (about 305 KB before data; the data grows with K * R), loads nothing from the network,
    and is byte-identical for identical inputs.
    Cost: pyLDAvis computes relevance for K * V * (1 / lambda_step + 1) values, in one process.
    """
    path = pathlib.Path(path)
    topic_term, doc_topic, doc_lengths, vocab, term_frequency = _checked_inputs(
        topic_term, doc_topic, doc_lengths, vocab, term_frequency)
    num_topics = topic_term.shape[0]
    labels = _checked_labels(topic_labels, num_topics)
    if int(R) < 1:
        raise ValueError(f"R must be at least 1, got {R}")
    if not 0 < float(lambda_step) <= 1:
        raise ValueError(f"lambda_step must be in (0, 1], got {lambda_step}")

    data = _prepare_data(topic_term, doc_topic, doc_lengths, vocab, term_frequency,
                         R=int(R), lambda_step=float(lambda_step))
    # newline="\n": the same bytes on every platform; the handle is closed here, unlike the
    # one pyLDAvis.save_html opens itself.
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(_page(data, labels))
    return path


_DATA_BLOCK = re.compile(r'<script type="application/json" id="ldavis-[0-9a-f]{16}-data">(.*?)</script>', re.S)


def relabel_page(page: str, topic_labels) -> str:
    """The text of an ``ldavis.html`` page (as :func:`write_ldavis_html` wrote it) with other
    labels: the same bytes as the page written anew with ``topic_labels``. The data is read back
    from the page, so pyLDAvis does not run again (milliseconds, not seconds). Raises ValueError
    when the page holds no workbench data block."""
    found = _DATA_BLOCK.search(page)
    if found is None:
        raise ValueError("not a workbench LDAvis page: no data block")
    data = json.loads(found.group(1))  # the \u escapes of _script_safe_json are JSON's own
    return _page(data, _checked_labels(topic_labels, len(data["mdsDat"]["topics"])))


def _page(data: dict, labels: dict[int, str]) -> str:
    """The page for pyLDAvis's ``data`` with ``labels`` (checked): names added to the data."""
    from workbench.runfolder.labels import topic_names

    num_topics = len(data["mdsDat"]["topics"])
    data = {**data, "topic.names": topic_names(num_topics, labels)}
    data_json = _script_safe_json(data)
    labels_json = json.dumps(labels, ensure_ascii=False)
    # Derived from the data, so identical inputs give identical pages (pyLDAvis uses pid,
    # id() and random() here); a short hex id is a valid HTML id and CSS selector.
    visid = "ldavis-" + hashlib.sha256(
        (data_json + "\n" + labels_json).encode("utf-8")).hexdigest()[:16]
    return _render_page(visid, data_json, labels, num_topics)


def _checked_inputs(topic_term, doc_topic, doc_lengths, vocab, term_frequency):
    """Convert to float64 arrays / list[str] and reject what would make a broken page."""
    topic_term = np.asarray(topic_term, dtype=np.float64)
    doc_topic = np.asarray(doc_topic, dtype=np.float64)
    doc_lengths = np.asarray(doc_lengths)
    term_frequency = np.asarray(term_frequency, dtype=np.float64)
    vocab = [str(term) for term in vocab]

    if topic_term.ndim != 2:
        raise ValueError(f"topic_term must be 2-D (K, V), got shape {topic_term.shape}")
    num_topics, num_terms = topic_term.shape
    # PCoA needs two points to place; pyLDAvis fails with a bare assert on one topic.
    if num_topics < 2:
        raise ValueError(f"need at least 2 topics, got {num_topics}")
    if doc_topic.ndim != 2 or doc_topic.shape[1] != num_topics:
        raise ValueError(f"doc_topic must be (N, {num_topics}), got shape {doc_topic.shape}")
    if doc_lengths.shape != (doc_topic.shape[0],):
        raise ValueError(f"doc_lengths must be ({doc_topic.shape[0]},), got {doc_lengths.shape}")
    if len(vocab) != num_terms or term_frequency.shape != (num_terms,):
        raise ValueError(f"vocab and term_frequency must have {num_terms} entries, got "
                         f"{len(vocab)} and {term_frequency.shape}")
    if len(set(vocab)) != len(vocab):
        # ldavis.js keys bars and element ids by term text.
        raise ValueError("vocab has duplicate terms")
    for name, array in (("topic_term", topic_term), ("doc_topic", doc_topic),
                        ("doc_lengths", doc_lengths), ("term_frequency", term_frequency)):
        if not np.all(np.isfinite(array)) or np.any(array < 0):
            raise ValueError(f"{name} must be finite and non-negative")
    for name, array in (("topic_term", topic_term), ("doc_topic", doc_topic)):
        # pyLDAvis only checks sums >= 0.999, so a row summing to 2 would pass there.
        if not np.allclose(array.sum(axis=1), 1.0, atol=1e-3):
            raise ValueError(f"rows of {name} must sum to 1")
    if doc_lengths.sum() <= 0:
        raise ValueError("doc_lengths sum to 0: topic sizes are undefined")

    topic_term = np.maximum(topic_term, _MIN_PROB)
    topic_term /= topic_term.sum(axis=1, keepdims=True)
    return topic_term, doc_topic, doc_lengths, vocab, term_frequency


def _checked_labels(topic_labels, num_topics) -> dict[int, str]:
    """{topic id: label} with int keys in 0..K-1, sorted; {} when none are given."""
    if topic_labels is None:
        return {}
    if not isinstance(topic_labels, Mapping):
        raise TypeError("topic_labels must be a mapping {topic id: label}")
    labels = {}
    for key, label in topic_labels.items():
        topic = int(key)
        if not 0 <= topic < num_topics:
            raise ValueError(f"topic_labels has topic {key!r}; topics are 0..{num_topics - 1}")
        labels[topic] = str(label)
    return dict(sorted(labels.items()))


def _prepare_data(topic_term, doc_topic, doc_lengths, vocab, term_frequency, *, R, lambda_step):
    """Run pyLDAvis.prepare with 0-based, unsorted topics; return its dict for ldavis.js."""
    with warnings.catch_warnings():
        # Importing pyLDAvis runs warnings.simplefilter("always", DeprecationWarning) for the
        # whole process (pyLDAvis/utils.py); catch_warnings restores the filters on exit.
        # Older pandas / scikit-learn releases also warn from inside prepare().
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        import pyLDAvis

        prepared = pyLDAvis.prepare(
            topic_term, doc_topic, doc_lengths, vocab, term_frequency,
            R=min(R, _MAX_BARS, len(vocab)), lambda_step=lambda_step,
            # pcoa: deterministic and independent of scikit-learn's MDS (mmds breaks >= 1.10)
            mds="pcoa",
            # n_jobs=1: the default -1 starts a joblib process pool, which costs ~3 s here and
            # computes nothing different
            n_jobs=1,
            sort_topics=False, start_index=0)
    data = prepared.to_dict()

    topics = list(data["mdsDat"]["topics"])
    if topics != list(range(topic_term.shape[0])) or data["topic.order"] != topics:
        raise RuntimeError(f"pyLDAvis numbered the topics {topics}, expected 0..K-1")
    return _plain(data)


def _plain(value):
    """numpy scalars -> Python; floats to 6 significant digits (the page draws pixels, and
    fewer digits keep the file small and the bytes stable); complex PCoA output -> real."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(item) for item in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating, complex, np.complexfloating)):
        number = float(np.real(value))
        return float(f"{number:.6g}")
    return value


def _script_safe_json(data) -> str:
    """JSON that can sit inside <script>: no `<`, `>`, `&` (so no `</script>` or `<!--`),
    and no U+2028/U+2029; JSON.parse turns the \\u escapes back into the same text."""
    # allow_nan=False: NaN/Infinity are not JSON and JSON.parse would reject the page's data.
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for char, escape in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def _inline_script(code: str) -> str:
    """Library code made safe to inline in <script>: `</script` would end the block early
    (inside JS strings and regexes `<\\/` means the same as `</`); `<!--` changes how the
    HTML parser reads the block and has no equally safe rewrite, so it is refused."""
    if "<!--" in code:
        raise RuntimeError("library script contains '<!--'; cannot inline it safely")
    return re.sub(r"</(script)", r"<\\/\1", code, flags=re.IGNORECASE)


def _patched_ldavis_js(source: str) -> str:
    """ldavis.js with `_JS_PATCHES` applied; raises if the script is not the expected one."""
    for why, old, new, count in _JS_PATCHES:
        found = source.count(old)
        if found != count:
            raise RuntimeError(f"ldavis.js patch '{why}': expected {count} occurrence(s), "
                               f"found {found}; pyLDAvis's script changed")
        source = source.replace(old, new)
    return source


def _library_files() -> tuple[str, str, str]:
    """(d3, patched ldavis.js, ldavis.css) text from the pyLDAvis package's js/ folder."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from pyLDAvis import urls
    # These names are the ones pyLDAvis's own templates load from its CDN for this version.
    d3 = pathlib.Path(urls.D3_LOCAL).read_text(encoding="utf-8")
    ldavis = pathlib.Path(urls.LDAVIS_LOCAL).read_text(encoding="utf-8")
    css = pathlib.Path(urls.LDAVIS_CSS_LOCAL).read_text(encoding="utf-8")
    return d3, _patched_ldavis_js(ldavis), css


def _legend_html(labels: dict[int, str], num_topics: int) -> str:
    """Note on numbering plus a topic / label table (labels HTML-escaped)."""
    lines = ['<div class="wb-legend">',
             f"<p>{num_topics} topics, numbered 0 to {num_topics - 1} as in topics.csv and "
             "doc_topics.csv.</p>"]
    if labels:
        lines.append('<table class="wb-topic-labels">')
        lines.append("<thead><tr><th>topic</th><th>label</th></tr></thead><tbody>")
        for topic, label in labels.items():
            lines.append(f'<tr><td class="wb-topic">{topic}</td>'
                         f"<td>{html.escape(label)}</td></tr>")
        lines.append("</tbody></table>")
    lines.append("</div>")
    return "\n".join(lines)


def _render_page(visid: str, data_json: str, labels: dict[int, str], num_topics: int) -> str:
    """The whole HTML document as text."""
    d3, ldavis, css = _library_files()
    title = f"LDAvis: {num_topics} topics"
    # The data is parsed, never executed: a term can at most be a wrong string, not code.
    boot = (
        "(function () {\n"
        f'  var data = JSON.parse(document.getElementById("{visid}-data").textContent);\n'
        f'  new LDAvis("#{visid}", data);\n'
        "})();\n")
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        "<!-- d3, ldavis.js and ldavis.css inlined from the pyLDAvis package (js/); "
        "topic ids 0-based -->",
        f"<style>\n{css}\n{_PAGE_CSS}</style>",
        f"<script>\n{_inline_script(d3)}\n</script>",
        f"<script>\n{_inline_script(ldavis)}\n</script>",
        "</head>",
        "<body>",
        f'<div id="{visid}" style="background-color:white;"></div>',
        _legend_html(labels, num_topics),
        f'<script type="application/json" id="{visid}-data">{data_json}</script>',
        f"<script>\n{boot}</script>",
        "</body>",
        "</html>",
        "",
    ])
