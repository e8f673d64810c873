"""The ``screener`` command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from screener.errors import DocumentError
from screener.settings import Settings, get_settings

T = TypeVar("T")

if TYPE_CHECKING:  # the pipeline imports torch; the CLI loads it only in the commands that need it
    from rubrics import Market, Role
    from screener.pipeline import ScreeningPipeline

__all__ = ["main"]


def _parse_command(args: argparse.Namespace) -> int:
    from screener.parsing import parse_paths, parse_result_json

    settings = get_settings()
    if args.workers is not None:
        settings = settings.model_copy(update={"parse_workers": args.workers})
    failures = 0
    for path, result in parse_paths(
        [Path(p) for p in args.files], settings=settings, reference_date=args.reference_date
    ):
        row = parse_result_json(path, result)
        failures += "error" in row
        if args.json:
            print(json.dumps(row, ensure_ascii=False), flush=True)
        elif "error" in row:
            print(f"{path}: FAILED {row['error']['type']}: {row['error']['message']}", flush=True)
        else:
            kinds = ", ".join(dict.fromkeys(s["kind"] for s in row["sections"]))
            profile = row["profile"]
            print(
                f"{path}: {row['pages']} page(s){' (OCR)' if row['ocr_used'] else ''}, "
                f"{len(row['text'])} chars; sections: {kinds}; "
                f"experience {profile['total_experience_months']} months; "
                f"{len(profile['education'])} education, {len(profile['skill_mentions'])} skills",
                flush=True,
            )
            for warning in row["warnings"]:
                print(f"  warning: {warning}", flush=True)
    # A file that could not be read is reported, not a failed command; 1 only if all failed.
    return 1 if failures and failures == len(args.files) else 0


def _roles_command(args: argparse.Namespace) -> int:
    import rubrics

    roles = rubrics.load_roles()
    if args.json:
        payload = {
            "version": roles.version,
            "roles": [
                role.model_dump(mode="json")
                | {
                    "version": role.version,
                    "salary_bands": {
                        market.value: band.model_dump(mode="json")
                        for market, band in role.salary_bands().items()
                    },
                }
                for role in roles
            ],
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return 0
    for role in roles:
        bands = ", ".join(
            f"{market.value.upper()} {band.min // 1000}-{band.max // 1000}K"
            for market, band in role.salary_bands().items()
        )
        required = ", ".join(skill.name for skill in role.required_skills)
        print(f"{role.id:26} {role.name} (EUR {bands})\n{'':26} key skills: {required}")
    return 0


def _role_from_jd_command(args: argparse.Namespace) -> int:
    import rubrics
    from screener.documents import read_document
    from screener.errors import DocumentError

    try:
        text = read_document(Path(args.file).read_bytes(), Path(args.file).name).text
        roles = rubrics.load_roles()
        analysis = rubrics.analyse_job_description(text, roles=roles)
        role = rubrics.role_from_job_description(
            text, role_id=args.id, name=args.name, roles=roles, analysis=analysis
        )
    except (OSError, DocumentError, rubrics.RubricError) as error:
        print(f"screener: {args.file}: {error}", file=sys.stderr)
        return 2
    print(
        f"# closest seed role: {analysis.closest_role_id} ({analysis.closest_reason})",
        file=sys.stderr,
    )
    for skill in analysis.skills:
        includes = f" (includes {', '.join(skill.includes)})" if skill.includes else ""
        print(
            f"#   {skill.requirement.value:8} {skill.name}{includes}: {skill.reason}",
            file=sys.stderr,
        )
    if args.out:
        try:
            path = rubrics.save_role(role, Path(args.out), overwrite=args.overwrite)
        except FileExistsError as error:
            print(f"screener: {error} (use --overwrite)", file=sys.stderr)
            return 2
        print(f"saved {path} for review", file=sys.stderr)
    else:
        print(rubrics.role_to_yaml(role))
    return 0


def _match_command(args: argparse.Namespace) -> int:
    import rubrics
    from embeddings import EmbeddingsError
    from screener._json import to_jsonable
    from screener.matching import SkillStatus
    from screener.parsing import parse_paths
    from screener.pipeline import ScreeningPipeline

    settings = get_settings()
    try:
        pipeline = ScreeningPipeline.create(settings)
        role = pipeline.roles.get(args.role)
    except (EmbeddingsError, rubrics.RubricError) as error:
        print(f"screener: {error}", file=sys.stderr)
        return 2
    path = Path(args.file)
    [(_, parsed)] = list(parse_paths([path], settings=settings, reference_date=date.today()))
    if isinstance(parsed, DocumentError):
        print(f"screener: {path}: {parsed.kind}: {parsed.message}", file=sys.stderr)
        return 1
    result = pipeline.match(pipeline.prepare(parsed), role)
    if args.json:
        print(json.dumps({"file": str(path), **to_jsonable(result)}, ensure_ascii=False))
        return 0
    print(f"{path}: {role.name}: coverage {result.coverage:.1f}/100")
    order = {SkillStatus.FOUND: 0, SkillStatus.RELATED: 1, SkillStatus.MISSING: 2}
    for skill in sorted(result.skills, key=lambda s: (order[s.status], not s.required)):
        kind = "key " if skill.required else "plus"
        via = f"{skill.via.value} {skill.similarity:.2f}" if skill.via else ""
        line = f"  {skill.status.value:8} {kind} {skill.name:32} {via:15}"
        if skill.evidence is not None:
            quote = " ".join(skill.evidence.text.split())[:90]
            line += f' p.{skill.evidence.page} "{quote}"'
        print(line)
    return 0


def _screening_setup(
    settings: Settings, args: argparse.Namespace
) -> tuple[ScreeningPipeline, Role, Market] | None:
    """Pipeline, role and market for ``screen``/``rank``; None (error printed) if they fail."""
    import rubrics
    from embeddings import EmbeddingsError

    try:
        market = rubrics.Market.parse(args.market)
        pipeline, role = _screening_pipeline(settings, args.role)
    except (EmbeddingsError, rubrics.RubricError) as error:
        print(f"screener: {error}", file=sys.stderr)
        return None
    return pipeline, role, market


def _screening_pipeline(settings: Settings, role_arg: str) -> tuple[ScreeningPipeline, Role]:
    """The pipeline and the role: a role id, or a role YAML file (a custom role)."""
    import rubrics
    from screener.pipeline import ScreeningPipeline

    path = Path(role_arg)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        custom = rubrics.load_role_file(path)
        seeds = rubrics.load_roles()
        roles = rubrics.RoleSet(
            [r for r in seeds if r.id != custom.id] + [custom], markets=seeds.markets
        )
        pipeline = ScreeningPipeline.create(settings, roles=roles)
        return pipeline, custom
    pipeline = ScreeningPipeline.create(settings)
    return pipeline, pipeline.roles.get(role_arg)


def _screen_command(args: argparse.Namespace) -> int:
    from screener.parsing import parse_paths
    from screener.screening import screen, screening_json

    settings = get_settings()
    loaded = _screening_setup(settings, args)
    if loaded is None:
        return 2
    pipeline, role, market = loaded
    path = Path(args.file)
    [(_, parsed)] = list(parse_paths([path], settings=settings, reference_date=args.reference_date))
    if isinstance(parsed, DocumentError):
        print(f"screener: {path}: {parsed.kind}: {parsed.message}", file=sys.stderr)
        return 1
    result = screen(parsed, role, market=market, pipeline=pipeline)
    if args.json:
        print(screening_json(result))
    else:
        print(f"{path.name}\n{result.explanation}")
        print(f"\nrubric {result.rubric_version}, model {result.model_hash[:12]}")
    return 0


def _rank_command(args: argparse.Namespace) -> int:
    import csv

    import rubrics
    from screener._json import to_jsonable
    from screener.screening import RANK_COLUMNS, cv_files, rank, rubric_version

    settings = get_settings()
    if args.workers is not None:
        settings = settings.model_copy(update={"parse_workers": args.workers})
    folder = Path(args.dir)
    if not folder.is_dir():
        print(f"screener: {folder}: not a folder", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in (".csv", ".json"):
        print(f"screener: --out must end in .csv or .json, got {out.name}", file=sys.stderr)
        return 2
    loaded = _screening_setup(settings, args)
    if loaded is None:
        return 2
    pipeline, role, market = loaded
    paths = cv_files(folder)
    if not paths:
        print(f"screener: no CV files (PDF, DOCX, TXT) in {folder}", file=sys.stderr)
        return 1
    show = sys.stderr.isatty() or args.progress

    def progress(done: int, total: int) -> None:
        if show:
            width = 30
            bar = "#" * (width * done // total)
            print(f"\r[{bar:<{width}}] {done}/{total}", end="", file=sys.stderr, flush=True)

    rows = rank(
        paths, role, market=market, pipeline=pipeline, settings=settings,
        reference_date=args.reference_date, progress=progress,
    )  # fmt: skip
    if show:
        print(file=sys.stderr)
    table = [row.columns() for row in rows]
    if out is not None and out.suffix.lower() == ".csv":
        with out.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(RANK_COLUMNS))
            writer.writeheader()
            writer.writerows(table)
    elif out is not None:
        payload = {
            "role": role.id,
            "market": market.value,
            "rubric_version": rubric_version(role, rubrics.load_rules(), pipeline),
            "model_hash": pipeline.model.model_hash,
            "rows": [
                row.columns()
                | {"red_flags": list(row.red_flags), "screening": to_jsonable(row.screening)}
                for row in rows
            ],
        }
        out.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    header = (
        f"{'rank':>4} {'fit':>6} {'math':>6} {'eng':>6} {'domain':>6} {'cov':>6} {'pct':>6}  file"
    )
    print(header)
    for row in rows:
        if row.error is not None:
            print(f"{'-':>4} {'':>41}  {row.file}: FAILED {row.error}")
            continue
        flags = f"  [{', '.join(row.red_flags)}]" if row.red_flags else ""
        print(
            f"{row.rank:>4} {row.fit:>6.2f} {row.mathematical_foundation:>6.2f} "
            f"{row.engineering_maturity:>6.2f} {row.domain_application:>6.2f} "
            f"{row.coverage:>6.2f} {row.percentile:>6.2f}  {row.file}{flags}"
        )
    if out is not None:
        print(f"wrote {out}", file=sys.stderr)
    failed = sum(row.error is not None for row in rows)
    return 1 if failed == len(rows) else 0


def _add_reference_date(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--reference-date",
        type=date.fromisoformat,
        default=date.today(),
        help="date that 'present'/'heute'/'halen' resolve to (YYYY-MM-DD; default today)",
    )


def _add_role_and_market(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--role", required=True, help="role id (see `screener roles`) or a role YAML file"
    )
    command.add_argument(
        "--market", default="de", help="salary band market: de, tr, ae, us (default de)"
    )


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="screener", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    parse = commands.add_parser(
        "parse", help="Parse CV files (PDF, DOCX, TXT) into text, sections and profile."
    )
    parse.add_argument("files", nargs="+", metavar="FILE")
    parse.add_argument("--json", action="store_true", help="one JSON object per line per file")
    parse.add_argument("--workers", type=int, default=None, help="parse processes (0: per core)")
    _add_reference_date(parse)
    parse.set_defaults(handler=_parse_command)

    match = commands.add_parser(
        "match", help="Match one CV against a role: each skill found, related or missing."
    )
    match.add_argument("file", metavar="FILE")
    match.add_argument("--role", required=True, help="role id (see `screener roles`)")
    match.add_argument("--json", action="store_true")
    match.set_defaults(handler=_match_command)

    screen = commands.add_parser(
        "screen", help="Screen one CV for a role: fit, three dimensions, red flags, evidence."
    )
    screen.add_argument("file", metavar="FILE")
    _add_role_and_market(screen)
    screen.add_argument("--json", action="store_true", help="the screening as JSON")
    _add_reference_date(screen)
    screen.set_defaults(handler=_screen_command)

    rank = commands.add_parser(
        "rank", help="Screen every CV file (PDF, DOCX, TXT) of a folder and rank them by fit."
    )
    rank.add_argument("dir", metavar="DIR")
    _add_role_and_market(rank)
    rank.add_argument("--out", default=None, help="write the ranked table to a .csv or .json file")
    rank.add_argument("--workers", type=int, default=None, help="parse processes (0: per core)")
    rank.add_argument(
        "--progress", action="store_true", help="show progress even when not a terminal"
    )
    _add_reference_date(rank)
    rank.set_defaults(handler=_rank_command)

    roles = commands.add_parser("roles", help="List the roles, their key skills and salary bands.")
    roles.add_argument("--json", action="store_true")
    roles.set_defaults(handler=_roles_command)

    role = commands.add_parser("role", help="Work with custom roles.")
    role_commands = role.add_subparsers(dest="role_command", required=True)
    from_jd = role_commands.add_parser(
        "from-jd", help="Draft a role from a job description (text, PDF or DOCX) for review."
    )
    from_jd.add_argument("file", metavar="FILE")
    from_jd.add_argument("--id", required=True, help="id of the new role, e.g. acme-ml-platform")
    from_jd.add_argument("--name", default=None, help="display name (default: the JD title)")
    from_jd.add_argument("--out", default=None, help="save the YAML into this folder")
    from_jd.add_argument("--overwrite", action="store_true")
    from_jd.set_defaults(handler=_role_from_jd_command)
    _add_service_commands(commands)
    return parser


# --- the service: serve, keys, db, audit ----------------------------------------------------------


def _serve_command(args: argparse.Namespace) -> int:
    import uvicorn

    from api import create_app

    settings = get_settings()
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level=args.log_level)
    return 0


def _service_engine() -> tuple[Any, Any]:
    from screener.store import make_engine, make_sessions, upgrade

    engine = make_engine(get_settings().database_url)
    upgrade(engine)
    return engine, make_sessions(engine)


def _keys_create_command(args: argparse.Namespace) -> int:
    from screener.service import create_api_key

    engine, sessions = _service_engine()
    with sessions() as session, session.begin():
        row, key = create_api_key(
            session, name=args.name, scopes=args.scope,
            pepper=get_settings().api_key_pepper.get_secret_value(),
        )  # fmt: skip
        key_id, scopes = row.id, row.scopes
    engine.dispose()
    print(json.dumps({"id": key_id, "name": args.name, "scopes": scopes, "key": key}))
    print("store the key now: only its hash is kept", file=sys.stderr)
    return 0


def _in_transaction(work: Callable[[Any], T], *expected: type[Exception]) -> T | None:
    """Run ``work(session)`` in one transaction on the service database; an ``expected`` error
    is printed as one line and gives None (the command then exits 1)."""
    engine, sessions = _service_engine()
    try:
        with sessions() as session, session.begin():
            return work(session)
    except expected as exc:
        print(f"error: {getattr(exc, 'message', exc)}", file=sys.stderr)
        return None
    finally:
        engine.dispose()


def _keys_revoke_command(args: argparse.Namespace) -> int:
    from screener.service import NotFound, revoke_api_key

    if _in_transaction(lambda s: revoke_api_key(s, key_id=args.key_id), NotFound) is None:
        return 1
    print(f"revoked {args.key_id}", file=sys.stderr)
    return 0


def _read_new_password(args: argparse.Namespace) -> str:
    """From standard input with --password-stdin (scripts), else asked twice on the terminal."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    import getpass

    first = getpass.getpass("new password: ")
    if getpass.getpass("again: ") != first:
        raise SystemExit("error: the two passwords differ")
    return first


