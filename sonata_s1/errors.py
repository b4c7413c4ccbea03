"""The one base class of every error a user of ``sonata-s1`` or ``run_bionet.py`` can be shown.

Why one base: the CLI and the runner catch user-facing errors in exactly one place each and turn
them into exit code 2 and one line that names the file and key at fault; anything that is *not* a
:class:`SonataS1Error` is a bug and keeps its traceback. Each package keeps its own specific
subclasses (``SourceError``, ``OutputDirError``, …) so a caller can still tell them apart.
"""

from __future__ import annotations

#: Exit code of a refusal before any work started (bad input, unsafe output directory, ...).
EXIT_REFUSED = 2


class SonataS1Error(Exception):
    """A problem with the user's input or environment, explained in the message (file and key)."""
