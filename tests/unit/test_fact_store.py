"""The fact store: the claim schema, its checks, and every claim held against the article."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from actions.fact_store import (
    ALL_TOPICS,
    CLAIM_OWNERS,
    COMPARISON_TOPICS,
    DEFAULT_FACTS_PATH,
    DEFAULT_YES_NO,
    ROLE_TOPICS,
    ROLES,
    FactStore,
    FactStoreError,
    load_fact_store,
)


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "facts.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _raw() -> dict:
    return yaml.safe_load(DEFAULT_FACTS_PATH.read_text(encoding="utf-8"))


def test_every_role_has_claims_on_every_topic(store: FactStore) -> None:
    for role in ROLES:
        for topic in ROLE_TOPICS:
            assert store.claims(role, topic), (role, topic)
            assert store.fact(role, topic).text
        assert store.salary(role).average_usd_per_year > 0
    for topic in COMPARISON_TOPICS:
        assert store.claims("comparison", topic), topic
        assert store.compare(topic).text
    assert set(store.topic_labels) == set(ALL_TOPICS)


def test_claim_ids_are_unique_and_found_by_id(store: FactStore) -> None:
    raw = _raw()["facts"]
    listed = [c["id"] for topics in raw.values() for claims in topics.values() for c in claims]
    assert len(listed) == len(set(listed)) == len(store.all_claims())
    for claim in store.all_claims():
        assert store.claim(claim.id) is claim
    with pytest.raises(KeyError):
        store.claim("no_such_claim")


def test_claims_carry_owner_topic_paragraphs_and_cues(store: FactStore) -> None:
    for claim in store.all_claims():
        assert claim.owner in CLAIM_OWNERS
        assert claim in store.claims(claim.owner, claim.topic)
        assert claim.paragraphs and all(p in store.sections for p in claim.paragraphs), claim.id
        assert claim.cues and all(c == c.lower() for c in claim.cues), claim.id
        assert claim.yes_no, claim.id
        assert set(claim.roles()) <= set(ROLES)
    assert store.claim("product_demos_training").roles() == (ROLES[0],)
    assert store.claim("both_communication").roles() == ROLES


def test_a_fact_joins_its_claims(store: FactStore) -> None:
    claims = store.claims("production_manager", "education")
    fact = store.fact("production_manager", "education")
    assert fact.text == " ".join(c.text for c in claims)
    assert fact.paragraphs == tuple(sorted({p for c in claims for p in c.paragraphs}))


def test_yes_no_and_if_required_are_optional(tmp_path: Path) -> None:
    data = _raw()
    claim = data["facts"]["product_manager"]["education"][0]
    claim.pop("if_required", None)
    claim.pop("yes_no", None)
    loaded = load_fact_store(_write(tmp_path, data))
    plain = loaded.claim(claim["id"])
    assert plain.yes_no == DEFAULT_YES_NO and plain.if_required is None


def test_the_facts_file_sets_the_answers_it_needs(store: FactStore) -> None:
    assert store.claim("product_masters_optional").if_required == "Not necessarily"
    assert store.claim("product_site_visits").yes_no == "Yes, at times"


def test_claims_shared_by_both_roles_are_optional(tmp_path: Path) -> None:
    data = _raw()
    data["facts"].pop("both")
    assert load_fact_store(_write(tmp_path, data)).claims("both", "skills") == ()
    data = _raw()
    data["facts"]["both"].pop("skills")
    assert load_fact_store(_write(tmp_path, data)).claims("both", "skills") == ()


def test_salary_gap_is_computed_from_the_two_averages(store: FactStore) -> None:
    gap, percent = store.salary_gap()
    assert gap == 98439 - 73786 == 24653
    assert round(percent) == 33


def test_uncovered_topics_match_whole_words(store: FactStore) -> None:
    outlook = store.uncovered_topic("What\u2019s the OUTLOOK for them?")
    assert outlook is not None and outlook.key == "job_outlook"
    assert store.uncovered_topic("a taxonomy of skills") is None
    assert store.uncovered_topic("what do they earn") is None


def _duplicate_id(d: dict) -> None:
    duties = d["facts"]["product_manager"]["duties"]
    duties[1]["id"] = duties[0]["id"]


@pytest.mark.parametrize(
    ("mutate", "key"),
    [
        (lambda d: d["facts"]["product_manager"].pop("skills"), "facts.product_manager.skills"),
        (lambda d: d["facts"]["product_manager"].update(skills=[]), "facts.product_manager.skills"),
        (lambda d: d["facts"]["comparison"].pop("difference"), "facts.comparison.difference"),
        (
            lambda d: d["facts"]["production_manager"]["duties"][0].update(text=""),
            "facts.production_manager.duties[0].text",
        ),
        (
            lambda d: d["facts"]["production_manager"]["duties"][2].pop("id"),
            "facts.production_manager.duties[2].id",
        ),
        (_duplicate_id, "facts.product_manager.duties[1].id"),
        (
            lambda d: d["facts"]["product_manager"]["education"][0].update(paragraphs=[99]),
            "facts.product_manager.education[0].paragraphs[0]",
        ),
        (
            lambda d: d["facts"]["product_manager"]["education"][0].update(paragraphs=[]),
            "facts.product_manager.education[0].paragraphs",
        ),
        (
            lambda d: d["facts"]["product_manager"]["skills"][0].update(cues=[]),
            "facts.product_manager.skills[0].cues",
        ),
        (
            lambda d: d["facts"]["product_manager"]["skills"][0].update(colour="red"),
            "facts.product_manager.skills[0].colour",
        ),
        (
            lambda d: d["facts"]["product_manager"]["skills"][0].update(yes_no=""),
            "facts.product_manager.skills[0].yes_no",
        ),
        (
            lambda d: d["facts"]["product_manager"]["education"][0].update(if_required=3),
            "facts.product_manager.education[0].if_required",
        ),
        (lambda d: d["facts"]["both"].update(salary=[]), "facts.both.salary"),
        (lambda d: d["facts"].update(project_manager={}), "facts.project_manager"),
        (lambda d: d["facts"]["comparison"].update(extra={}), "facts.comparison.extra"),
        (
            lambda d: d["salaries"]["product_manager"].update(average_usd_per_year="lots"),
            "salaries.product_manager.average_usd_per_year",
        ),
        (lambda d: d["organisations"][0].update(role="project_manager"), "organisations[0].role"),
        (lambda d: d.pop("roles"), "roles"),
        (lambda d: d.update(version=2), "version"),
        (lambda d: d["uncovered_topics"]["stress"].update(cues=[]), "uncovered_topics.stress.cues"),
    ],
)
def test_schema_errors_name_file_and_key(tmp_path: Path, mutate, key: str) -> None:
    data = _raw()
    mutate(data)
    path = _write(tmp_path, data)
    with pytest.raises(FactStoreError) as error:
        load_fact_store(path)
    message = str(error.value)
    assert str(path) in message
    assert f"'{key}'" in message


def test_missing_and_broken_files_are_reported(tmp_path: Path) -> None:
    with pytest.raises(FactStoreError, match="file not found"):
        load_fact_store(tmp_path / "nope.yml")
    broken = tmp_path / "broken.yml"
    broken.write_text("facts: [unclosed", encoding="utf-8")
    with pytest.raises(FactStoreError, match="not valid YAML"):
        load_fact_store(broken)


def test_every_paragraph_reference_is_a_real_article_paragraph(
    store: FactStore, article_lines: list[str]
) -> None:
    for number, name in store.sections.items():
        assert 1 <= number <= len(article_lines), f"section {name!r} points past the article"
        assert len(article_lines[number - 1].split()) > 15, f"paragraph {number} is not prose"


def test_every_figure_is_in_the_article(store: FactStore, article_lines: list[str]) -> None:
    article = "\n".join(article_lines)
    for salary in store.salaries.values():
        figure = f"${salary.average_usd_per_year:,}"
        assert figure in article_lines[salary.paragraph - 1], f"{figure} not in paragraph {salary.paragraph}"
    for key, text in store.all_texts():
        for figure in re.findall(r"\$[\d,]+", text):
            assert figure in article, f"{key}: {figure} is not in the article"
    for item in store.salary_depends_on:
        # "the size of the employer" paraphrases "the size of the company".
        assert item.split()[-1] in {"industry", "employer", "location"}


def test_every_organisation_is_named_in_its_paragraph(store: FactStore, article_lines: list[str]) -> None:
    for org in store.organisations:
        paragraph = article_lines[org.paragraph - 1]
        assert f"{org.name} ({org.abbreviation})" in paragraph, org.key
        # Our editorial note (APICS) is not the article's claim, and says so.
        if org.better_known_as:
            assert org.better_known_as not in "\n".join(article_lines)


def test_organisations_in_prose_are_the_articles(store: FactStore, article_lines: list[str]) -> None:
    article = "\n".join(article_lines)
    allowed_extra = {org.better_known_as for org in store.organisations if org.better_known_as}
    for key, text in store.all_texts():
        for name in re.findall(
            r"(?:[A-Z][a-z]+ )+(?:Institute|Association|Society)[a-z ]*?(?:for [A-Z][a-z]+)?", text
        ):
            assert name.strip() in article, f"{key}: {name!r} is not in the article"
        for abbreviation in re.findall(r"\b[A-Z]{2,5}\b", text):
            assert abbreviation in article or abbreviation in allowed_extra, f"{key}: {abbreviation}"


def test_facts_are_in_our_own_words(store: FactStore, article_lines: list[str]) -> None:
    """No run of eight words is copied from the article (names of bodies aside)."""

    def words(text: str) -> list[str]:
        for org in store.organisations:
            text = text.replace(f"{org.name} ({org.abbreviation})", org.key.upper())
        return re.findall(r"[a-z0-9$,']+", text.lower().replace("\u2019", "'"))

    article_words = words("\n".join(article_lines))
    runs = {tuple(article_words[i : i + 8]) for i in range(len(article_words) - 7)}
    for key, text in store.all_texts():
        fact_words = words(text)
        for i in range(len(fact_words) - 7):
            assert tuple(fact_words[i : i + 8]) not in runs, (
                f"{key} copies: {' '.join(fact_words[i : i + 8])}"
            )


def test_cited_paragraphs_mention_the_topic(store: FactStore, article_lines: list[str]) -> None:
    cues = {
        "education": "degree",
        "certifications": "certifications",
        "skills": "skills",
    }
    for role in ROLES:
        for topic, cue in cues.items():
            paragraphs = store.fact(role, topic).paragraphs
            assert any(cue in article_lines[p - 1] for p in paragraphs), (role, topic)
