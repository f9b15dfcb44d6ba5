"""Tests of behaviortypes.interviews: REFI-QDA and CSV import, analysis, traceability, quotes."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy.stats import binomtest
from sklearn.metrics import adjusted_rand_score

from behaviortypes.errors import BehaviortypesWarning, InputError
from behaviortypes.instrument import instrument_from_dict
from behaviortypes.interviews import (
    CODING_COLUMNS,
    PROJECT_NS,
    Interviews,
    anonymise,
    cooccurrence,
    interviews_from_frame,
    prevalence,
    proto_types,
    pseudonymise,
    read_interviews,
    theme_matrix,
    theme_splits,
    traceability,
    type_quotes,
    write_qdpx,
    write_types_to_qdpx,
)

DATA = Path(__file__).parent / "data" / "interviews"
MINIMAL = DATA / "minimal.qdpx"
NS = {"q": PROJECT_NS}
Q1 = "Jag älskar att jämföra priser 😀 innan jag köper."
Q2 = "I always pick the organic option, even when it costs more."


def _project_text() -> str:
    with zipfile.ZipFile(MINIMAL) as zf:
        return zf.read("project.qde").decode("utf-8")


def _archive(tmp_path: Path, project: str | bytes | None, *, drop: str | None = None,
             name: str = "bad.qdpx") -> Path:  # fmt: skip
    """A copy of the minimal archive with project.qde replaced (None: left out)."""
    out = tmp_path / name
    with zipfile.ZipFile(MINIMAL) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename == "project.qde":
                if project is not None:
                    dst.writestr("project.qde", project)
            elif drop is None or drop not in info.filename:
                dst.writestr(info, src.read(info))
    return out


def _planted_codings(seed: int = 0, n_per_group: int = 6) -> pd.DataFrame:
    """Three planted groups, each raising its own four themes (p=.9) and others rarely (p=.05)."""
    rng = np.random.default_rng(seed)
    themes = [f"theme_{g}{j}" for g in "abc" for j in range(4)]
    rows = []
    for g, group in enumerate("abc"):
        for i in range(n_per_group):
            pid = f"{group.upper()}{i:02d}"
            for t in themes:
                p = 0.9 if t[6] == group else 0.05
                if rng.random() < p:
                    rows.append({"participant_id": pid, "theme": t, "parent": f"area_{t[6]}",
                                 "quote": f"{pid} talks about {t}: it matters to me a lot, really."})  # fmt: skip
    return pd.DataFrame(rows)


def _interviews(codings: pd.DataFrame) -> Interviews:
    return interviews_from_frame(codings)


# ----------------------------------------------------------------------------- REFI-QDA read


def test_minimal_qdpx_codebook_keeps_hierarchy_and_guids():
    iv = read_interviews(MINIMAL)
    book = iv.codebook
    assert book["theme"].tolist() == ["Shopping", "Price sensitivity", "Convenience", "Sustainability"]
    assert book["parent"].tolist() == [None, "Shopping", "Shopping", None]
    # braces and case are normalised so references match
    assert book.loc[2, "guid"] == "c0000000-0000-4000-8000-000000000003"
    assert book.loc[1, "description"] == "Compares prices, hunts deals"


def test_minimal_qdpx_quotes_are_cut_by_code_points():
    iv = read_interviews(MINIMAL)
    c = iv.codings
    assert list(c.columns) == CODING_COLUMNS
    anna = c[c["participant_id"] == "Anna"]
    assert anna["quote"].tolist() == [Q1, Q2]  # 'ä' and an emoji precede/inside the quote
    assert anna["start"].tolist() == [53, 150] and anna["end"].tolist() == [101, 208]
    # one selection coded twice gives two rows with the same quote
    b2 = c[(c["participant_id"] == "Interview B2") & (c["start"] == 36)]
    assert sorted(b2["theme"]) == ["Convenience", "Price sensitivity"]
    assert b2["quote"].nunique() == 1 and b2["quote"].iloc[0].endswith("time is money.")
    assert iv.transcripts["Interview Anna.txt"][53:101] == Q1


def test_minimal_qdpx_participants_from_cases_and_sources():
    iv = read_interviews(MINIMAL)
    # Anna is a case with variables; the second transcript has no case: named after the source
    assert iv.participant_ids == ["Anna", "Interview B2"]
    assert iv.participants.loc["Anna", "age"] == 34
    assert iv.participants.loc["Anna", "city"] == "Uppsala"
    assert pd.isna(iv.participants.loc["Interview B2", "age"])


def test_qdc_reads_codebook_only():
    iv = read_interviews(DATA / "shopping.qdc")
    assert iv.codebook["theme"].tolist() == ["Shopping", "Price sensitivity", "Convenience", "Sustainability"]
    assert iv.codebook["parent"].tolist() == [None, "Shopping", "Shopping", None]
    assert iv.codings.empty and iv.participants.empty


def test_folder_with_qdpx_only(tmp_path):
    shutil.copy(MINIMAL, tmp_path / "study.qdpx")
    assert len(read_interviews(tmp_path).codings) == 5


def test_lowercase_sources_folder_and_nested_project(tmp_path):
    out = tmp_path / "nested.qdpx"
    with zipfile.ZipFile(MINIMAL) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if not info.is_dir():
                dst.writestr("export/" + info.filename.replace("Sources/", "sources/"), src.read(info))
    assert read_interviews(out).codings["quote"].iloc[0] == Q1


# ----------------------------------------------------------------------------- bad archives


def test_not_a_zip(tmp_path):
    bad = tmp_path / "x.qdpx"
    bad.write_text("hello")
    with pytest.raises(InputError, match=r"x\.qdpx: not a zip archive"):
        read_interviews(bad)


def test_empty_qdpx(tmp_path):
    bad = tmp_path / "x.qdpx"
    bad.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        read_interviews(bad)


def test_no_project_qde(tmp_path):
    with pytest.raises(InputError, match=r"no project\.qde \(it holds Sources/"):
        read_interviews(_archive(tmp_path, None))


def test_malformed_xml_names_line(tmp_path):
    text = _project_text().replace("</CodeBook>", "</Codebook>", 1)
    line = text[: text.index("</Codebook>")].count("\n") + 1
    with pytest.raises(InputError, match=rf"not well-formed XML .* at line {line}") as err:
        read_interviews(_archive(tmp_path, text))
    assert err.value.rows == [line]


def test_wrong_namespace(tmp_path):
    text = _project_text().replace('xmlns="urn:QDA-XML:project:1.0"', 'xmlns="urn:QDA-XML:project:2.0"')
    with pytest.raises(InputError, match=r"namespace urn:QDA-XML:project:2\.0; expected <Project>"):
        read_interviews(_archive(tmp_path, text))


def test_entity_expansion_is_refused(tmp_path):
    text = _project_text().replace(
        '<?xml version="1.0" encoding="utf-8"?>',
        '<?xml version="1.0"?><!DOCTYPE P [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>',
    )
    with pytest.raises(InputError, match="refused for safety"):
        read_interviews(_archive(tmp_path, text))


def test_unknown_code_reference(tmp_path):
    text = _project_text().replace(
        'CodeRef targetGUID="C0000000-0000-4000-8000-000000000004"/>\n        </Coding>\n      </PlainTextSelection>\n    </TextSource>\n    <TextSource',
        'CodeRef targetGUID="C0000000-0000-4000-8000-0000000000FF"/>\n        </Coding>\n      </PlainTextSelection>\n    </TextSource>\n    <TextSource',
    )
    with pytest.raises(
        InputError,
        match=r"selection F0000000-0000-4000-8000-000000000002 is coded with code "
        r"c0000000-0000-4000-8000-0000000000ff, which is not in the codebook",
    ):
        read_interviews(_archive(tmp_path, text))


def test_offsets_outside_text(tmp_path):
    text = _project_text().replace('startPosition="117" endPosition="173"', 'startPosition="117" endPosition="500"')
    with pytest.raises(
        InputError,
        match=r"source 'Interview B2\.txt' has offsets start=117, end=500 outside the "
        r"transcript of length 174 characters",
    ):
        read_interviews(_archive(tmp_path, text))
    reversed_ = _project_text().replace('startPosition="36" endPosition="94"', 'startPosition="94" endPosition="36"')
    with pytest.raises(InputError, match="start=94, end=36"):
        read_interviews(_archive(tmp_path, reversed_, name="rev.qdpx"))


def test_source_missing_from_archive(tmp_path):
    bad = _archive(tmp_path, _project_text(), drop="000000000002")
    with pytest.raises(InputError, match=r"source 'Interview B2\.txt' points at internal://.*not in the archive"):
        read_interviews(bad)


def test_qdc_wrong_root(tmp_path):
    bad = tmp_path / "x.qdc"
    bad.write_text('<?xml version="1.0"?><Codes xmlns="urn:QDA-XML:codebook:1.0"/>')
    with pytest.raises(InputError, match=r"root <Codes>.*expected <CodeBook>"):
        read_interviews(bad)


# ----------------------------------------------------------------------------- CSV


def test_csv_folder_with_aliases_attributes_and_participants():
    iv = read_interviews(DATA / "folder")
    c = iv.codings
    assert len(c) == 8 and set(c["participant_id"]) == {"P1", "P2", "P3", "P4"}
    assert c.loc[2, "parent"] is None and c.loc[0, "parent"] == "Shopping"
    # Region is constant within participant: an attribute; participants.csv merged
    assert iv.participants.loc["P2", "Region"] == "South"
    assert iv.participants.loc["P3", "age"] == "29"
    assert iv.participants.loc["P1", "name"] == "Karin Holm"
    assert set(iv.codebook["theme"]) == {"Price sensitivity", "Loyalty", "Convenience", "Sustainability", "Shopping"}


def test_csv_semicolon_and_tsv(tmp_path):
    p = tmp_path / "codes.csv"
    p.write_text("participant_id;theme;quote\nA;x;hello there\nB;y;bye\n", encoding="utf-8")
    assert read_interviews(p).codings["theme"].tolist() == ["x", "y"]
    t = tmp_path / "codes.tsv"
    t.write_text("participant\tcode\nA\tx\n", encoding="utf-8")
    assert read_interviews(t).codings["participant_id"].tolist() == ["A"]


def test_csv_missing_columns_lists_found(tmp_path):
    p = tmp_path / "codes.csv"
    p.write_text("who,what,quote\nA,x,hi\n")
    with pytest.raises(InputError, match=r"codes\.csv: no participant_id or theme column; columns found: who, what, quote"):
        read_interviews(p)


def test_csv_empty_and_blank_cells(tmp_path):
    p = tmp_path / "codes.csv"
    p.write_text("")
    with pytest.raises(InputError, match=r"codes\.csv: the file is empty"):
        read_interviews(p)
    p.write_text("participant_id,theme\n")
    with pytest.raises(InputError, match="a header but no rows"):
        read_interviews(p)
    p.write_text("participant_id,theme\nA,x\nB, \nC,\n")
    with pytest.raises(InputError, match=r"column 'theme', rows 2, 3: 2 rows have no theme"):
        read_interviews(p)


def test_path_errors(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_interviews(tmp_path / "nope.csv")
    (tmp_path / "x.docx").write_text("x")
    with pytest.raises(InputError, match=r"unknown interview file type '\.docx'"):
        read_interviews(tmp_path / "x.docx")
    with pytest.raises(InputError, match="neither codes.csv nor a .qdpx"):
        read_interviews(tmp_path)
    shutil.copy(MINIMAL, tmp_path / "a.qdpx")
    shutil.copy(MINIMAL, tmp_path / "b.qdpx")
    with pytest.raises(InputError, match="several .qdpx files: a.qdpx, b.qdpx"):
        read_interviews(tmp_path)


# ----------------------------------------------------------------------------- analysis


def test_matrix_prevalence_and_jaccard_known_values():
    iv = read_interviews(DATA / "folder")
    m = theme_matrix(iv)
    assert m.loc["P1"].to_dict() == {"Price sensitivity": 1, "Loyalty": 1, "Convenience": 0, "Sustainability": 0}
    assert theme_matrix(iv, counts=True).loc["P1", "Price sensitivity"] == 2
    prev = prevalence(iv).set_index("theme")
    assert prev.loc["Price sensitivity", "n_participants"] == 2
    assert prev.loc["Price sensitivity", "n_quotes"] == 3
    assert_allclose(prev.loc["Sustainability", "share"], 0.25)
    # Wilson's score interval, as the notebook says and as type sizes and the banner use (session 15;
    # was Clopper-Pearson)
    ci = binomtest(2, 4).proportion_ci(confidence_level=0.95, method="wilson")
    assert_allclose(prev.loc["Loyalty", ["ci_low", "ci_high"]].astype(float), [ci.low, ci.high], rtol=1e-9)
    unused = prevalence(iv, confidence=0.95).set_index("theme")
    assert (unused["ci_low"] <= unused["share"]).all() and (unused["share"] <= unused["ci_high"]).all()
    jac = cooccurrence(iv)
    # Price {P1,P2}, Loyalty {P1,P3}, Convenience {P2,P4}, Sustainability {P3}
    assert_allclose(jac.loc["Price sensitivity", "Loyalty"], 1 / 3)
    assert_allclose(jac.loc["Loyalty", "Sustainability"], 1 / 2)
    assert_allclose(jac.loc["Price sensitivity", "Sustainability"], 0.0)
    assert_allclose(np.diag(jac), 1.0)
    assert jac.equals(jac.T)


def test_theme_splits_rank_half_split_first():
    rows = [("p%d" % i, "half") for i in range(5)] + [("p%d" % i, "all") for i in range(10)]
    rows += [("p0", "rare")] + [("p%d" % i, "most") for i in range(8)]
    iv = _interviews(pd.DataFrame(rows, columns=["participant_id", "theme"]))
    s = theme_splits(iv)
    assert s["theme"].tolist() == ["half", "most", "rare", "all"]
    assert_allclose(s["entropy"].iloc[0], 1.0)
    assert_allclose(s["variance"].tolist(), [0.25, 0.16, 0.09, 0.0])
    assert s["note"].iloc[0].startswith("splits participants")
    assert s.set_index("theme").loc["all", "note"].startswith("near-universal")
    assert s.set_index("theme").loc["rare", "note"].startswith("rare")


def test_proto_types_recover_planted_groups():
    iv = _interviews(_planted_codings(seed=3))
    pt = proto_types(iv, max_k=5)
    truth = [pid[0] for pid in pt.labels_.index]
    assert pt.k_ == 3
    assert adjusted_rand_score(truth, pt.labels_) == 1.0
    assert pt.linkage_.shape == (17, 4)
    assert sorted(pt.leaves_) == sorted(pt.participant_ids_)
    assert "18 interviews" in pt.caveat_ and "hypotheses" in pt.caveat_
    assert pt.profile_.shape == (3, 12)
    # deterministic: same input, same result
    again = proto_types(iv, max_k=5)
    assert again.labels_.equals(pt.labels_) and np.array_equal(again.linkage_, pt.linkage_)


def test_proto_types_needs_three_participants():
    iv = _interviews(pd.DataFrame({"participant_id": ["a", "b"], "theme": ["x", "y"]}))
    with pytest.raises(InputError, match="at least 3 participants .* found 2"):
        proto_types(iv)


def test_to_files_writes_anonymised_codings(tmp_path):
    iv = read_interviews(DATA / "folder")
    files = iv.to_files(tmp_path / "themes")
    assert {f.name for f in files} == {"theme_matrix.csv", "prevalence.csv", "cooccurrence.csv",
                                       "splits.csv", "codebook.csv", "codings.csv", "proto_types.csv"}  # fmt: skip
    codings = pd.read_csv(tmp_path / "themes" / "codings.csv")
    text = " ".join(codings["quote"])
    assert "[phone]" in text and "[email]" in text and "my husband [name]" in text
    assert "70 123" not in text and "example.org" not in text and "Lars" not in text
    matrix = pd.read_csv(tmp_path / "themes" / "theme_matrix.csv", index_col="participant_id")
    assert matrix.shape == (4, 4)


# ----------------------------------------------------------------------------- traceability


def _instrument(themes: dict[str, str | None]):
    return instrument_from_dict({
        "id_column": "rid",
        "scale": {"min": 1, "max": 5},
        "items": [{"id": i, "text": f"Statement {i}", "theme": t} for i, t in themes.items()],
    })  # fmt: skip


def test_traceability_reports_gaps_both_ways():
    iv = read_interviews(DATA / "folder")
    inst = _instrument({"s1": "price SENSITIVITY", "s2": "Shopping", "s3": "Sustainabilty", "s4": None})
    tr = traceability(inst, iv)
    # Shopping (a parent) covers its sub-codes; Loyalty (2 participants) before Sustainability (1)
    assert tr.themes_without_items == ["Loyalty", "Sustainability"]
    assert tr.items_without_theme == ["s4"]
    assert tr.unknown_item_themes.to_dict(orient="records") == [
        {"item": "s3", "theme": "Sustainabilty", "suggestion": "Sustainability"}
    ]
    links = tr.table.dropna(subset=["item"])
    assert links[["theme", "item"]].values.tolist() == [["Price sensitivity", "s1"], ["Shopping", "s2"]]
    assert links["n_participants"].tolist() == [2, 0]
    assert not tr.ok and "did you mean 'Sustainability'" in tr.summary()
    # counts in the singular for one (session 15: "1 statements have no theme", "1 påståenden")
    assert "No statement for 2 themes: Loyalty, Sustainability" in tr.summary()
    assert "No theme for 1 statement: s4" in tr.summary()
    assert "Inget tema för 1 påstående: s4" in tr.summary("sv")
    assert "Inget påstående för 2 teman" in tr.summary("sv")


def test_traceability_complete():
    iv = read_interviews(MINIMAL)
    tr = traceability(_instrument({"a": "Shopping", "b": "Sustainability"}), iv)
    assert tr.ok and tr.themes_without_items == [] and tr.summary().startswith("every theme")


# ----------------------------------------------------------------------------- type quotes


def test_type_quotes_follow_distinctive_items_and_anonymise():
    iv = read_interviews(DATA / "folder")
    inst = _instrument({"s1": "Price sensitivity", "s2": "Loyalty", "s3": "Convenience", "s4": "Sustainability"})
    profile = pd.DataFrame({
        "type_id": [1, 1, 1, 2, 2, 2],
        "item": ["s1", "s2", "s4", "s3", "s4", "s1"],
        "effect_size": [0.9, 0.4, -0.5, 1.1, 0.3, -0.8],
    })  # fmt: skip
    q = type_quotes(iv, profile, inst, n=3, random_state=0)
    t1 = q[q["type_id"] == 1]
    assert set(t1["theme"]) <= {"Price sensitivity", "Loyalty"}  # negative effects ignored
    assert len(t1) == 3
    # different participants first: P1, P2 and P3 each appear once
    pseud = pseudonymise(iv.participant_ids, seed=0)
    assert sorted(t1["pseudonym"]) == sorted(pseud[p] for p in ["P1", "P2", "P3"])
    assert "Deals." not in t1["quote"].tolist()  # too short to represent anyone
    t2 = q[q["type_id"] == 2]
    assert set(t2["theme"]) == {"Convenience", "Sustainability"}
    assert any("[email]" in s for s in t2["quote"]) and any("[name]" in s for s in t2["quote"])
    allq = " ".join(q["quote"])
    assert "Lars" not in allq and "+46" not in allq and "@" not in allq
    assert q.equals(type_quotes(iv, profile, inst, n=3, random_state=0))
    # profiles.csv long format works too
    long = profile.rename(columns={"item": "key"}).assign(kind="item")
    assert type_quotes(iv, long, inst, n=3, random_state=0).equals(q)


def test_type_quotes_parent_theme_includes_subcodes():
    iv = read_interviews(DATA / "folder")
    inst = _instrument({"s1": "Shopping"})
    q = type_quotes(iv, pd.DataFrame({"type_id": [1], "item": ["s1"], "effect_size": [1.0]}), inst, n=2)
    assert set(q["theme"]) <= {"Price sensitivity", "Convenience"} and len(q) == 2


def test_type_quotes_bad_profile():
    iv = read_interviews(DATA / "folder")
    with pytest.raises(InputError, match="lacks column.* effect_size; columns found: type_id, item"):
        type_quotes(iv, pd.DataFrame({"type_id": [1], "item": ["s1"]}), _instrument({"s1": "x"}))


# ----------------------------------------------------------------------------- anonymise


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Write to anna.svensson+shop@mail.example.se today", "Write to [email] today"),
        ("Ring 070-123 45 67 or 0701234567", "Ring [phone] or [phone]"),
        ("Call +46 70 123 45 67 or +46 (0)8 123 456 78", "Call [phone] or [phone]"),
        ("Office 08-123 456 78.", "Office [phone]."),
        ("US (555) 123-4567, 555-123-4567 or +1 212 555 0100", "US [phone], [phone] or [phone]"),
        ("Mitt personnummer är 850709-1234 eller 19850709-1234", "Mitt personnummer är [id] eller [id]"),
        ("See https://shop.example.com/p?id=3, or www.example.se.", "See [url], or [url]."),
        ("I live at 221B Baker Street near Storgatan 12 and Kerkstraat 5", "I live at [address] near [address] and [address]"),
        ("My wife Maria Lindqvist does the shopping", "My wife [name] does the shopping"),
        ("my colleague Zlatan said so; my name is Quentin", "my colleague [name] said so; my name is [name]"),
        ("I'm Beatrix and I'm Swedish", "I'm [name] and I'm Swedish"),
        ("We asked Erik and Sanne, then Jürgen", "We asked [name] and [name], then [name]"),
    ],
)
def test_anonymise_masks_planted_details(text, expected):
    assert anonymise(text) == expected


def test_anonymise_keeps_ordinary_numbers_and_words():
    text = "In 2019-2021 I spent 1500 kr, 20 % more on Monday; I'm Swedish. Will May come?"
    assert anonymise(text) == text


def test_anonymise_given_names_case_insensitive():
    out = anonymise("Xiomara said XIOMARA's brother Ebenezer Quist called", names=["Xiomara", "Ebenezer Quist"])
    assert out == "[name] said [name]'s brother [name] called"
    assert anonymise(None) is None and anonymise("") == ""


def test_pseudonymise_stable_unique_and_seeded():
    ids = [f"id{i}" for i in range(30)]
    a = pseudonymise(ids, seed=1)
    assert a == pseudonymise(list(reversed(ids)), seed=1)
    assert len(set(a.values())) == 30 and "Participant AD" in a.values()
    assert a != pseudonymise(ids, seed=2)
    assert sorted(pseudonymise(ids[:3], seed=0, style="number").values()) == ["P01", "P02", "P03"]


# ----------------------------------------------------------------------------- writing .qdpx


def _check_schema(root: ET.Element) -> None:
    """Structural checks from the REFI-QDA Project.xsd: element order, required attributes, refs."""
    q = lambda tag: f"{{{PROJECT_NS}}}{tag}"  # noqa: E731
    local = lambda el: el.tag.split("}")[1]  # noqa: E731
    guid_re = re.compile(r"\{?[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\}?")
    orders = {
        "Project": ["Users", "CodeBook", "Variables", "Cases", "Sources", "Notes", "Links", "Sets", "Graphs", "Description"],
        "Case": ["Description", "CodeRef", "VariableValue", "SourceRef", "SelectionRef"],
        "TextSource": ["Description", "PlainTextContent", "PlainTextSelection", "Coding", "NoteRef", "VariableValue"],
        "PlainTextSelection": ["Description", "Coding", "NoteRef"],
        "Code": ["Description", "NoteRef", "Code"],
    }
    assert root.tag == q("Project") and root.get("name")
    guids = []
    for el in root.iter():
        assert el.tag.startswith("{" + PROJECT_NS + "}")
        if local(el) in orders:
            seq = [orders[local(el)].index(local(c)) for c in el]
            assert seq == sorted(seq), f"children of {local(el)} out of schema order"
        if el.get("guid") is not None:
            assert guid_re.fullmatch(el.get("guid"))
            guids.append(el.get("guid").strip("{}").lower())
    assert len(guids) == len(set(guids))
    for el in root.iter(q("Code")):
        assert el.get("name") and el.get("isCodable") in {"true", "false"}
    for el in root.iter(q("Variable")):
        assert el.get("typeOfVariable") in {"Text", "Boolean", "Integer", "Float", "Date", "DateTime"}
    for el in root.iter(q("PlainTextSelection")):
        assert int(el.get("startPosition")) <= int(el.get("endPosition"))
    known = set(guids)
    for tag in ("CodeRef", "SourceRef", "VariableRef"):
        for el in root.iter(q(tag)):
            assert el.get("targetGUID").strip("{}").lower() in known


def test_write_qdpx_round_trip_of_generated_interviews(tmp_path):
    codings = _planted_codings(seed=1)
    codings.loc[0, "quote"] = "Jag är 😀 nöjd — really, my wife Åsa agrees."
    iv = _interviews(codings)
    out = write_qdpx(tmp_path / "a" / "gen.qdpx", iv, case_variables={"A00": {"behaviour_type": "Planner"}})
    with zipfile.ZipFile(out) as zf:
        root = ET.fromstring(zf.read("project.qde"))
        names = zf.namelist()
    _check_schema(root)
    assert all(n == "project.qde" or n.startswith("sources/") for n in names)
    back = read_interviews(out)
    key = ["participant_id", "theme", "quote"]
    pd.testing.assert_frame_equal(
        back.codings[key].sort_values(key).reset_index(drop=True),
        iv.codings[key].sort_values(key).reset_index(drop=True),
    )
    # offsets point exactly at the quotes in the written transcripts
    for row in back.codings.itertuples():
        assert back.transcripts[row.source][row.start : row.end] == row.quote
    assert back.participants.loc["A00", "behaviour_type"] == "Planner"
    assert set(back.participant_ids) == set(iv.participant_ids)
    # deterministic bytes
    again = write_qdpx(tmp_path / "b" / "gen.qdpx", iv, case_variables={"A00": {"behaviour_type": "Planner"}})
    assert again.read_bytes() == out.read_bytes()


def test_write_qdpx_round_trip_keeps_transcripts_codebook_and_variables(tmp_path):
    iv = read_interviews(MINIMAL)
    back = read_interviews(write_qdpx(tmp_path / "rt.qdpx", iv))
    cols = ["participant_id", "theme", "parent", "quote", "start", "end"]
    pd.testing.assert_frame_equal(back.codings[cols], iv.codings[cols])
    pd.testing.assert_frame_equal(back.codebook, iv.codebook)
    assert back.transcripts["Interview Anna.txt"] == iv.transcripts["Interview Anna.txt"]
    assert back.participants.loc["Anna", "age"] == 34


def test_write_qdpx_with_transcripts(tmp_path):
    iv = _interviews(pd.DataFrame({"participant_id": ["a", "a"], "theme": ["x", "y"],
                                   "quote": ["second bit", "first"]}))  # fmt: skip
    out = write_qdpx(tmp_path / "t.qdpx", iv, transcripts={"a": "Q: hi\nA: first, then a second bit."})
    back = read_interviews(out)
    assert back.codings.set_index("theme")["start"].to_dict() == {"x": 23, "y": 9}
    with pytest.raises(InputError, match="quote 'second bit' of participant a is not in the transcript"):
        write_qdpx(tmp_path / "t2.qdpx", iv, transcripts={"a": "something else entirely"})
    assert not (tmp_path / "t2.qdpx").exists()


def test_write_types_to_qdpx_adds_and_updates_leaving_rest_intact(tmp_path):
    out = tmp_path / "typed.qdpx"
    with pytest.warns(BehaviortypesWarning, match="Skipped 1 participant not in minimal.qdpx: Zed"):
        result = write_types_to_qdpx(MINIMAL, out, {"Anna": "Deal hunter", "Interview B2": "Quick shopper", "Zed": "x"})
    assert result["created_case"].tolist() == [False, True]
    iv = read_interviews(out)
    assert iv.participants["behaviour_type"].to_dict() == {"Anna": "Deal hunter", "Interview B2": "Quick shopper"}
    assert iv.participants.loc["Anna", "age"] == 34
    pd.testing.assert_frame_equal(iv.codings, read_interviews(MINIMAL).codings)
    with zipfile.ZipFile(MINIMAL) as a, zipfile.ZipFile(out) as b:
        for info in a.infolist():
            if info.filename != "project.qde":
                assert a.read(info) == b.read(info.filename)
        _check_schema(ET.fromstring(b.read("project.qde")))
    # update in place: one value per case, the new one
    write_types_to_qdpx(out, out, {"Anna": "Planner"})
    root = ET.fromstring(zipfile.ZipFile(out).read("project.qde"))
    anna = [c for c in root.iter(f"{{{PROJECT_NS}}}Case") if c.get("name") == "Anna"][0]
    assert len(anna.findall(f"{{{PROJECT_NS}}}VariableValue")) == 3
    assert read_interviews(out).participants.loc["Anna", "behaviour_type"] == "Planner"
    assert len(root.findall(f"{{{PROJECT_NS}}}Variables/{{{PROJECT_NS}}}Variable")) == 3


def test_write_types_to_qdpx_no_match(tmp_path):
    with pytest.raises(InputError, match="none of the 2 participants is a case or source"):
        write_types_to_qdpx(MINIMAL, tmp_path / "x.qdpx", {"a": "1", "b": "2"})
    assert not (tmp_path / "x.qdpx").exists()


def test_code_groups_become_parents(tmp_path):
    qdc = tmp_path / "atlas.qdc"
    qdc.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        '<Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="price" isCodable="true"/>'
        '<Code guid="2FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="trust" isCodable="true"/></Codes>'
        '<Sets><Set name="money" guid="ECA18D76-2B8B-4F26-BC1D-19ECA19FB3F0">'
        '<MemberCode guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294"/></Set></Sets></CodeBook>',
        encoding="utf-8",
    )
    book = read_interviews(qdc).codebook
    assert book[["theme", "parent"]].values.tolist() == [["money", None], ["price", "money"], ["trust", None]]


def test_interviews_from_frame_like_csv():
    frame = pd.DataFrame({
        "participant": ["a", "a", "b"], "code": ["x", "y", "x"], "category": ["g", None, "g"],
        "quote": ["one", "two", np.nan], "age": [30, 30, 41], "mood": ["up", "down", "up"],
    })  # fmt: skip
    iv = interviews_from_frame(frame, pd.DataFrame({"participant_id": ["a", "b"], "name": ["Ann", "Bo"]}))
    assert iv.codings[["participant_id", "theme", "parent", "quote"]].values.tolist() == [
        ["a", "x", "g", "one"], ["a", "y", None, "two"], ["b", "x", "g", None]
    ]
    assert iv.participants.to_dict(orient="index") == {
        "a": {"age": "30", "name": "Ann"}, "b": {"age": "41", "name": "Bo"}
    }  # mood varies within a participant: not an attribute
    assert iv.codebook[["theme", "parent"]].values.tolist() == [["x", "g"], ["y", None], ["g", None]]
    with pytest.raises(InputError, match=r"column 'theme', row 2: 1 row has no theme"):
        interviews_from_frame(pd.DataFrame({"participant_id": ["a", "b"], "theme": ["x", None]}))

_quote_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40
).filter(lambda t: t.strip() != "")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(quotes=st.lists(_quote_text, min_size=1, max_size=4, unique=True))
def test_write_qdpx_offsets_hit_any_unicode_quote(tmp_path, quotes):
    """Property: whatever the characters (emoji, combining marks, control chars), offsets round-trip."""
    frame = pd.DataFrame({"participant_id": "p", "theme": [f"t{i}" for i in range(len(quotes))],
                          "quote": quotes})  # fmt: skip
    iv = interviews_from_frame(frame)
    back = read_interviews(write_qdpx(tmp_path / "h.qdpx", iv))
    assert sorted(back.codings["quote"]) == sorted(quotes)
    for row in back.codings.itertuples():
        assert back.transcripts[row.source][row.start : row.end] == row.quote


def test_write_types_into_project_without_variables_or_cases(tmp_path):
    text = _project_text()
    text = re.sub(r"\s*<Variables>.*?</Variables>", "", text, flags=re.S)
    text = re.sub(r"\s*<Cases>.*?</Cases>", "", text, flags=re.S)
    bare = _archive(tmp_path, text, name="bare.qdpx")
    assert read_interviews(bare).participant_ids == ["Interview Anna", "Interview B2"]
    out = tmp_path / "typed.qdpx"
    write_types_to_qdpx(bare, out, {"Interview Anna": "Planner", "Interview B2": "Quick shopper"})
    with zipfile.ZipFile(out) as zf:
        _check_schema(ET.fromstring(zf.read("project.qde")))
    iv = read_interviews(out)
    assert iv.participants["behaviour_type"].to_dict() == {"Interview Anna": "Planner", "Interview B2": "Quick shopper"}
    assert len(iv.codings) == 5


def test_external_sources_need_a_named_folder(tmp_path):
    text = _project_text().replace(
        'plainTextPath="internal://7b1e0c3a-1111-4c8e-9a0b-000000000002.TXT"',
        'plainTextPath="relative://b2.txt"')
    folder = tmp_path / "interviews"
    folder.mkdir()
    project = _archive(folder, text, drop="000000000002", name="p.qdpx")
    with zipfile.ZipFile(MINIMAL) as zf:
        (tmp_path / "b2.txt").write_bytes(zf.read("Sources/7b1e0c3a-1111-4c8e-9a0b-000000000002.TXT"))
    with pytest.raises(InputError, match="stored outside the archive"):
        read_interviews(folder)  # a folder holding one .qdpx
    iv = read_interviews(folder, sources_dir=tmp_path)
    assert len(iv.codings) == len(read_interviews(MINIMAL).codings)


def test_type_quotes_only_from_statements_on_which_the_type_differs_meaningfully():
    """User trial 11: type 2 got three quotes on GCBS15, where its effect size was 0.056 —
    no difference at all. A type's quotes come from statements it differs on by at least
    a small effect (0.2)."""
    iv = read_interviews(DATA / "folder")
    inst = _instrument({"s1": "Price sensitivity", "s2": "Loyalty", "s3": "Convenience", "s4": "Sustainability"})
    profile = pd.DataFrame({"type_id": [1, 1, 2], "item": ["s1", "s3", "s4"], "effect_size": [0.9, 0.056, 0.19]})
    q = type_quotes(iv, profile, inst, n=3, random_state=0)
    assert set(q.loc[q["type_id"] == 1, "theme"]) == {"Price sensitivity"}
    assert not (q["type_id"] == 2).any()
    assert len(type_quotes(iv, profile, inst, n=3, random_state=0, min_effect=0.05)) > len(q)
