"""One page of a list that grows with use (the catalogue, the credit log, a learner's
courses): numbered ``?page=N`` links that work without JavaScript, and one query per list
that reads only the rows shown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import urlencode

from flask import abort, g, request, url_for

T = TypeVar("T")
#: Far beyond any real list; keeps a typed-in number from asking the database for a huge
#: OFFSET.
MAX_PAGE = 100_000


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    #: 1 for the first page.
    number: int
    size: int
    #: How many items the whole list has.
    total: int
    #: The query parameter carrying the number: "page", or another name when a page shows
    #: two lists.
    param: str = "page"

    @property
    def count(self) -> int:
        """How many pages the list has (one, even when it is empty)."""
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.count

    def url(self, number: int) -> str:
        """This address with page ``number`` of this list (other parameters kept)."""
        args = request.args.to_dict()
        if number == 1:
            args.pop(self.param, None)  # one address for the first page
        else:
            args[self.param] = str(number)
        query = urlencode(args)
        return _this_path() + ("?" + query if query else "")

    def numbers(self, around: int = 2) -> list[int | None]:
        """The page numbers to link: the first, the last and those near this one; None marks
        a gap."""
        shown = sorted(
            {1, self.count}
            | set(range(max(1, self.number - around), min(self.count, self.number + around) + 1))
        )
        found: list[int | None] = []
        for n in shown:
            if found and n - (found[-1] or 0) > 1:
                found.append(None)
            found.append(n)
        return found


def _this_path() -> str:
    """This page's address without its query, built once per request (a pager links it a
    dozen times)."""
    if "lms_this_path" not in g:
        g.lms_this_path = url_for(request.endpoint or "", **(request.view_args or {}))
    return g.lms_this_path


def requested_page(param: str = "page") -> int:
    """The page number asked for in the query string (1 when absent); 400 when it is not a
    whole number from 1 to MAX_PAGE."""
    raw = request.args.get(param, "1").strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6 and 1 <= int(raw) <= MAX_PAGE):
        abort(400, f"The page number ({param}=) must be a whole number from 1 to {MAX_PAGE}.")
    return int(raw)


def page_or_404(
    items: Sequence[T], number: int, size: int, total: int, param: str = "page"
) -> Page[T]:
    """The page, or 404 for a number past the end of a list (page 1 always exists)."""
    if number > 1 and not items:
        abort(404, f"There is no page {number} of this list.")
    return Page(items, number, size, total, param)
