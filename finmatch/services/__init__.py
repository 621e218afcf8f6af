"""Use cases shared by the CLI, the API routes and the pages (no HTTP, no printing)."""
