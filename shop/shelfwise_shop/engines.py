"""The two SQL engines behind one small interface, and the dialect layer between them.

Every query is one text in `shop/sql/`. Where DuckDB and Spark SQL spell something
differently, the text names it `{token}` and `DIALECTS` below says how each engine
spells it. That table is the whole difference between the engines.
"""

import os
import sys
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"

# Types of the small parameter tables the runner registers (the job, positions, buckets).
_DUCKDB_TYPES = {"text": "VARCHAR", "int": "BIGINT", "double": "DOUBLE", "text list": "VARCHAR[]"}
_SPARK_TYPES = {"text": "STRING", "int": "BIGINT", "double": "DOUBLE", "text list": "ARRAY<STRING>"}

# DuckDB's JSON casts are lenient (the string "0.5" reads as the number 0.5, 1.5 as the
# integer 2); Spark's are strict. DuckDB therefore reads numbers as JSON values and keeps
# only those whose JSON type is a number, so both engines count the same reports.
_DUCKDB_MACROS = [
    "CREATE OR REPLACE MACRO json_number(j) AS"
    " CASE WHEN json_type(j) IN ('UBIGINT', 'BIGINT', 'DOUBLE') THEN CAST(j AS DOUBLE) END",
    "CREATE OR REPLACE MACRO json_numbers(js) AS list_transform(js, x -> json_number(x))",
]


def _duckdb_parse(fields):
    structure = "{" + ",".join(f'"{name}":"{kind}"' for name, kind in fields) + "}"
    # from_json fails on text that is not JSON; a NULL report is counted as ignored instead.
    return f"CASE WHEN json_valid(line) THEN from_json(line, '{structure}') END"


def _spark_parse(fields):
    return "from_json(line, '" + ", ".join(f"{name} {kind}" for name, kind in fields) + "')"


DIALECTS = {
    "duckdb": {
        "size": "len",  # a list's length
        "explode": "unnest",  # one row per list element
        "first_index": "1",  # list[1] is the first element
        "number": "json_number",
        "numbers": "json_numbers",
        "parse_head": _duckdb_parse(
            [("format", "VARCHAR"), ("version", "JSON"), ("model", "VARCHAR"), ("gradient", "JSON[]")]
        ),
        "parse_sketch": _duckdb_parse([("sketchEpsilon", "JSON"), ("sketchWidth", "JSON"), ("ones", "JSON[]")]),
        "parse_measurement": _duckdb_parse(
            [
                ("format", "VARCHAR"),
                ("version", "JSON"),
                ("epsilon", "JSON"),
                ("revenueStep", "JSON"),
                ("modules", "VARCHAR[]"),
                ("group", "VARCHAR"),
                ("bits", "VARCHAR"),
            ]
        ),
    },
    "spark": {
        "size": "size",
        "explode": "explode",
        "first_index": "0",  # array[0] is the first element
        "number": "",  # Spark's JSON reader already reads numbers strictly
        "numbers": "",
        "parse_head": _spark_parse(
            [("format", "STRING"), ("version", "DOUBLE"), ("model", "STRING"), ("gradient", "ARRAY<DOUBLE>")]
        ),
        "parse_sketch": _spark_parse([("sketchEpsilon", "DOUBLE"), ("sketchWidth", "DOUBLE"), ("ones", "ARRAY<DOUBLE>")]),
        "parse_measurement": _spark_parse(
            [
                ("format", "STRING"),
                ("version", "DOUBLE"),
                ("epsilon", "DOUBLE"),
                ("revenueStep", "DOUBLE"),
                ("modules", "ARRAY<STRING>"),
                ("`group`", "STRING"),
                ("bits", "STRING"),
            ]
        ),
    },
}


def sql_text(name, dialect):
    """The query `shop/sql/<name>.sql` in one engine's dialect."""
    text = (SQL_DIR / f"{name}.sql").read_text()
    for token, spelling in DIALECTS[dialect].items():
        text = text.replace("{" + token + "}", spelling)
    return text


def report_files(paths):
    """The report files named, folders expanded (their .jsonl, .json and .parquet files,
    sorted), and whether they are Parquet (all of them must be one kind). URLs
    (`s3a://...`, `hdfs://...`) go to the engine as they are: Parquet when they end in
    `.parquet`, else JSON lines."""
    files = []
    for name in map(str, paths):
        path = Path(name)
        if "://" in name:
            files.append(name)
        elif path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in (".jsonl", ".json", ".parquet"))
            files.extend(str(p) for p in found)
        elif path.is_file():
            files.append(str(path))
        else:
            raise SystemExit(f"shelfwise_shop: no such file or folder: {path}")
    if not files:
        raise SystemExit("shelfwise_shop: no report files found")
    kinds = {f.endswith(".parquet") for f in files}
    if len(kinds) > 1:
        raise SystemExit("shelfwise_shop: reports must be all JSON lines or all Parquet")
    return files, kinds.pop()


