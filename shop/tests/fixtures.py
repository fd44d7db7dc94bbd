"""Deterministic synthetic reports for the tests, and the aggregation math computed
directly in Python, independently of the SQL."""

import json
import math
import random
import re
from pathlib import Path

# The model's weight names, in order, as the core declares them (and reads model files).
_MODEL_RS = Path(__file__).resolve().parents[2] / "crates" / "core" / "src" / "rank" / "model.rs"
WEIGHT_NAMES = re.findall(r'"(\w+)"', re.search(r"WEIGHT_NAMES: \[&str; \w+\] = \[(.*?)\];", _MODEL_RS.read_text(), re.S)[1])


def model_file(path, version="default"):
    rng = random.Random(7)
    model = {"version": version}
    for name in WEIGHT_NAMES:
        model[name] = round(rng.uniform(-3, 3), 4)
    # One weight at the clamp, so the clamp is exercised.
    model["gateBias"] = 99.9
    with open(path, "w") as file:
        json.dump(model, file)
    return model


def oue_ones(rng, true_bucket, epsilon, width=1024):
    """Optimized unary encoding of one bucket (or of nothing, when None)."""
    q = 1 / (math.exp(epsilon) + 1)
    return [b for b in range(width) if rng.random() < (0.5 if b == true_bucket else q)]


def contribution(rng, model="default", weights=len(WEIGHT_NAMES), epsilon=4.0, sketch_epsilon=2.0, popular=(3, 17, 204, 511)):
    gradient = [round(rng.gauss(0, 1.5), 6) for _ in range(weights)]
    roll = rng.random()
    true_bucket = rng.choice(popular) if roll < 0.6 else (rng.randrange(1024) if roll < 0.9 else None)
    return {
        "format": "shelfwise-contribution", "version": 1, "model": model, "epsilon": epsilon, "clip": 2,
        "gradient": gradient, "sketchEpsilon": sketch_epsilon, "sketchWidth": 1024,
        "ones": oue_ones(rng, true_bucket, sketch_epsilon),
    }  # fmt: skip


def contribution_lines(seed, count, weights=len(WEIGHT_NAMES)):
    """JSON lines of `count` reports: mostly good ones at two sketch epsilons, and every
    kind of report that must be left out, or counted for the gradient only."""
    rng = random.Random(seed)
    lines = []
    for i in range(count):
        report = contribution(rng, weights=weights, sketch_epsilon=rng.choice([2.0, 3.0, 4.0]))
        kind = i % 20
        if kind == 1:
            lines.append('{"format":"shelfwise-contribution","version":1,"gradient":[1,2')  # cut off
            continue
        if kind == 2:
            report["model"] = "default+1"  # ranked with another model
        elif kind == 3:
            report["gradient"] = report["gradient"][:-1]  # one number short
        elif kind == 4:
            report["gradient"][5] = "0.5"  # a string, not a number
        elif kind == 5:
            report["version"] = 2
        elif kind == 6:
            report["format"] = "shelfwise-report"
        elif kind == 7:
            report["ones"] = report["ones"] + [1024]  # out of range: no sketch, gradient counts
        elif kind == 8:
            report["sketchWidth"] = 512  # another width: no sketch, gradient counts
        elif kind == 9:
            # Extreme but finite: counted, and they move the mean a lot.
            report["gradient"][0] = rng.choice([1e12, -1e12])
            report["gradient"][1] = 5e-300
        elif kind == 10:
            # 1e400 overflows to infinity: left out.
            report["gradient"] = report["gradient"][:-1]
            lines.append(json.dumps(report).replace('"gradient": [', '"gradient": [1e400, ', 1))
            continue
        elif kind == 11:
            report["ones"] = "3,17"  # mistyped sketch: the gradient still counts
        elif kind == 12:
            report["gradient"][2] = None
        elif kind == 13:
            lines.append("")  # blank lines are not reports
            lines.append(json.dumps(report))
            continue
        elif kind == 14:
            lines.append("[1, 2, 3]")
            continue
        lines.append(json.dumps(report))
    return lines


