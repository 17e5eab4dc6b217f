"""Custom NLU components named in config.yml (see docs/pipeline.md for why)."""
