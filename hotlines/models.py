"""Models of this layer; see the README for what belongs here."""
