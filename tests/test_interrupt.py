"""kill -9 at random points: the store stays whole, run folders appear whole or not at all.

Real subprocesses (`python -m workbench ingest | train | sweep`) are killed with SIGKILL at
seeded random times and at moments chosen from what the process is doing (its first committed
batch, its hidden staging folder). After each kill: the store passes `PRAGMA integrity_check`,
holds only whole documents (each equal to its source's cleaned text, in whole 500-document
batches), and rerunning the same command completes the work; no visible run or sweep folder
lacks its manifest, and the next run starts cleanly.

Kill points: 9 during ingest (6 at random times, 1 at the first commit, 2 at random times after
the first commit while a notebook-style reader streams the corpus), 4 during training (2 at random
times, 2 inside the run-folder write), 2 during a sweep: 15 in all (KILL_POINTS below). Train and
sweep run side by side on one store, as two terminals would.
"""
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest

from workbench.corpus import store
from workbench.corpus.ingest import read_sources
from workbench.runfolder.reader import load_run, verify_run

pytestmark = pytest.mark.interrupt

ROOT = Path(__file__).resolve().parents[1]
SEED = 20240611
WORDS = ("脱贫攻坚 第一书记 驻村 帮扶 贫困户 产业 网格员 社区 居民 矛盾纠纷 纪检监察 立案 审查 八项规定 四风 党支部 "
         "党员 学习教育 基层治理 乡村振兴 志愿服务 巡察 整改 廉政 警示教育 主题党日 组织生活 民主评议 村集体经济 合作社 "
         "电商 就业 易地搬迁 医疗保障 教育扶贫 生态环境 河长制 垃圾分类 厕所革命 人居环境").split()
N_INGEST = 6000  # files: about a second of ingest, 12 commits of 500
N_TRAIN = 300
KILL_POINTS = {"ingest": 9, "train": 4, "sweep": 2}


