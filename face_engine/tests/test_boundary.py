"""The face engine is plain Python at the bottom of the stack: it never loads Django or the apps."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_engine_imports_without_django_or_the_apps():
    modules = sorted(p.stem for p in (REPO / "face_engine").glob("*.py") if p.stem != "__init__")
    probe = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module('face_engine.' + name)\n"
        "apps = ('django', 'rest_framework', 'actors', 'matching', 'moderation', 'accounts')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(apps)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert "faces" in modules and "index" in modules
    assert result.stdout.strip() == "[]"
