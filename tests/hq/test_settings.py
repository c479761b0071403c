"""HQ's settings: one pydantic-settings object, the one reader of HQ's environment (issue 12)."""

from __future__ import annotations

import ast
from pathlib import Path

from hq_server import sealing
from hq_server.app import create_app
from hq_server.settings import Settings

HQ = Path(__file__).resolve().parents[2] / "hq_server"


def test_only_settings_reads_the_environment():
    """No module of HQ but settings.py touches os.environ or os.getenv, except cli.py, which only writes
    HQ_DATABASE_URL / HQ_DATA_DIR for uvicorn's workers (they read them back through Settings)."""
    touching = []
    for path in sorted(HQ.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb"):
                touching.append(path.relative_to(HQ).as_posix())
    assert sorted(set(touching)) == ["cli.py"]
    cli = ast.parse((HQ / "cli.py").read_text(encoding="utf-8"))
    writes = [n for n in ast.walk(cli) if isinstance(n, ast.Assign) for t in n.targets
              if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Attribute) and t.value.attr == "environ"]
    assert len(writes) == touching.count("cli.py") == 2


def test_create_app_takes_its_database_and_secret_from_the_settings_it_is_handed(tmp_path, monkeypatch):
    monkeypatch.delenv("HQ_DATABASE_URL", raising=False)
    monkeypatch.delenv("HQ_SECRET_KEY", raising=False)
    settings = Settings(data_dir=tmp_path / "data")
    app = create_app(settings=settings)
    try:
        assert app.state.settings is settings
        assert app.state.db.url == f"sqlite:///{(tmp_path / 'data').resolve() / 'hq.db'}"
        sealed = sealing.seal(b"private", "k1", app.state.db.url)
        assert (tmp_path / "data" / sealing.SECRET_FILE).exists()  # the settings' data folder, not the env's
        assert sealing.unseal(sealed, "k1", app.state.db.url) == b"private"
    finally:
        app.state.db.dispose()


def test_settings_read_the_environment_once(monkeypatch, tmp_path):
    monkeypatch.setenv("HQ_DATABASE_URL", "postgresql+psycopg://hq@db/hq")
    monkeypatch.setenv("HQ_ADMIN_PASSWORD", "a long enough password")
    s = Settings()
    assert s.db_url() == "postgresql+psycopg://hq@db/hq"
    assert s.admin_password.get_secret_value() == "a long enough password"
    assert "a long enough password" not in repr(s)