def _users_create_command(args: argparse.Namespace) -> int:
    from screener.accounts import AccountError, create_user

    password = _read_new_password(args)

    def create(session: Any) -> dict[str, str]:
        user = create_user(session, username=args.username, password=password, role=args.role)
        return {"id": user.id, "username": user.username, "role": user.role}

    created = _in_transaction(create, AccountError)
    if created is None:
        return 1
    print(json.dumps(created))
    return 0


def _users_password_command(args: argparse.Namespace) -> int:
    from screener.accounts import AccountError, set_password

    password = _read_new_password(args)
    changed = _in_transaction(
        lambda s: set_password(s, username=args.username, password=password), AccountError
    )
    if changed is None:
        return 1
    print(f"password of {args.username} changed; their sessions ended", file=sys.stderr)
    return 0


def _users_disable_command(args: argparse.Namespace) -> int:
    from screener.accounts import AccountError, disable_user

    if _in_transaction(lambda s: disable_user(s, username=args.username), AccountError) is None:
        return 1
    print(f"disabled {args.username}", file=sys.stderr)
    return 0


def _users_list_command(args: argparse.Namespace) -> int:
    from screener.accounts import list_users

    def listed(session: Any) -> list[dict[str, Any]]:
        return [
            {"id": u.id, "username": u.username, "role": u.role,
             "disabled": u.disabled_at is not None}
            for u in list_users(session)
        ]  # fmt: skip

    for user in _in_transaction(listed) or []:
        print(json.dumps(user))
    return 0


