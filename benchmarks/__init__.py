"""Measuring the running assistant: `make bench` (scripts/bench.py) and `make load` (scripts/load_test.py).

The servers are local_stack's (started, waited for and stopped by process id).

- `stats`: the one percentile both report;
- `processes`: a bot's Rasa server(s) (behind nginx for more than one),
  training, and reading the servers' memory and CPU time;
- `traffic`: the conversations sent to this assistant and to the stock bot;
- `measure`: the timed phases of the benchmark;
- `configs`: the benchmark's store configurations (SQLite, cluster, memory);
- `targets` and `report`: the targets, the tables and docs/benchmarks.md;
- `load`: `make load`'s conversations, stack, tracker store check and report.

Not test code: nothing here imports from `tests/`.
"""
