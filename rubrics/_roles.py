"""Role definitions: pydantic models, loading from YAML data files, versions and salary bands.

A role file (``rubrics/roles/<id>.yaml``) holds the role's id, name, focus, job titles, the weights
of the three screening dimensions, the Germany salary band from the hiring guide and the role's
skills with aliases. Market bands are derived from the Germany band with the multipliers in
``rubrics/markets.yaml``; amounts are EUR in every market.

Versions are short sha256 hex digests of the canonical JSON of the validated content, so comments,
key order and YAML layout do not change a version, and any change of meaning does.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from enum import StrEnum
from functools import cache, cached_property
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from rubrics._aliases import Alias, AliasMatcher, MatchMode
from rubrics.errors import RoleFileError, RoleSetError, UnknownMarket, UnknownRole

__all__ = [
    "DimensionWeights",
    "Market",
    "MarketBand",
    "MarketRule",
    "MarketTable",
    "Role",
    "RoleSet",
    "SalaryBand",
    "Skill",
    "content_hash",
    "load_markets",
    "load_role_file",
    "load_roles",
    "role_to_yaml",
    "save_role",
]

VERSION_HEX_DIGITS = 12
_SLUG = r"^[a-z0-9][a-z0-9-]{0,63}$"
_WEIGHT_SUM_TOLERANCE = 1e-6


def content_hash(data: Any) -> str:
    """Short sha256 hex of ``data`` as canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:VERSION_HEX_DIGITS]


class Market(StrEnum):
    """Markets the recruiter places candidates in."""

    DE = "de"
    TR = "tr"
    AE = "ae"
    US = "us"

    @classmethod
    def parse(cls, value: str | Market) -> Market:
        """Market from a code (``tr``) or a name (``Turkey``), any case.

        Raises:
            UnknownMarket: listing the valid codes.
        """
        if isinstance(value, Market):
            return value
        key = value.strip().lower()
        for market in cls:
            if key == market.value:
                return market
        names = {
            "germany": cls.DE,
            "deutschland": cls.DE,
            "turkey": cls.TR,
            "türkiye": cls.TR,
            "turkiye": cls.TR,
            "uae": cls.AE,
            "united arab emirates": cls.AE,
            "us": cls.US,
            "usa": cls.US,
            "united states": cls.US,
        }
        if key in names:
            return names[key]
        raise UnknownMarket(value, [m.value for m in cls])


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SalaryBand(_Frozen):
    """Germany base salary band of a role, annual gross EUR, from the hiring guide."""

    currency: Literal["EUR"] = "EUR"
    min: int = Field(gt=0)
    max: int = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> SalaryBand:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is above max ({self.max})")
        return self


class MarketBand(_Frozen):
    """A role's salary band in one market, in EUR, with how it was derived."""

    market: Market
    market_name: str
    currency: Literal["EUR"] = "EUR"
    min: int
    max: int
    basis: str


class MarketRule(_Frozen):
    """Multipliers that turn the Germany band into one market's band."""

    name: str = Field(min_length=1)
    min_multiplier: float = Field(gt=0)
    max_multiplier: float = Field(gt=0)
    note: str = ""


class MarketTable(_Frozen):
    """The market multipliers of ``rubrics/markets.yaml``."""

    currency: Literal["EUR"] = "EUR"
    base: Literal[Market.DE] = Market.DE
    markets: dict[Market, MarketRule]

    @field_validator("markets")
    @classmethod
    def _complete(cls, value: dict[Market, MarketRule]) -> dict[Market, MarketRule]:
        missing = [m.value for m in Market if m not in value]
        if missing:
            raise ValueError(f"missing markets: {', '.join(missing)}")
        base = value[Market.DE]
        if base.min_multiplier != 1.0 or base.max_multiplier != 1.0:
            raise ValueError("the base market de must have multipliers 1.0")
        return value

    @cached_property
    def version(self) -> str:
        """Content hash of the multipliers."""
        return content_hash(self.model_dump(mode="json"))

    def band(self, salary: SalaryBand, market: Market | str) -> MarketBand:
        """The band of ``salary`` (Germany) in ``market``, rounded to whole euros."""
        market = Market.parse(market)
        rule = self.markets[market]
        return MarketBand(
            market=market,
            market_name=rule.name,
            min=round(salary.min * rule.min_multiplier),
            max=round(salary.max * rule.max_multiplier),
            basis=_band_basis(salary, rule, base=market is self.base),
        )


