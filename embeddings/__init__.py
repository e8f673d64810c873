"""Local sentence embeddings: the pinned model (see ``models.lock``), chunk encoding and vector search.

Knows nothing about roles or CVs.
"""
