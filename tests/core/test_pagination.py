"""A list's last page is read with a whole page's LIMIT: the rows are those the count promised, and PostgreSQL
is not told to expect them among the first few it walks (docs/scale.md: a search with one match, asked with
`LIMIT 1`, walked all 100,000 products newest first)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/products/"


def page_query(params) -> tuple[dict, str]:
    with CaptureQueriesContext(connection) as queries:
        answer = APIClient().get(URL, params)
    assert answer.status_code == 200
    return answer.json(), queries.captured_queries[-1]["sql"]


def test_a_single_search_match_is_read_with_a_whole_page_s_limit():
    ProductFactory(name="Zebra lamp")
    ProductFactory.create_batch(3)

    body, sql = page_query({"search": "zebra"})

    assert body["count"] == 1
    assert [p["name"] for p in body["results"]] == ["Zebra lamp"]
    assert sql.rstrip().endswith("LIMIT 20")


def test_a_short_last_page_has_exactly_the_rows_left():
    names = [ProductFactory(name=f"Item {i:02d}").name for i in range(7)]

    first, _ = page_query({"page_size": 5, "ordering": "name"})
    last, sql = page_query({"page_size": 5, "ordering": "name", "page": 2})

    assert [p["name"] for p in first["results"]] == names[:5]
    assert [p["name"] for p in last["results"]] == names[5:]
    assert last["next"] is None
    assert "LIMIT 5 OFFSET 5" in sql
