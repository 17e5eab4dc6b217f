"""Answer composition: turns facts into the short replies the assistant sends.

Every function here is plain: it takes the fact store and a role/topic and
returns a `Reply`. Replies stay a few sentences long, name the role(s) they
are about and offer at most three follow-up buttons.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from actions.fact_store import ROLE_TOPICS, Claim, FactStore, UncoveredTopic
from actions.reading import Part, load_vocabulary
from actions.roles import BOTH, PRODUCT, PRODUCTION

MAX_BUTTONS = 3
# The order in which follow-up topics are suggested: every topic a single
# role has an answer for.
TOPIC_ORDER: tuple[str, ...] = (*ROLE_TOPICS, "salary")
# The intent every question button sends; its role and topic ride as entities.
QUESTION_INTENT = "ask_question"
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
    # What the text rests on: claim ids, "salary:<role>" and "organisation:<key>".
    sources: tuple[str, ...] = ()
    # A response of the domain (utter_greet) to send instead of `text`.
    response: str | None = None

    def button_dicts(self) -> list[dict[str, str]]:
        return [b.as_dict() for b in self.buttons]


def role_entity_value(role: str) -> str:
    """The `role` entity value a button payload carries for a role key."""
    return {PRODUCT: "product manager", PRODUCTION: "production manager", BOTH: "both"}[role]


def question_payload(role: str | None = None, topic: str | None = None) -> str:
    """A button payload asking about `topic` for `role` (either may be left to the context)."""
    entities: dict[str, str] = {}
    if role is not None:
        entities["role"] = role_entity_value(role)
    if topic is not None:
        entities["topic"] = topic
    return f"/{QUESTION_INTENT}{json.dumps(entities)}" if entities else f"/{QUESTION_INTENT}"


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
        buttons.append(Button(f"Compare with {other}", question_payload(BOTH)))
    start = TOPIC_ORDER.index(topic) + 1 if topic in TOPIC_ORDER else 0
    for next_topic in TOPIC_ORDER[start:] + TOPIC_ORDER[:start]:
        if len(buttons) >= MAX_BUTTONS:
            break
        if next_topic != topic:
            buttons.append(Button(BUTTON_TITLES[next_topic], question_payload(role, next_topic)))
    return tuple(buttons)


def _salary_sources(role: str) -> tuple[str, ...]:
    roles = (PRODUCT, PRODUCTION) if role == BOTH else (role,)
    return (*(f"salary:{r}" for r in roles), "salary:depends_on")


def topic_claims(store: FactStore, role: str, topic: str) -> tuple[Claim, ...]:
    """The claims a whole answer on `topic` says, for one role or both side by side."""
    if role == BOTH or topic in ("difference", "similarities"):
        return store.claims("comparison", topic)
    return store.claims(role, topic)


def answer(store: FactStore, role: str, topic: str) -> Reply:
    """The answer about `role` (PRODUCT, PRODUCTION or BOTH) on `topic`."""
    if topic == "salary":
        return Reply(salary_text(store, role), _follow_ups(role, topic), _salary_sources(role))
    if topic in ("difference", "similarities"):
        role = BOTH
    claims = topic_claims(store, role, topic)
    texts = [standalone(store, claims[0], role if role in store.roles else None)] + [
        c.text for c in claims[1:]
    ]
    return Reply(" ".join(texts), _follow_ups(role, topic), tuple(c.id for c in claims))


def paragraphs_for(store: FactStore, role: str, topic: str) -> tuple[int, ...]:
    """The article paragraphs behind the answer `answer(store, role, topic)` gives."""
    return source_paragraphs(store, answer(store, role, topic).sources)


def source_paragraphs(store: FactStore, sources: tuple[str, ...]) -> tuple[int, ...]:
    """The article paragraphs behind a reply's sources, in order, without repeats."""
    found: list[int] = []
    for source in sources:
        if source.startswith("salary:"):
            key = source.split(":", 1)[1]
            numbers: tuple[int, ...] = (
                (store.salary_depends_on_paragraph,)
                if key == "depends_on"
                else (store.salary(key).paragraph,)
                if key in store.salaries
                else ()
            )
        elif source.startswith("organisation:"):
            key = source.split(":", 1)[1]
            numbers = tuple(o.paragraph for o in store.organisations if o.key == key)
        else:
            try:
                numbers = store.claim(source).paragraphs
            except KeyError:
                numbers = ()
        for number in numbers:
            if number not in found:
                found.append(number)
    return tuple(found)


