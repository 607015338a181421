"""JSON Pointers of a refused pack placed on the lines of the text it was written in."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from engine.definitions.context import pointer
from engine.packs.pointers import PointerMap, syntax_error
from tests.engine.sample_pack import sample_pack

TEXT = """{
  "id": "site",
  "modules": [
    {"id": "a", "schema": {"properties": {"h/x~": {"type": "number"}}}},
    {
      "id": "b",
      "t": [true, null, -1.5e3, "q\\"uote"]
    }
  ]
}"""


def test_pointers_find_the_key_or_item_they_name() -> None:
    places = PointerMap(TEXT)
    assert places.locate("/id") is not None
    found = places.locate("/id")
    assert found is not None and (found.line, found.column) == (2, 3)
    escaped = places.locate("/modules/0/schema/properties/h~1x~0/type")
    assert escaped is not None and escaped.line == 4
    assert TEXT.splitlines()[3][escaped.column - 1 :].startswith('"type"')
    item = places.locate("/modules/1/t/3")
    assert item is not None and item.line == 7
    assert TEXT.splitlines()[6][item.column - 1 :] == '"q\\"uote"]'


def test_a_pointer_to_nothing_points_at_its_nearest_parent() -> None:
    places = PointerMap(TEXT)
    missing = places.locate("/modules/1/workflow/states/approved")
    assert missing is not None and (missing.line, missing.pointer) == (5, "/modules/1")
    root = places.locate("/version")
    assert root is not None and (root.line, root.column, root.pointer) == (1, 1, "")


def test_text_that_is_not_json_keeps_what_was_read_and_names_its_line() -> None:
    broken = '{\n  "id": "site",\n  "version": 1.0.0\n}'
    assert PointerMap(broken).locate("/id") is not None
    error = syntax_error(broken)
    assert error is not None and error.line == 3
    assert syntax_error(TEXT) is None


def test_every_pointer_of_an_indented_pack_is_on_its_own_line() -> None:
    raw = sample_pack()
    text = json.dumps(raw, indent=2, ensure_ascii=False)
    places = PointerMap(text)
    lines = text.splitlines()
    project = raw["modules"][0]["schema"]["properties"]
    for name in project:
        found = places.locate(pointer(("modules", 0, "schema", "properties", name)))
        assert found is not None and lines[found.line - 1].strip().startswith(f'"{name}"')


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=12,
)


@given(json_values)
def test_every_value_decoded_at_its_offset_is_the_value_the_pointer_names(value: object) -> None:
    text = json.dumps(value, indent=1)
    places = PointerMap(text)
    decoder = json.JSONDecoder()
    stack: list[tuple[object, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        offset = places.offsets[pointer(path)]
        if path and isinstance(path[-1], str):  # a member: its key, then the value
            key, end = decoder.raw_decode(text, offset)
            assert key == path[-1]
            offset = text.index(":", end) + 1
            offset += len(text[offset:]) - len(text[offset:].lstrip())
        assert decoder.raw_decode(text, offset)[0] == item
        if isinstance(item, dict):
            stack.extend((v, (*path, k)) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, (*path, i)) for i, v in enumerate(item))
