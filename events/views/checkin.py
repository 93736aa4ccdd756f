"""Views: checkin."""
