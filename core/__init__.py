"""Code every app shares, below them all: it imports nothing of the portal's own apps."""
