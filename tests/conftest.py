"""Shared fixtures: one default run and one keyed run on the bundled seeds, trained once per
test session (a couple of seconds each), into a temporary folder."""
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory):
    # Tests never write into the checkout's cache folder.
    import os

    os.environ["WORKBENCH_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    os.environ["WORKBENCH_STORE"] = str(tmp_path_factory.mktemp("store") / "store.sqlite")


@pytest.fixture(scope="session")
def seed_run(tmp_path_factory) -> Path:
    from workbench import engines

    return engines.train(out_dir=tmp_path_factory.mktemp("runs"), progress=False)


@pytest.fixture(scope="session")
def keyed_run(tmp_path_factory) -> Path:
    from workbench import engines

    return engines.train(themes_file=SEEDS / "themes.toml", out_dir=tmp_path_factory.mktemp("keyed"),
                          progress=False)
