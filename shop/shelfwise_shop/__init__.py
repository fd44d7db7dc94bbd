"""Shelfwise's shop side: contribution reports aggregated with plain SQL on DuckDB or Spark."""
