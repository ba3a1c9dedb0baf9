"""How much of each corpus is written in Traditional characters: the measurements behind
``tokenize.TRADITIONAL_MIN_SHARE`` and ``TRADITIONAL_MIN_CHARACTERS``.

    python bench/traditional_share.py

Per corpus: documents, Han characters, Traditional characters (those OpenCC's t2s table always
changes, ``tokenize.traditional_share``), the documents holding any, the largest shares with the
characters found, and which documents the rule converts. Reads the shipped examples/ and seeds/
and, when present, the corpora in /work/shared/corpora in place; writes
bench/out/traditional_share.json.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from workbench.text.tokenize import (
    TRADITIONAL_MIN_CHARACTERS,
    TRADITIONAL_MIN_SHARE,
    _script_table,
    is_traditional,
    traditional_share,
)

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared" / "corpora").resolve()


def jsonl(path: Path, name_key: str = "date") -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(f"{r.get(name_key) or r.get('id')} {r.get('doc_type', '')}".strip(), r["text"]) for r in rows]


def corpora() -> dict[str, list[tuple[str, str]]]:
    out = {"seeds": [(p.name, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "seeds").glob("*.txt"))],
           "examples/gov-reports (national, 1954-2025)":
               jsonl(ROOT / "examples" / "gov-reports" / "gov_work_reports_national.jsonl")}
    extra = {"provincial reports 2025-26": SHARED / "gov-reports" / "provincial"
                                           / "gov_work_reports_provincial_2025_2026.jsonl",
             "THUCNews 1k": SHARED / "thucnews-fulltext-1k" / "thucnews_fulltext_1k.jsonl",
             "xinwenlianbo 2024": SHARED / "xinwenlianbo" / "xinwenlianbo_2024.jsonl"}
    for name, path in extra.items():
        if path.is_file():
            out[name] = jsonl(path, "id")
    return out


def measure(docs: list[tuple[str, str]]) -> dict:
    table = _script_table()
    t0 = time.perf_counter()
    for _, text in docs:
        traditional_share(text)
    seconds = time.perf_counter() - t0  # the detection alone, as the pipeline runs it
    rows = []
    for name, text in docs:
        han, trad = traditional_share(text)
        rows.append({"document": name, "han": han, "traditional": trad, "share": trad / han if han else 0.0,
                     "converted": is_traditional(text),
                     "characters": "".join(sorted({c for c in text if table[ord(c)] == 2}))[:24]})
    han = sum(r["han"] for r in rows)
    trad = sum(r["traditional"] for r in rows)
    top = sorted(rows, key=lambda r: -r["share"])
    return {"documents": len(rows), "han": han, "traditional": trad, "share": trad / han if han else 0.0,
            "with_any": sum(r["traditional"] > 0 for r in rows), "converted": [r for r in rows if r["converted"]],
            "largest": [r for r in top[:5] if r["traditional"]],
            "characters_per_second": sum(len(t) for _, t in docs) / seconds}


def main() -> None:
    print(f"rule: convert a document when >= {TRADITIONAL_MIN_SHARE:.1%} of its Han characters "
          f"and >= {TRADITIONAL_MIN_CHARACTERS} are Traditional")
    results = {}
    for name, docs in corpora().items():
        r = results[name] = measure(docs)
        print(f"\n{name}: {r['documents']:,} documents, {r['han']:,} Han characters, {r['traditional']:,} "
              f"Traditional ({r['share']:.4%}); {r['with_any']} documents hold any; "
              f"{r['characters_per_second'] / 1e6:.0f} M characters/s")
        for row in r["largest"]:
            print(f"  {row['document'][:40]:40} {row['traditional']:>6,} of {row['han']:>7,} = {row['share']:.3%}"
                  f"  {'converted' if row['converted'] else 'kept':9}  {row['characters']}")
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "traditional_share.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
