"""Where the workbench finds its shipped resources and keeps its caches and runs.

The project folder (``seeds/``, ``stopwords/``, ``dictionaries/``) is the checkout the package was
installed from (``pip install -e .``); ``WORKBENCH_HOME`` overrides it. Caches go to
``<project>/.workbench/cache`` (or ``WORKBENCH_CACHE``), never to the system temp folder."""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    env = os.environ.get("WORKBENCH_HOME")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve().parents[1]
    if (here / "stopwords").is_dir():
        return here
    return Path.cwd()


def cache_dir() -> Path:
    env = os.environ.get("WORKBENCH_CACHE")
    path = Path(env) if env else project_root() / ".workbench" / "cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def seeds_dir() -> Path:
    return project_root() / "seeds"


def stopword_files() -> tuple[Path, ...]:
    root = project_root() / "stopwords"
    return (root / "zh_general.txt", root / "political_boilerplate.txt")


def user_dict_files() -> tuple[Path, ...]:
    return tuple(sorted((project_root() / "dictionaries").glob("*.txt")))


def runs_dir() -> Path:
    env = os.environ.get("WORKBENCH_RUNS")
    return Path(env) if env else Path.cwd() / "runs"
