"""Where things live: the repository, the NetPyNE source data, the generated components and caches.

One module answers these questions so that every command finds the data the same way:
``--source DIR`` first, then the ``SONATA_S1_SOURCE`` environment variable, then the default
``../shared/s1_netpyne`` next to the repository.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import SonataS1Error

REPO_ROOT = Path(__file__).resolve().parent.parent
SOURCE_ENV = "SONATA_S1_SOURCE"
CACHE_ENV = "SONATA_S1_CACHE"
DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "s1_netpyne"

COMPONENTS_DIR = REPO_ROOT / "components"
MODFILES_DIR = COMPONENTS_DIR / "mechanisms" / "modfiles"
MORPHOLOGIES_DIR = COMPONENTS_DIR / "morphologies"
BIOPHYS_DIR = COMPONENTS_DIR / "biophysical_neuron_models"
SYNAPTIC_MODELS_DIR = COMPONENTS_DIR / "synaptic_models"
NETWORK_DIR = REPO_ROOT / "network"

SOURCE_HELP = (
    "The NetPyNE S1+thalamus data (cells/*.json.xz, conn/*.pkl) are looked for in --source DIR, "
    f"then ${SOURCE_ENV}, then {DEFAULT_SOURCE}. They come from the published model "
    "(S1_Thal_NetPyNE_Frontiers_2022, folders cells/ and conn/); see README.md."
)


class SourceNotFoundError(SonataS1Error, FileNotFoundError):
    """The NetPyNE source directory could not be found."""


def source_dir(explicit: str | os.PathLike[str] | None = None, *, must_exist: bool = True) -> Path:
    """Resolve the NetPyNE source directory (``--source`` > ``$SONATA_S1_SOURCE`` > default)."""
    if explicit:
        path = Path(explicit)
    elif os.environ.get(SOURCE_ENV):
        path = Path(os.environ[SOURCE_ENV])
    else:
        path = DEFAULT_SOURCE
    path = path.expanduser().resolve()
    if must_exist and not (path / "cells").is_dir():
        raise SourceNotFoundError(f"NetPyNE source data not found at {path} (no cells/ folder). {SOURCE_HELP}")
    return path


def cache_dir() -> Path:
    """Per-user cache (compiled mechanisms, per-model results); ``$SONATA_S1_CACHE`` overrides it."""
    root = os.environ.get(CACHE_ENV) or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "sonata_s1"
    )
    path = Path(root).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path
