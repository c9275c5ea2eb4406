"""Every test file in the repository is collected by the test command: a test directory left out
of pyproject's testpaths would silently run nowhere."""

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SKIPPED = {".venv", "var", "artifacts", "node_modules", ".git"}


def test_every_test_file_lies_under_a_collected_path():
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    testpaths = [REPO / p for p in config["tool"]["pytest"]["ini_options"]["testpaths"]]
    test_files = [
        path for path in REPO.rglob("test_*.py") if not SKIPPED & set(path.relative_to(REPO).parts)
    ]
    assert len(test_files) > 30
    outside = [
        str(path.relative_to(REPO))
        for path in test_files
        if not any(path.is_relative_to(root) for root in testpaths)
    ]
    assert outside == []
