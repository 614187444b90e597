"""Renderers: each legacy system's own wire format, built from canonical feed records."""
