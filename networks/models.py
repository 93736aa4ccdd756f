"""Thematic networks. The models arrive with the networks issue."""
