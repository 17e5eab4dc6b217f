"""What to answer in a turn: a few named rules over one `Reading` of the message.

`respond` reads the message once (actions/reading.py), resolves the role and
topics it is about against what the conversation knows (`Context`), and
applies the first rule of `RULES` that fits. Every rule is a plain function
of the reading, so each is unit tested without Rasa; the Rasa actions only
build the `Message` and `Context` from the tracker and send the reply.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from actions import advisor, answers, reply_kinds
from actions import feedback as feedback_words
from actions.answers import Reply
from actions.fact_store import ROLES, Claim, FactStore
from actions.reading import (
    COMPARISON_TOPICS,
    DEFINITION,
    PROFILE,
    WHICH_ROLE,
    YES_NO,
    ClaimMatch,
    Context,
    Message,
    Reading,
    load_vocabulary,
    match_claims,
    read,
)
from actions.roles import BOTH, PRODUCT, PRODUCTION

OUT_OF_SCOPE_INTENT = "out_of_scope"
_KNOWN_ROLES = (PRODUCT, PRODUCTION, BOTH)


@dataclass(frozen=True)
class Turn:
    """The reply to send and the slot values to keep for the next turn."""

    reply: Reply
    role: str | None
    topic: str | None
    sources: tuple[str, ...] = ()
    # Advisor slots this turn gives ("I'm an engineer"), and the verdict of a recommendation
    # said in this turn (kept so "why?" can explain it next).
    fit: tuple[tuple[str, str], ...] = ()
    fit_result: str | None = None
    start_advisor: bool = False  # hand over to Rasa's career_fit_form, saying nothing
    offered: bool = False  # this reply offers the advisor
    # What kind of reply this is (actions/reply_kinds.py) and the rule that decided it;
    # `decide` fills both in for the rules that leave them unset.
    kind: str | None = None
    rule: str = ""
    # "negative" / "positive" when the message gives feedback on the last answer.
    feedback: str | None = None
    # For the review (actions/reply_kinds.py): the uncovered topic's key, and the
    # careers outside ours that the message named.
    uncovered: str | None = None
    other_careers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    """A reading resolved against the conversation: who and what it is about."""

    reading: Reading
    context: Context
    role: str | None
    topics: tuple[str, ...]
    follow_up: bool  # nothing new to ask about: the previous topic carries over


def _other(role: str) -> str:
    return PRODUCTION if role == PRODUCT else PRODUCT


def _known(context: Context, store: FactStore) -> Context:
    """Slot values this code can answer from; anything else counts as unset.

    Slots come from the tracker, which may hold values from before a change to
    the fact file, or set through Rasa's HTTP API.
    """
    adv = advisor.default_advisor(store)
    fit = tuple(
        (slot, value)
        for slot, value in context.fit
        if slot in adv.slots and (value == advisor.SKIPPED or adv.question(slot).option(value))
    )
    return Context(
        role=context.role if context.role in _KNOWN_ROLES else None,
        topic=context.topic if context.topic in store.topic_labels else None,
        claims=tuple(context.claims or ()),
        fit=fit,
        fit_result=context.fit_result if context.fit_result in (*ROLES, advisor.CLOSE) else None,
        fit_offered=bool(context.fit_offered),
    )


_REFERENCES = frozenset({"that", "this", "it", "those", "these", "them"})


def store_topics_for_roles() -> tuple[str, ...]:
    return answers.TOPIC_ORDER


def resolve(reading: Reading, context: Context) -> Question:
    """The role and topics the message is about, the context filling what it leaves out."""
    named = list(reading.roles)
    role: str | None
    if reading.both or len(named) > 1:
        role = BOTH
    elif named:
        role = named[0]
    elif reading.described_role:
        role = reading.described_role
    elif reading.other_role and context.role in (PRODUCT, PRODUCTION):
        role = _other(context.role)
    elif reading.negated_roles and len(set(reading.negated_roles)) == 1:
        role = _other(reading.negated_roles[0])
    else:
        role = context.role
    if role in reading.negated_roles:
        role = _other(role)

    topics = list(reading.topics)
    if not topics and (reading.period or reading.pay_factors) and context.topic == "salary":
        topics = ["salary"]  # "does that vary by location?" after a pay answer
    if not topics and reading.claims:
        fitting = [
            m
            for m in reading.claims
            if m.specific
            and (role in (None, BOTH) or role in m.claim.roles())
            and m.claim.owner != "comparison"
        ]
        if fitting:
            topics = [fitting[0].claim.topic]
        elif reading.form == YES_NO and reading.claims[0].specific and reading.claims[0].score >= 3.0:
            # "do production managers give demos?": a fact of the other role, answered as such.
            topics = [reading.claims[0].claim.topic]
    if not topics and (reading.period or reading.pay_factors) and context.topic == "salary":
        topics = ["salary"]
    if not topics and reading.period:
        topics = ["salary"]
    follow_up = False
    if not topics and not reading.organisations and not reading.uncovered:
        if context.topic:
            topics = [context.topic]
            follow_up = True
        elif role is not None:
            topics = ["overview"]
    if (
        topics
        and all(t in COMPARISON_TOPICS for t in topics)
        and context.topic in store_topics_for_roles()
        and (reading.words & _REFERENCES or reading.other_role or len(reading.roles) == 1)
    ):
        # "how does that compare with the other one?": the same topic, both roles.
        topics = [context.topic]
        role = BOTH
    if (
        topics
        and any(t in COMPARISON_TOPICS for t in topics)
        and len(reading.roles) == 1
        and reading.other_careers
    ):
        # "a product owner compared to a product manager": ours only.
        topics = [t for t in topics if t not in COMPARISON_TOPICS] or ["overview"]
        return Question(reading, context, reading.roles[0], tuple(topics), False)
    if reading.same and len(reading.roles) == 1 and not reading.both and "salary" in topics:
        # "is a production manager's salary the same everywhere?": pay factors, one role.
        topics = ["salary"]
    if any(t in COMPARISON_TOPICS for t in topics):
        # "the difference in pay" is a pay comparison, not the roles as wholes.
        specific = [t for t in topics if t not in COMPARISON_TOPICS and t != "overview"]
        topics = specific or [t for t in topics if t in COMPARISON_TOPICS][:1]
        role = BOTH
    if reading.form == WHICH_ROLE and role is None:
        role = BOTH
    if role is None and topics == ["salary"] and (reading.pay_factors or "salaries" in reading.words):
        role = BOTH  # "what makes these salaries vary?": the same for both roles
    return Question(reading, context, role, tuple(dict.fromkeys(topics)), follow_up)


# ---------------------------------------------------------------- the rules
# Each takes the store and a resolved question and returns a Turn, or None
# when it does not apply.

Rule = Callable[[FactStore, Question], "Turn | None"]


def _turn(q: Question, reply: Reply, role: str | None = None, topic: str | None = None) -> Turn:
    role = role if role is not None else q.role
    topic = topic if topic is not None else (q.topics[0] if q.topics else q.context.topic)
    return Turn(reply, role if role in _KNOWN_ROLES else q.context.role, topic, reply.sources)


SMALL_TALK = {
    "greet": "utter_greet",
    "goodbye": "utter_goodbye",
    "thank": "utter_thank",
    "bot_challenge": "utter_iamabot",
    "ask_capabilities": "utter_capabilities",
    "stop": "utter_nothing_to_stop",  # outside the advisor; in it, data/rules.yml stops it
    "feedback_positive": "utter_thank",  # praise without words about the answer (feedback_rating)
}
CITE_INTENT = "ask_source"


def feedback_rating(r: Reading) -> str | None:
    """The feedback a message gives on the last answer, if any: its words, else its intent.

    The words win because the NLU may file "thanks, that helped" under thanks
    and a thumbs down under nothing at all.
    """
    if r.feedback:
        return r.feedback
    rating = feedback_words.INTENTS.get(r.intent or "")
    if rating == feedback_words.POSITIVE and not r.text.startswith("/"):
        # Thanks and praise sit close for the classifier ("really grateful, thank you"):
        # only words about the answer, or the button, record praise; the rest is thanks.
        return None
    return rating


def feedback(store: FactStore, q: Question) -> Turn | None:
    """ "That's not what I asked", "that helped": an apology and a request to ask again, or thanks.

    A message that also asks about the careers ("wrong, I meant production
    managers") is answered by the rules below instead; `respond` records it.
    """
    r = q.reading
    rating = feedback_rating(r)
    if rating is None or r.content:
        return None
    reply = answers.feedback_reply(rating == feedback_words.NEGATIVE)
    return Turn(reply, q.context.role, q.context.topic, q.context.claims, feedback=rating)


def small_talk(store: FactStore, q: Question) -> Turn | None:
    """Hello, thanks, bye, "are you a bot": the domain's response, unless a question rides along."""
    r = q.reading
    if r.intent not in SMALL_TALK or r.content:
        return None
    reply = Reply("", response=SMALL_TALK[r.intent])
    return Turn(reply, q.context.role, q.context.topic, q.context.claims)


def cite(store: FactStore, q: Question) -> Turn | None:
    """ "Where does that come from?": the paragraphs behind the last answer."""
    r = q.reading
    if r.intent != CITE_INTENT or r.uncovered or r.other_careers or r.organisations:
        return None
    if not r.source and (r.topics or r.period or r.pay_factors or not q.context.claims):
        return None  # "does that vary by location?" read as a citation request
    sources = q.context.claims
    if r.topics and q.role is not None and not q.follow_up:
        sources = answers.answer(store, q.role, q.topics[0]).sources
    return Turn(answers.cite(store, sources), q.context.role, q.context.topic, q.context.claims)


def other_careers_only(store: FactStore, q: Question) -> Turn | None:
    """Another career and none of ours: a redirect that names it as the user did."""
    r = q.reading
    if not r.other_careers or r.roles or r.described_role or r.both:
        return None
    if r.fit and not r.asked_careers:
        return None  # "I'm an engineer and I can't decide": a person, not a career asked about
    # Keep what was asked ("...earn?"), so "and a production manager?" continues it.
    topic = r.topics[0] if r.topics else q.context.topic
    return Turn(answers.out_of_scope(r.other_careers), q.context.role, topic, q.context.claims)


def organisation(store: FactStore, q: Question) -> Turn | None:
    """PMI, AMA, PICS/APICS, ASQ: what the body is and whom it serves."""
    r = q.reading
    if not r.organisations:
        return None
    keys = list(r.organisations)
    mentions = r.organisation_mentions
    earlier = [s.split(":", 1)[1] for s in q.context.claims if s.startswith("organisation:")]
    if r.same and mentions == 1 and earlier:
        # "is that the same as APICS?" after an answer about PICS.
        keys, mentions = [earlier[0], *keys], 2
    role = next(o.role for o in store.organisations if o.key == keys[0])
    reply = answers.organisation_reply(store, keys, r.form == YES_NO and r.same, mentions)
    if r.form == WHICH_ROLE:
        reply = answers.with_lead(reply, store.roles[role].plural.capitalize())
    elif r.form == YES_NO and not r.same and len(r.roles) == 1:
        # "is there an APICS cert for production managers?": yes/no, then the role's bodies.
        asked = r.roles[0]
        bodies = answers.claims_reply(
            store, asked, store.claims(asked, "certifications")[:1], "certifications"
        )
        if asked == role:
            return _turn(q, answers.with_lead(bodies, "Yes"), asked, "certifications")
        # "is PMI for production managers?": no, whose it is, and theirs.
        text = answers.lead_with("No", reply.text.split(" Like the other body")[0]) + " " + bodies.text
        return _turn(q, Reply(text, bodies.buttons, reply.sources + bodies.sources), asked, "certifications")
    return _turn(q, reply, role, "certifications")


def uncovered(store: FactStore, q: Question) -> Turn | None:
    """A topic the article does not cover: say so, never guess."""
    r = q.reading
    if not r.uncovered:
        return None
    topic = next(u for u in store.uncovered if u.key == r.uncovered)
    role = q.role if q.role in _KNOWN_ROLES else None
    reply = answers.not_covered(store, topic, role)
    return Turn(reply, role or q.context.role, q.context.topic, q.context.claims, uncovered=topic.key)


def nothing_recognised(store: FactStore, q: Question) -> Turn | None:
    """No role, topic, claim or body of ours: a redirect, or a request to rephrase."""
    r = q.reading
    vocab = load_vocabulary()
    if r.content:
        return None
    if (
        q.follow_up
        and q.role
        and _short(r)
        and _continues(r, vocab.follow_up_words)
        and r.intent != OUT_OF_SCOPE_INTENT
    ):
        return None  # "and?", "what else?": the previous question, continued
    if (r.pay_factors or r.period) and q.context.topic == "salary":
        return None  # "what drives that?" after a pay answer
    if q.context.role in ROLES and any(
        m.specific and m.score >= 3.0 and q.context.role in m.claim.roles() for m in r.claims
    ):
        return None  # "what do they make sure is available?" about the role just discussed
    # A sentence about something else gets the redirect; keyboard noise a request to rephrase.
    words = r.words - {""}
    sentence = bool(words & load_vocabulary().stopwords) or (
        r.intent == OUT_OF_SCOPE_INTENT and len(words) > 1
    )
    if sentence:
        return Turn(answers.out_of_scope(), q.context.role, q.context.topic, q.context.claims)
    reply = answers.did_not_understand()
    return Turn(reply, q.context.role, q.context.topic, q.context.claims, kind=reply_kinds.FALLBACK)


def _continues(r: Reading, follow_up_words: frozenset[str]) -> bool:
    """ "and?", "which ones?", "tell me more": a follow-up word first, or in three words at most."""
    words = r.text.lower().replace("?", " ").split()
    return bool(words) and (
        words[0] in follow_up_words or (len(words) <= 3 and bool(r.words & follow_up_words))
    )


def _short(r: Reading) -> bool:
    return len(r.text.split()) <= 6


def pay_follow_up(store: FactStore, q: Question) -> Turn | None:
    """Pay per month/week/hour (derived), or what the pay depends on."""
    r = q.reading
    if q.topics[:1] != ("salary",) or len(q.topics) > 1:
        return None
    period = r.period or next(
        (s.split(":", 1)[1] for s in q.context.claims if s.startswith("period:") and q.follow_up), None
    )
    if not (period or r.pay_factors) or q.role is None:
        return None
    if "salary" in r.topics and not period and r.form != YES_NO:
        # "how much do they make and what does that depend on?": the figure says both.
        return _turn(q, answers.answer(store, q.role, "salary"))
    if period:
        per_year, note = _periods()[period]
        reply = answers.salary_per_period(store, q.role, period, per_year, note)
    else:
        reply = answers.salary_factors(store, q.role)
        if r.form == YES_NO:
            reply = answers.with_lead(reply, "No" if r.same else "Yes")
    return _turn(q, reply)


def _periods() -> dict[str, tuple[int, str | None]]:
    return load_vocabulary().period_divisors


def _role_scores(claims: tuple[ClaimMatch, ...]) -> dict[str, tuple[float, Claim | None]]:
    best: dict[str, tuple[float, Claim | None]] = {r: (0.0, None) for r in (*ROLES, "both")}
    for m in claims:
        owner = m.claim.owner if m.claim.owner in best else None
        if owner and m.score > best[owner][0]:
            best[owner] = (m.score, m.claim)
    return best


def fit(store: FactStore, q: Question) -> Turn | None:
    """ "Which one suits me?": what the person's own words point to, then the advisor's questions.

    A description that points to one role ("I love talking to customers, which
    fits me?") or to pay gets its facts at once; Rasa's career_fit_form then
    asks what it does not know yet (data/rules.yml, or the follow-up action).
    """
    r = q.reading
    if not r.fit or len(r.roles) == 1 or r.form == YES_NO:
        return None
    adv = advisor.default_advisor(store)
    start = not advisor.complete(adv, dict(q.context.fit))
    if "salary" in r.topics and r.fit_role is None:
        # "money is the main thing for me": the role that pays more, by how much.
        winner, why = answers.pay_comparison_lead(store, higher=True)
        lead = f"{store.roles[winner].plural.capitalize()}, if pay decides it"
        reply = Reply(f"{lead}: {why}", answers._follow_ups(BOTH, "salary"), answers._salary_sources(BOTH))
        turn = _turn(q, reply, BOTH, "salary")
        pay = (("fit_pay_matters", "yes"),)
        return Turn(turn.reply, turn.role, turn.topic, turn.sources, pay, start_advisor=start, offered=True)
    if r.fit_role is None:
        # "which one is right for me?", "help me choose": the advisor's questions, after
        # what the person has told it so far, if that leans one way.
        so_far = advisor.so_far(store, adv, _known_fit(adv, q))
        reply = so_far or Reply("")
        sources = so_far.sources if so_far else q.context.claims
        return Turn(reply, q.context.role, q.context.topic, sources, start_advisor=start, offered=True)
    role = r.fit_role
    words = [w for w in r.words if w not in load_vocabulary().stopwords]
    matched = [m.claim for m in match_claims(store, words) if m.claim.owner == role][:2]
    said = matched or list(store.claims(role, "overview"))
    texts = " ".join(answers.standalone(store, c, role) for c in said)
    text = f"{store.roles[role].plural.capitalize()} sound closer to what you describe: {texts}"
    if start:
        text += " The article can't tell you which suits you beyond that, so a few quick questions:"
    buttons = (advisor.offer_button(), *answers._follow_ups(role, said[0].topic)[:2])
    turn = _turn(q, Reply(text, buttons, tuple(c.id for c in said)), role)
    return Turn(turn.reply, turn.role, turn.topic, turn.sources, start_advisor=start, offered=True)


def _known_fit(adv: advisor.Advisor, q: Question) -> dict[str, str]:
    """The advisor's answers known so far: the slots, and what this message says of the person."""
    return {**dict(q.context.fit), **advisor.extract(adv, q.reading.text, None, q.reading.about_person)}


def advisor_start(store: FactStore, q: Question) -> Turn | None:
    """ "Give me a recommendation", "quiz me": the advisor, when the NLU says so and nothing else is asked.

    A request_career_fit message that asks about the roles ("which one pays
    more?") or continues the last question ("which ones?") is answered instead.
    """
    r = q.reading
    if r.intent != advisor.START_INTENT or r.content:
        return None
    if q.context.topic and _short(r) and _continues(r, load_vocabulary().follow_up_words):
        return None
    adv = advisor.default_advisor(store)
    given = _known_fit(adv, q)
    if advisor.complete(adv, given):
        reply, result = advisor.recommend(store, adv, given)
        role = result.verdict if result.verdict in ROLES else BOTH
        return Turn(reply, role, q.context.topic, reply.sources, fit_result=result.verdict)
    so_far = advisor.so_far(store, adv, given)
    sources = so_far.sources if so_far else q.context.claims
    return Turn(so_far or Reply(""), q.context.role, q.context.topic, sources, start_advisor=True)


def advisor_follow_up(store: FactStore, q: Question) -> Turn | None:
    """After the advisor's recommendation: "why?" explains it, "what if ...?" scores one change."""
    r = q.reading
    adv = advisor.default_advisor(store)
    given = dict(q.context.fit)
    if not advisor.complete(adv, given):
        return None
    if advisor.is_what_if(adv, r.text):
        found = advisor.what_if(store, adv, given, r.text)
        if found is None:
            return None
        reply, slot, value, result = found
        role = result.verdict if result.verdict in ROLES else BOTH
        return Turn(
            reply, role, q.context.topic, reply.sources, fit=((slot, value),), fit_result=result.verdict
        )
    if (
        q.context.fit_result
        and advisor.asks_why(adv, r.text)
        and not (r.topics or r.roles or r.organisations)
    ):
        reply = advisor.explain(store, adv, given)
        return Turn(reply, q.context.role, q.context.topic, q.context.claims, fit_result=q.context.fit_result)
    return None


def which_role(store: FactStore, q: Question) -> Turn | None:
    """ "Who ...?", "which one ...?": name the role first, then why."""
    r = q.reading
    if r.form != WHICH_ROLE or (r.roles and len(r.roles) == 1 and not r.both):
        return None
    earlier = [s.split(":", 1)[1] for s in q.context.claims if s.startswith("organisation:")]
    if q.follow_up and earlier:
        # "and which role uses it?" after an answer about a certifying body.
        org = next(o for o in store.organisations if o.key == earlier[0])
        reply = answers.organisation_reply(store, [org.key], False)
        return _turn(q, answers.with_lead(reply, store.roles[org.role].plural.capitalize()), org.role)
    if q.follow_up and not (r.higher_pay or r.lower_pay):
        return None  # "which ones?": the previous question, continued
    if "salary" in q.topics or ((r.higher_pay or r.lower_pay) and not r.claims):
        winner, why = answers.pay_comparison_lead(store, higher=not r.lower_pay)
        lead = store.roles[winner].plural.capitalize()
        reply = Reply(f"{lead}: {why}", answers._follow_ups(BOTH, "salary"), answers._salary_sources(BOTH))
        return _turn(q, reply, BOTH, "salary")
    scores = _role_scores(r.claims)
    (p_score, p_claim), (q_score, q_claim) = scores[PRODUCT], scores[PRODUCTION]
    b_score, b_claim = scores["both"]
    if max(p_score, q_score, b_score) == 0:
        topic = q.topics[0] if q.topics else "difference"
        reply = answers.with_lead(answers.answer(store, BOTH, topic), "Both, in their own ways")
        return _turn(q, reply, BOTH, topic)
    if b_score >= max(p_score, q_score) and b_claim:
        reply = answers.claims_reply(store, BOTH, [b_claim], b_claim.topic, lead="Both")
        return _turn(q, reply, BOTH, b_claim.topic)
    winner, claim = (PRODUCT, p_claim) if p_score > q_score else (PRODUCTION, q_claim)
    assert claim is not None
    if r.negative:
        # "which role doesn't work in an office?": the other one, and why.
        loser = _other(winner)
        said = [claim, *store.claims(loser, claim.topic)[:1]]
        texts = [answers.standalone(store, c, c.owner if c.owner in ROLES else None) for c in said]
        reply = Reply(
            f"{store.roles[loser].plural.capitalize()}. " + " ".join(texts),
            answers._follow_ups(loser, claim.topic),
            tuple(c.id for c in said),
        )
        return _turn(q, reply, loser, claim.topic)
    reply = answers.claims_reply(store, winner, [claim], claim.topic)
    reply = Reply(f"{store.roles[winner].plural.capitalize()}. {reply.text}", reply.buttons, reply.sources)
    return _turn(q, reply, winner, claim.topic)


def _yes_no_lead(claim: Claim, r: Reading) -> str:
    return claim.if_required if (r.requirement and claim.if_required) else claim.yes_no


def yes_no(store: FactStore, q: Question) -> Turn | None:
    """ "Do production managers travel?": the answer first, then the fact."""
    r = q.reading
    if r.form != YES_NO or q.role is None:
        return None
    role = q.role
    if "salary" in q.topics and r.amount and role in ROLES:
        return _turn(q, answers.amount_reply(store, role, *r.amount), role, "salary")
    if "salary" in q.topics and (r.pay_factors or r.same) and not r.comparative:
        reply = answers.salary_factors(store, role)
        return _turn(q, answers.with_lead(reply, "No" if r.same else "Yes"), role, "salary")
    if "salary" in q.topics and (r.comparative or len(r.roles) > 1) and r.roles:
        subject = r.roles[0]
        winner, why = answers.pay_comparison_lead(store, higher=not r.lower_pay)
        lead = "Yes" if winner == subject else "No"
        reply = Reply(f"{lead}: {why}", answers._follow_ups(BOTH, "salary"), answers._salary_sources(BOTH))
        return _turn(q, reply, BOTH, "salary")
    if role == BOTH and r.same and (len(r.roles) > 1 or r.both) and True:
        # "is a product manager the same as a production manager?"
        return _turn(
            q, answers.with_lead(answers.answer(store, BOTH, "difference"), "No"), BOTH, "difference"
        )
    specific = [m for m in r.claims if m.specific and (not q.topics or m.claim.topic in q.topics)]
    if role == BOTH:
        shared = [m for m in specific if m.claim.owner == "both"]
        if shared:
            claim = shared[0].claim
            return _turn(
                q, answers.claims_reply(store, BOTH, [claim], claim.topic, lead=_yes_no_lead(claim, r))
            )
        if specific and specific[0].claim.owner in ROLES:
            claim = specific[0].claim
            reply = answers.claims_reply(store, claim.owner, [claim], claim.topic)
            text = f"Not both: the article says this of {store.roles[claim.owner].plural}. {reply.text}"
            return _turn(q, Reply(text, reply.buttons, reply.sources), BOTH, claim.topic)
        topic = q.topics[0] if q.topics else "similarities"
        return _turn(q, answers.with_lead(answers.answer(store, BOTH, topic), "Yes, in their own ways"))
    other = _other(role)
    own = [m for m in specific if role in m.claim.roles() and m.claim.owner != "comparison"]
    others = [m for m in specific if m.claim.owner == other]
    other_lead = others and others[0].claim == store.claims(other, others[0].claim.topic)[0]
    own_lead = own and own[0].claim == store.claims(role, own[0].claim.topic)[0]
    if (
        own
        and (not others or own[0].score >= 0.6 * others[0].score)
        and not (other_lead and not own_lead and others[0].score >= own[0].score)
    ):
        claim = own[0].claim
        said = [claim] + [
            m.claim
            for m in own[1:2]
            if m.score >= 0.6 * own[0].score and m.claim.topic == claim.topic and m.claim.owner != "both"
        ]
        reply = answers.claims_reply(store, role, said, claim.topic, lead=_yes_no_lead(claim, r))
        return _turn(q, reply, role, claim.topic)
    if others:
        claim = others[0].claim
        mine = [c for c in store.claims(role, claim.topic)[:1] if c not in [m.claim for m in own]] + [
            m.claim for m in own[:1]
        ]
        texts = " ".join(answers.standalone(store, c, role) for c in mine)
        other_text = answers.standalone(store, claim, other)
        body = f"Not usually. {texts} That is more typical of {store.roles[other].plural}: " + (
            f"{other_text[0].lower()}{other_text[1:]}"
        )
        sources = (*(c.id for c in mine), claim.id)
        return _turn(
            q,
            Reply(body.replace("  ", " "), answers._follow_ups(role, claim.topic), sources),
            role,
            claim.topic,
        )
    if q.topics and q.topics[0] != "overview" and not q.follow_up:
        topic = q.topics[0]
        if topic == "salary":
            return _turn(q, answers.with_lead(answers.answer(store, role, "salary"), "Yes"), role, topic)
        lead_claims = store.claims(role, topic)[:1] if role in ROLES else ()
        if lead_claims:
            claim = lead_claims[0]
            reply = answers.claims_reply(store, role, [claim], topic, lead=_yes_no_lead(claim, r))
            return _turn(q, reply, role, topic)
    reply = answers.answer(store, role, q.topics[0] if q.topics else "overview")
    return _turn(
        q,
        Reply(
            "The article doesn't say that in so many words. What it does say: " + reply.text,
            reply.buttons,
            reply.sources,
        ),
    )


def profile(store: FactStore, q: Question) -> Turn | None:
    """ "Tell me everything about X": a short profile across topics."""
    if q.reading.form != PROFILE or q.role is None:
        return None
    return _turn(q, answers.profile(store, q.role), q.role, "overview")


def clarify(store: FactStore, q: Question) -> Turn | None:
    """A question whose role matters but is not known: ask which role."""
    if q.role is not None:
        return None
    topic = q.topics[0] if q.topics else "overview"
    return Turn(answers.clarify(store, topic), None, topic, q.context.claims)


def specific_claims(store: FactStore, q: Question) -> Turn | None:
    """A precise question ("what departments do they work with?"): the claims it asks for."""
    r = q.reading
    if q.follow_up or len(q.topics) != 1 or q.role not in ROLES or r.form == DEFINITION:
        return None
    topic, role = q.topics[0], q.role
    matches = [
        m
        for m in r.claims
        if m.specific and m.claim.topic == topic and role in m.claim.roles() and m.claim.owner in ROLES
    ]
    if not matches or topic in ("overview", "salary"):
        return None
    chosen = [m.claim for m in matches if m.score >= 0.5 * matches[0].score][:2]
    if len(chosen) >= len(store.claims(role, topic)):
        return None
    return _turn(q, answers.claims_reply(store, q.role, chosen, q.topics[0]))


def topics(store: FactStore, q: Question) -> Turn | None:
    """The topic(s) asked, for the role: whole when one, a part each when several."""
    assert q.role is not None
    topic = q.topics[0] if q.topics else "overview"
    return _turn(
        q, answers.answer(store, q.role, topic), BOTH if topic in COMPARISON_TOPICS else q.role, topic
    )


def compound(store: FactStore, q: Question) -> Turn | None:
    """Several things asked at once: one or two sentences for each part."""
    parts = q.reading.parts
    if q.role is None or (len(parts) < 2 and len(q.topics) < 2) or q.reading.form == PROFILE:
        return None
    unique: list = []
    for part in parts:
        if all((p.roles, p.topics, p.claims) != (part.roles, part.topics, part.claims) for p in unique):
            unique.append(part)
    parts = tuple(unique)
    if len(parts) < 2 and len(q.topics) < 2:
        return None  # "which pays better, and by how much?" asks one thing twice
    if len(parts) > 1:
        # Each part for its own role: "where do PMs work and what do production managers earn?"
        asked_elsewhere = [c.id for p in parts for c in p.claims]
        lead = ""
        if q.reading.form == WHICH_ROLE and q.role in (BOTH, None):
            # "which role is office-based and what does it pay?": the role first, then each part for it.
            scores = _role_scores(q.reading.claims)
            if scores[PRODUCT][0] != scores[PRODUCTION][0]:
                winner = PRODUCT if scores[PRODUCT][0] > scores[PRODUCTION][0] else PRODUCTION
                if q.reading.negative:
                    winner = _other(winner)
                q = Question(q.reading, q.context, winner, q.topics, q.follow_up)
                lead = f"{store.roles[winner].plural.capitalize()}. "
        said: list[str] = []
        texts: list[str] = []
        roles: set[str] = set()
        assert q.role is not None
        last: Reply | None = None
        for part in parts:
            role = (part.roles[0] if len(part.roles) == 1 else BOTH) if part.roles else q.role
            roles.add(role)
            last = answers.part_reply(
                store,
                role,
                part,
                said,
                lead=part.form == YES_NO,
                required=q.reading.requirement,
                asked_elsewhere=asked_elsewhere,
                period=q.reading.period,
            )
            if last.text:
                texts.append(last.text)
                said += last.sources
        assert last is not None
        role = roles.pop() if len(roles) == 1 else BOTH
        return _turn(
            q, Reply(lead + " ".join(texts), last.buttons, tuple(said)), role, _kept_topic(parts[-1].topics)
        )
    assert q.role is not None
    return _turn(q, answers.parts_reply(store, q.role, q.topics), q.role, _kept_topic(q.topics))


def _kept_topic(topics: tuple[str, ...]) -> str:
    """The topic a follow-up continues: the last asked, "what the role is" only when alone."""
    return next((t for t in reversed(topics) if t != "overview"), topics[-1])


RULES: tuple[Rule, ...] = (
    feedback,
    small_talk,
    cite,
    advisor_follow_up,
    advisor_start,
    other_careers_only,
    organisation,
    uncovered,
    nothing_recognised,
    pay_follow_up,
    fit,
    compound,
    which_role,
    clarify,
    yes_no,
    profile,
    specific_claims,
    topics,
)


# The kind of reply (actions/reply_kinds.py) each rule gives, unless its Turn says otherwise;
# a rule not named here gives facts (ANSWER).
RULE_KINDS: dict[str, str] = {
    "feedback": reply_kinds.FEEDBACK,
    "small_talk": reply_kinds.SMALL_TALK,
    "cite": reply_kinds.CITATION,
    "advisor_follow_up": reply_kinds.ADVISOR,
    "advisor_start": reply_kinds.ADVISOR,
    "fit": reply_kinds.ADVISOR,
    "other_careers_only": reply_kinds.OUT_OF_SCOPE,
    "uncovered": reply_kinds.UNCOVERED,
    "nothing_recognised": reply_kinds.OUT_OF_SCOPE,
    "clarify": reply_kinds.CLARIFY,
}


def decide(store: FactStore, question: Question) -> Turn:
    for rule in RULES:
        turn = rule(store, question)
        if turn is not None:
            name = rule.__name__
            kind = turn.kind or RULE_KINDS.get(name, reply_kinds.ANSWER)
            turn = replace(turn, kind=kind, rule=name, other_careers=question.reading.other_careers)
            return _with_other_careers(question, turn)
    raise AssertionError("the last rule always answers")


def _with_other_careers(q: Question, turn: Turn) -> Turn:
    """Ours answered, another career also named: say that one is not covered."""
    careers = q.reading.asked_careers
    if not careers or "I only cover" in turn.reply.text:
        return turn
    reply = answers.with_note(turn.reply, answers.not_our_careers(careers))
    return replace(turn, reply=reply)


def _with_advisor(
    store: FactStore, q: Question, turn: Turn, entities: tuple[Mapping[str, Any], ...] = ()
) -> Turn:
    """What the message tells the advisor ("I'm an engineer"), and its offer, made once.

    The offer follows the first answer about both roles (a comparison, or one
    role after the other), unless the advisor has already been offered or run.
    """
    adv = advisor.default_advisor(store)
    ctx = q.context
    given = dict(ctx.fit)
    told = advisor.extract(adv, q.reading.text, None, q.reading.about_person)
    clicked = advisor.from_entities(adv, entities)
    told.update(clicked)
    fit = dict(turn.fit)
    fit.update({k: v for k, v in told.items() if k not in fit and given.get(k) != v})
    if fit != dict(turn.fit):
        turn = replace(turn, fit=tuple(fit.items()))
    known = {**given, **fit}
    if clicked and not turn.start_advisor and not advisor.complete(adv, known):
        # An advisor button clicked after the form was left: the form takes it up again.
        return Turn(
            Reply(""),
            ctx.role,
            ctx.topic,
            ctx.claims,
            turn.fit,
            None,
            True,
            kind=reply_kinds.ADVISOR,
            rule="advisor_button",
        )
    if (
        q.reading.intent == advisor.ANSWER_INTENT
        and told
        and not q.reading.content
        and not turn.start_advisor
        and not advisor.complete(adv, known)
    ):
        # "I'm into strategy and customers, not running a factory", with no question:
        # what that points to, then the advisor's questions for the rest.
        so_far = advisor.so_far(store, adv, known)
        if so_far is not None:
            return Turn(
                so_far,
                ctx.role,
                ctx.topic,
                so_far.sources,
                turn.fit,
                None,
                True,
                True,
                kind=reply_kinds.ADVISOR,
                rule="advisor_so_far",
            )
    asked_both = turn.role == BOTH or (ctx.role in ROLES and turn.role in ROLES and turn.role != ctx.role)
    if (
        ctx.fit_offered
        or turn.offered
        or turn.start_advisor
        or turn.fit_result
        or ctx.fit_result
        or not turn.sources
        or turn.reply.response
        or not asked_both
        or advisor.complete(adv, {**given, **fit})
    ):
        return turn
    # The offer is a button, so the answer itself stays as short as ever.
    buttons = (*turn.reply.buttons[: answers.MAX_BUTTONS - 1], advisor.offer_button())
    reply = Reply(turn.reply.text, buttons, turn.reply.sources)
    return replace(turn, reply=reply, start_advisor=False, offered=True)


def respond(store: FactStore, message: Message, context: Context | None = None) -> Turn:
    """Decide the reply to a message, given what the conversation knows."""
    context = _known(context or Context(), store)
    reading = read(message, store, load_vocabulary(), context)
    question = resolve(reading, context)
    turn = decide(store, question)
    if turn.feedback is None and reading.content and reading.correction:
        # "wrong, I meant production managers": answered, and the miss recorded.
        turn = replace(turn, feedback=feedback_words.NEGATIVE)
    return _with_advisor(store, question, turn, message.entities)
