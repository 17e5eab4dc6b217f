"""The figures a command writes into a doc, between its markers: the prose around them stays."""

from __future__ import annotations

from pathlib import Path


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:begin -->", f"<!-- {name}:end -->"


def replace_block(path: Path, name: str, body: str, title: str) -> None:
    """Put `body` between the `name` markers of `path` (a new file headed `title` if it has none)."""
    begin, end = markers(name)
    block = f"{begin}\n{body}\n{end}"
    if path.exists() and begin in path.read_text(encoding="utf-8"):
        head, _, rest = path.read_text(encoding="utf-8").partition(begin)
        _, _, tail = rest.partition(end)
        path.write_text(head + block + tail, encoding="utf-8")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# {title}\n\n{block}\n", encoding="utf-8")
