"""A package that installs anywhere: its resources ship inside it and nothing is read from the
folder the user stands in.

The slow test builds an sdist from the project's files, a wheel from that sdist, installs the wheel
into a fresh venv (no pip, no network: the test venv's site-packages lent through a ``.pth`` file)
and trains on the seeds from an unrelated folder that holds decoy ``seeds/``, ``stopwords/`` and
``dictionaries/``. The run must equal the editable install's (``seed_run``) file for file."""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

from workbench import paths

ROOT = Path(__file__).resolve().parents[1]
# What the build reads: the package, its resource folders and the files setuptools needs.
SOURCES = ("pyproject.toml", "setup.py", "README.md", "workbench", *paths.RESOURCES)
# Every table and array of a run: equal bytes mean equal tokens, vocabulary and model.
SAME_FILES = ("doc_topics.csv", "terms.csv", "topics.csv", "keywords.csv", "topic_term.npy", "labels.json")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _resource_files() -> dict[str, str]:
    """``<resource>/<file>`` -> sha256 of every file the package must ship, from the checkout."""
    return {f"{name}/{p.name}": _sha(p) for name in paths.RESOURCES
            for p in sorted((ROOT / name).iterdir()) if p.is_file()}


def _run(cmd, **kw) -> subprocess.CompletedProcess:
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=600, **kw)
    assert r.returncode == 0, (cmd, r.stdout[-2000:], r.stderr[-4000:])
    return r


# -- the editable install (this test session's) ------------------------------------------------

def test_editable_install_reads_the_checkout_folders():
    assert paths.checkout() == ROOT
    for name in paths.RESOURCES:
        assert paths.resource_dir(name) == ROOT / name
    assert paths.user_dict_files() == (ROOT / "dictionaries" / "party_building.txt",)
    assert (paths.seeds_dir() / "themes.toml").is_file()


