"""Theme meetings and seats. The models arrive with the meetings issue."""
