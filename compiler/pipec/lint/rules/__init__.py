"""One module per rule (or per pair of rules that share their walk); see ``pipec.lint.RULES``."""
