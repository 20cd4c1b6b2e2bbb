"""What a request asks of PostgreSQL: every query it issues, counted, and the plan of each SELECT.

    with QueryPlans(large_rows=10_000) as plans:
        client.get("/api/v1/orders/")
    plans.summary()   # {"queries": 3, "seq_scans_on_large_tables": [...], "slowest": [...]}

A `connection.execute_wrapper` sees each query as the ORM sends it; after the query ran, the wrapper runs
`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)` of it on a separate cursor of the same connection (so the real
query's rows, already fetched by psycopg, are untouched) and walks the plan for sequential scans of tables
with more than `large_rows` rows (PostgreSQL's own estimate, pg_class.reltuples). Bench-only: it runs every
SELECT twice.
"""

from __future__ import annotations

import json
import re

from django.db import connection

_EXPLAINABLE = re.compile(r"^\s*(SELECT|WITH)\b", re.IGNORECASE)


def table_rows() -> dict[str, int]:
    """PostgreSQL's estimate of the rows of every table (from the last ANALYZE)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.reltuples::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname = current_schema()"
        )
        return {name: max(0, rows) for name, rows in cursor.fetchall()}


def _walk(node: dict):
    yield node
    for child in node.get("Plans", ()):
        yield from _walk(child)


class QueryPlans:
    def __init__(self, *, large_rows: int = 10_000):
        self.large_rows = large_rows
        self.rows = table_rows()
        self.queries: list[dict] = []
        self._wrapper = None

    def __enter__(self) -> QueryPlans:
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._wrapper.__exit__(*exc)

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        entry = {"sql": " ".join(sql.split())[:400]}
        if not many and _EXPLAINABLE.match(sql):
            entry.update(self._explain(context["connection"], sql, params))
        self.queries.append(entry)
        return result

    def _explain(self, db, sql: str, params) -> dict:
        # A cursor of its own on the same psycopg connection: same session, same transaction, same adapters.
        with db.connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}", params)
            raw = cursor.fetchone()[0]
        document = (json.loads(raw) if isinstance(raw, str) else raw)[0]
        seq_scans = [
            {
                "table": node["Relation Name"],
                "table_rows": self.rows.get(node["Relation Name"], 0),
                "rows_read": node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0),
            }
            for node in _walk(document["Plan"])
            if node["Node Type"] == "Seq Scan" and self.rows.get(node["Relation Name"], 0) >= self.large_rows
        ]
        top = document["Plan"]
        return {
            "ms": round(document.get("Execution Time", 0.0), 3),
            # Pages touched: the work a query does, whatever the machine's load does to its time.
            "buffers": top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0),
            "planning_ms": round(document.get("Planning Time", 0.0), 3),
            "seq_scans": seq_scans,
            "plan": _compact(document["Plan"]),
        }

    def summary(self, *, slowest: int = 3) -> dict:
        explained = [q for q in self.queries if "ms" in q]
        return {
            "queries": len(self.queries),
            "db_ms": round(sum(q["ms"] for q in explained), 3),
            "buffers": sum(q["buffers"] for q in explained),
            "seq_scans_on_large_tables": [
                {**scan, "sql": q["sql"]} for q in explained for scan in q["seq_scans"]
            ],
            "slowest": sorted(explained, key=lambda q: q["ms"], reverse=True)[:slowest],
        }


def _compact(node: dict, depth: int = 0) -> list[str]:
    """The plan as indented one-line nodes: type, relation or index, actual rows and time."""
    target = node.get("Index Name") or node.get("Relation Name") or ""
    line = (
        f"{'  ' * depth}{node['Node Type']}{' on ' + target if target else ''}"
        f" rows={node.get('Actual Rows', '?')} loops={node.get('Actual Loops', '?')}"
        f" ms={node.get('Actual Total Time', '?')}"
    )
    lines = [line]
    for child in node.get("Plans", ()):
        lines.extend(_compact(child, depth + 1))
    return lines