def clarify(store: FactStore, topic: str) -> Reply:
    """Ask which role a role-less question is about."""
    label = store.topic_labels.get(topic, topic)
    return Reply(
        f"Which role do you mean for {label}: product manager, production manager, or both side by side?",
        (
            Button("Product manager", question_payload(PRODUCT)),
            Button("Production manager", question_payload(PRODUCTION)),
            Button("Compare both", question_payload(BOTH)),
        ),
    )


def _role_phrase(store: FactStore, role: str | None) -> str:
    if role in (PRODUCT, PRODUCTION):
        return store.roles[role].plural
    return "product or production managers"


def cite(store: FactStore, sources: tuple[str, ...]) -> Reply:
    """Where the last answer came from: the article and the paragraph(s) it rests on."""
    title = f"\u201c{store.title}\u201d"
    numbers = sorted(source_paragraphs(store, sources))
    if not numbers:
        return Reply(f"Everything I say comes from one article, {title}, written in my own words.")
    places = "; ".join(f"{store.section_name(n)} (paragraph {n})" for n in numbers)
    return Reply(f"That comes from the article {title}, section: {places}.", sources=sources)


def not_covered(store: FactStore, uncovered: UncoveredTopic | None, role: str | None) -> Reply:
    """An honest 'the article does not say' for topics outside the fact store."""
    what = uncovered.label if uncovered else "that"
    text = f"The article doesn't say anything about {what} for {_role_phrase(store, role)}, so I won't guess."
    if uncovered and uncovered.note:
        text += f" {uncovered.note}"
    text += " I can tell you about their duties, skills, education, certifications, work environment or pay."
    ask_role = role if role in (PRODUCT, PRODUCTION, BOTH) else BOTH
    return Reply(
        text,
        (
            Button("Pay", question_payload(ask_role, "salary")),
            Button("Skills", question_payload(ask_role, "skills")),
            Button("Education", question_payload(ask_role, "education")),
        ),
    )


def _listed(items: Sequence[str]) -> str:
    return ", ".join(items[:-1]) + " or " + items[-1] if len(items) > 1 else items[0]


def not_our_careers(careers: Sequence[str]) -> str:
    """The sentence that says which careers named are not covered, named as the user did."""
    return (
        "I only cover product managers and production managers, so I can't tell you about "
        f"{_listed(list(dict.fromkeys(careers)))}."
    )


def out_of_scope(careers: Sequence[str] = ()) -> Reply:
    """A polite redirect for questions outside the two careers."""
    if careers:
        lead = not_our_careers(careers)
    else:
        lead = "That's outside what I know: I only cover product managers and production managers."
    return Reply(f"{lead} {CAPABILITIES}", _starter_buttons())


def feedback_reply(missed: bool) -> Reply:
    """The reply to feedback on the last answer: an apology and a request to ask again, or thanks."""
    if not missed:
        return Reply("Glad that helped! Anything else about product or production managers?")
    return Reply(
        "Sorry that didn't help. What were you looking for? Ask me again in other words and "
        f"I'll have another go. {CAPABILITIES}",
        _starter_buttons(),
    )


def did_not_understand() -> Reply:
    return Reply(
        f"Sorry, I didn't catch that. {CAPABILITIES} "
        "Try e.g. \u201cHow much does a production manager earn?\u201d",
        _starter_buttons(),
    )


def _starter_buttons() -> tuple[Button, ...]:
    return (
        Button("Main differences", question_payload(None, "difference")),
        Button("Compare pay", question_payload(BOTH, "salary")),
        Button("Skills needed", question_payload(BOTH, "skills")),
    )


# ------------------------------------------------------------ claim answers


def _plural(store: FactStore, role: str) -> str:
    return store.roles[role].plural


def standalone(store: FactStore, claim: Claim, role: str | None = None) -> str:
    """A claim's text that reads on its own: "They give demos" names who "they" are."""
    role = role or (claim.owner if claim.owner in store.roles else None)
    text = claim.text
    if role is None:
        return text
    plural = _plural(store, role)
    for lead, replacement in (
        ("They ", f"{plural.capitalize()} "),
        ("Their work ", f"{plural.capitalize()}' work "),
        ("Many of them ", f"Many {plural} "),
    ):
        if text.startswith(lead):
            return replacement + text[len(lead) :]
    return text


