"""Is the typing tool's stated probability calibrated on held-out respondents? (LEFT20)

Usage::

    PYTHONPATH=$PWD .venv/bin/python bench/typing_calibration.py [--sets demo bfi gss82]
        [--temperature fitted|none]

For each study the types are those ``behaviortypes discover --seed 19`` finds (gss82: with
``--k 2``, as user trial 19 read it; the evidence alone gives one group since session 19) (cached in
``bench/.data/calibration/``): the demo study (``make_study(seed=0)``), R psych's bfi (real,
reverse-keyed as psych keys it) and R poLCA's gss82 (real, recoded as tests/test_trial19.py).
Then outer 5-fold stratified cross-validation (seed 20): in each fold the whole typing tool is
built on 4/5 of the respondents (``build_typing_tool``: selection, LDA, temperature) and scores
the held-out 1/5. Printed: held-out log loss, agreement, ECE (10 equal-width bins of the stated
probability of the given type), the bins, and for gss82 each answer pattern of the golden
statements. ``--temperature none`` sets T = 1 (the tool before session 20).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
DATA = HERE / ".data" / "calibration"
REAL = ROOT / "tests" / "data" / "real"
BT = str(Path(sys.executable).parent / "behaviortypes")


def _bfi(folder: Path) -> None:
    answers = pd.read_csv(REAL / "bfi.csv.gz")
    reverse = ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]
    answers.insert(0, "respondent_id", [f"B{i:04d}" for i in range(1, len(answers) + 1)])
    folder.mkdir(parents=True)
    answers.to_csv(folder / "responses.csv", index=False)
    inst = {"name": "bfi", "id_column": "respondent_id", "scale": {"min": 1, "max": 6},
            "items": [{"id": c, "text": c, "reverse": c in reverse, "theme": c[0]} for c in answers.columns[1:]]}
    (folder / "instrument.yaml").write_text(yaml.safe_dump(inst, sort_keys=False))


def _plain(name: str, folder: Path) -> None:
    """A real data set as it is: every column a statement, the scale its lowest to highest answer."""
    answers = pd.read_csv(REAL / f"{name}.csv.gz")
    answers.columns = [c.replace(".", "_") for c in answers.columns]
    lo, hi = float(np.nanmin(answers.to_numpy())), float(np.nanmax(answers.to_numpy()))
    answers.insert(0, "respondent_id", [f"R{i:05d}" for i in range(1, len(answers) + 1)])
    folder.mkdir(parents=True)
    answers.to_csv(folder / "responses.csv", index=False)
    inst = {"name": name, "id_column": "respondent_id", "scale": {"min": lo, "max": hi},
            "items": [{"id": c, "text": c, "reverse": False} for c in answers.columns[1:]]}
    (folder / "instrument.yaml").write_text(yaml.safe_dump(inst, sort_keys=False))


def _survey(name: str) -> Path:
    folder = DATA / name / ("study" if name == "demo" else "survey")
    if folder.is_dir():
        return folder
    if name == "demo":
        from behaviortypes.synth import make_study

        make_study(DATA / "demo" / "study", seed=0, n_customers=5000)
        return DATA / "demo" / "study"
    if name == "bfi":
        _bfi(folder)
    elif name in ("epi", "ability", "election"):
        _plain(name, folder)
    else:
        from test_trial19 import gss_survey

        gss_survey(folder)
    return folder


def discovered(name: str) -> tuple[pd.DataFrame, pd.Series, object]:
    from behaviortypes.readers import keyed_items, load_survey

    survey = _survey(name)
    out = DATA / name / "out"
    if not (out / "assignments.csv").is_file():
        # gss82 is one group by the evidence since session 19 (FIX19); user trial 19 read k = 2
        extra = ["--k", "2"] if name == "gss82" else []
        run = subprocess.run([BT, "discover", str(survey), "--out", str(out), "--seed", "19", *extra],
                             capture_output=True, text=True)
        if run.returncode:
            raise SystemExit(run.stderr)
        if json.loads((out / "solution.json").read_text())["k"] == 1:  # one group: describe two anyway
            run = subprocess.run([BT, "discover", str(survey), "--out", str(out), "--seed", "19", "--k", "2"],
                                 capture_output=True, text=True)
            if run.returncode:
                raise SystemExit(run.stderr)
    s = load_survey(survey)
    labels = pd.read_csv(out / "assignments.csv", dtype={"respondent_id": str}).set_index("respondent_id")["type_id"]
    keyed = keyed_items(s.responses, s.instrument).loc[labels.index]
    return keyed, labels.astype(int), s.instrument


def held_out(keyed: pd.DataFrame, labels: pd.Series, instrument, *, calibrate: bool) -> pd.DataFrame:
    from sklearn.model_selection import StratifiedKFold

    from behaviortypes.lookalike import build_typing_tool

    raw = keyed.copy()
    lo, hi = instrument.scale.min, instrument.scale.max
    for i in instrument.reverse_ids:
        if i in raw:
            raw[i] = lo + hi - raw[i]
    rows = []
    folds = StratifiedKFold(5, shuffle=True, random_state=20).split(keyed, labels)
    for train, test in folds:
        import inspect

        kw = {} if calibrate or "calibrate" not in inspect.signature(build_typing_tool).parameters else {"calibrate": False}
        tool = build_typing_tool(keyed.iloc[train], labels.iloc[train], instrument=instrument, random_state=19, **kw)
        scored = tool.score(raw.iloc[test])
        part = pd.DataFrame({"p": scored["probability"].to_numpy(), "given": scored["type_id"].to_numpy(),
                             "truth": labels.iloc[test].to_numpy()}, index=keyed.index[test])
        p_true = np.array([scored.loc[r, f"p_{t}"] for r, t in zip(scored.index, part["truth"])])
        part["p_true"] = p_true
        part["pattern"] = [" ".join(f"{v:g}" for v in row) for row in raw.iloc[test][tool.items_].to_numpy()]
        part["T"] = getattr(tool, "temperature_", 1.0)
        rows.append(part)
    return pd.concat(rows)


def report(name: str, res: pd.DataFrame) -> None:
    correct = res["given"] == res["truth"]
    logloss = -np.log(np.clip(res["p_true"], 1e-15, 1)).mean()
    bins = pd.cut(res["p"], np.linspace(0, 1, 11), include_lowest=True)
    table = pd.DataFrame({"stated": res["p"], "correct": correct}).groupby(bins, observed=True).agg(
        n=("stated", "size"), stated=("stated", "mean"), observed=("correct", "mean"))
    ece = float((table["n"] * (table["stated"] - table["observed"]).abs()).sum() / len(res))
    print(f"\n== {name}: n {len(res)}, T per fold {sorted(set(np.round(res['T'], 3)))}, agreement "
          f"{correct.mean():.3f}, mean stated {res['p'].mean():.3f}, log loss {logloss:.4f}, ECE {ece:.4f}")
    print(table.round(3).to_string())
    if name == "gss82":
        cells = res.assign(correct=correct).groupby("pattern").agg(
            n=("p", "size"), stated=("p", "mean"), observed=("correct", "mean"))
        print(cells.round(3).to_string())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", nargs="+", default=["demo", "bfi", "gss82"])
    ap.add_argument("--temperature", choices=["fitted", "none"], default="fitted")
    args = ap.parse_args()
    for name in args.sets:
        keyed, labels, instrument = discovered(name)
        report(name, held_out(keyed, labels, instrument, calibrate=args.temperature == "fitted"))


if __name__ == "__main__":
    main()
