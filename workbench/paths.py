"""Where the workbench finds the resources it ships and where it writes.

Resources (read, never written): the seed corpus ``seeds/`` with its ``themes.toml``, the stopword
lists ``stopwords/`` and the user dictionaries ``dictionaries/``. The project's top-level folders are
their source of truth; the build (``setup.py``) carries them into the package as
``workbench/data/<name>/``, read with :mod:`importlib.resources`. An editable install
(``pip install -e .``) reads the checkout's folders in place, so an edited dictionary counts at once.
They never come from the current folder: a package without them raises FileNotFoundError.

Written: run folders (``WORKBENCH_RUNS``, else ``runs/`` in ``WORKBENCH_HOME``, else in the current
folder), the corpus store and the caches (``WORKBENCH_STORE`` and ``WORKBENCH_CACHE``, else
``.workbench/`` in the project folder, :func:`project_root`). Caches never go to the system temp
folder."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

#: The resource folders the package ships (the project's top-level folders of the same names).
RESOURCES = ("seeds", "stopwords", "dictionaries")


def checkout() -> Path | None:
    """The project checkout this package runs from (an editable install), else None (installed)."""
    here = Path(__file__).resolve().parents[1]
    return here if (here / "pyproject.toml").is_file() and (here / "workbench").is_dir() else None


def project_root() -> Path:
    """The project folder, which holds ``.workbench/`` (store, caches), ``notebooks/`` and the
    notebooks' ``runs/``: ``WORKBENCH_HOME``, else the checkout of an editable install, else the
    current folder. Resources never come from here (see :func:`resource_dir`)."""
    env = os.environ.get("WORKBENCH_HOME")
    if env:
        return Path(env).expanduser().resolve()
    return checkout() or Path.cwd()


def resource_dir(name: str) -> Path:
    """The folder of one shipped resource (one of :data:`RESOURCES`): the checkout's top-level
    folder for an editable install, else ``workbench/data/<name>`` inside the installed package.

    Raises FileNotFoundError when it is missing (a package built without its resources)."""
    if name not in RESOURCES:
        raise ValueError(f"unknown resource folder '{name}' (one of {', '.join(RESOURCES)})")
    root = checkout()
    path = root / name if root else Path(str(resources.files("workbench") / "data" / name))
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: the workbench's {name}/ folder is missing (reinstall the package; "
                                "a build must carry the project's top-level folders in, see setup.py)")
    return path


def cache_dir() -> Path:
    env = os.environ.get("WORKBENCH_CACHE")
    path = Path(env) if env else project_root() / ".workbench" / "cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def seeds_dir() -> Path:
    """The bundled corpus: five articles and their keyed themes (``themes.toml``)."""
    return resource_dir("seeds")


def stopword_files() -> tuple[Path, ...]:
    root = resource_dir("stopwords")
    return (root / "zh_general.txt", root / "political_boilerplate.txt")


def user_dict_files() -> tuple[Path, ...]:
    return tuple(sorted(resource_dir("dictionaries").glob("*.txt")))


def runs_dir() -> Path:
    """Where ``workbench train`` writes run folders: ``WORKBENCH_RUNS``, else ``runs/`` in
    ``WORKBENCH_HOME``, else ``runs/`` in the current folder."""
    env = os.environ.get("WORKBENCH_RUNS")
    if env:
        return Path(env)
    return (project_root() if os.environ.get("WORKBENCH_HOME") else Path.cwd()) / "runs"
