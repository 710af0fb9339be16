"""engagements reads SLA results through one door, slas.evidence, imported at the top of a module (DESIGN §2).

A grep over the source, so a lazy `from slas.models import Breach` inside a function cannot creep back."""

import ast
from pathlib import Path

import engagements

ROOT = Path(engagements.__file__).parent


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path, ast.parse(path.read_text(), filename=str(path))


def _slas_imports(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "slas":
            yield node, node.module, [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "slas":
                    yield node, alias.name, []


def test_engagements_imports_nothing_of_slas_but_evidence():
    strays = [
        f"{path.relative_to(ROOT.parent)}:{node.lineno} {module} {names}"
        for path, tree in _sources()
        for node, module, names in _slas_imports(tree)
        if not (module == "slas.evidence" or (module == "slas" and names == ["evidence"]))
    ]
    assert strays == []


def test_the_evidence_import_sits_at_the_top_of_its_module_and_never_in_models():
    lazy, in_models = [], []
    for path, tree in _sources():
        top_level = set(map(id, tree.body))
        for node, _module, _names in _slas_imports(tree):
            if id(node) not in top_level:
                lazy.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}")
            if "models" in path.parts:
                in_models.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}")
    assert lazy == [] and in_models == []


def test_the_services_that_live_on_sla_evidence_use_the_door():
    users = {path.relative_to(ROOT).as_posix() for path, tree in _sources() if any(_slas_imports(tree))}
    assert {
        "costs.py",
        "services/terms.py",
        "services/transition.py",
        "services/communication.py",
        "views/money.py",
        "api/views/money.py",
    } <= users
