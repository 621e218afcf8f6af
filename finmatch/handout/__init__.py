"""The per-project hand-out of a matchmaking event: one page (PDF) or one sheet (XLSX) per project with
its profile, the recommended products by family with reasons, the package and its meetings."""

from finmatch.handout.content import Handout, event_handouts, handout_context
from finmatch.handout.render import handout_bytes, media_type

__all__ = ["Handout", "event_handouts", "handout_bytes", "handout_context", "media_type"]
