"""core.paging.page_number: what a list's ?page= becomes before Paginator.get_page."""

import sys

import pytest
from django.core.paginator import Paginator

from routearbeid.core.paging import page_number


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        (None, 1),
        ("", 1),
        ("abc", 1),
        ("1.5", 1),
        ("-1", 1),
        ("0", 1),
        ("-99999", 1),
        ("-" + "9" * 5000, 1),
        ("1", 1),
        (" 3 ", 3),
        ("+4", 4),
        ("99999", 99999),
        ("9" * 5000, sys.maxsize),  # more digits than int() takes: past any last page
    ],
)
def test_page_number(raw, number):
    assert page_number(raw) == number


@pytest.mark.parametrize(
    ("raw", "shown"),
    [("-1", 1), ("0", 1), ("abc", 1), ("2", 2), ("3", 3), ("99999", 3), ("9" * 5000, 3)],
)
def test_get_page_with_it_gives_the_first_page_for_nonsense_and_the_last_past_the_end(raw, shown):
    """Django's get_page("-1") and get_page("0") give the last page; through page_number, the first."""
    assert Paginator(list(range(7)), 3).get_page("-1").number == 3  # what it guards against
    assert Paginator(list(range(7)), 3).get_page(page_number(raw)).number == shown
