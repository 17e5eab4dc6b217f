"""Running the assistant beyond one process, in production: where conversations and
their locks live (`stores`, `recent_tracker`) and Rasa's start-up output (`rasa_quiet`).
Local stand-ins for the shared services are local_stack's. See docs/deploy.md."""
