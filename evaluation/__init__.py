"""Scoring the assistant: what `make evaluate` (scripts/) and the quality tests (tests/) share.

- `question_set`: the end-to-end question sets (tests/e2e/*.yml): load, check, ask, score;
- `overlap`: twins, sentences one token edit from another, kept apart from the training data;
- `holdout`: the trained model on the held-out NLU file (tests/nlu_holdout.yml);
- `floors`: the figures the quality tests hold, and `make evaluate`'s word on them.

The data stay in tests/; nothing here imports from `tests/`.
"""