def _band_basis(salary: SalaryBand, rule: MarketRule, *, base: bool) -> str:
    """How a market band follows from the Germany band, in words a recruiter can forward."""
    germany = f"EUR {salary.min:,}-{salary.max:,}"
    if base:
        derived = "the hiring guide's Germany band"
    elif rule.min_multiplier == rule.max_multiplier == 1.0:
        derived = f"the Germany band {germany} unchanged"
    elif rule.min_multiplier == rule.max_multiplier:
        derived = f"the Germany band {germany} x {rule.min_multiplier:g}"
    else:
        derived = (
            f"the Germany band {germany}, its low end x {rule.min_multiplier:g} "
            f"and its high end x {rule.max_multiplier:g}"
        )
    # the band's sentences close the basis in parentheses: "(…; amounts in EUR, not TRY)."
    return f"{derived}; {rule.note.rstrip('.')}" if rule.note else derived


class DimensionWeights(_Frozen):
    """Weights of the guide's three screening dimensions for a role; they sum to 1."""

    mathematical_foundation: float = Field(ge=0, le=1)
    engineering_maturity: float = Field(ge=0, le=1)
    domain_application: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _sum_to_one(self) -> DimensionWeights:
        total = self.mathematical_foundation + self.engineering_maturity + self.domain_application
        if not math.isclose(total, 1.0, abs_tol=_WEIGHT_SUM_TOLERANCE):
            raise ValueError(f"weights must sum to 1, got {total:g}")
        return self

    def as_dict(self) -> dict[str, float]:
        return self.model_dump()


def _alias_from_data(value: Any) -> Any:
    return {"text": value} if isinstance(value, str) else value


