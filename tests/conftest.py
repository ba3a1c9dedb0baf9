"""Shared fixtures, prepared once per test session into temporary folders: the bundled seeds
prepared as a corpus, one default run and one keyed run on them (a couple of seconds each).

Heavy tests carry a marker (registered in pyproject.toml): ``spark``, ``browser``, ``notebook``,
``interrupt`` (kills processes), ``install`` (builds and installs the package), or plain ``slow``.
Every heavy kind counts as ``slow`` too, so ``pytest -m "not slow"`` runs the fast set; plain
``pytest`` runs everything."""
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
HEAVY = ("spark", "browser", "notebook", "interrupt", "install")


def pytest_collection_modifyitems(items):
    for item in items:
        if any(item.get_closest_marker(name) for name in HEAVY):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory):
    # Tests never write into the checkout's cache folder.
    import os

    os.environ["WORKBENCH_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    # Messages in English whatever the machine's locale (tests/test_messages.py sets its own).
    os.environ["WORKBENCH_LANG"] = "en"
    os.environ["WORKBENCH_STORE"] = str(tmp_path_factory.mktemp("store") / "store.sqlite")


@pytest.fixture(scope="session")
def seed_corpus():
    """The seeds through ``preprocess.prepare`` with its defaults (a ``Corpus``; do not modify it)."""
    from workbench.text import preprocess

    return preprocess.prepare([SEEDS], progress=False)


@pytest.fixture(scope="session")
def seed_run(tmp_path_factory) -> Path:
    from workbench import engines

    return engines.train(out_dir=tmp_path_factory.mktemp("runs"), progress=False)


@pytest.fixture(scope="session")
def keyed_run(tmp_path_factory) -> Path:
    from workbench import engines

    return engines.train(themes_file=SEEDS / "themes.toml", out_dir=tmp_path_factory.mktemp("keyed"),
                          progress=False)


def daily_records(every_days: int = 3) -> list[dict]:
    """The seed articles' paragraphs (30 characters or more) as stories of a daily programme: one
    record each, dated every ``every_days`` days from 2023-01-01 (synthetic dates over real text)."""
    from datetime import date, timedelta

    paragraphs = [line.strip() for path in sorted(SEEDS.glob("*.txt"))
                  for line in path.read_text(encoding="utf-8").splitlines() if len(line.strip()) >= 30]
    start = date(2023, 1, 1)
    return [{"id": f"story-{i:03d}", "date": (start + timedelta(days=every_days * i)).isoformat(), "text": text}
            for i, text in enumerate(paragraphs)]


@pytest.fixture(scope="session")
def daily_run(tmp_path_factory) -> Path:
    """A run on :func:`daily_records` (JSONL, one story per article, K=6, 100 sweeps)."""
    import json

    from workbench import engines
    from workbench.models import ModelConfig
    from workbench.text.preprocess import CorpusConfig

    folder = tmp_path_factory.mktemp("daily")
    source = folder / "daily.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in daily_records()), encoding="utf-8")
    return engines.train([source], corpus_config=CorpusConfig(unit="article", min_tokens=3),
                         model_config=ModelConfig(num_topics=6, iterations=100), out_dir=folder / "runs",
                         progress=False)
