"""``finmatch demo``: part of the CLI composition root (may import training).

Loads data_samples/ into the configured database when it holds no projects, trains a model when
the registry has none, and makes one API key per role so the pages can be tried at once.
"""

from __future__ import annotations

import logging
from pathlib import Path

from rich.console import Console
from sqlalchemy import select

from finmatch.auth import create_key
from finmatch.io import import_paths
from finmatch.registry import current_version
from finmatch.runtime import open_database
from finmatch.settings import Settings
from finmatch.storage import Repository
from finmatch.storage.orm import ApiKeyRow

log = logging.getLogger(__name__)
SAMPLES = Path(__file__).resolve().parent.parent / "data_samples"
SAMPLE_FILES = ("catalogue.json", "generated.json")
DEMO_INSTITUTION = "I-BANK-01"


def ensure_secret(settings: Settings) -> None:
    """The demo's session secret: generated once into data_dir/secret.key (owner-only) and exported
    as FINMATCH_SECRET_KEY for the server it starts, unless one is configured already."""
    import os
    import secrets

    if settings.secret_key:
        return
    path = settings.data_dir / "secret.key"
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(32))
    os.environ["FINMATCH_SECRET_KEY"] = path.read_text("utf-8").strip()
    from finmatch.settings import get_settings

    get_settings.cache_clear()


def prepare_demo(settings: Settings, console: Console) -> Path:
    """Idempotent set-up; returns the file holding the demo keys."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    ensure_secret(settings)
    db = open_database(settings)
    keys_file = settings.data_dir / "demo-keys.txt"
    try:
        with db.factory() as session:
            empty = Repository(session).count("projects") == 0
        if empty:
            paths = [SAMPLES / f for f in SAMPLE_FILES]
            report = import_paths(paths, db.factory, actor="demo")
            console.print(f"[green]已载入样例数据[/green]：{report.counts}")
            console.print("注意：样例中的企业、项目和对接历史由生成器合成（finmatch generate），不是真实数据；"
                          "模型在合成历史上训练，只有在真实对接历史上胜过知识先验时才会启用。")
        else:
            console.print("数据库中已有项目，跳过样例导入")
        if current_version(settings) is None:
            console.print("尚无模型，开始训练 …")
            from training.command import train_command

            train_command(settings)
        else:
            console.print(f"使用已有模型 {current_version(settings)}")
        with db.factory() as session:
            has_keys = session.scalar(select(ApiKeyRow.key_id).limit(1)) is not None
        if not has_keys or not keys_file.exists():
            lines = []
            for role, inst in (("admin", None), ("organiser", None), ("institution", DEMO_INSTITUTION)):
                with db.factory() as session:
                    if inst and Repository(session).get("institutions", inst) is None:
                        continue
                key = create_key(db.factory, role=role, institution_id=inst, label="demo")
                lines.append(f"{role}{'(' + inst + ')' if inst else ''}: {key}")
            keys_file.write_text("\n".join(lines) + "\n", "utf-8")
        console.print(f"演示用 API 密钥见 {keys_file}：")
        console.print(keys_file.read_text("utf-8"))
    finally:
        db.dispose()
    return keys_file
