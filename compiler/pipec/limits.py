"""Documented limits on what one compilation reads and builds (docs/language.md, "Limits").

They keep every input's cost bounded: no file, string, nesting or loop expansion
makes pipec run out of memory, time or stack. Each one, when exceeded, is a coded
diagnostic at the place that exceeds it.
"""

MAX_FILE_BYTES = 1024 * 1024  # one .pipe file (E707)
MAX_STRING = 16 * 1024  # characters of one string literal, as written (E710)
MAX_NESTING = 32  # brackets (), [], {} open at once in one file (E709)
MAX_TASKS = 50_000  # tasks of all pipelines after `for` expansion (E711)
MAX_INT = 2**63 - 1  # integer literals and duration amounts (E214)
