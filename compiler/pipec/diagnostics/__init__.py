"""Diagnostics: what pipec tells users, the table of codes, and renderers."""

from pipec.diagnostics.core import Diagnostic, Hint, Label, Severity, Sink, Suggestion
from pipec.diagnostics.codes import CODES, Code

__all__ = ["CODES", "Code", "Diagnostic", "Hint", "Label", "Severity", "Sink", "Suggestion"]
