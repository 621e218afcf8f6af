"""finmatch HTTP service (FastAPI): JSON API under ``api.routes``; pages live beside it."""
