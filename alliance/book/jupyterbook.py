"""jupyter-book's command line, started without one slow import (what ``make book`` runs).

Usage: ``python -m alliance.book.jupyterbook build . -n -W --keep-going`` — the same arguments and
behaviour as ``jupyter-book build . -n -W --keep-going``.

jupyter-book imports jsonschema, whose format checkers import ``rfc3987_syntax`` when it is
installed (jupyter-events asks for it). That import compiles 38 lark grammars: about a second,
a third of a no-op rebuild, for the ``iri`` formats the book's build never checks. Here the module
is :func:`deferred`: a stand-in takes its place, and its first use (a call of one of its
functions, or of any other attribute but a dunder) imports the real module and hands over to it. Nothing is left out:
a check of an ``iri`` format still runs the real validator.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from collections.abc import Callable, Iterable
from typing import Any

#: Modules whose import is deferred until first use: name → the functions imported from it by name
#: (``from rfc3987_syntax import is_valid_syntax``, in jsonschema's ``_format``).
DEFERRED_IMPORTS: dict[str, tuple[str, ...]] = {"rfc3987_syntax": ("is_valid_syntax",)}


def _forwarding(load: Callable[[], types.ModuleType], name: str) -> Callable[..., Any]:
    """A function that loads the real module and calls its function ``name``."""
    def forward(*args: Any, **kwargs: Any) -> Any:
        return getattr(load(), name)(*args, **kwargs)

    forward.__name__ = forward.__qualname__ = name
    return forward


def deferred(module_name: str, functions: Iterable[str]) -> types.ModuleType | None:
    """Put a stand-in for ``module_name`` in ``sys.modules``: ``functions`` are importable from it
    and load the real module when called; any other attribute (but dunders, which the import system
    asks for) loads it at once. Returns the
    stand-in, or ``None`` (nothing done) when the module is already imported or not installed."""
    if module_name in sys.modules or importlib.util.find_spec(module_name) is None:
        return None
    stand_in = types.ModuleType(module_name, f"Stand-in for {module_name}, imported on first use.")

    def load() -> types.ModuleType:
        if sys.modules.get(module_name) is stand_in:
            del sys.modules[module_name]
        return importlib.import_module(module_name)

    def other_attribute(attribute: str) -> Any:
        # The import system asks a module for dunders (``__path__``, ``__file__``): they are not uses.
        if attribute.startswith("__") and attribute.endswith("__"):
            raise AttributeError(attribute)
        return getattr(load(), attribute)

    for name in functions:
        setattr(stand_in, name, _forwarding(load, name))
    stand_in.__getattr__ = other_attribute  # type: ignore[attr-defined]
    sys.modules[module_name] = stand_in
    return stand_in


def main(argv: list[str] | None = None) -> None:
    """Run jupyter-book's command line with :data:`DEFERRED_IMPORTS` deferred."""
    for module_name, functions in DEFERRED_IMPORTS.items():
        deferred(module_name, functions)
    from jupyter_book.cli.main import main as jupyter_book

    jupyter_book(args=argv, prog_name="jupyter-book")


if __name__ == "__main__":
    main()
