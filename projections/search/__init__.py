"""Site search: an index of what the public can read, and the questions it answers."""