def _db_upgrade_command(args: argparse.Namespace) -> int:
    from screener.store import current_revision, make_engine, upgrade

    engine = make_engine(get_settings().database_url)
    upgrade(engine, args.revision)
    print(f"database at revision {current_revision(engine)}", file=sys.stderr)
    engine.dispose()
    return 0


def _audit_purge_command(args: argparse.Namespace) -> int:
    from screener.accounts import audit_retention_days
    from screener.service import purge_audit

    engine, sessions = _service_engine()
    with sessions() as session, session.begin():
        days = args.days if args.days is not None else audit_retention_days(session, get_settings())
        deleted = purge_audit(session, retention_days=days)
    engine.dispose()
    print(f"purged {deleted} audit records older than {days} days", file=sys.stderr)
    return 0


def _audit_verify_command(args: argparse.Namespace) -> int:
    from screener.store import verify_chain

    engine, sessions = _service_engine()
    with sessions() as session:
        report = verify_chain(session)
    engine.dispose()
    print(json.dumps({"ok": report.ok, "records": report.records, "first_seq": report.first_seq,
                      "last_seq": report.last_seq, "broken_seq": report.broken_seq,
                      "problem": report.problem}))  # fmt: skip
    return 0 if report.ok else 1


def _integrations_create_command(args: argparse.Namespace) -> int:
    from screener.webhook_jobs import create_integration, secret_box

    settings = get_settings()
    engine, sessions = _service_engine()
    try:
        with sessions() as session, session.begin():
            created = create_integration(
                session, box=secret_box(settings), provider=args.provider,
                name=args.name or f"{args.provider} integration", callback_url=args.callback_url,
                inbound_secret=args.inbound_secret, ats_api_key=args.ats_api_key,
                ats_base_url=args.ats_base_url, ats_user_id=args.ats_user_id,
                write_back_notes=args.write_back_notes,
            )  # fmt: skip
            row = created.integration
            shown = {"id": row.id, "provider": row.provider, "name": row.name,
                     "webhook_url": f"/v1/webhooks/{row.provider}/{row.id}",
                     "callback_url": row.callback_url, "inbound_secret": created.inbound_secret,
                     "outbound_secret": created.outbound_secret}  # fmt: skip
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(json.dumps(shown))
    print("store the secrets now: they are never shown again", file=sys.stderr)
    return 0


