"""Property-based check of the whole API against its own OpenAPI document (schemathesis, SQLite only).

Every operation gets a bounded number of generated requests, valid and invalid, with an admin key;
no response may be a 5xx and every documented response must match its schema. The operations are
driven through ``APIOperation.as_strategy`` (schemathesis' lazy pytest loader does not work with
this pytest), so one test covers them all and reports every failing operation.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance

from api.main import create_app
from finmatch.io import import_paths
from finmatch.runtime import open_database
from finmatch.settings import Settings
from tests.api.conftest import seed
from tests.conftest import SAMPLES

EXAMPLES_PER_MODE = 5


def test_api_conforms_to_its_openapi(sqlite_template: Path, tmp_path: Path) -> None:
    shutil.copy(sqlite_template, tmp_path / "finmatch.db")
    cfg = Settings(database_url=f"sqlite:///{tmp_path / 'finmatch.db'}", data_dir=tmp_path / "var",
                   use_embeddings=False, today="2026-11-28")
    keys = seed(cfg)
    db = open_database(cfg)
    import_paths([SAMPLES / "catalogue.json"], db.factory, actor="test")
    db.dispose()
    app = create_app(cfg)
    headers = {"X-API-Key": keys["admin"]}
    failures: dict[str, str] = {}
    calls = 0
    with TestClient(app) as client:  # the lifespan keeps the database and model loaded for every case
        client.post("/events/EV2025-01/schedule", headers=headers, json={"time_limit_s": 2})
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        operations = [r.ok() for r in schema.get_all_operations()]
        assert len(operations) >= 35
        for op in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

                @given(case=op.as_strategy(generation_mode=mode))
                @settings(max_examples=EXAMPLES_PER_MODE, deadline=None, derandomize=True, database=None,
                          suppress_health_check=list(HealthCheck))
                def run(case: schemathesis.Case) -> None:
                    nonlocal calls
                    if isinstance(case.body, dict) and isinstance(case.body.get("time_limit_s"), int | float):
                        case.body["time_limit_s"] = min(case.body["time_limit_s"], 1)  # keep solves short
                    response = case.call(headers=headers)
                    calls += 1
                    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

                try:
                    run()
                except Unsatisfiable:  # no invalid request exists for an operation without inputs
                    continue
                except Exception as exc:  # collect every failing operation, then fail once
                    failures[f"{op.label} [{mode.value}]"] = str(exc)[:1500]
    assert calls >= 100
    assert not failures, "\n\n".join(f"{k}: {v}" for k, v in failures.items())
