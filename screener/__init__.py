"""CV screening for AI/ML hiring: documents → sections → profile → matching → rubric scores.

The pipeline stages live in sub-packages; each one depends only on the stages before it.
"""

__version__ = "0.1.0"
