"""The house rules of the code base, checked on every test run.

- The two front ends (``crisis.cli`` and ``crisis.web``) depend on the core, never on each
  other; what both need lives in the core.
- ``classifiers/`` and ``responders/`` import nothing of ``crisis`` beyond its types, protocols
  and errors (``domain``, ``protocols``, ``errors``, the lifecycle types in ``states`` and the
  platforms' length rules in ``platform_text``); ``crisis`` meets them in ``crisis.registry``.
- Production code never imports ``crisis.testing``.
- ``crisis/`` keeps at most 30 modules at its top level, none named with a subsystem prefix, and
  every subsystem folder says in its ``__init__`` docstring what it is for.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TYPES_ONLY = {
    "crisis",  # ``from crisis import x`` is judged by x below
    "crisis.domain",
    "crisis.protocols",
    "crisis.errors",
    "crisis.states",
    "crisis.platform_text",
}
SUBSYSTEM_PREFIXES = ("cli_", "report_", "replies_", "detection_", "replay_", "web_")


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top or inside a function; ``from a import b``
    counts as ``a`` and as ``a.b`` (b may be a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def python_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def offending(files: list[Path], is_forbidden) -> list[str]:
    return [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in files
        for module in sorted(imported_modules(path))
        if is_forbidden(module)
    ]


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_web_app_never_imports_the_command_line():
    assert offending(python_files("crisis/web"), lambda m: within(m, "crisis.cli")) == []


def test_the_command_line_never_imports_the_web_app():
    assert offending(python_files("crisis/cli"), lambda m: within(m, "crisis.web")) == []


@pytest.mark.parametrize("folder", ["classifiers", "responders"])
def test_classifiers_and_responders_import_only_the_cores_types_protocols_and_errors(folder):
    def forbidden(module: str) -> bool:
        if not within(module, "crisis"):
            return False
        if module in TYPES_ONLY:
            return False
        # ``from crisis.domain import Labels`` also yields crisis.domain.Labels: judge the module
        return not any(module.startswith(allowed + ".") for allowed in TYPES_ONLY - {"crisis"})

    assert offending(python_files(folder), forbidden) == []


def test_production_code_never_imports_the_test_fakes():
    files = [p for p in python_files("crisis") if p.name != "testing.py"]
    files += python_files("classifiers") + python_files("responders")
    assert offending(files, lambda m: within(m, "crisis.testing")) == []


def test_the_core_has_at_most_30_top_level_modules_and_no_subsystem_prefixes():
    modules = sorted(p.stem for p in (ROOT / "crisis").glob("*.py"))
    assert len(modules) <= 30, modules
    assert [m for m in modules if m.startswith(SUBSYSTEM_PREFIXES)] == []


def test_every_subsystem_folder_says_what_it_is_for():
    folders = [p for p in (ROOT / "crisis").iterdir() if (p / "__init__.py").is_file()]
    assert {p.name for p in folders} >= {"cli", "connectors", "detection", "replay", "replies",
                                         "reports", "web"}  # fmt: skip
    for folder in folders:
        docstring = ast.get_docstring(ast.parse((folder / "__init__.py").read_text("utf-8")))
        assert docstring and len(docstring) > 40, f"crisis/{folder.name}/__init__.py"


def test_the_rules_catch_an_import_that_breaks_them(tmp_path):
    """The checker itself: an import hidden in a function is found like one at the top."""
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("def f():\n    from crisis.cli import main\n    import crisis.web.app\n")
    found = imported_modules(sneaky)
    assert within("crisis.cli.main", "crisis.cli") and {"crisis.cli", "crisis.web.app"} <= found