def claims_reply(
    store: FactStore,
    role: str,
    claims: Sequence[Claim],
    topic: str,
    lead: str = "",
) -> Reply:
    """Say these claims (about `role`), after an optional lead ("Yes", "Product managers")."""
    text = " ".join(standalone(store, c, role if role in store.roles else None) for c in claims)
    if lead:
        text = lead_with(lead, text)
    return Reply(text, _follow_ups(role, topic), tuple(c.id for c in claims))


def salary_per_period(store: FactStore, role: str, period: str, per_year: int, note: str | None) -> Reply:
    """A yearly average spread over months, weeks or hours: a derived figure, and said so."""
    roles = (PRODUCT, PRODUCTION) if role == BOTH else (role,)
    parts = []
    for r in roles:
        yearly = store.salary(r).average_usd_per_year
        share = _money(round(yearly / per_year))
        article = "an" if period[0] in "aeiouh" and period != "week" else "a"
        parts.append(f"a {store.role_label(r)}'s {_money(yearly)} a year is about {share} {article} {period}")
    basis = f"the yearly average divided by {per_year:,}" + (f", assuming {note}" if note else "")
    # "period:month" lets "and for product managers?" keep asking per month.
    text = (
        f"{'; '.join(parts)[0].upper()}{'; '.join(parts)[1:]}. That is derived ({basis}): "
        f"the article gives only yearly averages."
    )
    return Reply(text, _follow_ups(role, "salary"), (*_salary_sources(role), f"period:{period}"))


def salary_factors(store: FactStore, role: str) -> Reply:
    who = "For both roles, pay" if role == BOTH else f"A {store.role_label(role)}'s pay" if role else "Pay"
    text = f"{who} varies with {_depends_on(store)}, the article says; it gives no figures for each of those."
    return Reply(text, _follow_ups(role or BOTH, "salary"), ("salary:depends_on",))


def pay_comparison_lead(store: FactStore, higher: bool) -> tuple[str, str]:
    """(the role that earns more or less, the sentence that says by how much)."""
    product = store.salary(PRODUCT).average_usd_per_year
    production = store.salary(PRODUCTION).average_usd_per_year
    gap, percent = store.salary_gap()
    winner = PRODUCT if (product > production) == higher else PRODUCTION
    text = (
        f"a product manager earns {_money(product)} a year on average and a production manager "
        f"{_money(production)}: product managers make about {_money(gap)} ({percent:.0f}%) more, "
        f"production managers {100 * gap / product:.0f}% less (derived from the two averages)."
    )
    return winner, text


def amount_reply(store: FactStore, role: str, above: bool, amount: int) -> Reply:
    """ "Do they make more than $70,000?": yes or no against the article's average."""
    average = store.salary(role).average_usd_per_year
    holds = average > amount if above else average < amount
    lead = "Yes, on average" if holds else "No, not on average"
    text = (
        f"{lead}: a {store.role_label(role)} earns {_money(average)} a year on average, "
        f"{'above' if average > amount else 'below'} {_money(amount)}. Pay varies with {_depends_on(store)}."
    )
    return Reply(text, _follow_ups(role, "salary"), _salary_sources(role))


def organisation_reply(store: FactStore, keys: Sequence[str], yes_no: bool, mentions: int = 1) -> Reply:
    """What a certifying body is and which role it serves; "is A the same as B" when asked."""
    orgs = [o for key in dict.fromkeys(keys) for o in store.organisations if o.key == key]
    sentences = []
    for org in orgs:
        plural = _plural(store, org.role)
        training = store.claims(org.role, "certifications")[-1]
        also = f", better known as {org.better_known_as}" if org.better_known_as else ""
        sentences.append(
            f"The {org.name} ({org.abbreviation}{also}) is one of the two bodies {plural} usually "
            f"get certified through."
        )
        what = training.text.split("training programmes on ", 1)[-1]
        if len(orgs) == 1:
            sentences.append(f"Like the other body, it runs training programmes on {what}")
    if len(orgs) > 1:
        for role in dict.fromkeys(o.role for o in orgs):
            sentences.append(store.claims(role, "certifications")[-1].text)
    text = " ".join(sentences)
    if yes_no and mentions > 1:
        lead = "Yes" if len(set(keys)) == 1 else "No"
        if len(set(keys)) == 1 and orgs and orgs[0].better_known_as:
            text = (
                f"Yes: the article calls it the {orgs[0].name} ({orgs[0].abbreviation}); "
                f"{orgs[0].better_known_as} is the name it is better known by. It is one of the two bodies "
                f"{_plural(store, orgs[0].role)} usually get certified through. " + " ".join(sentences[1:])
            )
        else:
            text = lead_with(lead, text)
    role = orgs[0].role if len({o.role for o in orgs}) == 1 else BOTH
    sources = (*(f"organisation:{o.key}" for o in orgs), store.claims(orgs[0].role, "certifications")[-1].id)
    return Reply(text, _follow_ups(role, "certifications"), sources)


