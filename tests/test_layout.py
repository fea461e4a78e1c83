"""The layout's one rule: the product (crawler/) never imports the Scrapy adapters (pipelines/).

discover → fetch → process → store live in crawler/; pipelines/ only adapts them to Scrapy's
item pipeline, so a command, a spider or the bench can run the chain without Scrapy's engine.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_crawler_never_imports_pipelines_or_tests():
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            name for name in _imported_modules(path) if name.split(".")[0] in {"pipelines", "tests"}
        )
        for path in sorted((ROOT / "crawler").rglob("*.py"))
    }
    assert {path: names for path, names in offenders.items() if names} == {}
