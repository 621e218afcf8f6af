"""Server-rendered pages (Jinja2, Simplified Chinese) over the same services and role rules as the API.

``router`` holds every page route; ``api.main`` includes it and mounts ``/static``.
"""

from fastapi import APIRouter

from api.pages.catalogue_pages import downloads as _downloads
from api.pages.catalogue_pages import router as _catalogue
from api.pages.core import API_DIR
from api.pages.event_pages import router as _events
from api.pages.form_pages import downloads as _form_downloads
from api.pages.form_pages import router as _forms

STATIC_DIR = API_DIR / "static"
router = APIRouter(include_in_schema=False)
router.include_router(_downloads)
router.include_router(_form_downloads)
router.include_router(_forms)  # before the catalogue pages: /products/new must not be read as a product id
router.include_router(_catalogue)
router.include_router(_events)

__all__ = ["STATIC_DIR", "router"]