def profile(store: FactStore, role: str) -> Reply:
    """A few lines on a role across topics: what it is, the work, where, study, pay."""
    if role == BOTH:
        parts = [
            store.claims("comparison", "overview")[0],
            store.claims("comparison", "difference")[0],
            store.claims("comparison", "education")[0],
        ]
        text = " ".join(c.text for c in parts) + " " + salary_text(store, BOTH).split(". For both")[0] + "."
        return Reply(text, _follow_ups(BOTH, "overview"), tuple(c.id for c in parts) + _salary_sources(BOTH))
    claims = [
        store.claims(role, "overview")[0],
        *store.claims(role, "duties")[:2],
        store.claims(role, "work_environment")[0],
        store.claims(role, "education")[0],
        store.claims(role, "certifications")[0],
    ]
    lines = [standalone(store, c, role) for c in claims]
    lines.append(f"On average they earn {_money(store.salary(role).average_usd_per_year)} a year.")
    return Reply(
        " ".join(lines), _follow_ups(role, "overview"), tuple(c.id for c in claims) + _salary_sources(role)
    )


def parts_reply(store: FactStore, role: str, topics: Sequence[str]) -> Reply:
    """A compound question: one or two sentences per topic asked."""
    texts: list[str] = []
    sources: list[str] = []
    for topic in topics:
        if topic == "salary":
            texts.append(salary_text(store, role).split(" Pay varies")[0].split(" For both")[0])
            sources += _salary_sources(role)
            continue
        claims = topic_claims(store, role, topic)[
            : 1 if role == BOTH or topic in ("difference", "similarities") else 2
        ]
        texts.append(" ".join(standalone(store, c, role if role in store.roles else None) for c in claims))
        sources += [c.id for c in claims]
    return Reply(" ".join(texts), _follow_ups(role, topics[-1]), tuple(sources))


def with_note(reply: Reply, note: str) -> Reply:
    return Reply(f"{reply.text} {note}", reply.buttons, reply.sources)


def lead_with(lead: str, text: str) -> str:
    """ "Yes" + "Product managers may ..." -> "Yes: product managers may ..." (acronyms kept)."""
    if text.startswith("A ") or (len(text) > 1 and text[1].islower()):
        text = text[0].lower() + text[1:]
    return f"{lead}: {text}"


def with_lead(reply: Reply, lead: str) -> Reply:
    return Reply(lead_with(lead, reply.text), reply.buttons, reply.sources)


def part_reply(
    store: FactStore,
    role: str,
    part: Part,
    said: Sequence[str],
    lead: bool = False,
    required: bool = False,
    asked_elsewhere: Sequence[str] = (),
    period: str | None = None,
) -> Reply:
    """One part of a compound question: the claims it asks for, or its topics' first claims."""
    texts: list[str] = []
    sources: list[str] = []
    for topic in part.topics:
        asked = [c for c in part.claims if c.topic == topic and (role == BOTH or role in c.roles())]
        if topic == "salary" and not asked:
            periods = load_vocabulary().period_divisors
            if period and period in periods:
                per_year, note = periods[period]
                derived = salary_per_period(store, role, period, per_year, note)
                texts.append(derived.text)
                sources += derived.sources
            elif not any(s.startswith("salary:") for s in said):
                texts.append(salary_text(store, role).split(" Pay varies")[0].split(" For both")[0])
                sources += _salary_sources(role)
            continue
        claims = asked or list(
            topic_claims(store, role, topic)[
                : 1 if role == BOTH or topic in ("difference", "similarities") else 2
            ]
        )
        claims = [
            c
            for c in claims
            if c.id not in said and c.id not in sources and (asked or c.id not in asked_elsewhere)
        ]
        if not claims:
            continue
        text = " ".join(standalone(store, c, role if role in store.roles else None) for c in claims)
        if lead and asked:
            first = claims[0]
            text = lead_with(first.if_required if required and first.if_required else first.yes_no, text)
        texts.append(text)
        sources += [c.id for c in claims]
    return Reply(" ".join(texts), _follow_ups(role, part.topics[-1]), tuple(sources))
