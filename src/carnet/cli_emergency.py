"""``carnet emergency …``, ``carnet share …`` and ``carnet access-log``: scenario 2 on the command line."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from carnet.cli import JsonOpt, VaultOpt, _open, _print_json, out
from carnet.config import Settings
from carnet.errors import CarnetError
from carnet.services.emergency import OrganDonation, Section, State
from carnet.services.emergency.essentials import contact_line

emergency = typer.Typer(help="Emergency profile, International Patient Summary and card.", no_args_is_help=True)
share = typer.Typer(help="SMART Health Links to a person's summary.", no_args_is_help=True)

PersonArg = Annotated[int, typer.Argument(help="Person id (see carnet people).")]
RecordArg = Annotated[int, typer.Argument(help="Record id (see carnet emergency show PERSON).")]
LangOpt = Annotated[str, typer.Option("--lang", help="fr or en.")]


def _lang(lang: str) -> str:
    if lang not in ("fr", "en"):
        raise CarnetError(f"unknown language {lang!r}: use fr or en")
    return lang


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@emergency.command("show")
def show(person_id: PersonArg, vault: VaultOpt = None, as_json: JsonOpt = False) -> None:
    """A person's emergency profile: each item with its source and date."""
    from carnet.emergency import load_profile, profile_json
    from carnet.emergency.records import today

    with _open(vault) as v:
        profile = load_profile(v, person_id, today())
    if as_json:
        _print_json(profile_json(profile))
        return
    out.print(f"[bold]{profile.person.display_name}[/] {profile.person.birth_date or ''}", highlight=False)
    for section in Section:
        items = profile.section(section)
        if not items and section not in (Section.ALLERGIES, Section.CONDITIONS, Section.MEDICATIONS):
            continue
        table = Table("record", "what", "date", "source", title=section.value, title_justify="left")
        for i in items:
            value = i.value_text or (f"{i.value.value} {i.value.unit or ''}".strip() if i.value else "")
            state = f"[{i.state.value}]" if i.state else ""
            what = " ".join(filter(None, [i.label, value, i.detail or "", ",".join(i.flags), state]))
            when = (i.date or "")[:10] + (f" → {i.until}" if i.until else "")
            table.add_row(str(i.key), what, when, i.source or "")
        out.print(table)
    if profile.hidden:
        out.print("hidden: " + ", ".join(f"{i.key} {i.label}" for i in profile.hidden), highlight=False)
    entered = profile.entered
    for contact in entered.contacts:
        out.print(f"contact: {contact_line(contact)}", highlight=False)
    for name, person in (("trusted person", entered.trusted_person), ("doctor", entered.doctor)):
        if person:
            out.print(f"{name}: {contact_line(person)}", highlight=False)
    for name, text in (
        ("directives", entered.directives),
        ("kept at", entered.directives_location),
        ("organ donation", "" if entered.organ_donation is OrganDonation.UNSPECIFIED else entered.organ_donation.value),
        ("notes", entered.notes),
    ):
        if text:
            out.print(f"{name}: {text}", highlight=False)


