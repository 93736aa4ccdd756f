#!/usr/bin/env python3
"""Run every benchmark and print one table (``make bench``).

    python bench/run_all.py                   # the full set, at the issue's scale
    python bench/run_all.py --quick           # smaller runs, for trying the harness

Runs, one after the other (each starts and stops its own PostgreSQL/Redis): the registration
burst, the pages with years of data, the tally, and the mail fan-out when
``bench/mail_fanout.py`` exists. Each writes its figures as JSON (``--json``); this script
prints their output as it comes and, at the end, one table with the machine's load average
before and after each benchmark (the machine is shared: compare ratios, not absolutes).
Exit code: 1 if any benchmark failed or missed a target it checks itself.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"


def load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def _takes_json(script: str) -> bool:
    help_text = subprocess.run([sys.executable, script, "--help"], cwd=ROOT, capture_output=True, text=True).stdout
    return "--json" in help_text


def run(name: str, argv: list[str], json_path: Path) -> dict:
    """Run one benchmark, its output shown as it comes; its figures from its JSON, or else
    the last lines it printed (a benchmark written without ``--json``)."""
    print(f"\n=== {name}: {' '.join(argv)}", flush=True)
    takes_json = _takes_json(argv[0])
    before = load()
    started = time.perf_counter()
    command = [sys.executable, *argv] + (["--json", str(json_path)] if takes_json else [])
    tail: list[str] = []
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True) as process:
        for line in process.stdout:
            print(line, end="", flush=True)
            if line.strip():
                tail = (tail + [line.rstrip()])[-12:]
    code = process.returncode
    seconds = time.perf_counter() - started
    try:
        figures = json.loads(json_path.read_text())
    except (OSError, ValueError):
        figures = {"rows": [{"what": "output", "value": line} for line in tail]}
    return {"name": name, "code": code, "seconds": seconds, "load_before": before, "load_after": load(),
            "figures": figures}


def _rows(result: dict) -> list[tuple[str, str, str]]:
    """(what, figure, target) rows of one benchmark's JSON."""
    figures = result["figures"]
    rows = []
    for row in figures.get("rows", []):
        rows.append((row["what"], row["value"], row.get("target", "")))
    if not rows:
        rows.append(("(no figures)", f"exit code {result['code']}", ""))
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs (not the issue's figures)")
    args = parser.parse_args(argv)
    quick = args.quick
    plan = [
        ("registration burst", ["bench/registration_burst.py"] + (["--clients", "200", "--concurrency", "50"]
                                                                   if quick else [])),
        ("pages", ["bench/pages.py"] + (["--scale", "0.1", "--repeat", "10", "--requests", "60"] if quick else [])),
        ("tally", ["bench/tally_bench.py"] + (["--ballots", "1000"] if quick else [])),
    ]
    if (BENCH / "mail_fanout.py").exists():
        plan.append(("mail fan-out", ["bench/mail_fanout.py"] + (["--mails", "500"] if quick else [])))
    else:
        print("bench/mail_fanout.py not on this branch: the mail fan-out is skipped", flush=True)

    results = []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        for index, (name, command) in enumerate(plan):
            results.append(run(name, command, Path(tmp) / f"{index}.json"))

    print("\n\n## All benchmarks\n")
    print(f"2-core machine (cpu_count {__import__('os').cpu_count()}); load average (1, 5, 15 min) "
          f"before and after each benchmark.\n")
    print("| benchmark | what | figure | target | load before → after |")
    print("| --- | --- | --- | --- | --- |")
    failed = False
    for result in results:
        failed |= result["code"] != 0
        for i, (what, value, target) in enumerate(_rows(result)):
            load_cell = f"{result['load_before']} → {result['load_after']}" if i == 0 else ""
            name = f"{result['name']} ({result['seconds']:.0f} s)" if i == 0 else ""
            print(f"| {name} | {what} | {value} | {target} | {load_cell} |")
    if failed:
        print("\nAt least one benchmark failed or missed a target (exit codes: "
              + ", ".join(f"{r['name']} {r['code']}" for r in results) + ")")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
