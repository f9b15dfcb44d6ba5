"""Missing-value codes declared per outcome or descriptor column (``missing_codes:`` of
``outcomes:``/``descriptors:`` in instrument.yaml), as SPSS and Q users declare them per
variable. Session 14: a type's bias-adjusted mean age came out 13.00 [13, 90,831] while
``check`` had warned about the 999999999s it was computed from."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from behaviortypes.instrument import instrument_from_dict


def _instrument(**extra):
    return instrument_from_dict({"id_column": "id", "scale": {"min": 1, "max": 5},
                                 "items": [{"id": f"q{i}", "text": f"t{i}"} for i in range(6)], **extra})


def test_an_outcome_or_descriptor_declares_its_missing_codes_as_the_scale_does():
    inst = _instrument(outcomes=[{"column": "age", "missing_codes": [999999999, 412434.0]}],
                       descriptors=[{"column": "sex", "missing_codes": [9, "Vet ej"]}])
    assert inst.outcomes[0].missing_codes == ["999999999", "412434"]
    assert inst.descriptors[0].missing_codes == ["9", "Vet ej"]
    assert _instrument(outcomes=[{"column": "age"}]).outcomes[0].missing_codes == []


def _frame(n: int = 120) -> pd.DataFrame:
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"id": [f"R{i}" for i in range(n)], "age": rng.integers(18, 70, n)})
    for i in range(6):
        frame[f"q{i}"] = rng.integers(1, 6, n)
    frame.loc[[7, 11], "age"] = 999999999
    frame.loc[40, "age"] = 412434
    return frame


def test_check_warns_only_about_values_not_declared_and_its_advice_names_the_setting():
    from behaviortypes.readers import check_responses

    frame = _frame()
    warns = check_responses(frame, _instrument(outcomes=[{"column": "age"}]), file="responses.csv")[1]
    said = [w for w in warns if w.column == "age"]
    assert len(said) == 1
    # the advice names the per-column setting, with the values to declare
    assert "missing_codes: [999999999, 412434]" in str(said[0]), str(said[0])
    assert "missing_codes: [999999999, 412434]" in said[0].said("sv")
    assert "instrument.yaml" in said[0].said("sv")
    declared = _instrument(outcomes=[{"column": "age", "missing_codes": [999999999]}])
    warns = check_responses(frame, declared, file="responses.csv")[1]
    said = [str(w) for w in warns if w.column == "age"]
    assert len(said) == 1 and "1 of the file's " in said[0] and "412434 (rows 42)" in said[0], said
    both = _instrument(outcomes=[{"column": "age", "missing_codes": [999999999, 412434]}])
    assert not [w for w in check_responses(frame, both, file="responses.csv")[1] if w.column == "age"]


def test_check_takes_a_declared_text_code_of_an_outcome_as_missing_not_as_stray_text():
    from behaviortypes.readers import check_responses

    frame = _frame()
    frame["bought"] = np.where(np.arange(len(frame)) % 2 == 0, "yes", "no").astype(object)
    frame.loc[3, "bought"] = "Vet ej"
    errors = check_responses(frame, _instrument(outcomes=[{"column": "bought"}]), file="responses.csv")[0]
    assert any(e.column == "bought" for e in errors)  # as before: text that is not yes/no
    declared = _instrument(outcomes=[{"column": "bought", "missing_codes": ["vet ej"]}])
    assert not [e for e in check_responses(frame, declared, file="responses.csv")[0] if e.column == "bought"]


@pytest.fixture(scope="module")
def coded_study(tmp_path_factory):
    """A demo study with an age column holding 999999999 twice and 412434 once, and a
    region answered 99 by 40 respondents; discovered once."""
    from behaviortypes.pipeline import discover
    from behaviortypes.synth import make_study

    root = tmp_path_factory.mktemp("declared")
    make_study(root / "survey", seed=6, n_respondents=400, n_customers=900)
    responses = root / "survey" / "responses.csv"
    frame = pd.read_csv(responses)
    frame["age"] = np.random.default_rng(0).integers(18, 80, len(frame))
    frame.loc[[3, 50], "age"] = 999999999
    frame.loc[90, "age"] = 412434
    frame["region"] = frame["region"].astype(object)
    frame.loc[100:139, "region"] = 99
    frame.to_csv(responses, index=False)
    discover(root / "survey", root / "out", seed=0, n_resamples=10, make_map=False)
    return root


def _declare(root, age_codes, region_codes=None):
    path = root / "survey" / "instrument.yaml"
    inst = yaml.safe_load(path.read_text(encoding="utf-8"))
    inst["outcomes"] = [{"column": "age", "label": "Age", **({"missing_codes": age_codes} if age_codes else {})}]
    inst["descriptors"] = [{"column": "region", **({"missing_codes": region_codes} if region_codes else {})}]
    path.write_text(yaml.safe_dump(inst, allow_unicode=True), encoding="utf-8")


def test_profile_leaves_declared_codes_out_of_the_means_and_the_banner_and_says_so(coded_study):
    from behaviortypes.describe import profile_types_by
    from behaviortypes.errors import BehaviortypesWarning

    root = coded_study
    out = root / "out"
    _declare(root, None)
    with pytest.warns(BehaviortypesWarning, match="look like missing codes"):
        before = profile_types_by(out)
    bch = before.outcomes[(before.outcomes["variable"] == "age") & (before.outcomes["method"] == "modal")]
    assert (bch["mean"].dropna() > 1000).any()  # the codes are averaged as ages
    assert "99" in set(before.banner.loc[before.banner["variable"] == "region", "level"])

    _declare(root, [999999999, 412434], [99])
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", BehaviortypesWarning)  # nothing left to warn about
        after = profile_types_by(out)
    ages = after.outcomes[after.outcomes["variable"] == "age"]
    shown = ages["mean"].dropna()
    assert len(shown) and shown.between(18, 80).all(), ages
    assert (ages["ci_high"].dropna() <= 80).all()
    region = after.banner[after.banner["variable"] == "region"]
    assert "99" not in set(region["level"])
    # counted, recorded and said
    age_spec = next(o for o in after.meta["outcomes"] if o["column"] == "age")
    assert age_spec["declared_missing"] == {"999999999": 2, "412434": 1}
    # among the typed respondents (the screened-out are not profiled)
    typed = pd.read_csv(out / "assignments.csv", dtype={"respondent_id": str})["respondent_id"]
    answers = pd.read_csv(root / "survey" / "responses.csv", dtype={"respondent_id": str})
    n99 = int(answers[answers["respondent_id"].isin(typed)]["region"].astype(str).eq("99").sum())
    assert 20 < n99 <= 40
    region_spec = next(d for d in after.meta["descriptors"] if d["column"] == "region")
    assert region_spec["declared_missing"] == {"99": n99}
    en = after.summary("en")
    assert "age: 3 values declared missing (999999999 ×2, 412434)" in en, en
    assert f"region: {n99} values declared missing (99 ×{n99})" in en, en
    sv = after.summary("sv")
    assert "age: 3 värden angivna som saknade (999999999 ×2, 412434)" in sv, sv
    # the report's "Who they are" note says what was left out
    from behaviortypes.describe import who_they_are

    note = who_they_are(after, 1, lang="en")["note"]
    assert f"left out: region ({n99}), Age (3)." in note, note
    assert "utelämnade: region" in who_they_are(after, 1, lang="sv")["note"]


@pytest.mark.parametrize("n_codes", [5, 12])
def test_the_advice_lists_missing_codes_a_user_can_paste(n_codes):
    """Session 14: with more than three codes the advice said ``missing_codes: [a, b, c, …]``,
    which is not YAML. Every code now (or the ten most extreme, saying how many there are)."""
    import re

    from behaviortypes.readers import check_responses

    frame = _frame(200)
    codes = [999999999 - 1000 * i for i in range(n_codes)]
    frame.loc[range(100, 100 + n_codes), "age"] = codes
    warns = check_responses(frame, _instrument(outcomes=[{"column": "age"}]), file="responses.csv")[1]
    said = [w for w in warns if w.column == "age"]
    assert len(said) == 1
    for line in (str(said[0]), said[0].said("sv")):
        pasted = re.search(r"outcomes: - (\{column: age, missing_codes: \[[^\]]*\]\})", line).group(1)
        listed = yaml.safe_load(pasted)["missing_codes"]
        assert "…" not in pasted
        if n_codes <= 10:
            assert set(listed) == set(codes) | {412434}
        else:
            assert len(listed) == 10 and set(listed) <= set(codes)
    if n_codes > 10:
        assert "the 10 most extreme of 13 distinct values" in str(said[0])
        assert "de 10 mest extrema av 13 olika värden" in said[0].said("sv")


def test_a_missing_code_on_the_scale_is_warned_about():
    """Session 14: a missing code that is a point of the scale (3 on 1-5) silently turned every
    3 into no answer (discover, --score; the workbook disagreed). Allowed, but said."""
    from behaviortypes.readers.validate import instrument_warnings

    inst = _instrument()
    assert not instrument_warnings(instrument_from_dict({**inst.to_dict(), "scale": {"min": 1, "max": 5,
                                                                                    "missing_codes": [9]}}))
    odd = instrument_from_dict({**inst.to_dict(), "scale": {"min": 1, "max": 5, "missing_codes": [3, 9]}})
    said = instrument_warnings(odd, "instrument.yaml")
    assert len(said) == 1
    assert "missing_codes lists 3, a point of the scale 1–5" in str(said[0]) and "9" not in str(said[0])
    assert "missing_codes anger 3, ett steg på skalan 1–5" in said[0].said("sv")
