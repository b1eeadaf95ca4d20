"""The shape of the code (docs/architecture.md, "Services"), checked by reading it.

- A public service function that writes is named `check_*` (validates raw input, then calls
  `do_*`) or `do_*` (changes state, never commits).
- Reads never write: a function in a reads module (`services/access.py`, `pages.py`,
  `reads.py`, `queries.py`, `*_reads.py`)
  or named like a read (`access_*`, `*_page`, `*_dict`) adds nothing to the session, publishes
  nothing and registers no on-commit callback.
- No module in app/ grows past the size a newcomer reads in one sitting.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"
MODULE_MAX_LINES = 600

# In a services/ package, the modules that only read (the others hold check_* and do_*).
READS_MODULES = {"access", "pages", "reads", "queries"}
# Calls that change state or promise to: session writes, live events, post-commit work.
WRITE_METHODS = {"add", "add_all", "delete", "flush", "merge", "begin_nested", "commit"}
WRITE_FUNCTIONS = {"publish", "on_commit", "emit_now", "leave_room_after_commit",
                   "join_after_commit", "do_log"}
DML = {"update", "insert", "delete"}
# Library functions that happen to share the prefix (and read).
FOREIGN_CHECKS = {"check_password_hash"}
# Library functions that happen to share the prefix (and read).
FOREIGN_CHECKS = {"check_password_hash"}


def _service_modules() -> list[Path]:
    paths = []
    for path in sorted(APP.rglob("*.py")):
        relative = path.relative_to(APP).parts
        if relative[-1] == "services.py" or "services" in relative[:-1]:
            paths.append(path)
    return paths


def _is_reads_module(path: Path) -> bool:
    return path.parent.name == "services" and (path.stem in READS_MODULES
                                               or path.stem.endswith("_reads"))


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _direct_writes(function: ast.AST) -> list[str]:
    """What in this function's own body writes (nested functions included: a callback
    defined here is registered here)."""
    found = []
    for node in ast.walk(function):
        if not isinstance(node, ast.Call):
            continue
        name = _called_name(node)
        func = node.func
        if isinstance(func, ast.Attribute) and name in WRITE_METHODS:
            owner = ast.unparse(func.value)
            if owner.endswith("session") or owner.endswith("session()"):
                found.append(f"{owner}.{name}")
        elif name in WRITE_FUNCTIONS or (name or "").startswith(("do_", "check_")):
            if name not in FOREIGN_CHECKS:
                found.append(name)
        elif name == "execute" and node.args:
            statement = node.args[0]
            while isinstance(statement, ast.Call) and isinstance(statement.func, ast.Attribute):
                statement = statement.func.value
            if isinstance(statement, ast.Call) and _called_name(statement) in DML:
                found.append(f"execute({_called_name(statement)})")
    return found


def _functions(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def _writers(tree: ast.Module) -> dict[str, list[str]]:
    """Top-level functions that write, directly or through a private helper of the module."""
    functions = _functions(tree)
    writes = {name: _direct_writes(node) for name, node in functions.items()}
    changed = True
    while changed:
        changed = False
        for name, node in functions.items():
            if writes[name]:
                continue
            for call in ast.walk(node):
                if isinstance(call, ast.Call) and isinstance(call.func, ast.Name):
                    callee = call.func.id
                    if callee.startswith("_") and writes.get(callee):
                        writes[name] = [f"{callee} -> {writes[callee][0]}"]
                        changed = True
                        break
    return {name: found for name, found in writes.items() if found}


def _looks_like_read(name: str) -> bool:
    return name.startswith("access_") or name.endswith("_page") or name.endswith("_dict")


def _label(path: Path) -> str:
    return str(path.relative_to(APP.parent))


def test_public_writers_are_named_check_or_do() -> None:
    offenders = []
    for path in _service_modules():
        for name, found in _writers(ast.parse(path.read_text())).items():
            if not name.startswith(("_", "check_", "do_")):
                offenders.append(f"{_label(path)}::{name} writes ({found[0]})")
    assert not offenders, "\n".join(offenders)


def test_reads_do_not_write() -> None:
    offenders = []
    for path in _service_modules():
        tree = ast.parse(path.read_text())
        writers = _writers(tree)
        reads_module = _is_reads_module(path)
        for name in _functions(tree):
            if (reads_module or _looks_like_read(name)) and name in writers:
                offenders.append(f"{_label(path)}::{name} writes ({writers[name][0]})")
    assert not offenders, "\n".join(offenders)


def test_check_functions_leave_the_writing_to_do_functions() -> None:
    """`check_*` validates and hands over: it may call `do_*` (and other `check_*`), but the
    session writes, events and callbacks belong to the `do_*` it calls."""
    offenders = []
    for path in _service_modules():
        tree = ast.parse(path.read_text())
        for name, node in _functions(tree).items():
            if not name.startswith("check_"):
                continue
            direct = [w for w in _direct_writes(node)
                      if not w.startswith(("do_", "check_"))]
            if direct:
                offenders.append(f"{_label(path)}::{name} writes itself ({direct[0]})")
    assert not offenders, "\n".join(offenders)


@pytest.mark.parametrize("path", sorted(APP.rglob("*.py")), ids=_label)
def test_modules_stay_readable(path: Path) -> None:
    lines = len(path.read_text().splitlines())
    assert lines <= MODULE_MAX_LINES, f"{_label(path)} has {lines} lines"
