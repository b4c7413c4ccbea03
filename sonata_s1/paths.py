"""Where things live: the repository, the NetPyNE source data, the generated components and caches.

One module answers these questions so that every command finds the data the same way:
``--source DIR`` first, then the ``SONATA_S1_SOURCE`` environment variable, then the default
``../shared/s1_netpyne`` next to the repository.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

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


class PathValueError(SonataS1Error, ValueError):
    """A path option or config value whose ``~`` or ``$VARIABLE`` cannot be expanded."""


_VARIABLE = re.compile(r"\$(\w+|\{([^}]*)\})")


def expand_path(value: str | os.PathLike[str], what: str, keep: Iterable[str] = ()) -> Path:
    """``value`` with ``~`` and environment variables expanded; never taken literally.

    Why: a shell expands ``~`` and ``$HOME`` on a command line but not inside a JSON config or a
    quoted option, and a literal ``~`` directory created next to the config (or a missing variable
    silently becoming an empty string) writes the user's data somewhere they do not look. Variables
    named in ``keep`` (BMTK manifest variables such as ``$BASE_DIR``) are left for BMTK to resolve;
    any other undefined variable is refused.
    """
    text = os.fspath(value)
    keep = set(keep)
    if text.startswith("~"):
        expanded = os.path.expanduser(text)
        if expanded.startswith("~"):
            raise PathValueError(f"{what} = {text!r}: cannot expand {text.split('/')[0]!r} (no such user)")
        text = expanded

    def sub(m: re.Match[str]) -> str:
        name = m.group(2) if m.group(2) is not None else m.group(1)
        if name in keep:
            return m.group(0)
        if name not in os.environ:
            raise PathValueError(f"{what} = {os.fspath(value)!r}: environment variable ${name} is not set")
        return os.environ[name]

    return Path(_VARIABLE.sub(sub, text))


#: BMTK's own config variables (besides the manifest's), resolved by its parser.
BMTK_VARIABLES = frozenset({"configdir", "workingdir", "configfname", "OUTPUT_DIR"})


def expand_config_paths(conf: dict[str, Any], origin: str) -> None:
    """Expand ``~``/environment variables in every path value of a SONATA config, in place.

    Path values: the manifest, ``network``, ``node_sets_file``, ``components.*``, ``output.*`` and
    the ``file_name`` of every report. Manifest variables stay for BMTK.
    """
    manifest = conf.get("manifest") if isinstance(conf.get("manifest"), dict) else {}
    keep = {str(k).lstrip("$").strip("{}") for k in manifest} | BMTK_VARIABLES

    def fix(holder: Any, key: Any, where: str) -> None:
        if isinstance(holder, dict) and isinstance(holder.get(key), str):
            holder[key] = str(expand_path(holder[key], f"{origin}: {where}", keep))

    for k in list(manifest):
        fix(manifest, k, f"manifest.{k}")
    for k in ("network", "node_sets_file"):
        fix(conf, k, k)
    for section in ("components", "output"):
        block = conf.get(section)
        if isinstance(block, dict):
            for k in list(block):
                fix(block, k, f"{section}.{k}")
    for name, rep in (conf.get("reports") or {}).items() if isinstance(conf.get("reports"), dict) else ():
        fix(rep, "file_name", f"reports.{name}.file_name")


class SourceNotFoundError(SonataS1Error, FileNotFoundError):
    """The NetPyNE source directory could not be found."""


def source_dir(explicit: str | os.PathLike[str] | None = None, *, must_exist: bool = True) -> Path:
    """Resolve the NetPyNE source directory (``--source`` > ``$SONATA_S1_SOURCE`` > default)."""
    try:
        if explicit:
            path = expand_path(explicit, "--source")
        elif os.environ.get(SOURCE_ENV):
            path = expand_path(os.environ[SOURCE_ENV], f"${SOURCE_ENV}")
        else:
            path = DEFAULT_SOURCE
    except PathValueError as exc:
        raise SourceNotFoundError(f"NetPyNE source data not found: {exc}") from None
    path = path.resolve()
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