class Skill(_Frozen):
    """One skill of a role.

    ``weight`` (0 < w <= 1) is the skill's share of the role's skill coverage: 1.0 for the key
    skills the guide names, 0.3-0.8 for related skills. ``required`` marks the guide's key skills
    (or a job description's must-haves); the others count as a plus. The description is one line:
    it is embedded with the name and aliases to catch paraphrases. Skills sharing an ``any_of``
    label are alternatives ("Python, Go or PHP"): together they are one requirement, met by any
    one of them.
    """

    id: Annotated[str, Field(pattern=_SLUG)]
    name: str = Field(min_length=1, max_length=80)
    aliases: list[Alias] = Field(default_factory=list)
    description: str = Field(min_length=10, max_length=300)
    weight: float = Field(gt=0, le=1)
    required: bool
    paraphrase: bool = Field(
        default=False,
        description=(
            "Whether a CV that describes the skill without naming it counts as having it. True "
            "for concepts (RAG, A/B testing, drift monitoring); false for named tools and "
            "languages (PyTorch, SQL, Kubernetes), where only the name is evidence and a close "
            "description is shown as related."
        ),
    )
    general: bool = Field(
        default=False,
        description=(
            "Whether this is a general programming or infrastructure skill that most software "
            "jobs ask for (Python, SQL, Docker, cloud platforms): it counts toward a job "
            "description's overlap with the role, but a job description naming only such "
            "skills is not taken for an AI/ML role (rubrics._from_jd)."
        ),
    )
    any_of: Annotated[str, Field(pattern=_SLUG)] | None = Field(
        default=None,
        description=(
            "Label of a group of alternative skills: a CV that shows any one of the group meets "
            "the group's requirement (coverage counts the group once, at its largest weight)."
        ),
    )

    @field_validator("aliases", mode="before")
    @classmethod
    def _plain_strings(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [_alias_from_data(item) for item in value]
        return value

    @field_validator("description")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if "\n" in value.strip():
            raise ValueError("description must be one line")
        return value.strip()

    @property
    def match_terms(self) -> list[Alias]:
        """The name and every alias with its match rule (an alias's rule wins for its text)."""
        terms = list(self.aliases)
        if not any(a.text.casefold() == self.name.casefold() for a in terms):
            terms.insert(0, Alias(text=self.name, match=MatchMode.ANY_CASE))
        return terms

    @property
    def alias_texts(self) -> list[str]:
        return [a.text for a in self.aliases]


class Role(_Frozen):
    """A role to screen for: its skills, dimension weights and Germany salary band."""

    id: Annotated[str, Field(pattern=_SLUG)]
    name: str = Field(min_length=1, max_length=120)
    focus: str = Field(min_length=1, max_length=300)
    titles: list[str] = Field(default_factory=list)
    dimension_weights: DimensionWeights
    salary_germany: SalaryBand
    skills: list[Skill] = Field(min_length=1)
    based_on: str | None = Field(
        default=None, description="Seed role the weights and salary band came from (custom roles)."
    )

    @field_validator("skills")
    @classmethod
    def _unique_skills(cls, skills: list[Skill]) -> list[Skill]:
        first_index: dict[str, int] = {}
        owner: dict[str, str] = {}
        for index, skill in enumerate(skills):
            if skill.id in first_index:
                raise ValueError(
                    f"skills[{index}].id {skill.id!r} repeats skills[{first_index[skill.id]}].id"
                )
            first_index[skill.id] = index
            for term in skill.match_terms:
                key = term.text.casefold()
                if key in owner and owner[key] != skill.id:
                    raise ValueError(
                        f"alias {term.text!r} belongs to both {owner[key]!r} and {skill.id!r}"
                    )
                owner[key] = skill.id
        return skills

    @cached_property
    def version(self) -> str:
        """Short sha256 of the role's canonical content; stable across runs and machines."""
        return content_hash(self.model_dump(mode="json"))

    @cached_property
    def matcher(self) -> AliasMatcher:
        """Alias matcher over this role's skills (mention keys are skill ids)."""
        return AliasMatcher((s.id, t) for s in self.skills for t in s.match_terms)

    @property
    def required_skills(self) -> list[Skill]:
        return [s for s in self.skills if s.required]

    @property
    def plus_skills(self) -> list[Skill]:
        return [s for s in self.skills if not s.required]

    def skill(self, skill_id: str) -> Skill:
        """The skill with this id.

        Raises:
            KeyError: naming the valid skill ids.
        """
        for skill in self.skills:
            if skill.id == skill_id:
                return skill
        raise KeyError(
            f"role {self.id!r} has no skill {skill_id!r}; skills: "
            + ", ".join(s.id for s in self.skills)
        )

    def salary_band(
        self, market: Market | str, *, markets: MarketTable | None = None
    ) -> MarketBand:
        """The role's salary band in ``market`` (EUR), derived from the Germany band.

        Args:
            market: a ``Market`` or its code/name (``"tr"``, ``"Turkey"``).
            markets: multipliers to use; default the packaged ``rubrics/markets.yaml``.
        """
        return (markets or load_markets()).band(self.salary_germany, market)

    def salary_bands(self, *, markets: MarketTable | None = None) -> dict[Market, MarketBand]:
        """The band in every market, in ``Market`` order."""
        return {m: self.salary_band(m, markets=markets) for m in Market}


class RoleSet:
    """The roles the service screens for, loaded and validated together.

    Iterates in id order. ``version`` covers every role and the market multipliers.
    """

    def __init__(self, roles: Iterable[Role], *, markets: MarketTable) -> None:
        by_id: dict[str, Role] = {}
        for role in roles:
            if role.id in by_id:
                raise RoleSetError(f"duplicate role id {role.id!r}")
            by_id[role.id] = role
        if not by_id:
            raise RoleSetError("no roles")
        self._roles: dict[str, Role] = dict(sorted(by_id.items()))
        self.markets = markets

    def __iter__(self) -> Iterator[Role]:
        return iter(self._roles.values())

    def __len__(self) -> int:
        return len(self._roles)

    def __contains__(self, role_id: object) -> bool:
        return role_id in self._roles

    def __repr__(self) -> str:
        return f"RoleSet({', '.join(self._roles)}; version={self.version})"

    @property
    def ids(self) -> list[str]:
        return list(self._roles)

    def get(self, role_id: str) -> Role:
        """The role with this id.

        Raises:
            UnknownRole: listing the valid ids.
        """
        try:
            return self._roles[role_id]
        except KeyError:
            raise UnknownRole(role_id, self.ids) from None

    @cached_property
    def version(self) -> str:
        """Short sha256 over every role's version and the market multipliers."""
        return content_hash(
            {"roles": {r.id: r.version for r in self}, "markets": self.markets.version}
        )

    def salary_band(self, role_id: str, market: Market | str) -> MarketBand:
        return self.get(role_id).salary_band(market, markets=self.markets)


# --- loading -------------------------------------------------------------------------------------


def _field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _problems(exc: ValidationError) -> list[tuple[str, str]]:
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(p for p in error["loc"] if p not in ("function-after", "function-before"))
        message = re.sub(r"^(Value|Assertion) error, ", "", error["msg"])
        path = _field_path(loc)
        # "skills[5].id 'x' repeats ..." already names its own path
        nested = re.match(r"^(skills\[\d+\]\.\w+) (.*)$", message)
        if nested and path == "skills":
            path, message = nested.group(1), nested.group(2)
        problems.append((path, message))
    return problems


def _read_yaml(source: Traversable | Path) -> Any:
    name = source.name
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RoleFileError(name, [("", f"cannot read: {exc}")]) from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise RoleFileError(name, [("", f"not valid YAML: {where}{problem}")]) from exc


def _validate_file(model: type[Any], source: Traversable | Path) -> Any:
    data = _read_yaml(source)
    if not isinstance(data, Mapping):
        raise RoleFileError(source.name, [("", "expected a mapping of fields at the top level")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RoleFileError(source.name, _problems(exc)) from exc


def load_role_file(path: Traversable | Path | str) -> Role:
    """Load and validate one role file; its ``id`` must equal the file's stem.

    Raises:
        RoleFileError: naming the file and the failing field path.
    """
    source = Path(path) if isinstance(path, str) else path
    role: Role = _validate_file(Role, source)
    stem = source.name.rsplit(".", 1)[0]
    if role.id != stem:
        raise RoleFileError(source.name, [("id", f"{role.id!r} does not match the file name")])
    return role


def _packaged(name: str) -> Traversable:
    return resources.files("rubrics").joinpath(name)


@cache
def _load_packaged_markets() -> MarketTable:
    table: MarketTable = _validate_file(MarketTable, _packaged("markets.yaml"))
    return table


def load_markets(path: Traversable | Path | str | None = None) -> MarketTable:
    """The market multipliers; default the packaged ``rubrics/markets.yaml`` (read once)."""
    if path is None:
        return _load_packaged_markets()
    source = Path(path) if isinstance(path, str) else path
    table: MarketTable = _validate_file(MarketTable, source)
    return table


def load_roles(
    directory: Traversable | Path | str | None = None, *, markets: MarketTable | None = None
) -> RoleSet:
    """Load every ``*.yaml`` role file of a directory into a validated ``RoleSet``.

    Args:
        directory: folder of role files; default the packaged ``rubrics/roles/``.
        markets: market multipliers; default the packaged ``rubrics/markets.yaml``.

    Raises:
        RoleFileError: a file is not YAML or fails validation (names file and field).
        RoleSetError: two files share a role id, or the folder holds no role file.
    """
    if directory is None:
        folder: Traversable | Path = _packaged("roles")
    else:
        folder = Path(directory) if isinstance(directory, str) else directory
    if not folder.is_dir():
        raise RoleSetError(f"role directory not found: {folder}")
    files = sorted(
        (f for f in folder.iterdir() if f.is_file() and f.name.endswith((".yaml", ".yml"))),
        key=lambda f: f.name,
    )
    if not files:
        raise RoleSetError(f"no role files (*.yaml) in {folder}")
    roles: list[Role] = []
    seen: dict[str, str] = {}
    for source in files:
        role = load_role_file(source)
        if role.id in seen:
            raise RoleSetError(
                f"duplicate role id {role.id!r} in {seen[role.id]} and {source.name}"
            )
        seen[role.id] = source.name
        roles.append(role)
    return RoleSet(roles, markets=markets or load_markets())


# --- saving --------------------------------------------------------------------------------------


class _YamlDumper(yaml.SafeDumper):
    pass


def role_to_data(role: Role) -> dict[str, Any]:
    """The role as plain data in file layout (``any_case`` aliases as plain strings)."""
    data = role.model_dump(mode="json", exclude_none=True)
    for skill in data["skills"]:
        skill["aliases"] = [
            a["text"] if a["match"] == MatchMode.ANY_CASE.value and not a.get("near") else a
            for a in skill["aliases"]
        ]
    return data


def role_to_yaml(role: Role) -> str:
    """The role as YAML text that ``load_role_file`` reads back to an equal role."""
    header = (
        f"# Role {role.id} (version {role.version}). Review before use: skills, required\n"
        "# flags and weights may have been derived automatically. Weight: 0 < w <= 1, the\n"
        "# skill's share of skill coverage.\n"
    )
    if role.based_on:
        header += (
            f"# Dimension weights and the Germany salary band come from the closest seed role, "
            f"{role.based_on}.\n"
        )
    body = yaml.dump(
        role_to_data(role), Dumper=_YamlDumper, sort_keys=False, allow_unicode=True, width=100
    )
    return header + body


def save_role(role: Role, directory: Path | str, *, overwrite: bool = False) -> Path:
    """Write ``role`` to ``<directory>/<role.id>.yaml`` and return the path.

    Raises:
        FileExistsError: the file exists and ``overwrite`` is false.
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{role.id}.yaml"
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
    path.write_text(role_to_yaml(role), encoding="utf-8")
    return path