@emergency.command("set")
def set_(
    person_id: PersonArg,
    contact: Annotated[list[str] | None, typer.Option(help="NAME;PHONE;RELATION (repeat; replaces the list).")] = None,
    trusted_person: Annotated[str | None, typer.Option(help="NAME;PHONE;RELATION ('' to clear).")] = None,
    directives: Annotated[str | None, typer.Option(help="Advance directives, in short.")] = None,
    directives_location: Annotated[str | None, typer.Option(help="Where the directives are kept.")] = None,
    organ_donation: Annotated[str | None, typer.Option(help="yes, no or unspecified.")] = None,
    doctor: Annotated[str | None, typer.Option(help="Treating doctor: NAME;PHONE ('' to clear).")] = None,
    note: Annotated[str | None, typer.Option(help="A note for first responders ('' to clear).")] = None,
    vault: VaultOpt = None,
) -> None:
    """Enter what only you know: people to call, trusted person, directives, organ donation, doctor, notes."""
    from carnet.emergency.entered import parse_contact, save_entered
    from carnet.store import reader

    changes: dict[str, Any] = {}
    if contact is not None:
        changes["contacts"] = [c for text in contact if (c := parse_contact(text))]
    for key, text in (("trusted_person", trusted_person), ("doctor", doctor)):
        if text is not None:
            changes[key] = parse_contact(text)
    for key, value in (("directives", directives), ("directives_location", directives_location), ("notes", note)):
        if value is not None:
            changes[key] = value
    if organ_donation is not None:
        try:
            changes["organ_donation"] = OrganDonation(organ_donation)
        except ValueError:
            raise CarnetError("--organ-donation: yes, no or unspecified") from None
    if not changes:
        raise CarnetError("nothing to set (see: carnet emergency set --help)")
    with _open(vault) as v, v.writing() as conn:
        if reader.person(conn, person_id) is None:
            raise CarnetError(f"no person with id {person_id} (see: carnet people)")
        save_entered(conn, person_id, **changes)
    out.print(f"{person_id}: " + ", ".join(sorted(changes)), highlight=False)


def _override(
    record_id: int, state: State | None, vault: str | None, label: str | None = None, detail: str | None = None
) -> None:
    from carnet.emergency.records import set_override

    with _open(vault) as v, v.writing() as conn:
        set_override(conn, record_id, state, label, detail)
    out.print(f"{record_id}: {state.value if state else 'reset'}", highlight=False)


@emergency.command("hide")
def hide(record_id: RecordArg, vault: VaultOpt = None) -> None:
    """Leave a record out of the emergency profile, the summary and the card."""
    _override(record_id, State.HIDDEN, vault)


@emergency.command("confirm")
def confirm(record_id: RecordArg, vault: VaultOpt = None) -> None:
    """Say a record is right."""
    _override(record_id, State.CONFIRMED, vault)


@emergency.command("correct")
def correct(
    record_id: RecordArg,
    label: Annotated[str | None, typer.Option(help="What it really is.")] = None,
    detail: Annotated[str | None, typer.Option(help="A dose, a reaction, a precision.")] = None,
    vault: VaultOpt = None,
) -> None:
    """Correct a record's label or detail (the source's codes are then left out of the summary)."""
    _override(record_id, State.CORRECTED, vault, label, detail)


@emergency.command("reset")
def reset(record_id: RecordArg, vault: VaultOpt = None) -> None:
    """Forget what was said about a record (shown again as the source says)."""
    _override(record_id, None, vault)


@emergency.command("ips")
def ips(
    person_id: PersonArg,
    out_file: Annotated[Path, typer.Option("--out", help="JSON file to write.")],
    lang: LangOpt = "fr",
    vault: VaultOpt = None,
) -> None:
    """Write the International Patient Summary (FHIR R4 document Bundle)."""
    from carnet.emergency.sharing import summary_json

    with _open(vault) as v:
        data = summary_json(v, person_id, _now(), _lang(lang))
    out_file.write_bytes(data)
    out.print(f"{out_file}: {len(data)} bytes", highlight=False)


@emergency.command("card")
def card(
    person_id: PersonArg,
    out_file: Annotated[Path, typer.Option("--out", help="PDF file to write.")],
    lang: LangOpt = "fr",
    fmt: Annotated[str, typer.Option("--format", help="wallet (85.6×54 mm, two pages) or a4.")] = "wallet",
    link: Annotated[str | None, typer.Option(help="A SMART Health Link for the QR (default: the text).")] = None,
    vault: VaultOpt = None,
) -> None:
    """Print the emergency card (PDF) with a QR code."""
    from carnet.emergency import load_profile
    from carnet.emergency.card import FORMATS, card_pdf
    from carnet.emergency.records import today
    from carnet.emergency.shl import parse_link
    from carnet.services.emergency import essentials
    from carnet.services.emergency.essentials import card_content

    if fmt not in FORMATS:
        raise CarnetError(f"unknown format {fmt!r}: use wallet or a4")
    if link:
        parse_link(link)
    with _open(vault) as v:
        profile = load_profile(v, person_id, today())
    data = card_pdf(card_content(profile, _lang(lang)), link or essentials(profile, lang), fmt)
    out_file.write_bytes(data)
    out.print(f"{out_file}: {len(data)} bytes", highlight=False)


