"""`make review`: what the assistant misunderstood, read from the tracker store (issue #15).

- `store`: the `events` rows of a time window, read-only and in bounded pages;
- `conversations`: those rows as exchanges (a user message and the bot's replies) and feedback;
- `findings`: the messages to look at by group, near-duplicates, uncovered topics, counts per day;
- `chart`, `html_report`: the static page results/review/index.html;
- `to_label`: results/review/to_label.yml, the messages under their predicted intent;
- `report`: all of it gathered once for a window, written, and summarised.

The command is scripts/review.py; what it reads is the storage contract of the
bot side (BotUttered metadata "answer", slot "feedback"), docs/review.md.
"""
