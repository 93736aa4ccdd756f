"""Views of the events app, one module per audience: coordination (coordinators and partner
nominators), participation (the public and company representatives), checkin and diversity."""
