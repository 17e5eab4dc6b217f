"""The commands of the Makefile, run as `python -m scripts.NAME`.

A package, so that mypy tells scripts/review.py (scripts.review) from the review/ package.
"""
