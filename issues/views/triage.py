"""Views: triage."""
