"""Views: participation."""
