"""Measuring the running assistant: `make bench` (scripts/bench.py) and `make load` (scripts/load_test.py).

- `stats`: the one percentile both report;
- `processes`: starting and stopping Rasa and action servers (behind nginx for
  more than one), training, and reading their memory and CPU time;
- `traffic`: the conversations sent to this assistant and to the stock bot;
- `measure`: the timed phases of the benchmark;
- `configs`: the benchmark's store configurations (SQLite, cluster, memory);
- `targets` and `report`: the targets, the tables and docs/benchmarks.md;
- `load`: `make load`'s conversations, stack, tracker store check and report.

Not test code: nothing here imports from `tests/`.
"""
