"""The measurement estimator of `shelfwise estimate` (crates/core/src/measure.rs), with the
scan in SQL (`shop/sql/measurement.sql`) and the intervals from its per-group sums.
"""

import json
import math

from .engines import progress

METRICS = ["impressions", "clicks", "add_to_cart", "purchases", "revenue"]
LEVELS = 4
BITS_PER_MODULE = len(METRICS) * LEVELS
MAX_MODULES = 16
MAX_EPSILON = 10.0
Z95 = 1.959963984540054


def keep_probability(epsilon):
    return 1.0 / (1.0 + math.exp(-epsilon))


def _six(x):
    """Rust's (x * 1e6).round() / 1e6: halves away from zero."""
    scaled = x * 1e6
    return math.floor(abs(scaled) + 0.5) * (1 if scaled >= 0 else -1) / 1e6


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def well_formed_layout(report):
    """The report's (modules, epsilon, revenue step) when it is well formed as the core
    checks it (Layout::new), else None."""
    if not isinstance(report, dict) or report.get("format") != "shelfwise-report" or report.get("version") != 1:
        return None
    modules, epsilon, step, bits = (report.get(k) for k in ("modules", "epsilon", "revenueStep", "bits"))
    if not (isinstance(modules, list) and all(isinstance(m, str) for m in modules)):
        return None
    if not (_number(epsilon) and _number(step) and isinstance(bits, str) and isinstance(report.get("group"), str)):
        return None
    if len(bits) != len(modules) * BITS_PER_MODULE or set(bits) - {"0", "1"}:
        return None
    # Names of 1 to 64 bytes (Rust's len), no control characters, distinct, at most 16.
    for i, m in enumerate(modules):
        if not 1 <= len(m.encode()) <= 64 or any(_is_control(c) for c in m) or m in modules[:i]:
            return None
    if len(modules) > MAX_MODULES:
        return None
    if not (math.isfinite(_six(epsilon)) and 0 < _six(epsilon) <= MAX_EPSILON):
        return None
    if not (math.isfinite(_six(step)) and _six(step) > 0):
        return None
    return modules, float(epsilon), float(step)


def _is_control(c):
    # Rust's char::is_control: the Unicode Cc category.
    return ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0


def first_layout(files):
    """The first well-formed report's layout, reading the files in order line by line
    (the core takes the layout from the first well-formed report)."""
    for path in files:
        with open(path, encoding="utf-8", errors="replace") as file:
            for line in file:
                if not line.strip():
                    continue
                try:
                    layout = well_formed_layout(json.loads(line))
                except ValueError:
                    continue
                if layout:
                    return layout
    raise SystemExit("shelfwise_shop estimate: no readable report to estimate from")


def as_core_writes(value):
    """Numbers as the core's JSON writer prints them (crates/core/src/json.rs): six
    decimals at most, halves away from zero, whole numbers without a fraction, and
    non-finite numbers as null; so the output is `shelfwise estimate`'s."""
    if isinstance(value, dict):
        return {k: as_core_writes(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_core_writes(v) for v in value]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    if not math.isfinite(value):
        return None
    if value == int(value) or abs(value) >= 1e12:
        return int(round(value))
    sign = -1 if value < 0 else 1
    micros = math.floor(abs(value) * 1e6 + 0.5)
    return sign * micros // 1_000_000 if micros % 1_000_000 == 0 else sign * micros / 1e6


def _interval(value, standard_error):
    return {"value": value, "low": value - Z95 * standard_error, "high": value + Z95 * standard_error}


def estimate(engine, files, baseline=None):
    """The estimate as `shelfwise estimate` prints it. Groups are listed by name (the
    core lists them in order of first appearance); malformed lines are counted in
    `ignored` (the CLI stops at them)."""
    modules, epsilon, step = first_layout(files)
    cells = len(modules) * len(METRICS)
    engine.table(
        "layout",
        [
            ("layout_modules", "text list"),
            ("layout_epsilon", "double"),
            ("layout_revenue_step", "double"),
            ("keep", "double"),
            ("width", "int"),
        ],
        [(modules, epsilon, step, keep_probability(epsilon), len(modules) * BITS_PER_MODULE)],
    )
    engine.table(
        "cells",
        [("cell", "int"), ("step", "double")],
        [(c, step if c % len(METRICS) == 4 else 1.0) for c in range(cells)],
    )
    engine.read_reports(files, False, view="measurement_reports", jsonl_query="measurement_jsonl")
    progress(f"estimating from {len(files)} file(s)")
    [(lines,)] = engine.rows("measurement_count")
    sums = {}
    for group, cell, reports, total, squares in engine.rows("measurement"):
        sums.setdefault(group, [None] * cells)[cell] = (reports, total, squares)
    if not sums:
        raise SystemExit("shelfwise_shop estimate: no report is readable")
    if baseline is None and "holdout" in sums:
        baseline = "holdout"
    if baseline is not None and baseline not in sums:
        raise SystemExit(f'shelfwise_shop estimate: no report is in the baseline group "{baseline}"')

    groups = []
    for group in sorted(sums):
        n = sums[group][0][0]
        metrics = []
        for cell, (_, total, squares) in enumerate(sums[group]):
            mean = total / n
            variance = max((squares - n * mean * mean) / (n - 1), 0.0) if n > 1 else 0.0
            metrics.append(
                {
                    "module": modules[cell // len(METRICS)],
                    "metric": METRICS[cell % len(METRICS)],
                    "total": _interval(total, math.sqrt(n * variance)),
                    "perReport": _interval(mean, math.sqrt(variance / n)),
                    "lift": None,
                }
            )
        groups.append({"group": group, "reports": n, "metrics": metrics})
    if baseline is not None:
        base = next(g for g in groups if g["group"] == baseline)
        for group in groups:
            if group is base:
                continue
            for metric, of_base in zip(group["metrics"], base["metrics"]):
                # Each mean's standard error, as its interval states it.
                def error(i):
                    return (i["high"] - i["value"]) / Z95

                spread = math.hypot(error(metric["perReport"]), error(of_base["perReport"]))
                metric["lift"] = _interval(metric["perReport"]["value"] - of_base["perReport"]["value"], spread)
    counted = sum(g["reports"] for g in groups)
    return as_core_writes({
        "epsilon": epsilon,
        "revenueStep": step,
        "modules": modules,
        "baseline": baseline,
        "groups": groups,
        "ignored": lines - counted,
    })
