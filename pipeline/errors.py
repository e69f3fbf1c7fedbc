"""Errors a user can act on.  Each message names the file and the problem.

Anything else that escapes a stage or writer is a bug; the runner still turns
it into a failed (or partial) result instead of a traceback.
"""

from __future__ import annotations


class PipelineError(Exception):
    """Base class: an expected problem with a message meant for the user."""


class InputError(PipelineError):
    """The input file cannot be read as a text document."""


class ConfigError(PipelineError):
    """Options, ``pipeline.toml`` or a flag are wrong."""


class FontError(PipelineError):
    """A font role resolves to no usable TrueType font."""


class OutputError(PipelineError):
    """The output folder cannot take files: full disk, read-only, not permitted."""
