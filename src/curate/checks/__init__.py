"""Check families and their registry.

Every module in this package that defines a check registers it with ``@register``; the
registry imports the package's modules on first use, so adding a family means adding one
module (and its test) and nothing else. :func:`family` imports only the module named after
the family, so a suite pays only for the checks it runs.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from curate.checks.base import Check

_REGISTRY: dict[str, type["Check"]] = {}
_LOADED = False


def register(cls: type["Check"]) -> type["Check"]:
    """Class decorator: make a check family available to suites under ``cls.name``."""
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise RuntimeError(f"two check families named '{cls.name}'")
    _REGISTRY[cls.name] = cls
    return cls


def registry() -> dict[str, type["Check"]]:
    """All check families by name (importing every module of this package once)."""
    global _LOADED
    if not _LOADED:
        for module in pkgutil.iter_modules(__path__):
            if module.name != "base" and not module.name.startswith("_"):
                importlib.import_module(f"{__name__}.{module.name}")
        _LOADED = True
    return dict(sorted(_REGISTRY.items()))


def family(name: str) -> type["Check"] | None:
    """The family ``name``, importing only its module (``curate.checks.<name>``) when it follows the
    naming convention; otherwise every module (:func:`registry`). None for an unknown name."""
    if name in _REGISTRY:
        return _REGISTRY[name]
    if isinstance(name, str) and re.fullmatch(r"[a-z][a-z0-9_]*", name) and name != "base":
        if importlib.util.find_spec(f"{__name__}.{name}") is not None:
            importlib.import_module(f"{__name__}.{name}")
            if name in _REGISTRY:
                return _REGISTRY[name]
    return registry().get(name)
