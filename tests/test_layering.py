"""Layering rules the architecture page (docs/architecture.md) states, checked on the source.

Library modules import the submodules they use, never the facade
(``import scratchgen as sg``): the facade imports them, so a module that
imports it depends on the whole package and on import order. Lectures,
tests, benchmarks and the command line (scratchgen/commands, cli.py) may use ``sg``.
"""
import ast
from pathlib import Path

import scratchgen

PACKAGE = Path(scratchgen.__file__).parent
FACADE_ALLOWED = {"__init__.py", "__main__.py", "cli.py"}


def library_modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "commands" or (len(rel.parts) == 1 and rel.name in FACADE_ALLOWED):
            continue
        yield rel, path


def test_no_library_module_imports_the_facade():
    offenders = []
    for rel, path in library_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import) and any(a.name == "scratchgen" for a in node.names):
                offenders.append(f"{rel}:{node.lineno}")
    assert not offenders, f"library modules importing the facade 'scratchgen': {offenders}"


def test_the_check_sees_the_library():
    names = {str(rel) for rel, _ in library_modules()}
    assert {"gan/gan.py", "density/mixture.py", "latent/vae.py", "autodiff/tensor.py"} <= names
    assert not any(name.startswith("commands/") for name in names)
