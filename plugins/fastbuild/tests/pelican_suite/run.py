"""Pelican's own test suite, as shipped and with every build through the engine.

Usage (``make test-pelican`` runs it)::

    python run.py --python SUITE_VENV/bin/python --sdist pelican-X.Y.Z.tar.gz \\
        --engine plugins/fastbuild/src --workers 2

The sdist (downloaded by ``make venv``; nothing is fetched here) is unpacked
into a temporary folder and its ``pelican/tests`` run three times with
``--python``, an interpreter whose environment has Pelican and its test
dependencies and no Pelican plugin:

1. as shipped;
2. with ``-p fastbuild_everywhere`` (this folder on ``PYTHONPATH``): the
   engine is registered before every ``Pelican(...)`` and every build runs
   at ``--workers`` workers;
3. the same with ``FASTBUILD_INCREMENTAL = True`` in every build (each
   test's build starts without a state, so this runs what an incremental
   build records and writes).

Each run writes a JUnit XML report; the failures (failed or erroring tests)
of each are printed. Exit status 1 when the second or third run has a
failure the first has not, when it ran no build, or when a build ran with
the engine off.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


@dataclass
class Outcome:
    """What one run of the suite gave."""

    name: str
    counts: dict[str, int] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)  # test id -> message


def read_junit(path: Path, name: str) -> Outcome:
    outcome = Outcome(name, dict.fromkeys(("passed", "failed", "skipped"), 0))
    for case in ET.parse(path).getroot().iter("testcase"):
        test = f"{case.get('classname')}::{case.get('name')}"
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            outcome.counts["failed"] += 1
            first = (problem.get("message") or "").strip().splitlines()
            outcome.failures[test] = first[0] if first else ""
        elif case.find("skipped") is not None:
            outcome.counts["skipped"] += 1
        else:
            outcome.counts["passed"] += 1
    return outcome


def run_suite(
    python: str, tree: Path, *, report: Path, extra_env: dict[str, str], plugin: bool
) -> int:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(extra_env)
    command = [
        python,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-q",
        "--no-header",
        "-rfE",
        f"--junitxml={report}",
        "pelican/tests",
    ]
    if plugin:
        command[3:3] = ["-p", "fastbuild_everywhere"]
    print("$", " ".join(command), flush=True)
    return subprocess.run(command, cwd=tree, env=env, check=False).returncode


def show(outcome: Outcome) -> None:
    c = outcome.counts
    print(
        f"{outcome.name}: {c['passed']} passed, {c['failed']} failed, "
        f"{c['skipped']} skipped"
    )
    for test, message in sorted(outcome.failures.items()):
        print(f"  FAILED {test}: {message[:160]}")


def _compare(shipped: Outcome, engine: Outcome, builds: dict[str, Any]) -> list[str]:
    """Show a run through the engine; what is wrong with it."""
    show(engine)
    print(
        f"builds: {builds['builds']}, with the engine on: "
        f"{builds['engine_on']}, with the parallel writer: "
        f"{builds['parallel_writers']}"
    )
    for test in builds["unseen"]:
        print(f"  a build of {test} ran without the engine")
    added = sorted(set(engine.failures) - set(shipped.failures))
    gone = sorted(set(shipped.failures) - set(engine.failures))
    problems = []
    if added:
        problems.append(f"{engine.name}: the engine added failures: {', '.join(added)}")
    if gone:
        print("failing as shipped only: " + ", ".join(gone))
    if builds["builds"] == 0 or builds["engine_on"] != builds["builds"]:
        problems.append(f"{engine.name}: not every build went through the engine")
    if engine.counts["passed"] + engine.counts["failed"] == 0:
        problems.append(f"{engine.name}: no test ran")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", required=True, help="the suite's interpreter")
    parser.add_argument("--sdist", required=True, type=Path)
    parser.add_argument("--engine", required=True, type=Path, help="the src folder")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not args.sdist.is_file():
        print(f"{args.sdist} is missing: run `make venv`", file=sys.stderr)
        return 2
    package = (args.engine / "pelican" / "plugins" / "fastbuild").resolve()
    python = os.path.abspath(args.python)  # not resolved: the venv's own
    with tempfile.TemporaryDirectory(prefix="pelican-suite-") as tmp:
        work = Path(tmp)
        with tarfile.open(args.sdist) as archive:
            archive.extractall(work, filter="data")
        (tree,) = [p for p in work.iterdir() if p.is_dir()]
        shipped_xml = work / "shipped.xml"
        run_suite(python, tree, report=shipped_xml, extra_env={}, plugin=False)
        shipped = read_junit(shipped_xml, "Pelican's suite as shipped")
        runs = []
        for name, incremental in (("engine", ""), ("incremental", "1")):
            report, counts_json = work / f"{name}.xml", work / f"{name}.json"
            env = {
                "PYTHONPATH": str(HERE),
                "FASTBUILD_SRC": str(package),
                "FASTBUILD_SUITE_WORKERS": str(args.workers),
                "FASTBUILD_SUITE_INCREMENTAL": incremental,
                "FASTBUILD_SUITE_REPORT": str(counts_json),
            }
            run_suite(python, tree, report=report, extra_env=env, plugin=True)
            title = (
                f"Pelican's suite, every build through fastbuild at "
                f"{args.workers} workers{', incremental' if incremental else ''}"
            )
            runs.append(
                (
                    read_junit(report, title),
                    json.loads(counts_json.read_text(encoding="utf-8")),
                )
            )
    show(shipped)
    problems = []
    for engine, builds in runs:
        problems += _compare(shipped, engine, builds)
    for problem in problems:
        print("test-pelican: " + problem, file=sys.stderr)
    if not problems:
        print("test-pelican: the engine adds no failure")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
