import pytest

from behaviortypes.errors import InputError
from behaviortypes.instrument import instrument_from_dict, load_instrument

BASE = {
    "id_column": "respondent_id",
    "scale": {"min": 1, "max": 5},
    "items": [
        {"id": "s01", "text": "I compare prices", "reverse": False, "theme": "price"},
        {"id": "s02", "text": "I rarely compare", "reverse": True, "theme": "price"},
        {"id": "s03", "text": "I browse for ideas", "theme": "inspiration"},
    ],
}


def test_valid_instrument_round_trip(tmp_path):
    inst = instrument_from_dict(BASE)
    assert inst.item_ids == ["s01", "s02", "s03"]
    assert inst.reverse_ids == ["s02"]
    assert inst.item_themes["s03"] == "inspiration"
    assert inst.scale.midpoint == 3
    assert inst.min_group_size == 30
    again = instrument_from_dict(inst.to_dict())
    assert again == inst


def test_missing_key_names_the_key():
    data = {k: v for k, v in BASE.items() if k != "id_column"}
    with pytest.raises(InputError, match="required key 'id_column' is missing"):
        instrument_from_dict(data, file="instrument.yaml")


def test_unknown_reverse_value():
    data = {**BASE, "items": [{**BASE["items"][0], "reverse": "maybe"}, *BASE["items"][1:]]}
    with pytest.raises(InputError, match="reverse must be true or false"):
        instrument_from_dict(data)


def test_bad_scale():
    with pytest.raises(InputError, match=r"scale max \(1\) must be greater than min \(5\)"):
        instrument_from_dict({**BASE, "scale": {"min": 5, "max": 1}})


def test_duplicate_item_ids():
    data = {**BASE, "items": BASE["items"] + [BASE["items"][0]]}
    with pytest.raises(InputError, match="repeated: s01"):
        instrument_from_dict(data)


def test_unknown_key_is_reported():
    with pytest.raises(InputError, match="unknown key 'itmes'"):
        instrument_from_dict({**BASE, "itmes": []})


def test_all_problems_at_once():
    data = {"scale": {"min": "low", "max": 5}, "items": BASE["items"]}
    with pytest.raises(InputError) as info:
        instrument_from_dict(data)
    assert len(info.value.problems) == 2
    assert "2 problems" in str(info.value)


def test_malformed_yaml_names_line(tmp_path):
    path = tmp_path / "instrument.yaml"
    path.write_text("id_column: id\nscale:\n  min: 1\n   max: 5\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"instrument.yaml, row 4: malformed YAML"):
        load_instrument(path)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="instrument file not found"):
        load_instrument(tmp_path / "instrument.yaml")


def test_not_a_mapping(tmp_path):
    path = tmp_path / "instrument.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(InputError, match="must be a YAML mapping"):
        load_instrument(path)


def test_nested_values_are_checked_before_they_are_stringified(tmp_path):
    path = tmp_path / "instrument.yaml"
    path.write_text("id_column: id\nscale: {min: 1, max: 5}\n"
                    "items: [{id: {a: [1, 2, 3]}, text: t, reverse: [true]}]\n")
    with pytest.raises(InputError, match="item id must be text or a number, not a mapping") as info:
        load_instrument(path)
    assert "reverse must be true or false, not a list" in str(info.value)
