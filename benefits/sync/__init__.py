"""The legacy sync: services (writes), selectors (reads), bulk apply, the per-source lock."""
