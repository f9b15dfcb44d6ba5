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


_CP1252 = ("id_column: id\nscale: {min: 1, max: 5}\nitems:\n"
           "  - {id: s01, text: Jag känner mig lugn}\n"
           "  - {id: s02, text: I don’t worry, reverse: true}\n"
           "  - {id: s03, text: Allt går bra}\n")


def test_instrument_saved_as_windows_1252_is_read_with_a_warning(tmp_path):
    """User trial: Notepad's 'ANSI' (cp1252) instrument.yaml (å = 0xE5, ’ = 0x92) was refused
    with 'not UTF-8 text' and no place. It is read as Windows-1252, as the responses file
    is, with one warning naming the file, line, column and byte of the first such byte."""
    from behaviortypes.errors import BehaviortypesWarning

    path = tmp_path / "instrument.yaml"
    path.write_bytes(_CP1252.encode("cp1252"))
    with pytest.warns(BehaviortypesWarning) as said:
        inst = load_instrument(path)
    assert inst.item_texts == {"s01": "Jag känner mig lugn", "s02": "I don’t worry", "s03": "Allt går bra"}
    assert len(said) == 1
    line = str(said[0].message)
    assert "\n" not in line
    assert line.startswith("instrument.yaml, line 4, column 26: byte 0xE4 is not UTF-8")
    assert "Windows-1252" in line and "save it as UTF-8" in line


def test_instrument_half_utf8_half_windows_1252_reads_each_character(tmp_path):
    """A UTF-8 draft edited in an old Notepad that kept its bytes: the UTF-8 characters
    stay as they are, the stray Windows-1252 bytes are read as such."""
    path = tmp_path / "instrument.yaml"
    text = _CP1252.replace("Allt går bra", "Allt g\x00r bra")
    raw = text.encode("utf-8").replace(b"\x00", b"\xe5")
    path.write_bytes(raw)
    with pytest.warns(UserWarning, match=r"line 6, column 27: byte 0xE5"):
        inst = load_instrument(path)
    assert inst.item_texts["s01"] == "Jag känner mig lugn" and inst.item_texts["s03"] == "Allt går bra"


def test_instrument_of_bytes_windows_1252_lacks_is_refused_with_its_place(tmp_path):
    path = tmp_path / "instrument.yaml"
    path.write_bytes(b"id_column: id\nscale: {min: 1, max: 5}\nitems: [{id: s\x81, text: t}]\n")
    with pytest.raises(InputError) as info:
        load_instrument(path)
    line = str(info.value)
    assert line.startswith("instrument.yaml: byte 0x81 at line 3, column 15 is neither UTF-8 nor "
                           "Windows-1252 text"), line
    assert "Hint: save it as UTF-8" in line and "\n" not in line


def test_instrument_saved_as_notepad_unicode_is_read(tmp_path, recwarn):
    path = tmp_path / "instrument.yaml"
    path.write_bytes(_CP1252.encode("utf-16"))  # Notepad's "Unicode": UTF-16 with a BOM
    assert load_instrument(path).item_texts["s01"] == "Jag känner mig lugn"
    assert not recwarn.list


def test_columns_can_be_labelled_for_reports():
    """User trial 10: a CRM column had no way to be labelled (the report wrote "Alder",
    "Kon"). ``column_labels:`` labels any column; a descriptor's or outcome's own label
    wins; an unlabelled column is its name with spaces, every letter kept."""
    from behaviortypes.instrument import column_label

    inst = instrument_from_dict({**BASE, "column_labels": {"alder": "Ålder", "kon": "Kön", "nps": "NPS"},
                                 "outcomes": [{"column": "nps", "label": "Rekommendation (0–10)"}]})
    assert inst.column_labels == {"alder": "Ålder", "kon": "Kön", "nps": "NPS"}
    assert inst.label_of("alder") == "Ålder" and inst.label_of("nps") == "Rekommendation (0–10)"
    assert inst.label_of("region") is None
    assert column_label("kundtjänst_kontakter_12m") == "Kundtjänst kontakter 12m"
    assert column_label("alder", inst.labels()) == "Ålder"
    assert instrument_from_dict(inst.to_dict()) == inst
    with pytest.raises(InputError, match="column_labels"):
        instrument_from_dict({**BASE, "column_labels": ["alder"]})
