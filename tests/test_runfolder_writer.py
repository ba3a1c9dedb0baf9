"""The one run-folder writer's pieces that engines feed from parts: the metadata profile of
doc_topics.csv merged over partitions, and the streamed corpus fingerprint."""

import numpy as np
import pandas as pd

from workbench import runfolder

METAS = [{"title": "平桥区党建", "page": 3, "flag": True, "vol": 1},
         {"title": "=乡村振兴", "flag": False, "vol": "第二卷", "text": "原文"},
         {"page": 7, "vol": 2, "date": "2023-05-01"},
         {"title": "+脱贫攻坚", "page": 12, "vol": 3, "source": "@新华社"},
         {"title": "基层治理", "page": 2 ** 40, "vol": 4, "author": "-殷明"}]


def test_profiles_of_parts_merge_to_the_profile_of_the_whole():
    whole = runfolder.MetaProfile()
    for i, m in enumerate(METAS):
        whole.add(i, m)
    for parts in ([[4, 0], [2], [3, 1]], [[1, 2, 3], [0, 4]]):  # partitions in any order
        merged = runfolder.MetaProfile()
        for part in parts:
            p = runfolder.MetaProfile()
            for i in part:
                p.add(i, METAS[i])
            merged.merge(p)
        assert merged.columns() == whole.columns()
        assert merged.dtypes() == whole.dtypes()
    assert whole.columns() == ["title", "date", "author", "source", "page", "flag", "vol", "source_text"]
    inferred, printed = whole.dtypes()
    assert inferred["page"] == pd.Int64Dtype()  # an int column with gaps stays whole numbers
    assert printed["flag"] == np.dtype("O")  # True, False and "" for the missing one


def test_doc_topic_rows_in_blocks_are_the_table_built_whole(tmp_path):
    rows = [{"doc_id": f"d{i}", "unit_id": f"d{i}-p000", "source_file": "x.jsonl", "record": f"line {i + 1}",
             "meta": m, "text": "推进网格化治理", "n_tokens": 3} for i, m in enumerate(METAS)]
    shares = np.random.default_rng(1).dirichlet(np.ones(3), size=len(rows))
    profile = runfolder.MetaProfile()
    for i, m in enumerate(METAS):
        profile.add(i, m)
    one, blocks = tmp_path / "one.csv", tmp_path / "blocks.csv"
    runfolder.write_doc_topic_rows([(rows, shares)], profile, one)
    runfolder.write_doc_topic_rows([(rows[i:i + 2], shares[i:i + 2]) for i in range(0, 5, 2)], profile, blocks)
    assert one.read_bytes() == blocks.read_bytes()
    table = pd.read_csv(one, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert table["page"].tolist() == ["3", "", "7", "12", "1099511627776"]  # as the source wrote them
    assert table["dominant_topic"].astype(int).tolist() == shares.argmax(axis=1).tolist()


def test_the_fingerprint_streams():
    ids = [np.array([0, 2, 1], dtype=np.int32), np.array([1], dtype=np.int32)]
    terms = ("脱贫攻坚", "网格化", "纪检监察")
    expected = runfolder.corpus_fingerprint(["u0", "u1"], ids, terms)
    assert runfolder.fingerprint_of(iter([("u0", [0, 2, 1]), ("u1", [1])]), terms) == expected
    assert runfolder.fingerprint_of(iter([("u1", [1]), ("u0", [0, 2, 1])]), terms) != expected
