"""At an event the packages say whom each project must meet; the agenda honours them, and the
hand-out lists the project's meetings."""

from __future__ import annotations

from finmatch.auth import Principal, Role
from finmatch.handout import handout_context
from finmatch.matching import PriorScorer
from finmatch.runtime import open_database
from finmatch.services.agenda import ScheduleOptions, schedule_event
from finmatch.services.matching import event_result
from finmatch.services.packages import event_must_meets, project_package
from finmatch.storage import Repository, transaction
from tests.api.conftest import seed


def test_package_must_meets_drive_the_agenda_and_the_handout(sqlite_settings):
    cfg = sqlite_settings.model_copy(update={"use_embeddings": False})
    seed(cfg)
    db = open_database(cfg)
    scorer = PriorScorer()
    try:
        with db.factory() as session:
            products = Repository(session).products_frame()
            event, result = event_result(session, scorer, cfg, products, "EV2025-01")
            pairs = event_must_meets(event, result, scorer, cfg)
        assert pairs and all(p in result.projects.index for p, _ in pairs)
        per_project: dict[str, int] = {}
        for p, _ in pairs:
            per_project[p] = per_project.get(p, 0) + 1
        assert max(per_project.values()) <= event.max_meetings_per_project
        with transaction(db.factory) as session:
            _, agenda = schedule_event(session, "test", scorer, cfg, products, "EV2025-01",
                                       ScheduleOptions(package_must_meet=True, time_limit_s=5))
        met = {(m.project_id, m.institution_id) for m in agenda.meetings}
        assert set(pairs) <= met
        with db.factory() as session:
            view = project_package(Repository(session).projects_frame(["XM0001"]), scorer, cfg, products, "XM0001",
                                   with_what_if=False)
            h = handout_context(session, Principal("k", Role.ORGANISER), scorer, cfg, products, "XM0001", view,
                                "EV2025-01")
        assert h.event_name and h.meetings
        assert {m[2] for m in h.meetings} <= {"广西北部湾银行南宁分行", "广西科技成果转化基金管理公司"}
    finally:
        db.dispose()
