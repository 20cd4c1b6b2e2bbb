import json

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination


class DeepPagePaginator(Paginator):
    """Django's paginator, except that a page deep into an ordered queryset (from `defer_from` rows on)
    is read as `WHERE pk IN (the page's keys)`: the keys come from an index alone when one covers the
    ordering and the key, so the rows before the page are skipped in the index instead of being read
    from the table. Same rows, same order, same single query."""

    defer_from = 1000

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            # The last page asks for a whole page (and its orphans), not exactly the rows the count promised:
            # the rows are the same, but `LIMIT 1` for a single search match let PostgreSQL expect it among
            # the newest products and walk the whole newest-first index for it (223 ms at 100,000 products).
            top = bottom + self.per_page + self.orphans
        rows = self.object_list
        if bottom >= self.defer_from and self._can_defer(rows):
            rows = rows.filter(pk__in=rows.values("pk")[bottom:top])
        else:
            rows = rows[bottom:top]
        return self._get_page(rows, number, self)

    @staticmethod
    def _can_defer(rows) -> bool:
        if not isinstance(rows, QuerySet) or not rows.ordered:
            return False
        query = rows.query
        return not (query.combinator or query.distinct or query.is_sliced)


class StandardPagination(PageNumberPagination):
    """`{"count", "next", "previous", "results"}`, `?page_size=` up to 100."""

    django_paginator_class = DeepPagePaginator
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class EstimatedCountPaginator(DeepPagePaginator):
    """The Django admin's paginator for tables of millions of rows (with `show_full_result_count = False`).

    When PostgreSQL's planner expects more than `exact_up_to` rows, the count (and so the number of pages)
    is its estimate, read with EXPLAIN in about a millisecond, instead of a COUNT(*) that reads every
    matching row; smaller results, and other databases, are counted exactly. An estimate is within a few
    per cent for the admin's filters, so only the last page links can be off.
    """

    exact_up_to = 10_000

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if isinstance(rows, QuerySet) and connections[rows.db].vendor == "postgresql":
            estimate = int(json.loads(rows.explain(format="json"))[0]["Plan"]["Plan Rows"])
            if estimate > self.exact_up_to:
                return estimate
        return super().count
