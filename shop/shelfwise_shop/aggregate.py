"""Federated learning, the shop's half: contribution reports in, the next model and the
shared priors out. The scans are SQL (`shop/sql/`); what is left is a few numbers.
"""

import json
import math
import re

from .engines import progress

FORMAT = "shelfwise-contribution"
SKETCH_WIDTH = 1024
MAX_WEIGHT = 100.0  # as the core clamps a model's weights (crates/core/src/rank/model.rs)
PRIORS_FORMAT = "shelfwise-priors"


def read_model(path):
    """The model file: its version (absent: "default") and its weights in file order."""
    with open(path) as file:
        model = json.load(file)
    if not isinstance(model, dict):
        raise SystemExit(f"shelfwise_shop: {path}: a model file is a JSON object")
    version = model.pop("version", "default")
    if not isinstance(version, str):
        raise SystemExit(f"shelfwise_shop: {path}: the version must be a string")
    for name, weight in model.items():
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not math.isfinite(weight):
            raise SystemExit(f"shelfwise_shop: {path}: weight {name!r} is not a finite number")
    if not model:
        raise SystemExit(f"shelfwise_shop: {path}: the model has no weights")
    return version, list(model.items())


def next_version(version):
    """`default` -> `default+1`, `default+1` -> `default+2`."""
    match = re.fullmatch(r"(.*)\+(\d+)", version)
    if match:
        return f"{match.group(1)}+{int(match.group(2)) + 1}"
    return f"{version}+1"


def round4(x):
    """Four decimals, halves away from zero (as Rust's f64::round), -0 as 0."""
    scaled = x * 1e4
    rounded = math.floor(abs(scaled) + 0.5) * (1 if scaled >= 0 else -1) / 1e4
    return rounded + 0.0  # -0.0 + 0.0 is 0.0


def number(x):
    """A JSON number as people write it: 2 rather than 2.0."""
    return int(x) if x == int(x) else x


def new_weight(weight, learning_rate, mean):
    return round4(min(MAX_WEIGHT, max(-MAX_WEIGHT, weight - learning_rate * mean)))


def aggregate(engine, files, parquet, model_path, learning_rate=0.5, k=50.0, version=None):
    """The aggregate as `python -m shelfwise_shop aggregate` prints it."""
    model_version, weights = read_model(model_path)
    engine.table(
        "job",
        [("model_version", "text"), ("weight_count", "int"), ("width", "int"), ("k", "double")],
        [(model_version, len(weights), SKETCH_WIDTH, float(k))],
    )
    engine.table("weight_positions", [("position", "int")], [(i,) for i in range(len(weights))])
    engine.table("sketch_buckets", [("bucket", "int")], [(b,) for b in range(SKETCH_WIDTH)])
    engine.read_reports(files, parquet)
    engine.view("contributions", "contributions")

    progress(f"counting reports in {len(files)} file(s)")
    [(reports, counted, sketched)] = engine.rows("tally")
    counted, sketched = counted or 0, sketched or 0
    progress(f"{reports} reports, {counted} counted; summing the gradient")
    totals = dict(engine.rows("gradient"))
    # Without a counted report the mean is 0 and the model keeps its weights.
    mean = [totals[i] / counted if counted else 0.0 for i in range(len(weights))]
    progress("estimating the priors")
    buckets = [[int(b), int(c)] for b, c in engine.rows("priors")]

    new_model = {"version": version or next_version(model_version)}
    for (name, weight), m in zip(weights, mean):
        new_model[name] = number(new_weight(weight, learning_rate, m)) if counted else weight
    return {
        "model": new_model,
        "gradient": {"reports": counted, "ignored": reports - counted, "mean": mean},
        "priors": {
            "format": PRIORS_FORMAT,
            "version": 1,
            "width": SKETCH_WIDTH,
            "k": number(k),
            "reports": sketched,
            "buckets": buckets,
        },
    }
