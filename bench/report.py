"""Write the results of the last runs (bench/var/results*.json) as bench/RESULTS.md.

A full run writes bench/RESULTS.md (kept in the repository); a quick run
(``BENCH_QUICK=1``) writes bench/var/RESULTS-quick.md, so that it never replaces the
figures of a full run.

    python bench/report.py
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BENCH, QUICK, RESULTS, VAR, fmt, machine  # noqa: E402

TITLES = {
    "1 submissions": "1. Submissions per second (real app, one worker) vs a bare INSERT + COMMIT",
    "2 export": "2. CSV export vs the database's command line",
    "3 indicators": "3. Indicators vs one hand-written SQL GROUP BY",
    "4 survey page": "4. Survey page GETs per second vs a bare response of the same HTML",
    "5 dashboard": "5. Officials' pages: results (plain and segmented) and indicators",
    "6 isolation": "6. A citizen's submission while officials read",
}


def render(results: dict[str, dict], about: dict[str, str]) -> str:
    lines = [
        "# Benchmark results",
        "",
        *textwrap.wrap(
            "Written by `make bench` (bench/report.py) from the figures of the run; each "
            "figure's baseline was measured in the same run, on the same machine and "
            "database file. Rerun after any change to a hot path (submission, page "
            "rendering, export, results, indicators). How to run and what each benchmark "
            "does: README.md, \"Benchmarks\".", 88),
        "",
        "## Machine (when this file was written)",
        "",
        *(f"- {name}: {value}" for name, value in about.items()),
        "",
    ]
    by_bench: dict[str, list[dict]] = {}
    sizes: set[str] = set()
    for entry in results.values():
        sizes.add(f"{entry['sizes']['small']:,} and {entry['sizes']['large']:,} responses")
        for figure in entry["figures"]:
            by_bench.setdefault(figure["bench"], []).append(figure | {"at": entry["at"]})
    lines += [f"Sizes: {', '.join(sorted(sizes))}.", ""]
    for bench in sorted(by_bench):
        when = sorted({f"{f['engine']} {f['at'].replace('T', ' ')[:16]} UTC"
                       for f in by_bench[bench]})
        lines += [f"## {TITLES.get(bench, bench)}", "", f"Measured: {', '.join(when)}.", "",
                  "| Engine | Measure | Figure | Baseline | Ratio | Target | Met? |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        notes: list[str] = []
        for f in by_bench[bench]:
            unit = f" {f['unit']}"
            base = "" if f["baseline"] is None else fmt(f["baseline"]) + unit
            ratio = "" if f["ratio"] is None else f"{f['ratio']:.2f}"
            met = "" if f["met"] is None else ("yes" if f["met"] else "**no**")
            lines.append(f"| {f['engine']} | {f['measure']} | {fmt(f['figure'])}{unit} | "
                         f"{base} | {ratio} | {f['target']} | {met} |")
            if f["note"] and f["note"] not in notes:
                notes.append(f["note"])
        lines += ["", *(f"- {note}" for note in notes), ""]
    return "\n".join(lines)


def main() -> None:
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    target = VAR / "RESULTS-quick.md" if QUICK else BENCH / "RESULTS.md"
    text = render(results, machine())
    previous = target.read_text() if target.exists() else ""
    # Notes written by hand below the marker are kept.
    marker = "<!-- notes -->"
    if marker in previous:
        text += "\n" + previous[previous.index(marker):]
    target.write_text(text.rstrip() + "\n")
    print(f"bench: wrote {target}", file=sys.stderr)


if __name__ == "__main__":
    main()
