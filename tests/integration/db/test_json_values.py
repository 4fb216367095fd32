"""JSON columns hold any JSON value: a plain string stays a string, whatever it looks like."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gigbot.db import statements
from gigbot.db.bulk import BulkWriter
from gigbot.db.models import Item
from tests.helpers import crowd

pytestmark = pytest.mark.usefixtures("any_db")

VALUES = ["pos", "123", "", "null", '"quoted"', "긍정", ["pos", "neg"], {"en": "x", "ko": "엑스"}]


async def _stored(item_id: int) -> Any:
    """The JSON value in the gold column of the item row, read without the ORM."""
    rows = await statements.connection().execute_query_dict(
        f"SELECT gold FROM item WHERE id = {int(item_id)}"
    )
    return json.loads(rows[0]["gold"])


@pytest.mark.parametrize("value", VALUES, ids=repr)
async def test_a_value_given_to_the_constructor_reads_back_unchanged(value: Any) -> None:
    project = await crowd.project()

    created = await Item.create(project=project, key="k1", needed=3, gold=value)

    assert created.gold == value
    assert (await Item.get(id=created.id)).gold == value
    assert await Item.filter(id=created.id).values_list("gold", flat=True) == [value]
    assert await _stored(created.id) == value


@pytest.mark.parametrize("value", VALUES, ids=repr)
async def test_a_value_assigned_or_updated_reads_back_unchanged(value: Any) -> None:
    project = await crowd.project()
    first = await Item.create(project=project, key="k1", needed=3)
    second = await Item.create(project=project, key="k2", needed=3)
    third = await Item.create(project=project, key="k3", needed=3)

    first.gold = value
    await first.save()
    await Item.filter(id=second.id).update(gold=value)
    await third.update_from_dict({"gold": value}).save()

    assert [(await Item.get(id=row.id)).gold for row in (first, second, third)] == [value] * 3
    assert await _stored(second.id) == value


async def test_the_bulk_writer_and_the_model_agree_on_the_stored_text() -> None:
    project = await crowd.project()

    await BulkWriter(Item).insert([
        {"project_id": project.id, "key": f"k{n}", "needed": 3, "gold": value}
        for n, value in enumerate(VALUES)
    ])

    rows = await Item.filter(project_id=project.id).order_by("id").values_list("gold", flat=True)
    assert rows == VALUES