def _finite_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def reference_aggregate(lines, model, weights=len(WEIGHT_NAMES), learning_rate=0.5, k=50):
    """The math of README "Shop side", straight from the lines."""
    reports, counted, sums = 0, 0, [0.0] * weights
    groups, ones = {}, {}
    for line in lines:
        if not line.strip():
            continue
        reports += 1
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if not isinstance(r, dict):
            continue
        g = r.get("gradient")
        if not (r.get("format") == "shelfwise-contribution" and r.get("version") == 1 and r.get("model") == model
                and isinstance(g, list) and len(g) == weights and all(_finite_number(x) for x in g)):  # fmt: skip
            continue
        counted += 1
        sums = [s + x for s, x in zip(sums, g)]
        eps, width, bits = r.get("sketchEpsilon"), r.get("sketchWidth"), r.get("ones")
        if not (_finite_number(eps) and 0 < eps <= 10 and width == 1024 and isinstance(bits, list)
                and all(_finite_number(b) and b == int(b) and 0 <= b < 1024 for b in bits)):  # fmt: skip
            continue
        groups[eps] = groups.get(eps, 0) + 1
        for b in bits:
            ones[(eps, int(b))] = ones.get((eps, int(b)), 0) + 1
    # A bucket nobody named is estimated around 0 with this variance: publishing takes k
    # and three standard deviations of it.
    null_variance = 0.0
    for eps, n in groups.items():
        q = 1 / (math.exp(eps) + 1)
        null_variance += n * q * (1 - q) / (0.5 - q) ** 2
    threshold = max(k, 3 * math.sqrt(null_variance))
    buckets = []
    for b in range(1024):
        estimate = 0.0
        for eps, n in groups.items():
            q = 1 / (math.exp(eps) + 1)
            estimate += (ones.get((eps, b), 0) - n * q) / (0.5 - q)
        if estimate >= threshold:
            buckets.append([b, math.floor(estimate + 0.5)])
    mean = [s / counted for s in sums]
    return {"reports": counted, "ignored": reports - counted, "mean": mean,
            "sketched": sum(groups.values()), "threshold": threshold, "buckets": buckets}  # fmt: skip


def measurement_lines(seed, shoppers, epsilon=3.0, revenue_step=25):
    """Measurement reports as `measurement.report()` sends them (README, "Measurement and
    experiments"): the holdout buys less than the personalized group; a few reports of
    another layout and with broken bits, which the estimator leaves out."""
    rng = random.Random(seed)
    modules = ["grid", "similar"]
    keep = 1 / (1 + math.exp(-epsilon))
    lines = []
    for shopper in range(shoppers):
        group = "holdout" if rng.random() < 0.3 else rng.choice(["personalized", "grid-strength:1"])
        clicks = rng.randrange(4)
        bought = clicks > 0 and rng.random() < (0.04 if group == "holdout" else 0.2)
        counts = {"grid": [1, clicks, 0, int(bought), 30 * bought], "similar": [0, rng.randrange(2), 0, 0, 0]}
        bits = ""
        for module in modules:
            for metric, count in enumerate(counts[module]):
                units = count / revenue_step if metric == 4 else count
                for level in range(1, 5):
                    truth = units >= level
                    bits += "1" if truth == (rng.random() < keep) else "0"
        report = {"format": "shelfwise-report", "version": 1, "epsilon": epsilon, "revenueStep": revenue_step,
                  "modules": modules, "group": group, "bits": bits}  # fmt: skip
        if shopper % 97 == 5:
            report["epsilon"] = 2  # another layout
        elif shopper % 97 == 6:
            report["bits"] = bits[:-1]  # one bit short
        elif shopper % 97 == 7:
            report["bits"] = bits[:-1] + "2"
        lines.append(json.dumps(report))
    return lines
