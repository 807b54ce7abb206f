"""Base model pieces shared by the apps."""

from collections.abc import Iterable, Sequence

from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def in_id_order(qs: models.QuerySet, ids: Sequence[int]) -> list:
    """The rows of `qs` with these ids, in the order of `ids` (one query by primary key; an id
    no longer there is left out): the page of a list whose ids were read in order first."""
    return in_order(qs.in_bulk(list(ids)).values(), ids)


def in_order(rows: Iterable, ids: Sequence[int]) -> list:
    """`rows` (read by their ids, in any order) in the order of `ids`; an id not among them is
    left out."""
    by_id = {row.pk: row for row in rows}
    return [by_id[pk] for pk in ids if pk in by_id]
