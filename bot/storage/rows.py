"""Core dataclasses to and from ORM rows whose columns carry the fields' own names."""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

D = TypeVar("D", bound="DataclassInstance")


def from_row(kind: type[D], row: object, **given: Any) -> D:
    """A ``kind`` with each field read from the row's attribute of that name, but ``given``.

    The values are taken as stored: a column of a Literal type (a status) holds only the
    values the core writes to it.
    """
    names = [f.name for f in fields(kind) if f.name not in given]
    return kind(**{name: getattr(row, name) for name in names}, **given)


def values_of(item: DataclassInstance, *skip: str) -> dict[str, Any]:
    """A core dataclass's fields as column values, but those in ``skip`` (the database's own,
    such as an id it assigns)."""
    return {f.name: getattr(item, f.name) for f in fields(item) if f.name not in skip}
