"""Settings: `base` (local development, the default), `test`, `production`, `bench`, `typecheck`."""
