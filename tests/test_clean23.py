"""Session 22's last review: the readers' and the descriptions' leftovers (CLEAN23)."""

from __future__ import annotations

import pandas as pd


def test_one_windows_1252_table_says_each_byte_and_nothing_for_the_five_it_does_not_define():
    from behaviortypes.files import cp1252_meant
    from behaviortypes.readers.tables import header_name

    assert [cp1252_meant(c) for c in "\x96\x80\x92\x9f"] == ["–", "€", "’", "Ÿ"]
    assert [cp1252_meant(chr(b)) for b in (0x81, 0x8D, 0x8F, 0x90, 0x9D)] == [""] * 5
    assert cp1252_meant("é") == "é" and cp1252_meant("\u2013") == ""  # a byte 0xE9; past U+00FF: no byte
    assert header_name(" I laugh \x96 a lot\x81 ") == "I laugh – a lot"


def test_version_reads_the_package_metadata_once(monkeypatch):
    import importlib.metadata as metadata

    import behaviortypes

    monkeypatch.delitem(vars(behaviortypes), "__version__", raising=False)
    calls, real = [], metadata.version
    monkeypatch.setattr(metadata, "version", lambda name: calls.append(name) or real(name))
    first = behaviortypes.__version__
    assert behaviortypes.__version__ == first and behaviortypes.__version__ == first
    assert calls == ["behaviortypes"]

