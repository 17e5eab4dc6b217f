"""Custom actions for the product vs. production manager assistant."""