def test_no_fall_back_to_the_current_folder_for_resources(monkeypatch, tmp_path):
    # An installed package whose data folder is missing, run from a folder that has a seeds/:
    # the error names the missing folder; the current folder's seeds/ is not used instead.
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "a.txt").write_text("脱贫攻坚。", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(paths, "checkout", lambda: None)
    with pytest.raises(FileNotFoundError, match=r"workbench/data/seeds.*seeds/ folder is missing"):
        paths.seeds_dir()
    with pytest.raises(FileNotFoundError, match="dictionaries/ folder is missing"):
        paths.user_dict_files()


def test_workbench_home_moves_what_is_written_not_what_is_read(monkeypatch, tmp_path):
    from workbench.corpus import store

    for var in ("WORKBENCH_RUNS", "WORKBENCH_STORE", "WORKBENCH_CACHE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WORKBENCH_HOME", raising=False)
    assert paths.runs_dir() == Path.cwd() / "runs"  # as before: runs/ where the command is typed
    assert store.default_path() == ROOT / ".workbench" / "store.sqlite"  # the checkout's, as before

    home = tmp_path / "home"
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    assert paths.runs_dir() == home / "runs"
    assert store.default_path() == home / ".workbench" / "store.sqlite"
    assert paths.cache_dir() == home / ".workbench" / "cache" and paths.cache_dir().is_dir()
    assert paths.seeds_dir() == ROOT / "seeds"  # resources stay the package's

    monkeypatch.setenv("WORKBENCH_RUNS", str(tmp_path / "elsewhere"))
    assert paths.runs_dir() == tmp_path / "elsewhere"


# -- a built wheel in a fresh venv ---------------------------------------------------------------

@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """sdist from a copy of the project's files, then a wheel from the sdist (offline: the test
    venv's setuptools builds it, no isolated build environment to download)."""
    work = tmp_path_factory.mktemp("build")
    src = work / "src"
    src.mkdir()
    for name in SOURCES:
        s = ROOT / name
        if s.is_dir():
            shutil.copytree(s, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(s, src / name)
    dist = work / "dist"
    sdist = _run([sys.executable, "-c", "import sys; from setuptools import build_meta as b; "
                  "print(b.build_sdist(sys.argv[1]))", dist], cwd=src).stdout.split()[-1]
    with tarfile.open(dist / sdist) as tar:
        members = {m.name.split("/", 1)[1]: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    assert {k: hashlib.sha256(members.get(k, b"")).hexdigest() for k in _resource_files()} == _resource_files()
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
          "-w", dist, dist / sdist], cwd=work)
    return next(dist.glob("workbench-*.whl"))


@pytest.mark.slow
def test_wheel_ships_the_resources_byte_for_byte(wheel):
    with zipfile.ZipFile(wheel) as z:
        shipped = {n.removeprefix("workbench/data/"): hashlib.sha256(z.read(n)).hexdigest()
                   for n in z.namelist() if n.startswith("workbench/data/")}
    assert shipped == _resource_files()


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed (--no-deps) and this venv's packages lent through a
    .pth file: the lent folder's own .pth files (the editable install's finder) are not run."""
    venv = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", "--without-pip", venv])
    py = venv / "bin" / "python"
    site = Path(_run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    lent = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    (site / "zz_test_venv_packages.pth").write_text("".join(f"{p}\n" for p in lent), encoding="utf-8")
    _run([sys.executable, "-m", "pip", "--python", py, "install", "--no-deps", "--no-index", wheel])
    return venv


@pytest.mark.slow
def test_wheel_trains_on_the_seeds_from_any_folder_like_the_editable_install(venv, seed_run, tmp_path):
    here = tmp_path / "unrelated"
    # Decoys: were the package to read the current folder, the corpus and the tokens would change.
    for name, text in (("seeds/decoy.txt", "街道社区网格员走访独居老人。" * 20), ("dictionaries/party_building.txt", ""),
                       ("stopwords/zh_general.txt", ""), ("stopwords/political_boilerplate.txt", "")):
        (here / name).parent.mkdir(parents=True, exist_ok=True)
        (here / name).write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_") and k != "PYTHONPATH"}

    where = _run([venv / "bin" / "python", "-c", "import workbench, workbench.paths as p; "
                  "print(workbench.__file__); print(p.seeds_dir())"], cwd=here, env=env).stdout.split()
    site = Path(_run([venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
                     ).stdout.strip())
    assert [Path(w) for w in where] == [site / "workbench" / "__init__.py", site / "workbench" / "data" / "seeds"]

    out = _run([venv / "bin" / "workbench", "train", "--quiet"], cwd=here, env=env).stdout
    run = Path(out.strip().splitlines()[-1])
    assert run.parent == here / "runs"  # written where the command was typed
    assert (here / ".workbench" / "store.sqlite").is_file()  # and the store holding the token cache

    for name in SAME_FILES:
        assert (run / name).read_bytes() == (seed_run / name).read_bytes(), name
    wheel_m, edit_m = (json.loads((r / "manifest.json").read_text(encoding="utf-8")) for r in (run, seed_run))
    for m in (wheel_m, edit_m):
        del m["corpus"]["stats"]  # timings
    assert wheel_m["corpus"] == edit_m["corpus"]  # fingerprint, document and unit ids, counts
    assert wheel_m["tokenizer"]["fingerprint"] == edit_m["tokenizer"]["fingerprint"]
    assert wheel_m["tokenizer"]["harvested_terms"] == edit_m["tokenizer"]["harvested_terms"]
    # The manifest names the files the installed package read, with the checkout's hashes.
    data = site / "workbench" / "data"
    assert wheel_m["tokenizer"]["user_dicts"] == {
        str(data / "dictionaries" / "party_building.txt"): _sha(ROOT / "dictionaries" / "party_building.txt")}
    assert wheel_m["tokenizer"]["stopword_files"] == {
        str(data / "stopwords" / n): _sha(ROOT / "stopwords" / n) for n in ("zh_general.txt", "political_boilerplate.txt")}
    assert wheel_m["config"]["sources"] == [str(data / "seeds")]
    assert wheel_m["versions"]["workbench"] == edit_m["versions"]["workbench"]
