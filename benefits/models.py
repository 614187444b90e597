"""Models for benefits."""
