"""The LDAvis page in headless Chromium with the network cut off: it draws, numbers topics
from 0, names them by their labels, and reacts to the mouse. Needs /usr/bin/chromium (.ci/install-chromium.sh) and the
`playwright` Python package (no `playwright install`: the system browser is used)."""

import os
import pathlib

import numpy as np
import pytest

from workbench.runfolder.ldavis import write_ldavis_html

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SCREENSHOT = pathlib.Path("/tmp/ldavis.png")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason=f"{CHROMIUM} is absent (run .ci/install-chromium.sh)"),
]

THEMES = [
    ["脱贫攻坚", "精准扶贫", "第一书记", "驻村工作队", "贫困户", "易地搬迁", "产业扶贫",
     "建档立卡", "乡村振兴", "帮扶", "两不愁三保障", "小额信贷", "合作社"],
    ["网格员", "社区", "基层治理", "居委会", "党建引领", "志愿者", "物业", "矛盾纠纷",
     "调解", "街道", "服务中心", "枫桥经验", "楼栋长"],
    ["纪检监察", "立案", "处分", "审查调查", "违纪", "中央八项规定", "问责", "廉政",
     "巡视", "留置", "党纪", "通报", "谈话函询"],
]
SHARED = ["党员", "干部", "群众", "工作", "落实"]
K = len(THEMES)


def make_arrays():
    """3 topics (topic k = THEMES[k]) over 44 terms, 20 documents; topic 2 is the largest."""
    vocab = [term for theme in THEMES for term in theme] + SHARED
    topic_term = np.full((K, len(vocab)), 0.2)
    for topic, theme in enumerate(THEMES):
        for rank, term in enumerate(theme):
            topic_term[topic, vocab.index(term)] = 12.0 / (1 + 0.3 * rank)
        for term in SHARED:
            topic_term[topic, vocab.index(term)] = 3.0
    topic_term /= topic_term.sum(axis=1, keepdims=True)
    doc_topic = np.full((20, K), 0.1)
    for doc, main in enumerate([0] * 4 + [1] * 6 + [2] * 10):
        doc_topic[doc, main] = 0.8
    doc_lengths = np.array([60 + 7 * doc for doc in range(20)])
    term_frequency = np.maximum(np.rint(doc_lengths @ doc_topic @ topic_term), 1).astype(int)
    return topic_term, doc_topic, doc_lengths, vocab, term_frequency


def bar_labels(page):
    return page.locator("text.terms").all_text_contents()


def bar_widths(page):
    return page.eval_on_selector_all(
        "rect.bar-totals", "els => els.map(e => +e.getAttribute('width'))")


def radii(page):
    return page.eval_on_selector_all(
        "circle.dot", "els => els.map(e => +e.getAttribute('r'))")


def title(page):
    return " ".join(page.locator(".bubble-tool").all_text_contents())


def test_page_draws_offline_with_zero_based_topics_and_reacts(tmp_path):
    from playwright.sync_api import sync_playwright

    html_path = write_ldavis_html(tmp_path / "ldavis.html", *make_arrays(),
                                  topic_labels={0: "脱贫攻坚", 1: "基层治理", 2: "纪检监察"})
    url = html_path.resolve().as_uri()
    requested, refused, errors = [], [], []

    def only_the_page(route):
        if route.request.url == url:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1300, "height": 1000})
            context.set_default_timeout(5000)
            context.route("**/*", only_the_page)
            page = context.new_page()
            page.on("request", lambda request: requested.append(request.url))
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(url)
            page.wait_for_selector("circle.dot")

            # drawn: K circles labelled 0..K-1 with their names, and R = 30 bars with their term labels
            assert page.locator("circle.dot").count() == K
            assert page.locator("text.txt").all_text_contents() == ["0 脱贫攻坚", "1 基层治理", "2 纪检监察"]
            assert page.locator("rect.bar-totals").count() == 30
            assert page.locator("text.terms").count() == 30
            assert page.locator("rect.overlay").count() == 0
            visid = page.eval_on_selector("div[id^='ldavis-']", "e => e.id")
            assert page.input_value(f"#{visid}-topic") == ""
            assert page.text_content(f"#{visid}-topic-value") == ""
            default_labels, default_widths = bar_labels(page), bar_widths(page)
            assert "Most Salient Terms" in title(page)

            # a real mouse over topic 1's circle shows topic 1's bars ...
            box = page.locator(f"#{visid}-topic1").bounding_box()
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            assert "Topic 1 基层治理 (" in title(page)
            assert page.text_content(f"#{visid}-topic-value") == "1 基层治理"
            topic1_labels = bar_labels(page)
            assert topic1_labels != default_labels
            assert bar_widths(page) != default_widths
            assert "网格员" in topic1_labels[:13]
            assert page.locator("rect.overlay").count() == 30
            # ... and leaving it (nothing selected) brings the default view back
            page.mouse.move(5, 995)
            assert bar_labels(page) == default_labels
            assert page.text_content(f"#{visid}-topic-value") == ""

            # clicking topic 0 selects it: topic 0 is a real topic, not "no selection"
            page.locator(f"#{visid}-topic0").dispatch_event("click")
            assert "Topic 0 脱贫攻坚 (" in title(page)
            assert page.input_value(f"#{visid}-topic") == "0"
            assert page.text_content(f"#{visid}-topic-value") == "0 脱贫攻坚"
            topic0_labels = bar_labels(page)
            assert topic0_labels[0] == "脱贫攻坚"
            assert set(topic0_labels) != set(default_labels)
            assert set(topic0_labels) != set(topic1_labels)

            # hovering a term of topic 0 grows circle 0 (ldavis.js indexed circles Topic - 1)
            page.locator("text.terms", has_text="脱贫攻坚").dispatch_event("mouseover")
            page.wait_for_function(
                "() => { const r = [...document.querySelectorAll('circle.dot')]"
                ".map(c => +c.getAttribute('r')); return r[0] > 2 * Math.max(r[1], r[2]); }")
            sizes = radii(page)
            assert sizes[0] == max(sizes)

            page.screenshot(path=str(SCREENSHOT), full_page=True)

            # Clear empties the selection; Next from nothing goes to topic 0
            page.click(f"#{visid}-topic-clear")
            assert page.input_value(f"#{visid}-topic") == ""
            assert bar_labels(page) == default_labels
            page.click(f"#{visid}-topic-up")
            assert page.input_value(f"#{visid}-topic") == "0"
            assert "Topic 0 " in title(page)
            page.click(f"#{visid}-topic-up")
            page.click(f"#{visid}-topic-up")
            page.click(f"#{visid}-topic-up")
            assert page.input_value(f"#{visid}-topic") == str(K - 1)
            assert page.text_content(f"#{visid}-topic-value") == "2 纪检监察"
        finally:
            browser.close()

    assert errors == []
    assert refused == [], "the page tried to load from the network"
    assert set(requested) == {url}
