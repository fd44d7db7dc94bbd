"""The shop side on DuckDB and Spark against the math computed directly in Python, and
against the Rust CLI (`shelfwise estimate`; `shelfwise aggregate` once it exists).
One Spark session serves every test (engines.spark_session)."""

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

from shelfwise_shop import engines
from shelfwise_shop.aggregate import aggregate, new_weight, next_version, round4
from shelfwise_shop.estimate import estimate

from . import fixtures

SHOP = Path(__file__).resolve().parent.parent
ROOT = SHOP.parent
ENGINES = ["duckdb", "spark"]


def close(a, b, relative=1e-9):
    return math.isclose(a, b, rel_tol=relative, abs_tol=1e-12)


def shelfwise_cli(*args):
    """The Rust CLI's output (`cargo run`: built already by the native tests)."""
    command = [os.environ["SHELFWISE_CLI"]] if "SHELFWISE_CLI" in os.environ else ["cargo", "run", "-q", "-p", "shelfwise-cli", "--"]
    return subprocess.run(command + list(args), cwd=ROOT, capture_output=True, text=True, timeout=600)


def run_aggregate(engine_name, files, model, **options):
    files, parquet = engines.report_files(files)
    engine = engines.engine(engine_name)
    try:
        return aggregate(engine, files, parquet, model, **options)
    finally:
        engine.close()


