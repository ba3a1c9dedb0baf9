"""The package's layers (pyproject.toml, [tool.importlinter]) hold: each layer imports only those below."""

import logging
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_layers_import_downward_only(monkeypatch):
    importlinter_cli = pytest.importorskip("importlinter.cli")
    monkeypatch.chdir(ROOT)
    # import-linter configures logging with disable_existing_loggers: keep the workbench's loggers
    # working for the tests that run after this one
    loggers = [lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger)]
    disabled = {lg: lg.disabled for lg in loggers}
    try:
        assert importlinter_cli.lint_imports(config_filename=str(ROOT / "pyproject.toml")) == 0
    finally:
        for lg, was in disabled.items():
            lg.disabled = was


def test_layer_contract_names_every_subpackage():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    named = {m.strip() for layer in config["tool"]["importlinter"]["contracts"][0]["layers"]
             for m in layer.split("|")}
    package = ROOT / "workbench"
    present = {f"workbench.{p.stem if p.is_file() else p.name}" for p in package.iterdir()
               if (p.suffix == ".py" and p.stem not in ("__init__", "__main__")) or (p / "__init__.py").is_file()}
    assert present == named, "every module and subpackage of workbench/ belongs to one layer"
