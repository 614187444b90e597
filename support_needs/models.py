"""Models for support_needs."""
