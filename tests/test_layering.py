"""The layers import only downwards, and Textual is never imported outside the TUI package."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "collectdesk"
# Each layer may import itself and what is listed for it.
ALLOWED = {
    "settings": set(),
    "resources": set(),
    "domain": {"settings"},
    "store": {"settings", "domain"},
    "services": {"settings", "domain", "store"},
    "tui": {"settings", "resources", "domain", "store", "services"},
    "cli": {"settings", "resources", "domain", "store", "services", "tui"},
}


def _layer(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py") if len(relative.parts) > 1 else relative.stem


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if _layer(p) in ALLOWED)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_layers_import_only_downwards(path: Path) -> None:
    layer = _layer(path)
    for name in _imports(path):
        if name == "textual" or name.startswith("textual."):
            assert layer == "tui", f"{path.name} imports Textual outside the tui package"
        if name.startswith("collectdesk."):
            target = name.split(".")[1]
            if target in ALLOWED and target != layer:
                assert target in ALLOWED[layer], f"{layer} may not import {target} ({path.name})"


def test_every_layer_is_checked() -> None:
    layers = {_layer(p) for p in SOURCES}
    assert {"domain", "store", "services", "cli", "settings"} <= layers
