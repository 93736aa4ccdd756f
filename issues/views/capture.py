"""Views: capture."""
