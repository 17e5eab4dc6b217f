"""Answer composition: turns facts into the short replies the assistant sends.

Every function here is plain: it takes the fact store and a role/topic and
returns a `Reply`. Replies stay a few sentences long, name the role(s) they
are about and offer at most three follow-up buttons.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from actions.fact_store import ROLE_TOPICS, FactStore, UncoveredTopic
from actions.roles import BOTH, PRODUCT, PRODUCTION

MAX_BUTTONS = 3
# The order in which follow-up topics are suggested: every topic a single
# role has an answer for.
TOPIC_ORDER: tuple[str, ...] = (*ROLE_TOPICS, "salary")
# The intent a follow-up button triggers for each topic.
TOPIC_INTENTS: dict[str, str] = {
    "overview": "ask_overview",
    "duties": "ask_duties",
    "skills": "ask_skills",
    "education": "ask_education",
    "certifications": "ask_certifications",
    "work_environment": "ask_work_environment",
    "salary": "ask_salary",
    "difference": "ask_difference",
    "similarities": "ask_similarities",
}
BUTTON_TITLES: dict[str, str] = {
    "overview": "What the role is",
    "duties": "Duties",
    "skills": "Skills",
    "education": "Education",
    "certifications": "Certifications",
    "work_environment": "Work environment",
    "salary": "Pay",
    "difference": "Main differences",
    "similarities": "What they share",
}
CAPABILITIES = (
    "I can tell you what product managers and production managers do, and compare them: "
    "duties, skills, education, certifications, work environment and pay."
)


@dataclass(frozen=True)
class Button:
    title: str
    payload: str

    def as_dict(self) -> dict[str, str]:
        return {"title": self.title, "payload": self.payload}


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[Button, ...] = field(default_factory=tuple)

    def button_dicts(self) -> list[dict[str, str]]:
        return [b.as_dict() for b in self.buttons]


def role_entity_value(role: str) -> str:
    """The `role` entity value a button payload carries for a role key."""
    return {PRODUCT: "product manager", PRODUCTION: "production manager", BOTH: "both"}[role]


def intent_payload(intent: str, role: str | None = None) -> str:
    if role is None:
        return f"/{intent}"
    return f"/{intent}{json.dumps({'role': role_entity_value(role)})}"


def _money(amount: int) -> str:
    return f"${amount:,}"


def _depends_on(store: FactStore) -> str:
    items = list(store.salary_depends_on)
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else items[0]


def salary_text(store: FactStore, role: str) -> str:
    depends = f"Pay varies with {_depends_on(store)}."
    if role == BOTH:
        product = store.salary(PRODUCT).average_usd_per_year
        production = store.salary(PRODUCTION).average_usd_per_year
        gap, percent = store.salary_gap()
        return (
            f"A product manager earns {_money(product)} a year on average and a production "
            f"manager {_money(production)}, so product managers make about {_money(gap)} "
            f"({percent:.0f}%) more. For both, {depends[0].lower()}{depends[1:]}"
        )
    label = store.role_label(role)
    amount = store.salary(role).average_usd_per_year
    return f"A {label} earns {_money(amount)} a year on average. {depends}"


def _follow_ups(role: str, topic: str) -> tuple[Button, ...]:
    buttons: list[Button] = []
    if role in (PRODUCT, PRODUCTION) and topic in TOPIC_ORDER:
        other = "production managers" if role == PRODUCT else "product managers"
        buttons.append(Button(f"Compare with {other}", intent_payload("inform_role", BOTH)))
    start = TOPIC_ORDER.index(topic) + 1 if topic in TOPIC_ORDER else 0
    for next_topic in TOPIC_ORDER[start:] + TOPIC_ORDER[:start]:
        if len(buttons) >= MAX_BUTTONS:
            break
        if next_topic != topic:
            buttons.append(Button(BUTTON_TITLES[next_topic], intent_payload(TOPIC_INTENTS[next_topic], role)))
    return tuple(buttons)


def answer(store: FactStore, role: str, topic: str) -> Reply:
    """The answer about `role` (PRODUCT, PRODUCTION or BOTH) on `topic`."""
    if topic == "salary":
        text = salary_text(store, role)
    elif role == BOTH or topic in ("difference", "similarities"):
        role = BOTH
        text = store.compare(topic).text
    else:
        text = store.fact(role, topic).text
    return Reply(text, _follow_ups(role, topic))


def paragraphs_for(store: FactStore, role: str, topic: str) -> tuple[int, ...]:
    """The article paragraphs behind the answer `answer(store, role, topic)` gives."""
    if topic == "salary":
        return (store.salary_depends_on_paragraph,)
    if role == BOTH or topic in ("difference", "similarities"):
        return store.compare(topic).paragraphs
    return store.fact(role, topic).paragraphs


def clarify(store: FactStore, topic: str) -> Reply:
    """Ask which role a role-less question is about."""
    label = store.topic_labels.get(topic, topic)
    return Reply(
        f"Which role do you mean for {label}: product manager, production manager, or both side by side?",
        (
            Button("Product manager", intent_payload("inform_role", PRODUCT)),
            Button("Production manager", intent_payload("inform_role", PRODUCTION)),
            Button("Compare both", intent_payload("inform_role", BOTH)),
        ),
    )


def _role_phrase(store: FactStore, role: str | None) -> str:
    if role in (PRODUCT, PRODUCTION):
        return store.roles[role].plural
    return "product or production managers"


def cite(store: FactStore, role: str | None, topic: str | None) -> Reply:
    """Where the last answer came from: the article and its section(s)."""
    title = f"\u201c{store.title}\u201d"
    if not topic or (role is None and topic not in ("difference", "similarities")):
        return Reply(f"Everything I say comes from one article, {title}, written in my own words.")
    numbers = paragraphs_for(store, role or BOTH, topic)
    places = "; ".join(f"{store.section_name(n)} (paragraph {n})" for n in numbers)
    return Reply(f"That comes from the article {title}, section: {places}.")


def not_covered(store: FactStore, uncovered: UncoveredTopic | None, role: str | None) -> Reply:
    """An honest 'the article does not say' for topics outside the fact store."""
    what = uncovered.label if uncovered else "that"
    text = (
        f"The article I draw on doesn't say anything about {what} for "
        f"{_role_phrase(store, role)}, so I won't guess."
    )
    if uncovered and uncovered.note:
        text += f" {uncovered.note}"
    text += " I can tell you about their duties, skills, education, certifications, work environment or pay."
    ask_role = role if role in (PRODUCT, PRODUCTION, BOTH) else BOTH
    return Reply(
        text,
        (
            Button("Pay", intent_payload("ask_salary", ask_role)),
            Button("Skills", intent_payload("ask_skills", ask_role)),
            Button("Education", intent_payload("ask_education", ask_role)),
        ),
    )


def out_of_scope(other_career: str | None = None) -> Reply:
    """A polite redirect for questions outside the two careers."""
    if other_career:
        lead = (
            f"I only know about product managers and production managers, so I can't tell you "
            f"about {other_career}s."
        )
    else:
        lead = "That's outside what I know: I only cover product managers and production managers."
    return Reply(f"{lead} {CAPABILITIES}", _starter_buttons())


def did_not_understand() -> Reply:
    return Reply(
        f"Sorry, I didn't catch that. {CAPABILITIES} "
        "Try e.g. \u201cHow much does a production manager earn?\u201d",
        _starter_buttons(),
    )


def _starter_buttons() -> tuple[Button, ...]:
    return (
        Button("Main differences", intent_payload("ask_difference")),
        Button("Compare pay", intent_payload("ask_salary", BOTH)),
        Button("Skills needed", intent_payload("ask_skills", BOTH)),
    )