@share.command("create")
def share_create(
    person_id: PersonArg,
    label: Annotated[str, typer.Option(help="Shown to whoever opens the link (≤ 80 characters).")],
    expires: Annotated[str, typer.Option(help="12h, 30d, 8w, 6m or a date YYYY-MM-DD.")] = "30d",
    passcode: Annotated[str | None, typer.Option(help="Ask this passcode (sets the P flag).")] = None,
    flags: Annotated[str, typer.Option(help="L (long-term), U (direct file, no passcode).")] = "",
    lang: LangOpt = "fr",
    vault: VaultOpt = None,
) -> None:
    """Share the person's summary: prints the link and its QR code (shown once: Carnet keeps no key)."""
    from carnet.emergency import qr
    from carnet.emergency.sharing import parse_expiry, share_summary
    from carnet.emergency.shl import viewer_url

    now = _now()
    base = Settings.from_env(vault).public_base_url
    with _open(vault) as v:
        created = share_summary(
            v,
            person_id,
            now=now,
            base_url=base,
            label=label,
            lang=_lang(lang),
            expires_at=parse_expiry(expires, now),
            passcode=passcode,
            flags=flags,
        )
    viewer = viewer_url(base or "http://127.0.0.1:8765", created.shlink)
    sys.stdout.write(qr.terminal(viewer))
    out.print(
        f"id: {created.link.handle}  flags: {created.link.flags or '-'}  expires: {created.link.expires_at}",
        highlight=False,
    )
    out.print(viewer, highlight=False, soft_wrap=True)


@share.command("list")
def share_list(vault: VaultOpt = None, as_json: JsonOpt = False) -> None:
    """Every shared link: who, label, flags, expiry, state, wrong passcodes."""
    from carnet.emergency.links import list_links

    now = _now()
    with _open(vault) as v, v.reading() as conn:
        links = list_links(conn)
    if as_json:
        _print_json([dataclasses.asdict(k) | {"handle": k.handle, "state": k.state(now).value} for k in links])
        return
    table = Table("person", "label", "flags", "created", "expires", "state", "wrong codes")
    table.add_column("id", no_wrap=True)
    for k in links:
        wrong = f"{k.failures}/{k.max_failures}" if k.has_passcode else ""
        table.add_row(
            str(k.person_id),
            k.label or "",
            k.flags,
            k.created_at[:10],
            (k.expires_at or "")[:16],
            k.state(now).value,
            wrong,
            k.handle,
        )
    out.print(table)


@share.command("revoke")
def share_revoke(
    link_id: Annotated[str, typer.Argument(help="The link id (6+ first characters).")], vault: VaultOpt = None
) -> None:
    """Revoke a link now: whoever opens it next gets nothing."""
    from carnet.emergency.links import revoke

    with _open(vault) as v, v.writing() as conn:
        link = revoke(conn, link_id, _now())
    out.print(f"{link.handle}: revoked at {link.revoked_at}", highlight=False)


def access_log(
    person: Annotated[int | None, typer.Option(help="Only this person.")] = None,
    vault: VaultOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Every access to your shared data: when, who (as they said), what, outcome."""
    from carnet.emergency.access import access_log as read_log

    with _open(vault) as v, v.reading() as conn:
        rows = read_log(conn, person, limit=None)
    if as_json:
        _print_json([dataclasses.asdict(r) for r in rows])
        return
    table = Table("at", "person", "who", "action", "outcome", "link")
    for r in rows:
        table.add_row(r.at, str(r.person_id or ""), r.actor, r.action, r.outcome, str(r.detail.get("link", "")))
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add ``emergency``, ``share`` and ``access-log`` to the ``carnet`` command."""
    app.add_typer(emergency, name="emergency")
    app.add_typer(share, name="share")
    app.command("access-log")(access_log)
