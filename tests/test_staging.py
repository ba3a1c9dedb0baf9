"""Result folders appear whole, under unique names, and killed writers leave nothing behind for long."""

import json
import multiprocessing as mp
import os
import subprocess
import sys

from workbench.files import StagedFolder, remove_stale_staging

NAME = "20261202-120000-0123abcd"


def _write(out_dir, barrier):
    barrier.wait()  # every writer enters and leaves at the same instant
    with StagedFolder(out_dir, NAME) as stage:
        (stage.tmp / "manifest.json").write_text(json.dumps({"run_id": stage.name}), encoding="utf-8")


def test_fifty_concurrent_writers_get_fifty_folders_named_as_their_manifests(tmp_path):
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(50)
    procs = [ctx.Process(target=_write, args=(tmp_path, barrier)) for _ in range(50)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0] * 50
    folders = sorted(p for p in tmp_path.iterdir())
    assert len(folders) == 50 and not [p for p in folders if p.name.startswith(".")]
    for folder in folders:
        assert json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["run_id"] == folder.name


def test_a_failed_write_leaves_no_folder_and_frees_its_name(tmp_path):
    try:
        with StagedFolder(tmp_path, NAME) as stage:
            (stage.tmp / "doc_topics.csv").write_text("half", encoding="utf-8")
            raise RuntimeError("killed")
    except RuntimeError:
        pass
    assert list(tmp_path.iterdir()) == []
    with StagedFolder(tmp_path, NAME) as stage:
        pass
    assert stage.path == tmp_path / NAME and stage.path.is_dir()


def test_staging_left_by_a_killed_writer_is_removed_by_the_next(tmp_path):
    # a writer killed with -9 while staging: its folder and claim stay behind
    code = ("import os, sys; from workbench.files import StagedFolder; "
            f"s = StagedFolder(sys.argv[1], {NAME!r}).__enter__(); "
            "(s.tmp / 'doc_topics.csv').write_text('x'); os.kill(os.getpid(), 9)")
    subprocess.run([sys.executable, "-c", code, str(tmp_path)])
    left = sorted(p.name for p in tmp_path.iterdir())
    assert any(n.endswith(".claim") for n in left) and len(left) == 2, left
    (tmp_path / ".ipynb_checkpoints").mkdir()  # hidden, but not ours: never touched
    with StagedFolder(tmp_path, NAME) as stage:
        pass
    assert len(stage.removed_stale) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [".ipynb_checkpoints", NAME]


def test_a_live_writers_staging_is_left_alone(tmp_path):
    with StagedFolder(tmp_path, NAME) as first:
        assert remove_stale_staging(tmp_path) == []
        with StagedFolder(tmp_path, NAME) as second:
            assert second.name == f"{NAME}-1"  # the first's claim holds its name
        assert first.tmp.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == [NAME, f"{NAME}-1"]
    assert os.stat(tmp_path / NAME).st_mode & 0o055  # readable by others, as any new folder (umask)


def _claim(folder, barrier, queue):
    from workbench.files import atomic_file, claim_file

    barrier.wait()
    path = claim_file(folder, "ingest-20261203-120000-c", ".txt")
    with atomic_file(path) as tmp:
        tmp.write_text(str(os.getpid()), encoding="utf-8")
    queue.put((path.name, os.getpid()))


def test_fifty_reports_claimed_in_the_same_instant_get_fifty_files(tmp_path):
    ctx = mp.get_context("fork")
    barrier, queue = ctx.Barrier(50), ctx.Queue()
    procs = [ctx.Process(target=_claim, args=(tmp_path, barrier, queue)) for _ in range(50)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0] * 50
    claimed = dict(queue.get(timeout=5) for _ in range(50))
    assert len(claimed) == 50 and sorted(p.name for p in tmp_path.iterdir()) == sorted(claimed)
    for name, pid in claimed.items():  # each writer's report is its own
        assert (tmp_path / name).read_text(encoding="utf-8") == str(pid)


def test_two_ingests_of_a_corpus_in_one_second_keep_both_reports(tmp_path, monkeypatch):
    from datetime import datetime, timezone

    from workbench.corpus import store

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 12, 3, 12, 0, 0, tzinfo=timezone.utc)

    monkeypatch.setattr(store, "datetime", Frozen)
    (tmp_path / "a.txt").write_text("驻村第一书记带领贫困户发展产业，推进脱贫攻坚。", encoding="utf-8")
    (tmp_path / "b.txt").write_text("网格员走访居民，化解矛盾纠纷，服务社区群众。", encoding="utf-8")
    db = tmp_path / "store" / "store.sqlite"
    _, first = store.ingest_with_report([tmp_path / "a.txt"], "c", store_path=db)
    _, second = store.ingest_with_report([tmp_path / "b.txt"], "c", store_path=db)
    assert (first.name, second.name) == ("ingest-20261203-120000-c.txt", "ingest-20261203-120000-c-1.txt")
    assert first.read_text(encoding="utf-8").startswith("corpus 'c': 1 added, 0 unchanged")
    assert second.read_text(encoding="utf-8").startswith("corpus 'c': 1 added, 0 unchanged")


def test_scratch_left_by_a_killed_engine_is_removed_and_named(tmp_path, caplog):
    import logging

    from workbench.files import scratch_folder

    # a Spark run killed with -9 while it trains: its scratch folder stays behind
    code = ("import os, sys; from workbench.files import scratch_folder; "
            "w = scratch_folder(sys.argv[1], 'spark-work'); (w / 'part-0.parquet').write_text('x'); "
            "print(w.name, flush=True); os.kill(os.getpid(), 9)")
    left = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True).stdout.strip()
    assert left.startswith(".spark-work.") and (tmp_path / left).is_dir()
    live = scratch_folder(tmp_path, "spark-work")  # this process's: in use, kept
    (tmp_path / ".spark-work.notes").mkdir()  # not a scratch folder's name: never touched
    with caplog.at_level(logging.WARNING, logger="workbench"):
        removed = remove_stale_staging(tmp_path)
    assert [p.name for p in removed] == [left]
    assert caplog.messages == [f"{tmp_path}: removed 1 staging folder(s) left by killed runs: {left}"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, ".spark-work.notes"])
