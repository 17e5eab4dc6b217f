"""Running the assistant beyond one process, in production: where conversations and
their locks live (`stores`, `recent_tracker`). Local stand-ins for the shared services
are local_stack's; the changes to Rasa itself are rasa_patches'. See docs/deploy.md."""
