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