def make_corpus(folder: Path, n: int, rng: random.Random) -> Path:
    folder.mkdir(parents=True)
    for i in range(n):
        paras = ["，".join("".join(rng.choice(WORDS) for _ in range(3)) for _ in range(4)) + "。" for _ in range(3)]
        (folder / f"{i:05d}.txt").write_text(f"第{i}篇。" + "\n".join(paras), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    root = tmp_path_factory.mktemp("interrupt")
    rng = random.Random(SEED)
    big = make_corpus(root / "big", N_INGEST, rng)
    small = make_corpus(root / "small", N_TRAIN, rng)
    expected = {d.doc_id: (d.source_file, d.text) for d in read_sources([big])}
    assert len(expected) == N_INGEST
    return {"root": root, "big": big, "small": small, "expected": expected, "rng": rng}


def start(*args, store_path: Path, cache: Path | None = None) -> subprocess.Popen:
    env = {**os.environ, "WORKBENCH_STORE": str(store_path),
           "WORKBENCH_CACHE": str(cache or store_path.parent / "cache")}
    # its own session: the kill reaches any worker it forked, and only those
    return subprocess.Popen([sys.executable, "-m", "workbench", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)


def kill(proc: subprocess.Popen) -> bool:
    """SIGKILL the process (and its session); True when it was still running."""
    alive = proc.poll() is None
    if alive:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    return alive


def check_store(db: Path, expected: dict, corpus: str | None = "c") -> int:
    """Integrity, whole documents, whole batches; returns how many documents are stored."""
    if not db.exists():
        return 0
    with closing(sqlite3.connect(db, timeout=30)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "documents" not in tables:
            return 0
        rows = conn.execute("SELECT doc_id, source_file, text FROM records JOIN documents USING (doc_id)").fetchall()
        for doc_id, source, text in rows:
            assert expected[doc_id] == (source, text), f"document {doc_id} is not whole"
        # records and their texts written in one transaction
        assert conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == len(rows)
        if corpus is not None:
            ids = [r[0] for r in conn.execute("SELECT doc_id FROM records WHERE corpus=? ORDER BY id", (corpus,))]
            assert list(expected)[:len(ids)] == ids  # a prefix of the sources, in order
            assert len(ids) % store.BATCH == 0 or len(ids) == len(expected)
    return len(rows)


class NotebookReader(threading.Thread):
    """What a notebook does while the CLI ingests: list the corpus, stream its documents."""

    def __init__(self, db: Path, expected: dict):
        super().__init__(daemon=True)
        self.db, self.expected = db, expected
        self.stop, self.errors, self.seen, self.last = threading.Event(), [], set(), None

    def run(self):
        try:
            with closing(store.connect(self.db)) as conn:
                while True:
                    final = self.stop.is_set()  # one last full pass after stop is asked
                    try:
                        ids = [rid for rid, _ in store.corpus_records(conn, "c")]
                    except KeyError:
                        ids = []
                    n = 0
                    for d in store.iter_records(conn, ids):
                        if self.expected.get(d.doc_id) != (d.source_file, d.text):
                            self.errors.append(f"half or wrong document {d.doc_id}")
                        n += 1
                    self.seen.add(n)
                    self.last = n
                    if final:
                        break
        except Exception as exc:  # the notebook must not fail
            self.errors.append(repr(exc))


def test_kill_during_ingest(env, tmp_path):
    rng, expected = env["rng"], env["expected"]
    db = tmp_path / "store.sqlite"
    points = []
    # timed kills on a store that keeps what each killed run committed
    for delay in sorted(rng.uniform(0.3, 1.0) for _ in range(6)):
        proc = start("ingest", env["big"], "--corpus", "c", store_path=db)
        time.sleep(delay)
        alive = kill(proc)
        points.append((f"{delay:.2f}s", alive, check_store(db, expected)))
    # a kill right after the first commit of a fresh store; then two more, at random times after
    # the first commit, while a notebook streams the corpus
    fresh = tmp_path / "fresh.sqlite"
    for when in ("first commit", "with reader", "with reader"):
        path = fresh if when == "first commit" else tmp_path / f"read{len(points)}.sqlite"
        store.connect(path).close()
        reader = NotebookReader(path, expected) if when == "with reader" else None
        if reader:
            reader.start()
        proc = start("ingest", env["big"], "--corpus", "c", store_path=path)
        with closing(sqlite3.connect(path, timeout=30)) as conn:
            while proc.poll() is None and conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 0:
                time.sleep(0.002)
        offset = 0.0 if reader is None else rng.uniform(0.1, 0.4)
        time.sleep(offset)
        alive = kill(proc)
        n = check_store(path, expected)
        assert 0 < n <= N_INGEST
        if reader:
            reader.stop.set()
            reader.join(timeout=30)
            assert reader.errors == []  # never failed, never saw half a document
            assert reader.last == n  # and sees every committed document once the writer is gone
            when = f"{when} (it saw {len(reader.seen)} corpus sizes)"
        points.append((f"{when} +{offset:.2f}s", alive, n))
    assert len(points) == KILL_POINTS["ingest"]
    print("\ningest kill points (when, was running, documents kept):", points)

    # rerunning the same ingest completes it: same documents, same order, as one clean ingest
    for path in (db, fresh):
        before = check_store(path, expected)
        proc = start("ingest", env["big"], "--corpus", "c", "--report", tmp_path / "r.txt", store_path=path)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert out.splitlines()[0] == f"corpus 'c': {N_INGEST - before} added, {before} unchanged, 0 updated, 0 skipped"
        assert check_store(path, expected) == N_INGEST
        with closing(store.connect(path)) as conn:
            assert [doc for _, doc in store.corpus_records(conn, "c")] == list(expected)


def visible_folders(out: Path) -> list[Path]:
    return sorted(p for p in out.iterdir() if not p.name.startswith(".")) if out.exists() else []


def assert_only_whole_folders(out: Path) -> None:
    for p in visible_folders(out):
        assert p.is_dir() and (p / "manifest.json").is_file(), f"partial folder visible: {p}"
        json.loads((p / "manifest.json").read_text(encoding="utf-8"))
        if not p.name.startswith("sweep-"):
            assert verify_run(p) == [], p


def hidden_folders(out: Path) -> set[str]:
    return {p.name for p in out.iterdir() if p.name.startswith(".") and p.is_dir()} if out.exists() else set()


def kill_at_staging(proc: subprocess.Popen, out: Path, offset: float, before: set[str]) -> bool:
    """Kill ``offset`` seconds after a new hidden staging folder appears (or when the run ends)."""
    while proc.poll() is None:
        if hidden_folders(out) - before:
            time.sleep(offset)
            break
        time.sleep(0.002)
    return kill(proc)


def kill_and_rerun(command: str, small: Path, tmp_path: Path, rng: random.Random, db: Path, cache: Path) -> list:
    """Kill ``command`` at its kill points, check the folder after each, then run it to the end."""
    out = tmp_path / f"{command}-runs"
    args = [command, small, "--out", out, "--quiet", "--iterations", "50", "--no-above", "0.5",
            "--workers", "1", "--topics", "5" if command == "train" else "3,5"]
    points = []
    if command == "train":  # two at random times, two inside the run-folder write
        timed, staged = (rng.uniform(0.3, 1.2), rng.uniform(1.2, 2.2)), (0.0, rng.uniform(0.01, 0.2))
    else:
        timed, staged = (rng.uniform(0.5, 2.0),), (rng.uniform(0.0, 0.1),)
    for delay in timed:
        proc = start(*args, store_path=db, cache=cache)
        time.sleep(delay)
        points.append((f"{delay:.2f}s", kill(proc)))
        assert_only_whole_folders(out)
    for offset in staged:
        before = hidden_folders(out)
        proc = start(*args, store_path=db, cache=cache)
        alive = kill_at_staging(proc, out, offset, before)
        left = len(hidden_folders(out) - before)
        points.append((f"staging +{offset:.2f}s ({left} staging folder left hidden)", alive))
        assert_only_whole_folders(out)
    assert len(points) == KILL_POINTS[command]

    # the next run starts cleanly and is whole
    before = set(visible_folders(out))
    proc = start(*args, store_path=db, cache=cache)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    made = Path(stdout.strip().splitlines()[-1])
    assert set(visible_folders(out)) - before == {made}
    assert_only_whole_folders(out)
    if command == "train":
        run = load_run(made)
        assert len(run.doc_topics) > 0 and run.num_topics == 5
    else:
        assert (made / "recommendation.txt").is_file()
    return points


def test_kill_during_train_and_sweep(env, tmp_path):
    """train and sweep are killed side by side (sharing one store, as two terminals would)."""
    db, cache = tmp_path / "store.sqlite", tmp_path / "cache"
    results: dict[str, object] = {}

    def scenario(command, rng):
        try:
            results[command] = kill_and_rerun(command, env["small"], tmp_path, rng, db, cache)
        except BaseException as exc:  # reported by the main thread
            results[command] = exc

    threads = [threading.Thread(target=scenario, args=(c, random.Random(f"{SEED}-{c}"))) for c in ("train", "sweep")]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    for command in ("train", "sweep"):
        if isinstance(results.get(command), BaseException):
            raise results[command]
        print(f"\n{command} kill points (when, was running):", results[command])
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_segmenting_workers_die_with_a_killed_parent(tmp_path):
    # The default pool (one worker per core) forks when there is enough text; kill -9 of the parent
    # must not leave workers behind holding memory and the store.
    code = """
import os, sys
from workbench.text.preprocess import _Segmenter
from workbench.text.tokenize import default_config, get_tokenizer
seg = _Segmenter(get_tokenizer(default_config()), 2)
text = open(sys.argv[1], encoding="utf-8").read()
seg([text[i:i + 2000] for i in range(0, len(text), 2000)] * 20)
print(" ".join(str(p) for p in seg.pool._processes), flush=True)
os.kill(os.getpid(), 9)
"""
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    sample = tmp_path / "sample.txt"
    sample.write_text("".join(p.read_text(encoding="utf-8") for p in seeds), encoding="utf-8")
    printed = tmp_path / "workers.txt"  # a file, not a pipe: orphans would hold a pipe open
    with open(printed, "w") as fh:
        subprocess.run([sys.executable, "-c", code, str(sample)], stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT)
    workers = [int(p) for p in printed.read_text().split()[-2:] if p.isdigit()]
    assert len(workers) == 2, printed.read_text()
    deadline = time.monotonic() + 20
    alive = workers
    while alive and time.monotonic() < deadline:
        alive = [p for p in workers if _running(p)]
        time.sleep(0.1)
    assert alive == [], f"workers outlived their parent: {alive}"


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().split(") ")[-1][0] != "Z"
    except FileNotFoundError:
        return False
