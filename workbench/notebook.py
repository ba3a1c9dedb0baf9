"""Start JupyterLab on the project's ``notebooks/`` folder, optionally on a chosen run.

``workbench notebook [RUN]`` calls :func:`launch`. The run reaches the notebooks through the
``WORKBENCH_RUN`` environment variable, which :func:`workbench.analysis.explore.load_run_or_latest`
reads; without it the notebooks open the newest run. The kernel starts in ``notebooks/``, so
the folder of runs the user meant (``./runs`` where the command was typed, or
``WORKBENCH_RUNS``) is passed on as an absolute ``WORKBENCH_RUNS``."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from workbench import paths
from workbench.analysis.explore import RUN_ENV, RUNS_ENV
from workbench.errors import shown

__all__ = ["notebooks_dir", "build_command", "launch"]


def notebooks_dir() -> Path:
    """``<project>/notebooks`` (the checkout the package was installed from, or ``WORKBENCH_HOME``)."""
    return paths.project_root() / "notebooks"


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _has_display(env: Mapping[str, str]) -> bool:
    # macOS and Windows always have a browser to open; elsewhere a browser needs X11 or Wayland.
    if sys.platform == "darwin" or os.name == "nt":
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def build_command(run: str | Path | None = None, port: int | None = None, extra_args: Sequence[str] = (),
                  *, env: Mapping[str, str] | None = None) -> tuple[list[str], dict[str, str]]:
    """The JupyterLab command line and environment that :func:`launch` runs, without running it.

    ``sys.executable -m jupyterlab --notebook-dir=<project>/notebooks``, plus ``--allow-root``
    when running as root (JupyterLab refuses root otherwise), ``--no-browser`` when there is no
    display to open one on, ``--port=PORT`` when given, then ``extra_args`` unchanged (they win:
    JupyterLab takes the last value of an option).

    ``env`` (default ``os.environ``) is copied, with ``WORKBENCH_RUN`` set to the run's absolute
    path when ``run`` is given (or ``env`` already names one), and ``WORKBENCH_RUNS`` made
    absolute when it is set or when ./runs exists (the kernel starts in ``notebooks/``, where
    a relative path would mean something else). Raises FileNotFoundError when ``notebooks/``
    or the run folder (its ``manifest.json``) is missing.
    """
    env = dict(os.environ if env is None else env)
    folder = notebooks_dir()
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no notebooks folder (install the workbench with `pip install -e .` "
                                "from its checkout, or set WORKBENCH_HOME to the checkout)")
    cmd = [sys.executable, "-m", "jupyterlab", f"--notebook-dir={folder}"]
    if _is_root():
        cmd.append("--allow-root")
    if not _has_display(env):
        cmd.append("--no-browser")
    if port is not None:
        cmd.append(f"--port={int(port)}")
    cmd.extend(str(a) for a in extra_args)
    run = run if run is not None else env.get(RUN_ENV) or None
    if run is not None:
        # Absolute: the kernel starts in notebooks/, not where the command was typed.
        run_path = Path(run).expanduser().resolve()
        if not (run_path / "manifest.json").is_file():
            raise FileNotFoundError(f"{shown(run)}: not a run folder (no manifest.json)")
        env[RUN_ENV] = str(run_path)
    runs_dir = Path(env[RUNS_ENV]) if env.get(RUNS_ENV) else Path.cwd() / "runs"
    if env.get(RUNS_ENV) or runs_dir.is_dir():
        env[RUNS_ENV] = str(runs_dir.expanduser().resolve())
    return cmd, env


def launch(run: str | Path | None = None, port: int | None = None, extra_args: Sequence[str] = ()) -> int:
    """Run JupyterLab on ``notebooks/`` until it exits; return its exit code.

    Ctrl-C stops it: JupyterLab is asked to stop (SIGTERM: it shuts its kernels down first) and
    waited for; a second Ctrl-C kills it. See :func:`build_command` for the command line and
    the environment the notebooks get.
    """
    cmd, env = build_command(run, port, extra_args)
    logging.getLogger(__name__).info(
        "JupyterLab on %s; the notebooks open %s", notebooks_dir(),
        f"run {env[RUN_ENV]}" if env.get(RUN_ENV)
        else f"the newest run in {env.get(RUNS_ENV) or paths.project_root() / 'runs'}")
    proc = subprocess.Popen(cmd, env=env)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            proc.wait()
        except KeyboardInterrupt:
            proc.kill()
            proc.wait()
        return 130
