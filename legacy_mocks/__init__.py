"""Simulated legacy benefit systems (UC, PIPCS, JSAPS, PSCS) for the portal's sync, tests and demos.

Standalone: standard library only, and it imports nothing from the portal.
"""
