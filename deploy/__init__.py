"""Running the assistant beyond one process: where conversations and their locks
live (`stores`), and local stand-ins for the shared services (`local`, `cluster`).
See docs/deploy.md."""
