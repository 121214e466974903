"""The language server front end (``pipec lsp``): diagnostics, hover, go to definition, outline.

``server`` is the only module that knows pygls and lsprotocol (the optional
``pipec[lsp]`` dependency); ``session``, ``index``, ``describe`` and
``positions`` are plain Python over ``pipec.driver``.
"""
