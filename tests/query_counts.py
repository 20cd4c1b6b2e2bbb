"""Query counts of list endpoints: the same at two page sizes and at two data sizes (issue 18).

    assert_list_queries(django_assert_num_queries, client, "/api/v1/orders/", 5, grow=lambda: make(30))

asks the list at page sizes 2 and 50 (for a Django admin changelist, `page_sizes=(None,)`: its own), then calls `grow`
to add rows and asks both again. Every answer must cost exactly `expected` queries, and the bigger data
set must show more rows, so a query per row (a missing prefetch) cannot hide behind a small page.
"""

from __future__ import annotations

import re
from collections.abc import Callable

PAGE_SIZES = (2, 50)


def _rows(response) -> int:
    if response["Content-Type"].startswith("application/json"):
        body = response.json()
        return body["count"] if isinstance(body, dict) else len(body)
    # A Django admin changelist: its paginator ends with the number of results ("12 orders").
    paginator = response.content.split(b'class="paginator"')[1].split(b"</p>")[0]
    return int(re.findall(rb"\d+", re.sub(rb"<[^>]+>", b" ", paginator))[-1])


def assert_list_queries(
    assert_num_queries,
    client,
    url: str,
    expected: int,
    *,
    grow: Callable[[], object],
    params: dict | None = None,
    page_sizes: tuple[int, ...] = PAGE_SIZES,
) -> None:
    params = params or {}
    seen = []
    for _ in ("before", "after growing"):
        for size in page_sizes:
            query = {**params, "page_size": size} if size else params
            with assert_num_queries(expected):
                response = client.get(url, query)
            assert response.status_code == 200, response.content[:500]
            seen.append(_rows(response))
        if len(seen) == len(page_sizes):
            grow()
    assert seen[-1] > seen[0], f"growing the data did not show more rows: {seen}"
