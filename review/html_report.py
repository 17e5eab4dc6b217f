"""results/review/index.html: one static page, no script, every stored string escaped.

Whatever a person typed, and whatever the bot answered, is shown as text:
each goes through `text()` (html.escape with quotes) and nowhere else.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from review.conversations import hashed
from review.findings import (
    GROUPS,
    NEGATIVE_FEEDBACK,
    DayCounts,
    DuplicateGroup,
    TopicCount,
)

if TYPE_CHECKING:  # review.report renders with this module
    from review.report import Review

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #222;
  padding: 0 1rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; margin: 0.6rem 0; }
th, td { border: 1px solid #ddd; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.count, td.number { text-align: right; white-space: nowrap; }
td.answer, td.context, td.message { white-space: pre-wrap; }
table.messages td.message { width: 24%; } table.messages td.answer { width: 34%; }
.variants { color: #555; font-size: 0.85rem; } .muted { color: #777; }
nav a { margin-right: 0.8rem; } img.chart { max-width: 100%; }
"""


# Rows a group shows, the most frequent first: a page a person reads in one sitting.
MAX_ROWS = 200


def text(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _confidence(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _intent_cell(group: DuplicateGroup) -> str:
    exchange = group.first.message
    intent, confidence = exchange.top_intent
    shown = text(intent or "")
    if exchange.intent and exchange.intent != intent:
        shown += f' <span class="muted">(NLU: {text(exchange.intent)})</span>'
    return f"{shown}<br>{text(_confidence(confidence))}"


def _context_cell(group: DuplicateGroup) -> str:
    exchange = group.first.message
    parts = []
    if exchange.previous_user:
        parts.append(f"<b>user:</b> {text(exchange.previous_user)}")
    if exchange.previous_bot:
        parts.append(f"<b>bot:</b> {text(exchange.previous_bot)}")
    return "<br>".join(parts) or '<span class="muted">start of conversation</span>'


def _message_cell(group: DuplicateGroup) -> str:
    cell = text(group.first.question)
    variants = group.variants
    if variants:
        cell += '<div class="variants">also: ' + " · ".join(text(v) for v in variants[:5])
        cell += f" (+{len(variants) - 5} more)" if len(variants) > 5 else ""
        cell += "</div>"
    return cell


def _conversations_cell(group: DuplicateGroup) -> str:
    ids = sorted({hashed(f.exchange.sender_id) for f in group.findings})
    shown = ", ".join(ids[:3]) + (f" +{len(ids) - 3}" if len(ids) > 3 else "")
    return text(shown)


def group_table(name: str, groups: Sequence[DuplicateGroup], max_rows: int = MAX_ROWS) -> str:
    if not groups:
        return '<p class="muted">None in this window.</p>'
    feedback = name == NEGATIVE_FEEDBACK
    head = ["Count", "Message", "Predicted intent / confidence"]
    head += ["Answer it was about", "Feedback"] if feedback else ["Answer given"]
    head += ["Context before", "Conversations"]
    rows = []
    for group in groups[:max_rows]:
        cells = [
            f'<td class="count">{group.count}</td>',
            f'<td class="message">{_message_cell(group)}</td>',
            f"<td>{_intent_cell(group)}</td>",
            f'<td class="answer">{text(group.first.answer)}</td>',
        ]
        if feedback:
            cells.append(f'<td class="feedback">{text(group.first.exchange.text)}</td>')
        cells += [
            f'<td class="context">{_context_cell(group)}</td>',
            f"<td>{_conversations_cell(group)}</td>",
        ]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    header = "".join(f"<th>{text(h)}</th>" for h in head)
    table = f'<table class="messages"><thead><tr>{header}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    left_out = groups[max_rows:]
    if left_out:
        messages = sum(group.count for group in left_out)
        table += (
            f'<p class="muted">{len(left_out)} more rows ({messages} messages, the least frequent) '
            "are left off the page; their new wordings are in to_label.yml.</p>"
        )
    return table


def days_table(days: Iterable[DayCounts]) -> str:
    head = [
        "Day",
        "Conversations",
        "Messages",
        "Fallbacks",
        "Clarifications",
        "Out of scope",
        "Negative feedback",
    ]
    rows = []
    for c in days:
        values = [
            c.conversations,
            c.messages,
            c.fallbacks,
            c.clarifications,
            c.out_of_scope,
            c.negative_feedback,
        ]
        cells = "".join(f'<td class="number">{v}</td>' for v in values)
        rows.append(f"<tr><td>{c.day.isoformat()}</td>{cells}</tr>")
    header = "".join(f"<th>{text(h)}</th>" for h in head)
    body = (
        "".join(rows) or f'<tr><td colspan="{len(head)}" class="muted">No messages in this window.</td></tr>'
    )
    return f'<table class="days"><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>'


def topics_table(topics: Sequence[TopicCount]) -> str:
    if not topics:
        return '<p class="muted">None in this window.</p>'
    rows = "".join(
        f'<tr><td>{text(t.label)}</td><td class="count">{t.count}</td>'
        f'<td class="message">{"<br>".join(text(q) for q in t.examples)}</td></tr>'
        for t in topics
    )
    return (
        '<table class="topics"><thead><tr><th>Topic</th><th>Messages</th><th>For example</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def careers_table(careers: Sequence[tuple[str, int]]) -> str:
    if not careers:
        return '<p class="muted">None in this window.</p>'
    rows = "".join(f'<tr><td>{text(name)}</td><td class="count">{count}</td></tr>' for name, count in careers)
    return (
        '<table class="careers"><thead><tr><th>Career</th><th>Messages</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def render(report: Review, chart_uri: str | None = None) -> str:
    window = f"{report.window_start:%Y-%m-%d %H:%M} to {report.window_end:%Y-%m-%d %H:%M} UTC"
    counts = {name: report.count(name) for name in GROUPS}
    nav = "".join(
        f'<a href="#{name}">{text(title)} ({counts.get(name, 0)})</a>' for name, title in GROUPS.items()
    )
    sections = []
    for name, title in GROUPS.items():
        groups = report.groups.get(name, [])
        heading = title + (f" (below {report.threshold:g})" if name == "below_threshold" else "")
        sections.append(
            f'<section id="{name}"><h2>{text(heading)}: {counts.get(name, 0)}</h2>'
            f"{group_table(name, groups)}</section>"
        )
    chart = (
        f'<img class="chart" alt="Fallback and negative-feedback rate per day" src="{chart_uri}">'
        if chart_uri
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Conversation review {text(window)}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>What the assistant misunderstood</h1>
<p id="summary">{text(window)} · {len(report.conversations)} conversations · {report.messages} messages ·
store {text(report.store)} · confidence threshold {report.threshold:g}</p>
<nav>{nav}<a href="#topics">Not in the article</a></nav>
<h2>Per day</h2>
{days_table(report.days)}
{chart}
<h2>Messages to look at</h2>
<p class="muted">Messages that say the same thing (case, punctuation and typos aside) are one row
with a count. Conversation ids are hashed. {len(report.candidates)} new wordings are in to_label.yml,
under the predicted intent.</p>
{"".join(sections)}
<section id="topics">
<h2>Topics people asked about that the article does not cover</h2>
{topics_table(report.topics)}
<h3>Other careers people named</h3>
{careers_table(report.other_careers)}
</section>
</body>
</html>
"""
