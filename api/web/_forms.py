"""Form validation messages as plain sentences a recruiter can act on."""

from __future__ import annotations

from pydantic import ValidationError

__all__ = ["form_errors", "sentence"]

_FIELD_NAMES = {
    "decision": "Decision",
    "reason": "Reason",
    "override_fit": "Corrected fit",
    "screening_id": "Screening",
    "callback_url": "Callback URL",
    "inbound_secret": "Inbound secret",
    "ats_api_key": "ATS API key",
    "ats_base_url": "ATS base URL",
    "ats_user_id": "ATS user id",
}


def sentence(message: str) -> str:
    """A domain error's message (``the password needs ...``) as a sentence for a page: its
    first line, capitalised, ending with a full stop."""
    lines = message.strip().splitlines()
    line = lines[0].strip() if lines else "Something is wrong"
    line = line[:1].upper() + line[1:]
    return line if line.endswith((".", "?", "!")) else line + "."


def form_errors(exc: ValidationError) -> list[str]:
    """One sentence per problem, naming the field as the form labels it."""
    sentences = []
    for error in exc.errors(include_url=False):
        field = ".".join(str(p) for p in error["loc"])
        label = _FIELD_NAMES.get(field, field.replace("_", " ").capitalize())
        message = error["msg"].removeprefix("Value error, ")
        message = message.replace(
            "decision 'override' needs override_fit", "an override needs a corrected fit"
        )
        sentences.append(
            f"{label}: {message}." if label else f"{message[:1].upper()}{message[1:]}."
        )
    return sentences
