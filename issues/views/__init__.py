"""Views of issues and votes, one module per activity: capture (raising issues, the room
screen, "me too"), triage (queue, merge, edit, status, the public page) and voting."""
