"""Errors codegen raises: only for IR it cannot express, which is a compiler bug upstream."""


class CodegenError(Exception):
    """The IR holds something the checks should have rejected (an internal error)."""
