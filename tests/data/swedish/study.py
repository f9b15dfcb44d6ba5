"""A small Swedish study for the tests: Swedish statements and themes, a 1–7 scale.

Three planted types on three themes (``pris``, ``bekvämlighet``, ``inspiration``), six
statements each (two reverse-worded), written as a Swedish Excel CSV (cp1252, ``;``),
or as a Qualtrics export (three header rows, question stem before every statement,
preview and test responses). Nothing is stored: the tests generate what they need.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

STEM = "Hur väl stämmer följande påståenden in på dig?"
THEMES = ("pris", "bekvämlighet", "inspiration")
STATEMENTS = [  # (text, theme, reverse)
    ("Jag jämför alltid priser innan jag köper något", "pris", False),
    ("Jag väntar gärna på rea innan jag handlar", "pris", False),
    ("Erbjudanden avgör ofta var jag handlar", "pris", False),
    ("Jag letar efter rabattkoder när jag handlar på nätet", "pris", False),
    ("Priset spelar liten roll för mig", "pris", True),
    ("Jag betalar gärna mer för att slippa leta", "pris", True),
    ("Jag vill att det ska gå snabbt att handla", "bekvämlighet", False),
    ("Jag handlar där det är smidigast", "bekvämlighet", False),
    ("Hemleverans är viktigt för mig", "bekvämlighet", False),
    ("Jag sparar mina uppgifter för att slippa fylla i dem igen", "bekvämlighet", False),
    ("Jag tar mig gärna tid att gå runt i butiken", "bekvämlighet", True),
    ("Det gör inget om köpet tar lång tid", "bekvämlighet", True),
    ("Jag låter mig inspireras av nyheter", "inspiration", False),
    ("Jag bläddrar gärna utan att veta vad jag ska köpa", "inspiration", False),
    ("Jag följer trender inom inredning och mode", "inspiration", False),
    ("Jag upptäcker gärna nya varumärken", "inspiration", False),
    ("Jag vet alltid exakt vad jag ska köpa", "inspiration", True),
    ("Nyheter intresserar mig inte", "inspiration", True),
]
ITEMS = [f"s{i:02d}" for i in range(1, len(STATEMENTS) + 1)]
#: Planted type means on the three themes (z units) and their shares.
TYPE_MEANS = np.array([[1.3, -0.6, -0.2], [-0.5, 1.3, -0.5], [-0.7, -0.4, 1.3]])
TYPE_SHARES = np.array([0.40, 0.35, 0.25])


def responses(n: int = 360, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Answers on 1–7 with ``respondent``, ``kundnummer``, ``tid_sek`` and a comment."""
    rng = np.random.default_rng(seed)
    truth = rng.choice(3, size=n, p=TYPE_SHARES)
    f = TYPE_MEANS[truth] + rng.normal(scale=0.55, size=(n, 3))
    cols = {}
    for j, (_, theme, reverse) in enumerate(STATEMENTS):
        sign = -1.0 if reverse else 1.0
        x = 4 + sign * 1.3 * f[:, THEMES.index(theme)] + rng.normal(scale=0.8, size=n)
        cols[ITEMS[j]] = np.clip(np.rint(x), 1, 7).astype(int)
    frame = pd.DataFrame({
        "respondent": [f"R{i:04d}" for i in range(1, n + 1)],
        "kundnummer": rng.choice(np.arange(100000, 999999), size=n, replace=False),
        "tid_sek": rng.integers(240, 900, size=n),
        **cols,
        "kommentar": rng.choice(["Bra butik", "För dyrt ibland", "Smidig leverans", "Åh, så fint"], size=n),
    })
    return frame, truth


def instrument(*, scale_max: int = 7) -> dict:
    return {
        "name": "Kundstudie",
        "language": "sv",
        "id_column": "respondent",
        "customer_id_column": "kundnummer",
        "duration_column": "tid_sek",
        "scale": {"min": 1, "max": scale_max},
        "items": [{"id": i, "text": t, "reverse": r, "theme": th}
                  for i, (t, th, r) in zip(ITEMS, STATEMENTS)],
    }


def write_csv_study(folder: str | Path, *, n: int = 360, seed: int = 0, scale_max: int = 7) -> Path:
    """A survey folder with ``instrument.yaml`` and a cp1252 ``;`` ``responses.csv``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    frame, _ = responses(n, seed)
    (folder / "instrument.yaml").write_text(
        yaml.safe_dump(instrument(scale_max=scale_max), sort_keys=False, allow_unicode=True), encoding="utf-8")
    frame.to_csv(folder / "responses.csv", sep=";", index=False, encoding="cp1252")
    return folder


def write_qualtrics(path: str | Path, *, n: int = 360, seed: int = 0, n_preview: int = 2,
                    n_test: int = 1) -> Path:
    """A Qualtrics-style CSV export of the same study (choice values, not labels).

    The first ``n_preview`` rows are survey previews and the next ``n_test`` test
    responses (``Status`` and ``DistributionChannel`` say so).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame, _ = responses(n, seed)
    q = [f"Q1_{j}" for j in range(1, len(ITEMS) + 1)]
    status = ["Survey Preview"] * n_preview + ["Survey Test"] * n_test + ["IP Address"] * (n - n_preview - n_test)
    channel = ["preview"] * n_preview + ["test"] * n_test + ["anonymous"] * (n - n_preview - n_test)
    out = pd.DataFrame({
        "StartDate": "2026-01-05 10:00:00", "EndDate": "2026-01-05 10:09:00", "Status": status,
        "IPAddress": "10.0.0.1", "Progress": 100, "Duration (in seconds)": frame["tid_sek"],
        "Finished": "True", "RecordedDate": "2026-01-05 10:09:01",
        "ResponseId": [f"R_{i:05d}abcdEFGH" for i in range(n)],
        "DistributionChannel": channel, "UserLanguage": "SV",
        **{qq: frame[it] for qq, it in zip(q, ITEMS)},
        "kundnummer": frame["kundnummer"],
    })
    texts = {c: c for c in out.columns}
    texts.update({qq: f"{STEM} - {t}" for qq, (t, _, _) in zip(q, STATEMENTS)})
    texts["Duration (in seconds)"] = "Duration (in seconds)"
    texts["kundnummer"] = "Kundnummer"
    import_ids = {c: json.dumps({"ImportId": c}) for c in out.columns}
    import_ids.update({qq: json.dumps({"ImportId": f"QID1_{j}"}) for j, qq in enumerate(q, 1)})
    header = pd.DataFrame([texts, import_ids])
    pd.concat([header, out.astype(object)], ignore_index=True).to_csv(path, index=False, encoding="utf-8-sig")
    return path
