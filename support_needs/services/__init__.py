"""Writes for support needs, one module per concern: needs (a colleague's), uc_synced (UC's, by
sync), six_point_plan, signals and safeguards. Import from the module itself."""
