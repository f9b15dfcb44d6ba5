"""The lead's fixes of session 21 (each test failed before its fix)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402

from behaviortypes import plots  # noqa: E402


def test_one_group_label_stays_inside_its_panel_when_k1_is_the_highest_point():
    # user trial 21 (SD3, 18k respondents): k = 1 has the highest BIC of every k, and the
    # "one group" label drawn above the point ran out of the panel into the axis ticks
    bic = [206348.5, 205707.8, 204611.0, 204048.0, 203825.0, 203637.0, 203622.0, 203546.0,
           203639.0, 203770.0]
    ev = pd.DataFrame({"k": range(1, 11), "bic_best": bic})
    fig = plots.plot_k_evidence(ev, chosen_k=8)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    (ax,) = fig.axes
    label = [t for t in ax.texts if t.get_text() == "one group"]
    assert len(label) == 1
    box, panel = label[0].get_window_extent(renderer), ax.get_window_extent(renderer)
    assert panel.y0 <= box.y0 and box.y1 <= panel.y1, (box, panel)
    assert panel.x0 <= box.x0 and box.x1 <= panel.x1, (box, panel)


def test_the_dask_connect_time_out_is_dasks_own_setting_when_given(monkeypatch):
    # a user who sets Dask's connect time-out (its environment variable) gets it; else 20 s
    from behaviortypes.errors import InputError
    from behaviortypes.scoring import _engines as engines

    monkeypatch.delenv(engines.CONNECT_TIMEOUT_ENV, raising=False)
    assert engines.connect_timeout() == 20.0
    monkeypatch.setenv(engines.CONNECT_TIMEOUT_ENV, "1m")
    assert engines.connect_timeout() == 60.0
    monkeypatch.setenv(engines.CONNECT_TIMEOUT_ENV, "soon")
    try:
        engines.connect_timeout()
    except InputError as err:
        assert engines.CONNECT_TIMEOUT_ENV in str(err) and "soon" in str(err), str(err)
    else:
        raise AssertionError("a time-out Dask cannot read was accepted")


def test_a_k_the_search_never_resampled_is_said_why():
    # user trial 21: evidence_k.csv said "not resampled (cannot be chosen)" for most k with no why
    import numpy as np

    from behaviortypes.i18n import reason_text
    from behaviortypes.segments import TypeFinder
    from behaviortypes.texts import Formatter, load_texts
    from planted import factor_scores, make_planted

    study = make_planted(n=2400, k=3, m=4, seed=3)
    finder = TypeFinder(k_max=7, n_resamples=6, n_bootstrap=0, random_state=0).fit(factor_scores(study))
    ev = finder.evidence_
    later = ev[(ev.index > 1) & ev["jaccard_mean"].isna() & ev["size_ok"] & np.isfinite(ev["bic_best"])]
    assert len(later), ev[["bic_best", "jaccard_mean", "size_ok"]]
    lead_bic = ev.loc[ev["jaccard_mean"].notna() & (ev.index > 1), "bic_best"].min()
    for k, row in later.iterrows():
        assert "points above that of" in row["note"] and "cannot be chosen" not in row["note"], row["note"]
        (code,) = [c for c in finder.evidence_note_codes_[int(k)] if c["code"].startswith("k_note_not_res")]
        assert code["values"]["gap"] == round(row["bic_best"] - lead_bic)
        said = reason_text(code, load_texts("sv"), Formatter("sv"))
        assert said.startswith("inte omsamplad: dess BIC är ") and "{" not in said, said


def test_the_customer_bases_missing_words_are_counted_block_by_block(tmp_path, monkeypatch):
    # session 21's final read: the warning re-read the base's columns whole as text (a
    # millions-row base held in memory); now streamed, with the same count over every block
    import warnings

    import pyarrow.csv as pacsv

    from behaviortypes.errors import SurveyQualityWarning
    from behaviortypes.readers import iter_customer_batches

    path = tmp_path / "base.csv"
    n = 400_000  # several of pyarrow's 1 MB blocks
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("id,visits,region\n")
        for i in range(1, n + 1):
            fh.write(f"{i},{'N/A' if i % 100_000 == 3 else i % 9},{'-' if i == n else 'x'}\n")
    assert path.stat().st_size > 3 * (1 << 20)

    def whole(*args, **kwargs):
        raise AssertionError("the customer base was read whole")

    monkeypatch.setattr(pacsv, "read_csv", whole)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rows = sum(len(f) for f in iter_customer_batches(path, batch_size=50_000, id_column="id"))
    assert rows == n
    said = [str(w.message) for w in caught if issubclass(w.category, SurveyQualityWarning)]
    assert len(said) == 1, said
    assert said[0].startswith("base.csv, column 'visits', rows 3, 100003, 200003, 300003: "
                              "5 values of the customer base read as no value: 'N/A', '-'"), said[0]
