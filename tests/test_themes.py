"""The three themes the project exists for, on hand-labelled seed paragraphs."""
import tomllib
from collections import Counter
from pathlib import Path

from workbench.runfolder.reader import load_run

LABELS = tomllib.loads((Path(__file__).parent / "fixtures" / "seed_theme_paragraphs.toml").read_text(encoding="utf-8"))


def dominant_by_theme(run_dir):
    df = load_run(run_dir).doc_topics
    out = {}
    for theme, snippets in LABELS.items():
        doms = []
        for s in snippets:
            hit = df[df["text"].str.contains(s, regex=False)]
            assert len(hit) == 1, s
            doms.append(int(hit["dominant_topic"].iloc[0]))
        out[theme] = doms
    return out


def test_unsupervised_default_separates_the_three_themes(seed_run):
    doms = dominant_by_theme(seed_run)
    majority = {theme: Counter(d).most_common(1)[0] for theme, d in doms.items()}
    # each theme's paragraphs share a dominant topic ...
    for theme, (topic, n) in majority.items():
        assert n / len(doms[theme]) >= 0.5, (theme, doms[theme])
    # ... and the three themes' topics differ
    assert len({topic for topic, _ in majority.values()}) == 3, majority


def test_keyed_topics_anchor_their_themes(keyed_run):
    run = load_run(keyed_run)
    names = ["脱贫攻坚", "网格化治理", "纪检监察"]
    assert [run.labels[i] for i in range(3)] == names
    doms = dominant_by_theme(keyed_run)
    for topic, theme in enumerate(["poverty", "grid", "anticorruption"]):
        share = sum(d == topic for d in doms[theme]) / len(doms[theme])
        assert share > 0.6, (theme, doms[theme])


def test_keyed_names_in_every_table(keyed_run):
    run = load_run(keyed_run)
    topics = run.topics
    assert set(topics.loc[topics["topic"] == 2, "label"]) == {"纪检监察"}
    assert set(topics.loc[topics["topic"] == 5, "label"]) == {""}
    html = (keyed_run / "ldavis.html").read_text(encoding="utf-8")
    assert "网格化治理" in html
    import json
    m = json.loads((keyed_run / "manifest.json").read_text(encoding="utf-8"))
    assert m["topic_labels"]["0"] == "脱贫攻坚" and m["config"]["themes"]["纪检监察"]
