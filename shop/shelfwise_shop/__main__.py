"""python -m shelfwise_shop aggregate | estimate | bench (README, "Shop side")."""

import argparse
import json
import sys

from . import engines
from .aggregate import aggregate
from .estimate import estimate


def _write(path, value):
    with open(path, "w") as file:
        json.dump(value, file)
        file.write("\n")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m shelfwise_shop", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("aggregate", help="the next model and the priors from contribution reports")
    run.add_argument("reports", nargs="+", help="JSON-lines or Parquet files, or folders of them")
    run.add_argument("--model", required=True, help="the model file the devices ranked with")
    run.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
    run.add_argument("--learning-rate", type=float, default=0.5)
    run.add_argument("--k", type=float, default=50.0, help="publish buckets estimated at k or more (above 0) and past the noise")
    run.add_argument("--version", help="the new model's version (default: the old one's +N incremented)")
    run.add_argument("--out-model", help="also write the new model file here")
    run.add_argument("--out-priors", help="also write the priors file here")

    measure = commands.add_parser("estimate", help="lifts from measurement reports, as `shelfwise estimate`")
    measure.add_argument("reports", nargs="+", help="JSON-lines files, or folders of them")
    measure.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
    measure.add_argument("--baseline", help='the group lifts are measured against (default "holdout")')

    bench = commands.add_parser("bench", help="generate synthetic reports and time both engines")
    bench.add_argument("--reports", type=int, default=10_000_000)
    bench.add_argument("--engine", choices=["duckdb", "spark"], action="append", help="default: both")
    bench.add_argument("--folder", help="where to write the reports (default: a temporary folder, removed)")

    args = parser.parse_args(argv)
    if args.command == "bench":
        from .bench import bench as run_bench

        run_bench(args.reports, args.engine or ["duckdb", "spark"], args.folder)
        return 0

    files, parquet = engines.report_files(args.reports)
    engine = engines.engine(args.engine)
    try:
        if args.command == "aggregate":
            # A bucket nobody reported is estimated at or below 0: k must be above it.
            if not args.k > 0:
                parser.error("--k must be above 0")
            result = aggregate(engine, files, parquet, args.model, args.learning_rate, args.k, args.version)
            if args.out_model:
                _write(args.out_model, result["model"])
            if args.out_priors:
                _write(args.out_priors, result["priors"])
        else:
            if parquet:
                parser.error("estimate reads JSON lines")
            result = estimate(engine, files, args.baseline)
    finally:
        engine.close()
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
