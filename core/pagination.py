from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200


class CappedCountPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 rows (COUNT over a LIMIT subquery): counting a million tickets
    costs more than fetching the page. Past the cap `count` is the cap and `capped` is set; pages
    beyond it are reached by narrowing the filters. Used by the ticket API and the ticket pages."""

    COUNT_CAP = 10_000

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.capped = False

    @cached_property
    def count(self) -> int:
        n = self.object_list[: self.COUNT_CAP + 1].count()
        self.capped = n > self.COUNT_CAP
        return min(n, self.COUNT_CAP)
