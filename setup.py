"""The build step that carries the project's resource folders into the package.

``seeds/`` (the bundled corpus and its ``themes.toml``), ``stopwords/`` and ``dictionaries/`` stay at
the top of the project, where researchers edit them. ``package_dir`` maps each onto a folder of the
package, so ``pip install .``, a wheel and an sdist all ship them as ``workbench/data/<name>/``
(read with ``importlib.resources``, see ``workbench/paths.py``). An editable install reads them in
place. Everything else about the build is in ``pyproject.toml``."""

from setuptools import find_packages, setup

RESOURCES = {f"workbench.data.{name}": name for name in ("seeds", "stopwords", "dictionaries")}

setup(
    packages=find_packages(include=["workbench", "workbench.*"]) + list(RESOURCES),
    package_dir=RESOURCES,
    package_data={package: ["*.txt", "*.toml", "*.md"] for package in RESOURCES},
)