def show_progress():
    """Progress goes to a terminal only; piped output stays quiet."""
    return sys.stderr.isatty()


def progress(message):
    if show_progress():
        print(f"shelfwise_shop: {message}", file=sys.stderr, flush=True)


class DuckDB:
    """DuckDB embedded: in-process, streams the files, spills to disk past its memory limit."""

    dialect = "duckdb"

    def __init__(self):
        import duckdb

        self.connection = duckdb.connect()
        self.connection.execute(f"SET enable_progress_bar = {str(show_progress()).lower()}")
        for macro in _DUCKDB_MACROS:
            self.connection.execute(macro)

    def read_reports(self, files, parquet, view="reports", jsonl_query="reports_jsonl", parquet_query="reports_parquet"):
        """Registers the report files as `view`, typed by the query named."""
        listed = "[" + ", ".join(_quote(f) for f in files) + "]"
        if parquet:
            self.connection.execute(f"CREATE OR REPLACE TEMP VIEW report_rows AS SELECT * FROM read_parquet({listed})")
            self.view(view, parquet_query)
        else:
            # Each line whole as one text column: no delimiter, quote or escape. A line that
            # is not UTF-8 would stop the scan: it is skipped instead (not counted in
            # `ignored`; Spark counts it).
            self.connection.execute(
                "CREATE OR REPLACE TEMP VIEW report_lines AS SELECT line FROM read_csv("
                f"{listed}, columns = {{'line': 'VARCHAR'}}, header = false, delim = '', quote = '', "
                "escape = '', auto_detect = false, max_line_size = 16777216, ignore_errors = true)"
            )
            self.view(view, jsonl_query)

    def table(self, name, columns, rows):
        """A small parameter table: `columns` is [(name, type)] with types of _DUCKDB_TYPES."""
        spec = ", ".join(f"{c} {_DUCKDB_TYPES[t]}" for c, t in columns)
        self.connection.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({spec})")
        marks = ", ".join("?" for _ in columns)
        if rows:
            self.connection.executemany(f"INSERT INTO {name} VALUES ({marks})", [list(r) for r in rows])

    def view(self, name, query):
        self.connection.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {sql_text(query, self.dialect)}")

    def rows(self, query):
        return [tuple(r) for r in self.connection.execute(sql_text(query, self.dialect)).fetchall()]

    def close(self):
        self.connection.close()


_spark_session = None


def spark_session():
    """One local Spark session per process (starting one takes seconds)."""
    global _spark_session
    if _spark_session is None:
        from pyspark.sql import SparkSession

        builder = SparkSession.builder.appName("shelfwise-shop").config("spark.ui.showConsoleProgress", str(show_progress()).lower())
        # Under spark-submit the cluster's master and memory are spark-submit's to set.
        if "PYSPARK_GATEWAY_PORT" not in os.environ:
            # Bind to loopback: Spark otherwise picks the machine's interface address.
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
            builder = (
                builder.master(os.environ.get("SHELFWISE_SPARK_MASTER", "local[2]"))
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "8")
                .config("spark.driver.memory", os.environ.get("SHELFWISE_SPARK_DRIVER_MEMORY", "2g"))
            )
        _spark_session = builder.getOrCreate()
        _spark_session.sparkContext.setLogLevel("ERROR")
    return _spark_session


class Spark:
    """Apache Spark through pyspark: local[2] here, a cluster under spark-submit."""

    dialect = "spark"

    def __init__(self):
        self.session = spark_session()

    def read_reports(self, files, parquet, view="reports", jsonl_query="reports_jsonl", parquet_query="reports_parquet"):
        if parquet:
            self.session.read.parquet(*files).createOrReplaceTempView("report_rows")
            self.view(view, parquet_query)
        else:
            self.session.read.text(files).withColumnRenamed("value", "line").createOrReplaceTempView("report_lines")
            self.view(view, jsonl_query)

    def table(self, name, columns, rows):
        schema = ", ".join(f"{c} {_SPARK_TYPES[t]}" for c, t in columns)
        self.session.createDataFrame([tuple(r) for r in rows], schema).createOrReplaceTempView(name)

    def view(self, name, query):
        self.session.sql(sql_text(query, self.dialect)).createOrReplaceTempView(name)

    def rows(self, query):
        return [tuple(r) for r in self.session.sql(sql_text(query, self.dialect)).collect()]

    def close(self):
        pass  # the session is shared by the process


def _quote(text):
    return "'" + text.replace("'", "''") + "'"


def engine(name):
    if name == "duckdb":
        return DuckDB()
    if name == "spark":
        return Spark()
    raise SystemExit(f"shelfwise_shop: unknown engine {name!r} (duckdb or spark)")
