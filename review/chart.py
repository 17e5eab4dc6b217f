"""The fallback rate and negative-feedback rate per day, as a PNG for the page to embed.

matplotlib's object API on the Agg canvas: no pyplot, so no global figure state
and no display backend, whatever MPLBACKEND says.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from review.findings import DayCounts


def rates_png(days: Sequence[DayCounts]) -> bytes:
    figure = Figure(figsize=(7.0, 2.6), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    labels = [counts.day.strftime("%m-%d") for counts in days]
    positions = list(range(len(days)))
    fallback = [100 * c.fallback_rate for c in days]
    negative = [100 * c.negative_feedback_rate for c in days]
    axes.plot(positions, fallback, marker="o", label="fallback")
    axes.plot(positions, negative, marker="s", label="negative feedback")
    axes.set_xticks(positions)
    axes.set_xticklabels(labels, fontsize=8)
    axes.set_ylabel("% of messages")
    # Room above the highest point, and a scale of a few percent on a good week.
    axes.set_ylim(0, max(5.0, 1.25 * max(fallback + negative, default=0.0)))
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8, loc="best")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def rates_data_uri(days: Sequence[DayCounts]) -> str:
    return "data:image/png;base64," + base64.b64encode(rates_png(days)).decode("ascii")