def _integrations_map_command(args: argparse.Namespace) -> int:
    from rubrics import Market, UnknownMarket, UnknownRole, load_roles
    from screener.service import NotFound
    from screener.webhook_jobs import save_job_mapping

    engine, sessions = _service_engine()
    try:
        settings = get_settings()
        known = {role.id for role in load_roles()}
        if settings.roles_dir.is_dir():
            known |= {path.stem for path in settings.roles_dir.glob("*.yaml")}
        if args.role not in known:
            raise UnknownRole(args.role, sorted(known))
        market = Market.parse(args.market)
        with sessions() as session, session.begin():
            save_job_mapping(
                session, integration_id=args.integration_id, ats_job_id=args.job,
                role_id=args.role, market=market,
            )  # fmt: skip
    except NotFound as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    except (UnknownRole, UnknownMarket) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(json.dumps({"integration_id": args.integration_id, "ats_job_id": args.job,
                      "role_id": args.role, "market": market.value}))  # fmt: skip
    return 0


def _add_service_commands(commands: Any) -> None:
    serve = commands.add_parser("serve", help="Run the screening API (uvicorn).")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--log-level", default="info")
    serve.set_defaults(handler=_serve_command)

    keys = commands.add_parser("keys", help="Create or revoke API keys.")
    key_commands = keys.add_subparsers(dest="keys_command", required=True)
    create = key_commands.add_parser("create", help="Create a key; prints it once as JSON.")
    create.add_argument("--name", required=True, help="who or what uses the key")
    create.add_argument(
        "--scope", action="append", required=True, choices=["screen", "read", "admin"],
        help="repeat for several scopes",
    )  # fmt: skip
    create.set_defaults(handler=_keys_create_command)
    revoke = key_commands.add_parser("revoke", help="Revoke a key by its id.")
    revoke.add_argument("key_id")
    revoke.set_defaults(handler=_keys_revoke_command)

    users = commands.add_parser("users", help="Accounts for the recruiter web pages.")
    user_commands = users.add_subparsers(dest="users_command", required=True)
    create_user = user_commands.add_parser("create", help="Create a user (asks for a password).")
    create_user.add_argument("username")
    create_user.add_argument("--role", choices=["recruiter", "admin"], default="recruiter")
    password = user_commands.add_parser("password", help="Set a new password; ends sessions.")
    password.add_argument("username")
    for command in (create_user, password):
        command.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input"
        )
    create_user.set_defaults(handler=_users_create_command)
    password.set_defaults(handler=_users_password_command)
    disable = user_commands.add_parser("disable", help="Stop a user signing in.")
    disable.add_argument("username")
    disable.set_defaults(handler=_users_disable_command)
    user_commands.add_parser("list", help="List users.").set_defaults(handler=_users_list_command)

    db = commands.add_parser("db", help="Database schema.")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_upgrade = db_commands.add_parser("upgrade", help="Migrate to the latest schema.")
    db_upgrade.add_argument("--revision", default="head")
    db_upgrade.set_defaults(handler=_db_upgrade_command)

    audit = commands.add_parser("audit", help="The audit log.")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    purge = audit_commands.add_parser("purge", help="Delete records past the retention period.")
    purge.add_argument(
        "--days", type=int, default=None,
        help="retention in days (default: the admin page's setting, else the environment's)",
    )  # fmt: skip
    purge.set_defaults(handler=_audit_purge_command)
    verify = audit_commands.add_parser("verify", help="Check the hash chain.")
    verify.set_defaults(handler=_audit_verify_command)

    integrations = commands.add_parser("integrations", help="ATS webhook integrations.")
    integration_commands = integrations.add_subparsers(dest="integrations_command", required=True)
    create_integration = integration_commands.add_parser(
        "create", help="Create an integration; prints its secrets once as JSON."
    )
    create_integration.add_argument(
        "--provider", required=True, choices=["greenhouse", "lever", "generic"]
    )
    create_integration.add_argument("--callback-url", default=None, help="where results go")
    create_integration.add_argument("--name", default=None)
    create_integration.add_argument(
        "--inbound-secret", default=None,
        help="Lever: the webhook's signature token (required); others: generated when absent",
    )  # fmt: skip
    create_integration.add_argument("--ats-api-key", default=None, help="Lever / Harvest key")
    create_integration.add_argument("--ats-base-url", default=None)
    create_integration.add_argument("--ats-user-id", default=None, help="acting ATS user")
    create_integration.add_argument(
        "--write-back-notes", action="store_true", help="post the explanation as an ATS note"
    )
    create_integration.set_defaults(handler=_integrations_create_command)
    map_job = integration_commands.add_parser("map", help="Screen an ATS job for a role.")
    map_job.add_argument("integration_id")
    map_job.add_argument("--job", required=True, help="the ATS job id")
    map_job.add_argument("--role", required=True, help="our role id, e.g. ml-engineer")
    map_job.add_argument("--market", default="de", help="de, tr, ae or us")
    map_job.set_defaults(handler=_integrations_map_command)


def main(argv: list[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `screener parse ... | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
