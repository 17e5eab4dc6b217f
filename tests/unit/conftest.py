from __future__ import annotations

from pathlib import Path

import pytest

from actions.fact_store import FactStore, load_fact_store

ARTICLE = Path(__file__).resolve().parents[3] / "shared" / "article.txt"


@pytest.fixture(scope="session")
def store() -> FactStore:
    return load_fact_store()


@pytest.fixture(scope="session")
def article_lines() -> list[str]:
    if not ARTICLE.exists():
        pytest.skip(
            f"{ARTICLE} is absent: the project does not ship the article's text, "
            "so figures and names cannot be checked against it here"
        )
    return ARTICLE.read_text(encoding="utf-8").splitlines()
