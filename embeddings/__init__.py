"""Local sentence embeddings: the pinned model (``models.lock``), chunk encoding, vector search.

Knows nothing about roles or CVs.
"""
