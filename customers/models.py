"""Models for customers."""