class Folder(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = Path(tempfile.mkdtemp(prefix="shelfwise-shop-"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.folder, ignore_errors=True)


class Aggregate(Folder):
    """1,500 reports in two files, a fifth of them of some kind to leave out."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lines = fixtures.contribution_lines(seed=11, count=1500)
        cls.reports = cls.folder / "reports"
        cls.reports.mkdir()
        (cls.reports / "a.jsonl").write_text("\n".join(cls.lines[:700]) + "\n")
        (cls.reports / "b.jsonl").write_text("\n".join(cls.lines[700:]) + "\n")
        cls.model_path = cls.folder / "model.json"
        cls.model = fixtures.model_file(cls.model_path)
        cls.expected = fixtures.reference_aggregate(cls.lines, "default", k=50)
        cls.results = {name: run_aggregate(name, [cls.reports], cls.model_path) for name in ENGINES}

    def test_the_fixture_covers_what_it_should(self):
        # Counted, left out, and counted without a sketch: each a real share.
        self.assertEqual(self.expected["reports"] + self.expected["ignored"], 1500)
        self.assertEqual(self.expected["ignored"], 9 * 75)
        self.assertEqual(self.expected["sketched"], self.expected["reports"] - 3 * 75)
        self.assertIn(204, [b for b, _ in self.expected["buckets"]])

    def check_engine(self, name):
        result = self.results[name]
        self.assertEqual(result["gradient"]["reports"], self.expected["reports"])
        self.assertEqual(result["gradient"]["ignored"], self.expected["ignored"])
        self.assertEqual(len(result["gradient"]["mean"]), len(fixtures.WEIGHT_NAMES))
        for got, want in zip(result["gradient"]["mean"], self.expected["mean"]):
            self.assertTrue(close(got, want), f"{got} != {want}")
        priors = result["priors"]
        self.assertEqual(priors["reports"], self.expected["sketched"])
        self.assertEqual(priors["buckets"], self.expected["buckets"])
        self.assertEqual([priors[k] for k in ("format", "version", "width", "k")], ["shelfwise-priors", 1, 1024, 50])
        # The new model: version first, then every weight in the file's order.
        model = result["model"]
        self.assertEqual(list(model), list(self.model))
        self.assertEqual(model["version"], "default+1")
        for (name, weight), mean in zip(list(self.model.items())[1:], self.expected["mean"]):
            want = round(min(100, max(-100, weight - 0.5 * mean)), 4)
            self.assertAlmostEqual(model[name], want, places=9, msg=name)
        # Reports of 1e12 pull `base` far past the clamp.
        self.assertEqual(abs(model["base"]), 100)

    def test_duckdb_matches_the_math(self):
        self.check_engine("duckdb")

    def test_spark_matches_the_math(self):
        self.check_engine("spark")

    def test_parquet_gives_the_same_figures_on_both_engines(self):
        # The same reports, typed, written as two Parquet files by DuckDB.
        folder = self.folder / "parquet"
        folder.mkdir()
        duck = engines.DuckDB()
        duck.read_reports([str(p) for p in sorted(self.reports.iterdir())], False)
        for half, condition in (("a", "gradient IS NULL"), ("b", "gradient IS NOT NULL")):
            duck.connection.execute(
                "COPY (SELECT format, version, model, gradient, sketch_epsilon AS sketchEpsilon, "
                f"sketch_width AS sketchWidth, ones FROM reports WHERE {condition}) TO '{folder / half}.parquet' (FORMAT parquet)"
            )
        duck.close()
        for name in ENGINES:
            result = run_aggregate(name, [folder], self.model_path)
            self.assertEqual(result["gradient"]["reports"], self.expected["reports"], name)
            self.assertEqual(result["gradient"]["ignored"], self.expected["ignored"], name)
            self.assertEqual(result["priors"]["buckets"], self.expected["buckets"], name)
            self.assertTrue(all(close(a, b) for a, b in zip(result["gradient"]["mean"], self.expected["mean"])), name)

    def test_the_command_writes_the_model_and_the_priors_files(self):
        out_model, out_priors = self.folder / "next.json", self.folder / "priors.json"
        run = subprocess.run(
            [sys.executable, "-m", "shelfwise_shop", "aggregate", str(self.reports / "a.jsonl"), str(self.reports / "b.jsonl"),
             "--model", str(self.model_path), "--k", "95", "--learning-rate", "0.25", "--version", "spring",
             "--out-model", str(out_model), "--out-priors", str(out_priors)],
            cwd=SHOP, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(run.stderr, "")  # quiet when not on a terminal
        printed = json.loads(run.stdout)
        self.assertEqual(json.loads(out_model.read_text()), printed["model"])
        self.assertEqual(json.loads(out_priors.read_text()), printed["priors"])
        self.assertEqual(printed["model"]["version"], "spring")
        self.assertEqual(printed["model"]["category"], new_weight(self.model["category"], 0.25, self.expected["mean"][1]))
        strong = fixtures.reference_aggregate(self.lines, "default", k=95)["buckets"]
        self.assertEqual(printed["priors"]["buckets"], strong)
        self.assertEqual([b for b, _ in strong], [3, 17, 204])  # 511 is estimated at 90

    def test_below_three_standard_deviations_of_noise_nothing_is_published(self):
        # At k = 1 the threshold is three standard deviations of a bucket nobody named
        # (about 43 here): the fixture's four popular buckets, where about half of the
        # others would pass 1 (a bucket nobody named passes 3 deviations once in 740).
        expected = fixtures.reference_aggregate(self.lines, "default", k=1)
        self.assertGreater(expected["threshold"], 40)
        self.assertEqual([b for b, _ in expected["buckets"]], [3, 17, 204, 511])
        result = run_aggregate("duckdb", [self.reports], self.model_path, k=1)
        self.assertEqual(result["priors"]["buckets"], expected["buckets"])


class ModelFiles(Folder):
    def test_versions_count_up(self):
        self.assertEqual(next_version("default"), "default+1")
        self.assertEqual(next_version("default+1"), "default+2")
        self.assertEqual(next_version("spring+9"), "spring+10")
        self.assertEqual(next_version("a+b"), "a+b+1")

    def test_weights_round_half_away_from_zero_and_never_to_minus_zero(self):
        self.assertEqual(round4(0.00005), 0.0001)
        self.assertEqual(round4(-0.00005), -0.0001)
        self.assertEqual(str(round4(-0.00001)), "0.0")
        self.assertEqual(new_weight(99.0, 0.5, -10.0), 100.0)

    def test_the_number_of_weights_comes_from_the_model_file(self):
        lines = [json.dumps(fixtures.contribution(fixtures.random.Random(i), weights=3)) for i in range(40)]
        lines += [json.dumps(fixtures.contribution(fixtures.random.Random(i))) for i in range(5)]
        (self.folder / "three.jsonl").write_text("\n".join(lines))
        (self.folder / "three.json").write_text('{"base": 1, "category": 2, "brand": 3}')
        result = run_aggregate("duckdb", [self.folder / "three.jsonl"], self.folder / "three.json", k=1e9)
        expected = fixtures.reference_aggregate(lines, "default", weights=3)
        self.assertEqual((result["gradient"]["reports"], result["gradient"]["ignored"]), (40, 5))
        self.assertTrue(all(close(a, b) for a, b in zip(result["gradient"]["mean"], expected["mean"])))
        self.assertEqual(list(result["model"]), ["version", "base", "category", "brand"])
        self.assertEqual(result["priors"]["buckets"], [])


class Encoding(Folder):
    def test_a_line_that_is_not_utf8_is_skipped_by_duckdb_and_ignored_by_spark(self):
        good = json.dumps(fixtures.contribution(fixtures.random.Random(1)))
        (self.folder / "mixed.jsonl").write_bytes(f"{good}\n".encode() + b"\xff\xfe{}\n" + f"{good}\n".encode())
        fixtures.model_file(self.folder / "model.json")
        for name, ignored in (("duckdb", 0), ("spark", 1)):
            result = run_aggregate(name, [self.folder / "mixed.jsonl"], self.folder / "model.json")
            self.assertEqual((result["gradient"]["reports"], result["gradient"]["ignored"]), (2, ignored), name)


class Estimate(Folder):
    """The measurement estimator against `shelfwise estimate` on the same reports."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.path = cls.folder / "measurement.jsonl"
        cls.path.write_text("\n".join(fixtures.measurement_lines(seed=5, shoppers=4000)) + "\n")
        run = shelfwise_cli("estimate", str(cls.path))
        if run.returncode != 0:
            raise AssertionError(f"shelfwise estimate failed: {run.stderr}")
        cls.cli = json.loads(run.stdout)
        cls.cli["groups"].sort(key=lambda g: g["group"])  # the port lists groups by name

    def check_engine(self, name):
        engine = engines.engine(name)
        try:
            result = estimate(engine, [str(self.path)])
        finally:
            engine.close()
        self.assertEqual(result, self.cli)
        # Another layout or broken bits: shoppers 5, 6 and 7 of every 97.
        self.assertEqual(result["ignored"], sum(1 for s in range(4000) if s % 97 in (5, 6, 7)))
        self.assertEqual([g["group"] for g in result["groups"]], ["grid-strength:1", "holdout", "personalized"])
        purchases = next(m for m in result["groups"][2]["metrics"] if m["metric"] == "purchases" and m["module"] == "grid")
        self.assertGreater(purchases["lift"]["low"], 0)  # personalized buys more, and the estimate tells

    def test_duckdb_prints_what_the_cli_prints(self):
        self.check_engine("duckdb")

    def test_spark_prints_what_the_cli_prints(self):
        self.check_engine("spark")


class RustAggregate(Folder):
    """DuckDB, Spark and `shelfwise aggregate` on one fixture, once the CLI has it."""

    def test_all_three_agree(self):
        if "aggregate" not in shelfwise_cli("help").stdout:
            self.skipTest("the Rust CLI has no `aggregate` yet")
        lines = fixtures.contribution_lines(seed=23, count=1000)
        path = self.folder / "reports.jsonl"
        path.write_text("\n".join(lines) + "\n")
        fixtures.model_file(self.folder / "model.json")
        run = shelfwise_cli("aggregate", str(path), "--model", str(self.folder / "model.json"))
        self.assertEqual(run.returncode, 0, run.stderr)
        rust = json.loads(run.stdout)
        for name in ENGINES:
            ours = run_aggregate(name, [path], self.folder / "model.json")
            self.assertEqual(ours["gradient"]["reports"], rust["gradient"]["reports"], name)
            self.assertEqual(ours["gradient"]["ignored"], rust["gradient"]["ignored"], name)
            for a, b in zip(ours["gradient"]["mean"], rust["gradient"]["mean"]):
                self.assertTrue(close(a, b), f"{name}: {a} != {b}")
            self.assertEqual(list(ours["model"]), list(rust["model"]), name)
            for key, weight in ours["model"].items():
                if key != "version":
                    self.assertLessEqual(abs(weight - rust["model"][key]), 1e-4, f"{name} {key}")
            self.assertEqual(ours["model"]["version"], rust["model"]["version"])
            self.assertEqual(ours["priors"], rust["priors"], name)


class Bench(unittest.TestCase):
    def test_a_small_bench_runs_both_engines(self):
        run = subprocess.run(
            [sys.executable, "-m", "shelfwise_shop", "bench", "--reports", "20000"],
            cwd=SHOP, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        self.assertEqual(run.returncode, 0, run.stderr)
        figures = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
        self.assertEqual([f["engine"] for f in figures], ENGINES)
        for f in figures:
            self.assertEqual(f["reports"], 20000)
            self.assertGreater(f["reportsPerSecond"], 0)
            self.assertGreater(f["peakRssMB"], 0)
        # Both engines found the same aggregate.
        self.assertEqual(figures[0]["aggregate"], figures[1]["aggregate"])
        self.assertGreater(figures[0]["aggregate"]["counted"], 19000)
