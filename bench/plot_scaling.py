"""Plot wall time and peak memory against corpus size for the baseline and the workbench.

    python bench/plot_scaling.py [bench/out/perf/results.json] [--out bench/out/scaling.png]

Reads bench/perf.py's results (every run), plots the median of each pipeline at 1, 2 and 4 years
(and the whole corpus when present) against the corpus size in MB of UTF-8 text, with the single
runs as faint points.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results", nargs="?", type=Path, default=ROOT / "bench" / "out" / "perf" / "results.json")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "scaling.png")
    args = ap.parse_args(argv)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = json.loads(args.results.read_text(encoding="utf-8"))
    runs = [r for r in data["runs"] if r.get("returncode") == 0]
    # x: MB of UTF-8 text per size (the baseline reads exactly the files' text fields)
    mb = {}
    for r in runs:
        if r.get("mb_utf8"):
            mb[r["size"]] = r["mb_utf8"]
    order = [s for s in ("1y", "2y", "4y", "all") if s in mb]
    styles = {"baseline": ("tab:red", "o", "baseline (jieba.lcut + gensim LdaModel, 5 passes)"),
              "workbench": ("tab:blue", "s", "workbench train (rjieba, tomotopy)")}
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.4))
    panels = (("seconds", "wall time (s)", "Time, raw files to finished output"),
              ("max_rss_mb", "peak resident memory (MB)", "Peak memory (kernel max RSS)"))
    for ax, (key, ylabel, title) in zip(axes, panels):
        for name, (color, marker, label) in styles.items():
            xs, ys, ns = [], [], []
            for s in order:
                vals = [r[key] for r in runs if r["pipeline"] == name and r["size"] == s and r.get(key) is not None]
                if not vals:
                    continue
                ax.scatter([mb[s]] * len(vals), vals, color=color, alpha=0.25, s=14)
                xs.append(mb[s])
                ys.append(statistics.median(vals))
                ns.append(len(vals))
            ax.plot(xs, ys, color=color, marker=marker, label=label)
            for x, y, n in zip(xs, ys, ns):
                ax.annotate(f"{y:.0f}" + ("" if n > 1 else " (1 run)"), (x, y), textcoords="offset points",
                            xytext=(4, 6), fontsize=8, color=color)
        ax.set_xlabel("corpus size (MB of UTF-8 text)")
        ax.set_ylabel(ylabel)
        ax.set_title(title, fontsize=10)
        ax.set_xlim(left=0)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        sec = ax.secondary_xaxis("top")
        sec.set_xticks([mb[s] for s in order])
        sec.set_xticklabels([{"1y": "1 yr", "2y": "2 yrs", "4y": "4 yrs", "all": "all"}[s] for s in order], fontsize=8)
    axes[0].legend(fontsize=8, loc="upper left")
    fig.suptitle("xinwenlianbo, K=30: median per size (faint dots: single runs; shared, noisy machine) "
                 f"({data.get('machine', {}).get('nproc', '?')} CPUs)", fontsize=11)
    fig.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=120)
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
