"""`python -m shelfwise_shop bench`: synthetic contribution reports written by DuckDB, then
aggregated by each engine in its own process, timed, with the peak memory of the
process and its children (Spark's JVM)."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .engines import progress

# A synthetic model: the runner takes any weights, in the model file's order.
WEIGHT_NAMES = [
    "base", "category", "brand", "priceBand", "otherFacets", "stated", "similar", "returned",
    "returnedLast", "interactions", "viewed", "inCart", "gateBias", "gateReturnRate",
    "gateActivity", "gateLastRepeat", "gateReturnedInList", "gateExploredInList",
]  # fmt: skip

# Deterministic: every draw is a hash of (report, draw number), scaled to [0, 1).
# A device sends a gradient with Laplace noise of scale 2 * clip / epsilon = 1 around a
# small true update, and one optimized-unary-encoded bucket at epsilon 2: 60% one of 20
# popular buckets, 30% any bucket, 10% nothing (an all-zero vector, randomized alike).
GENERATE = """
COPY (
  SELECT
    'shelfwise-contribution' AS format,
    1 AS version,
    'default' AS model,
    2.0 AS epsilon,
    1.0 AS clip,
    list_transform(range({weights}), j -> round(
      0.05 * (j % 3 - 1) - sign(unit(i, j) - 0.5) * ln(greatest(1 - 2 * abs(unit(i, j) - 0.5), 1e-300)), 6)) AS gradient,
    2.0 AS sketchEpsilon,
    1024 AS sketchWidth,
    list_filter(range(1024), b -> unit(i, b + 100) < CASE WHEN b = truth THEN 0.5 ELSE 1 / (exp(2) + 1) END) AS ones
  FROM (
    SELECT
      range AS i,
      CASE
        WHEN unit(range, 50) < 0.6 THEN CAST(floor(unit(range, 51) * 20) AS BIGINT) * 37
        WHEN unit(range, 50) < 0.9 THEN CAST(floor(unit(range, 51) * 1024) AS BIGINT)
        ELSE -1
      END AS truth
    FROM range({reports})
  )
) TO '{folder}' (FORMAT parquet, PER_THREAD_OUTPUT true)
"""


def generate(reports, folder):
    import duckdb

    connection = duckdb.connect()
    # Draw j of report i: the hash of one number (hashes of several values are combined
    # too simply to be independent); its top 53 bits, so a draw never rounds up to 1.
    connection.execute("CREATE MACRO unit(i, j) AS (hash(i * 2048 + j) >> 11) / 9007199254740992.0")
    connection.execute(GENERATE.format(weights=len(WEIGHT_NAMES), reports=reports, folder=folder))
    connection.close()


def _tree_rss_bytes(root):
    """Resident memory of a process and all its descendants (Spark's JVM), from /proc."""
    total, stack = 0, [root]
    page = os.sysconf("SC_PAGE_SIZE")
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/statm") as statm:
                total += int(statm.read().split()[1]) * page
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as children:
                    stack.extend(int(child) for child in children.read().split())
        except (OSError, ValueError, IndexError):
            continue  # it ended meanwhile
    return total


def run_engine(engine, folder, model):
    """Aggregates the folder in a child process; its time, peak memory and output."""
    command = [sys.executable, "-m", "shelfwise_shop", "aggregate", folder, "--model", model, "--engine", engine]
    started = time.monotonic()
    child = subprocess.Popen(command, cwd=Path(__file__).resolve().parent.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0
    while child.poll() is None:
        peak = max(peak, _tree_rss_bytes(child.pid))
        time.sleep(0.5)
    seconds = time.monotonic() - started
    out, err = child.communicate()
    if child.returncode != 0:
        raise SystemExit(f"shelfwise_shop bench: {engine} failed:\n{err.decode()}")
    return seconds, peak, json.loads(out)


def bench(reports, engine_names, folder=None):
    keep = folder is not None
    folder = Path(folder) if keep else Path(tempfile.mkdtemp(prefix="shelfwise-bench-"))
    try:
        data = folder / f"reports-{reports}"
        if not data.exists():
            progress(f"writing {reports:,} reports to {data}")
            started = time.monotonic()
            generate(reports, data)
            progress(f"written in {time.monotonic() - started:.1f} s")
        model = folder / "model.json"
        model.write_text(json.dumps({"version": "default", **{name: 1.0 for name in WEIGHT_NAMES}}))
        size = sum(p.stat().st_size for p in data.rglob("*.parquet"))
        for engine in engine_names:
            progress(f"aggregating with {engine}")
            seconds, peak, result = run_engine(engine, str(data), str(model))
            figures = {
                "engine": engine,
                "reports": result["gradient"]["reports"] + result["gradient"]["ignored"],
                "parquetMB": round(size / 1e6, 1),
                "seconds": round(seconds, 2),
                "reportsPerSecond": round(reports / seconds),
                "peakRssMB": round(peak / 1e6, 1),
                # What both engines must agree on (means to 9 significant digits).
                "aggregate": {
                    "counted": result["gradient"]["reports"],
                    "sketched": result["priors"]["reports"],
                    "mean": [float(f"{m:.9g}") for m in result["gradient"]["mean"]],
                    "buckets": result["priors"]["buckets"],
                },
            }
            print(
                f"{engine}: {figures['reports']:,} reports in {seconds:.1f} s, "
                f"{figures['reportsPerSecond']:,} reports/s, peak RSS {figures['peakRssMB']:,} MB"
            )
            print(json.dumps(figures), flush=True)
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
