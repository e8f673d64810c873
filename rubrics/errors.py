"""Errors of the rubrics package: role files, role sets, markets and job descriptions.

Callers (CLI, API) map these to their own output; third-party errors (YAML, pydantic) are
translated where they happen (``raise RoleFileError(...) from exc``).

    RubricError
    ├── RoleFileError          a data file (role, markets, taxonomy) cannot be read or is invalid;
    │   │                      names the file and the field path (``skills[3].weight``)
    │   └── RuleFileError      the same for a rubric rule file (``rules/*.yaml``)
    ├── RoleSetError           the files are valid one by one but not together
    │                          (duplicate role ids, empty directory)
    ├── RuleSetError           rule files valid one by one but not together (a dimension
    │                          missing or twice, a rule code twice, no rule files)
    ├── UnknownRole            no role with that id; lists the valid ids
    ├── UnknownMarket          no market with that code or name; lists the valid ones
    └── JobDescriptionError    a job description yields no usable role (empty, no known skills)
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "JobDescriptionError",
    "RoleFileError",
    "RoleSetError",
    "RubricError",
    "RuleFileError",
    "RuleSetError",
    "UnknownMarket",
    "UnknownRole",
]


class RubricError(Exception):
    """Base of every error the rubrics package raises on purpose."""

    @property
    def kind(self) -> str:
        """Stable machine-readable name of the error class, e.g. ``UnknownRole``."""
        return type(self).__name__


class RoleFileError(RubricError):
    """A data file is unreadable, not YAML, or fails validation.

    Attributes:
        filename: the file's name (not its full path), e.g. ``ml-engineer.yaml``.
        field: the first failing field as a path, e.g. ``skills[3].weight``; empty when the
            whole file is at fault (bad YAML, not a mapping).
        problems: every ``(field, message)`` pair found, in the validator's order.
    """

    def __init__(self, filename: str, problems: Sequence[tuple[str, str]]) -> None:
        self.filename = filename
        self.problems = list(problems)
        self.field = self.problems[0][0] if self.problems else ""
        lines = [f"{filename}: {f}: {m}" if f else f"{filename}: {m}" for f, m in self.problems]
        super().__init__("\n".join(lines) or f"{filename}: invalid")


class RoleSetError(RubricError):
    """Role files that are valid one by one do not form a set."""


class UnknownRole(RubricError, LookupError):
    """No role with the requested id.

    Attributes:
        role_id: the id asked for.
        valid_ids: the ids that exist, sorted.
    """

    def __init__(self, role_id: str, valid_ids: Sequence[str]) -> None:
        self.role_id = role_id
        self.valid_ids = sorted(valid_ids)
        super().__init__(f"unknown role {role_id!r}; valid ids: {', '.join(self.valid_ids)}")


class UnknownMarket(RubricError, ValueError):
    """No market with the requested code or name; lists the valid codes."""

    def __init__(self, value: str, valid: Sequence[str]) -> None:
        self.value = value
        self.valid = list(valid)
        super().__init__(f"unknown market {value!r}; valid markets: {', '.join(self.valid)}")


class JobDescriptionError(RubricError):
    """A job description cannot be turned into a role (empty text, no known skill found)."""


class RuleFileError(RoleFileError):
    """A rubric rule file (``rubrics/rules/*.yaml``) is unreadable, not YAML, or invalid.

    Same attributes as ``RoleFileError``: the file's name, the first failing field path
    (``rules[2].phrases[0]``) and every problem found.
    """


class RuleSetError(RubricError):
    """Rule files that are valid one by one do not form a rubric (a dimension missing or
    defined twice, a rule code used twice, no rule files)."""
