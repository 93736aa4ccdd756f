"""Views: coordination."""
