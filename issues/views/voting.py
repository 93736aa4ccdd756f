"""Views: voting."""
