"""The holder side: synthetic population, per-member packages, engines (DuckDB, Spark)."""
