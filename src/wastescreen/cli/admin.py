"""Commands of administrators and auditors: API keys, the audit trail, registered models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from wastescreen.cli.lang import current, helps, say
from wastescreen.core.labels.messages import Msg, msg
from wastescreen.core.locale_format import datetime_text, number, yes_no
from wastescreen.core.settings import get_settings
from wastescreen.domain.errors import FieldError
from wastescreen.storage.database import open_database

keys_app = typer.Typer(help=helps("group_keys"), no_args_is_help=True)
agencies_app = typer.Typer(help=helps("group_agencies"),
                           no_args_is_help=True)
audit_app = typer.Typer(help=helps("group_audit"), no_args_is_help=True)
models_app = typer.Typer(help=helps("group_models"), no_args_is_help=True)
console = Console()


def _refused(exc: Exception, role: str, agency: str | None) -> Msg:
    """What to say when a key or an agency name is refused (as the API says it)."""
    from wastescreen.storage.agencies import AgencyNameError, UnknownAgency

    if isinstance(exc, UnknownAgency):
        return msg("unknown_agency", name=agency or "")
    if isinstance(exc, AgencyNameError):
        rule = exc.rule
    else:
        rule = "missing" if role == "agency" and not agency else "agency_not_for_role"
    return msg("invalid_field", field="agency", message=FieldError("agency", rule, str(exc)))


@keys_app.command("create", help=helps("cmd_keys_create"))
def keys_create(
    role: Annotated[str, typer.Option(help=helps("opt_role"))],
    agency: Annotated[str | None, typer.Option(help=helps("opt_agency"))] = None,
    label: Annotated[str, typer.Option(help=helps("opt_label"))] = "",
    holder: Annotated[str, typer.Option(help=helps("opt_holder"))] = "",
) -> None:
    """Create an API key. The key is printed once, alone on the last line; only its hash is kept."""
    from wastescreen.storage.api_keys import Role, create_key

    try:
        role_value = Role(role)
    except ValueError as exc:
        console.print(say("bad_choice", option="--role", choices=", ".join(r.value for r in Role)),
                      style="red", markup=False)
        raise typer.Exit(2) from exc
    db = open_database(get_settings())
    with db.sessions() as session:
        try:
            key, row = create_key(session, role_value, agency=agency, label=label,
                                  holder=holder.strip()[:200])
        except (ValueError, LookupError) as exc:
            console.print(say(_refused(exc, role, agency)), style="red", markup=False)
            raise typer.Exit(2) from exc
    console.print(say("key_created", id=str(row.id),
                      who=row.role + (", " + row.agency if row.agency else "")), markup=False)
    print(key)


@agencies_app.command("add", help=helps("cmd_agencies_add"))
def agencies_add(name: Annotated[str, typer.Argument(help=helps("opt_agency_name"))]
                 ) -> None:
    """Make an agency known (the registry's managing and host agencies are known already)."""
    from wastescreen.storage.agencies import AgencyNameError, add_agency

    db = open_database(get_settings())
    with db.sessions() as session:
        try:
            known, added = add_agency(session, name, actor="cli")
        except AgencyNameError as exc:
            console.print(say(_refused(exc, "agency", name)), style="red", markup=False)
            raise typer.Exit(2) from exc
    console.print(say("agency_added" if added else "agency_known", name=known), markup=False)


@agencies_app.command("list", help=helps("cmd_agencies_list"))
def agencies_list() -> None:
    """List the known agencies and where each comes from."""
    from wastescreen.storage.agencies import list_agencies

    db = open_database(get_settings())
    table = Table(*(say(f"col_{c}") for c in ("agency", "source", "added")))
    with db.sessions() as session:
        for row in list_agencies(session):
            table.add_row(row.name, row.source, datetime_text(row.created_at, current()))
    console.print(table)


@keys_app.command("revoke", help=helps("cmd_keys_revoke"))
def keys_revoke(key_id: Annotated[int, typer.Argument(help=helps("opt_key_id"))]) -> None:
    """Revoke a key."""
    from wastescreen.storage.api_keys import revoke_key

    db = open_database(get_settings())
    with db.sessions() as session:
        if not revoke_key(session, key_id):
            console.print(say(msg("not_found_key", id=str(key_id))), style="red", markup=False)
            raise typer.Exit(1)
    console.print(say("key_revoked", id=str(key_id)))


@keys_app.command("list", help=helps("cmd_keys_list"))
def keys_list() -> None:
    """List keys (id, prefix, role, agency, revoked); never the keys themselves."""
    from wastescreen.storage.api_keys import list_keys

    db = open_database(get_settings())
    table = Table(*(say(f"col_{c}") for c in ("id", "prefix", "role", "agency", "label",
                                              "created", "revoked")))
    with db.sessions() as session:
        for row in list_keys(session):
            table.add_row(str(row.id), row.prefix, row.role, row.agency or "", row.label,
                          datetime_text(row.created_at, current()),
                          datetime_text(row.revoked_at, current()) if row.revoked_at else "")
    console.print(table)


@audit_app.command("verify", help=helps("cmd_audit_verify"))
def audit_verify(anchor_file: Annotated[Path | None, typer.Option(
        "--anchor", exists=True, dir_okay=False,
        help=helps("opt_anchor"))] = None) -> None:
    """Check the audit trail: its hash chain and MACs, the anchor if given, and every stored
    screening and decision against the event that recorded it; exit 1 naming each problem."""
    from wastescreen.screening.audit import check_trail

    kept = json.loads(anchor_file.read_text("utf-8")) if anchor_file else None
    db = open_database(get_settings())
    with db.sessions() as session:
        result = check_trail(session, kept)
    lines = result.lines(current())
    for line in lines:
        console.print(line, markup=False)
    if not result.intact:
        console.print(say("audit_broken", n=len(lines), events=result.events), style="red",
                      markup=False)
        raise typer.Exit(1)
    console.print(say("audit_intact", events=result.events,
                      anchor=say("audit_anchor_checked") if kept else ""), markup=False)


@audit_app.command("anchor", help=helps("cmd_audit_anchor"))
def audit_anchor() -> None:
    """Print the head of the trail (seq, hash, MAC, time) as JSON: keep it outside the system
    and give it to `audit verify --anchor` later."""
    from wastescreen.storage.audit_log import anchor

    db = open_database(get_settings())
    with db.sessions() as session:
        print(json.dumps(anchor(session), ensure_ascii=False))


@models_app.command("list", help=helps("cmd_models_list"))
def models_list() -> None:
    """Registered versions, their key metrics, and which one is current."""
    from wastescreen.models.registry import ModelRegistry

    registry = ModelRegistry(get_settings().models_dir)
    promoted = registry.current_version()
    table = Table(*(say(f"col_{c}") for c in ("version", "current", "synthetic", "rows",
                                              "auc")))
    for version, card in registry.versions_with_cards():
        aucs = ", ".join(f"{k} {number(v.get('validation_auc', 0), current(), 3)}"
                         for k, v in card.get("models", {}).items())
        table.add_row(version, "*" if version == promoted else "",
                      yes_no(bool(card.get("synthetic_training_data")), current()),
                      str(card.get("training_data", {}).get("rows", "")), aucs)
    console.print(table)


@models_app.command("show", help=helps("cmd_models_show"))
def models_show(version: Annotated[str, typer.Argument(help=helps("opt_model_version"))]
                ) -> None:
    """Print a model card as JSON."""
    import json

    from wastescreen.models.registry import ModelRegistry

    try:
        card = ModelRegistry(get_settings().models_dir).card(version)
    except KeyError as exc:
        console.print(say("model_unknown", version=version), style="red", markup=False)
        raise typer.Exit(1) from exc
    print(json.dumps(card, indent=2, ensure_ascii=False, default=str))


@models_app.command("promote", help=helps("cmd_models_promote"))
def models_promote(version: Annotated[str, typer.Argument(help=helps("opt_promote_version"))]
                   ) -> None:
    """Make a version current (its files are hash-checked first)."""
    from wastescreen.models.registry import ModelIntegrityError
    from wastescreen.screening.training import promote_version

    settings = get_settings()
    try:
        promote_version(settings, open_database(settings), version)
    except KeyError as exc:
        console.print(say("model_unknown", version=version), style="red", markup=False)
        raise typer.Exit(1) from exc
    except ModelIntegrityError as exc:
        console.print(say("model_integrity", path=str(exc.path)), style="red", markup=False)
        raise typer.Exit(1) from exc
    console.print(say("model_current", version=version))


def reproduce_command(
        screening_id: Annotated[str, typer.Argument(help=helps("opt_screening_id"))]) -> None:
    """Re-run a stored screening from what was recorded with it; exit 1 and name every field
    that differs (and why, when known)."""
    from wastescreen.screening.reproduce import reproduce, why_text
    from wastescreen.screening.review import NotFound

    settings = get_settings()
    db = open_database(settings)
    with db.sessions() as session:
        try:
            done = reproduce(session, settings.models_dir, screening_id)
        except NotFound as exc:
            console.print(say("repro_not_found", id=screening_id[:64]), style="red",
                          markup=False)
            raise typer.Exit(2) from exc
    lang = current()
    for note in done.notes:
        console.print(say("repro_note", note=note), markup=False)
    for d in done.differences:
        why = why_text(d.why, lang)
        console.print(say("repro_differs", field=d.field, stored=repr(d.stored),
                          now=repr(d.reproduced)) + (say("repro_why", why=why) if why else ""),
                      markup=False)
    if not done.identical:
        console.print(say("repro_failed", id=screening_id, n=len(done.differences)),
                      style="red", markup=False)
        raise typer.Exit(1)
    console.print(say("repro_identical", id=screening_id), markup=False)
