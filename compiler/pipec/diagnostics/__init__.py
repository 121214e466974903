"""Diagnostics: what pipec tells users, the table of codes, and renderers."""

from pipec.diagnostics.core import Diagnostic, Label, Severity, Sink
from pipec.diagnostics.codes import CODES, Code

__all__ = ["CODES", "Code", "Diagnostic", "Label", "Severity", "Sink"]
