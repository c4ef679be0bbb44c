"""Where the pipeline's expressions run: DuckDB embedded (the default), or Apache Spark.

Both take the same Ibis expressions from `pipeline`; nothing in the pipeline knows which engine runs it.
Spark is optional (the `spark` extra) and needs Java 17; docs/analytics.md tells how to point it at a
cluster.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd
from django.conf import settings

_names = itertools.count()


@dataclass
class Engine:
    name: str
    backend: Any
    session: Any = None  # the SparkSession, for Spark
    _kept: list[str] = field(default_factory=list)

    def keep(self, expr: ir.Table, label: str) -> ir.Table:
        """Compute a table once and keep it for the expressions built on it (the periods, which every
        indicator reads)."""
        name = f"egenmakt_{label}_{next(_names)}"
        if self.session is not None:
            # Ibis's PySpark backend has no temporary tables. A checkpointed view is computed once and
            # cut from its lineage, so Spark does not analyse the whole query again at every use (a
            # lost executor then means running the report again).
            self.backend.create_view(f"{name}_sql", expr)
            self.session.table(f"{name}_sql").localCheckpoint(eager=True).createOrReplaceTempView(name)
            self.session.catalog.dropTempView(f"{name}_sql")
            table = self.backend.table(name)
        else:
            table = self.backend.create_table(name, expr, temp=True)
        self._kept.append(name)
        return table

    def execute(self, expr: ir.Expr) -> pd.DataFrame:
        return self.backend.execute(expr)

    def close(self) -> None:
        for name in self._kept:
            if self.session is not None:
                self.session.catalog.dropTempView(name)
            else:
                self.backend.drop_table(name, force=True)
        self._kept.clear()


def duckdb(*, threads: int | None = None) -> Engine:
    """An in-process DuckDB, in memory. It downloads nothing: the data arrives as Arrow tables."""
    con = ibis.duckdb.connect(threads=threads or getattr(settings, "EGENMAKT_ANALYTICS_THREADS", 2))
    con.raw_sql("SET autoinstall_known_extensions = false; SET autoload_known_extensions = false;")
    return Engine(name="duckdb", backend=con)


def spark(*, master: str | None = None, session: Any = None) -> Engine:
    """A Spark session: local[2] by default, or the cluster named by EGENMAKT_SPARK_MASTER."""
    if session is None:
        from pyspark.sql import SparkSession

        master = master or os.environ.get("EGENMAKT_SPARK_MASTER", "local[2]")
        session = (
            SparkSession.builder.master(master)
            .appName("egenmakt-outcomes")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "4" if master.startswith("local") else "200")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .getOrCreate()
        )
    return Engine(name="spark", backend=ibis.pyspark.connect(session), session=session)
