"""Views: diversity."""
