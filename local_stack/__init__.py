"""The assistant's stack as local processes, for `make cluster`, the benchmark, the load test, the tests.

- `processes`: free ports, starting a process in a session of its own with a log
  file, waiting for it to be ready (failing fast, with the log's tail, when it
  exits first), stopping it by process id (SIGTERM, then SIGKILL, bounded);
- `servers`: the action server, the Rasa server (the project's credentials.yml
  and endpoints.yml, or Rasa's stock channels where a test compares with them)
  and the web page;
- `services`: PostgreSQL, Redis and nginx from Debian's packages;
- `http_client`: the small HTTP JSON client;
- `tracker_db`: reading a tracker store's database;
- `cluster`: `make cluster` (scripts/cluster), all of the above on one machine.

Not production code (that is deploy/), and not test code: nothing here imports from `tests/`.
"""
