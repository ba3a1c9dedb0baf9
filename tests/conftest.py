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
