"""Build ``rubrics/taxonomy.yaml``, the broad tech list custom roles are matched against.

Custom roles (``rubrics.role_from_job_description``) find a job description's skills among the
seed roles' skills first; this file adds the general technologies a JD also asks for (Java, C#,
React, REST APIs ...), so that a derived role lists them instead of dropping them.

Sources (``--data-dir``, default ``../shared/data``):
- O*NET 29.2 ``Technology Skills.txt``: the *hot technologies* of computer and mathematical
  occupations (SOC 15-), restricted to developer- and data-relevant commodity classes. Vendor
  prefixes are stripped for the short alias ("Oracle Java" -> "Java"; "Apache Tomcat" -> "Tomcat").
- ESCO's ICT skills collection holds broad digital competences ("solve technical problems"), not
  tool names, so nothing is taken from it; the hand list below adds the few practices JDs name
  that neither taxonomy spells as tools (REST APIs, microservices, Agile, OOP).
Anything a seed role (``rubrics/roles/*.yaml``) already covers is left out: seed skills win.

Run: ``python scripts/build_rubric_taxonomy.py [--data-dir ../shared/data]``. The output is
committed; the runtime never reads the shared data.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import defaultdict
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from rubrics import load_roles  # noqa: E402

OUTPUT = REPO_ROOT / "rubrics" / "taxonomy.yaml"

COMMODITIES = {
    "Object or component oriented development software",
    "Development environment software",
    "Web platform development software",
    "Data base user interface and query software",
    "Data base management system software",
    "Object oriented data base management software",
    "Operating system software",
    "Analytical or scientific software",
    "Business intelligence and data analysis software",
    "Application server software",
    "Configuration management software",
    "Enterprise application integration software",
    "File versioning software",
    "Program testing software",
    "Cloud-based management software",
    "Storage networking software",
    "Data mining software",
    "Metadata management software",
}
VENDORS = (
    "Microsoft ",
    "Oracle ",
    "Apache ",
    "Amazon Web Services AWS ",
    "Amazon ",
    "Google ",
    "IBM ",
    "The MathWorks ",
    "Atlassian ",
    "Red Hat ",
    "Apple ",
    "Eclipse ",
)
# names O*NET spells with a long form and a trailing acronym, or that need a hand touch
OVERRIDES: dict[str, tuple[str, list[str]] | None] = {
    "Oracle Java": ("Java", ["Core Java"]),
    "Microsoft Visual Basic": ("Visual Basic", ["VB.NET"]),
    # ".Net" is how half the .NET mentions in CVs and JDs are spelled ("Software Developer - .Net",
    # "C#, .Net, SQL"); exact case, like ".NET", so that "example.net" stays a host name
    "Microsoft .NET Framework": (".NET", [".Net", "dotnet", ".NET Framework", ".NET Core"]),
    "Eclipse IDE": ("Eclipse IDE", ["Eclipse"]),
    "Go": ("Go", ["Golang"]),
    "C": ("C", []),
    "Microsoft Office software": None,
    "Microsoft Windows": ("Windows", ["Microsoft Windows"]),
    "Extensible markup language XML": ("XML", ["Extensible Markup Language"]),
    "Apache Subversion SVN": ("SVN", ["Subversion", "Apache Subversion"]),
    "Oracle Database": ("Oracle Database", ["Oracle", "Oracle DB"]),
    "Red Hat Enterprise Linux": ("Red Hat Enterprise Linux", ["RHEL"]),
    "Microsoft Access": ("Microsoft Access", ["MS Access"]),
    "Microsoft Windows Server": ("Windows Server", []),
    "Amazon Web Services AWS software": None,  # seed: cloud-ml-platforms
    "Microsoft Azure software": None,  # seed: cloud-ml-platforms
    "Spring Framework": ("Spring", ["Spring Framework"]),
    "Google Angular": ("Angular", ["AngularJS"]),
    "Vue.js": ("Vue.js", ["Vue", "VueJS"]),
    "React": ("React", ["React.js", "ReactJS"]),
    "Node.js": ("Node.js", ["NodeJS", "Node"]),
    "UNIX Shell": None,  # seed: linux
    "Shell script": None,  # seed: linux
    "NoSQL": ("NoSQL", []),
    "Elasticsearch": None,  # seed: semantic-search
    "Splunk Enterprise": ("Splunk", ["Splunk Enterprise"]),
    "IBM SPSS Statistics": None,  # seed: statistical-software
    "SAS": None,  # seed: statistical-software
    "Eclipse Jersey": None,  # "New Jersey"
    "Microsoft Team Foundation Server": ("Team Foundation Server", ["TFS"]),
}
# services of a platform: a job description that names the platform too asks for the platform,
# and a CV that names the service shows it ("AWS development using EC2, S3, Lambda"); the value
# is an alias of the platform's skill
PART_OF: dict[str, str] = {"EC2": "AWS", "S3": "AWS", "DynamoDB": "AWS"}
HAND: list[tuple[str, list[str], str]] = [
    (
        "REST APIs",
        ["REST API", "RESTful APIs", "RESTful API", "RESTful services", "REST services"],
        "Designs and builds REST/HTTP APIs and web services.",
    ),
    (
        "Microservices",
        [
            "microservice",
            "micro-services",
            "micro-service architecture",
            "microservices architecture",
        ],
        "Designs systems as independently deployable microservices.",
    ),
    ("gRPC", [], "Builds services that talk over gRPC and protocol buffers."),
    (
        "Agile",
        ["Scrum", "Kanban", "agile methodologies"],
        "Works in agile teams with Scrum or Kanban ceremonies.",
    ),
    (
        "Object-oriented programming",
        ["OOP", "object oriented programming", "object-oriented design"],
        "Designs software with object-oriented principles (SOLID, design patterns).",
    ),
    (
        "RabbitMQ",
        ["message queues", "message broker"],
        "Connects services through message brokers such as RabbitMQ.",
    ),
    ("Flask", [], "Builds Python web services with Flask."),
    ("Rust", [], "Writes systems code in Rust."),
]
# acronyms that CVs also write capitalised ("Ajax", "Html", "Jsp": 26, 12 and 7 times over the
# 1,518 shared CVs) and whose capitalised form names nothing else; matched in that exact case too
CAPITALISED_TOO = {"AJAX", "HTML", "CSS", "JSP", "PHP", "JSON", "XML"}
EXACT_CASE_WORDS = {
    "Go",
    "Swift",
    "Ruby",
    "Spring",
    "Chef",
    "Puppet",
    "Access",
    "Eclipse",
    "Hive",
    "Spark",
    "React",
    "Rust",
    "Bootstrap",
    "Node",
    "Vue",
    "Angular",
    "Flask",
    "Agile",
    "Scrum",
    "Kanban",
    "Windows",
    "Bamboo",
    "Oracle",
    ".Net",  # ".net" ends a host name
    *(acronym.capitalize() for acronym in CAPITALISED_TOO),
}
# what a vendor prefix leaves behind that is no name on its own ("Oracle Database")
GENERIC = {"Cloud", "Database", "Analytics", "Access", "Enterprise Linux", "Docs", "Sheets"}
SLUG_CHARS = re.compile(r"[^a-z0-9]+")


def slug(name: str) -> str:
    special = {
        "C++": "cpp",
        "C#": "csharp",
        ".NET": "dotnet",
        "C": "c-language",
        "Go": "go-language",
    }
    if name in special:
        return special[name]
    return SLUG_CHARS.sub("-", name.lower().replace("+", "p").replace("#", "sharp")).strip("-")


def mode(alias: str) -> str:
    if len(alias) <= 2 and alias not in {"C#"}:
        return "in_list"
    if alias in EXACT_CASE_WORDS or (alias.isupper() and len(alias) <= 4):
        return "exact_case"
    return "any_case"


def clean(example: str) -> tuple[str, list[str]]:
    if example in OVERRIDES:
        override = OVERRIDES[example]
        assert override is not None
        return override[0], list(override[1])
    full = re.sub(r" software$", "", example)
    aliases: list[str] = []
    match = re.match(r"^(.*\S) ([A-Z][A-Z0-9]{1,5})$", full)
    if match:  # "Extensible markup language XML", but not "Microsoft Power BI"
        long_form, acronym = match.groups()
        short_form = long_form
        for vendor in VENDORS:
            if long_form.startswith(vendor):
                short_form = long_form[len(vendor) :]
        if len(short_form.split()) >= 2 and short_form[0].upper() == acronym[0]:
            return acronym, list(dict.fromkeys([long_form, short_form]))
    name = full
    for vendor in VENDORS:
        stripped = full[len(vendor) :]
        if full.startswith(vendor) and len(stripped) >= 3 and stripped not in GENERIC:
            name = full[len(vendor) :]
            aliases.append(full)
            break
    return name, aliases


def alias_entry(text: str) -> str | dict[str, str]:
    m = mode(text)
    return text if m == "any_case" else {"text": text, "match": m}


def build(data_dir: Path) -> list[dict[str, object]]:
    roles = load_roles(REPO_ROOT / "rubrics" / "roles")
    seed_terms = {t.text.casefold() for r in roles for s in r.skills for t in s.match_terms}
    seed_matchers = [r.matcher for r in roles]

    def covered_by_seed(term: str) -> bool:
        """A seed alias spans at least half of the term ("Jenkins CI", "Apache Kafka")."""
        if term.casefold() in seed_terms:
            return True
        return any(
            2 * (m.end - m.start) >= len(term)
            for matcher in seed_matchers
            for m in matcher.find(term)
        )

    categories: dict[str, set[str]] = defaultdict(set)
    with (data_dir / "onet-29.2" / "Technology Skills.txt").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if (
                row["Hot Technology"] == "Y"
                and row["O*NET-SOC Code"].startswith("15-")
                and row["Commodity Title"] in COMMODITIES
            ):
                categories[row["Example"]].add(row["Commodity Title"])

    entries: dict[str, dict[str, object]] = {}

    def add(name: str, aliases: list[str], description: str, source: str) -> None:
        if name in CAPITALISED_TOO:
            aliases = [*aliases, name.capitalize()]
        terms = [name, *aliases]
        if any(covered_by_seed(t) for t in terms):
            return
        key = slug(name)
        if key in entries:
            return
        # a case variant of an exact-case name is an alias of its own (".Net" of ".NET")
        unique = list(
            dict.fromkeys(
                a
                for a in aliases
                if a != name and (a.casefold() != name.casefold() or mode(name) != "any_case")
            )
        )
        # the name is matched too; give it an explicit rule when it is not plain any-case
        if mode(name) != "any_case":
            unique.insert(0, name)
        entries[key] = {
            "id": key,
            "name": name,
            "aliases": [alias_entry(a) for a in unique],
            "description": description,
            "source": source,
        }
        if name in PART_OF:
            entries[key]["part_of"] = PART_OF[name]

    for example in sorted(categories):
        if OVERRIDES.get(example, ()) is None:
            continue
        name, aliases = clean(example)
        kinds = " / ".join(sorted(c.lower() for c in categories[example]))
        add(name, aliases, f"Works with {name} ({kinds}).", "onet-29.2 hot technology")
    for name, aliases, description in HAND:
        add(name, aliases, description, "hand")
    return sorted(entries.values(), key=lambda e: str(e["id"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=REPO_ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    entries = build(args.data_dir)
    header = (
        "# Generated by scripts/build_rubric_taxonomy.py from O*NET 29.2 hot technologies\n"
        "# (CC BY 4.0) and a short hand list; do not edit by hand. General technologies a job\n"
        "# description may ask for beyond the seed roles' skills. Alias rules as in\n"
        "# rubrics/roles/*.yaml.\n"
    )
    body = yaml.safe_dump({"skills": entries}, sort_keys=False, allow_unicode=True, width=100)
    OUTPUT.write_text(header + body, encoding="utf-8")
    print(f"wrote {len(entries)} entries to {OUTPUT.relative_to(REPO_ROOT)}")  # noqa: T201


if __name__ == "__main__":
    main()
