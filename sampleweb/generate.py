"""Writes the sample web: every county's static files, the server's tables and the truth.

Layout of ``DIR``::

    sites/<adcode>/...          the files each county serves, at their URL paths
    server.json                 per county: family, host, charset, dataproxy and download tables
    truth.json                  sites, reports and distractors (see the sample web spec)
    sites/.../<doc>.truth.json  a sidecar beside every report document (never served)

Example::

    >>> import tempfile, pathlib
    >>> out = generate(pathlib.Path(tempfile.mkdtemp()))
    >>> len(out["reports"]) >= 72
    True
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from . import full
from .counties import BLOCKED, COUNTIES, GKMLPT, SLOW, YEARS, County
from .crossyear import cross_year_results
from .families import FAMILIES
from .families.common import distractors
from .reportdata import Report, build_report


def county_reports(county: County) -> list[Report]:
    """Every report of a county, organ by organ, year by year."""
    return [
        build_report(county, organ, year, index=i * len(YEARS) + j)
        for i, organ in enumerate(county.organs)
        for j, year in enumerate(YEARS)
    ]


def _dump(data: object) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode()


def site_entry(county: County) -> dict:
    return {
        "adcode": county.adcode,
        "name": county.name,
        "province": county.province,
        "prefecture": county.prefecture,
        "family": county.family,
        "host": county.host,
    }


PROFILES = ("basic", "full")


def _write_site(out: Path, county: County, site, reports: list[Report]) -> list[dict]:
    """Write a site's files and its reports' sidecars; return the reports' truth entries."""
    base = f"sites/{county.adcode}"
    (out / base).mkdir(parents=True, exist_ok=True)
    for path, data in site.files.items():
        target = out / base / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    entries = []
    for r in reports:
        r.file = f"{base}{site.stored.get(r.document, r.document)}"
        entry = r.truth()
        if "attachment_404" in r.tags:
            continue  # its document is never written; truth['excluded'] holds it
        entries.append(entry)
        (out / f"{r.file}.truth.json").write_bytes(_dump(entry))
    return entries


def generate(out: Path, profile: str = "basic", epoch: int = 0) -> dict:
    """Write the sample web under ``out`` and return the parsed truth.

    :param out: target directory; its ``sites/`` folder is replaced
    :param profile: ``"basic"`` (three counties, the fixed interface) or ``"full"`` (basic plus
        the gkmlpt, slow and blocked counties, crawler hazards and more document formats)
    :param epoch: full profile only: 1 adds 2025 reports and removes one (see ``full.py``)
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose one of {PROFILES}")
    if epoch and profile != "full":
        raise ValueError("epochs exist in the full profile only")
    out = Path(out)
    if (out / "sites").exists():
        shutil.rmtree(out / "sites")
    truth: dict = {"sites": [], "reports": [], "distractors": []}
    server: dict = {}
    for county in COUNTIES:
        if profile == "full":
            reports = full.reports_at(county, YEARS, epoch)
        else:
            reports = county_reports(county)
        extras = distractors(county)
        site = FAMILIES[county.family].build(county, reports, extras)
        truth["reports"] += _write_site(out, county, site, reports)
        truth["sites"].append(site_entry(county))
        truth["distractors"] += [
            {"adcode": county.adcode, "title": d.title, "page": d.page} for d in extras
        ]
        server[county.adcode] = {"family": county.family, "host": county.host, **site.server}
    if profile == "full":
        _extend_full(out, truth, server, epoch)
    (out / "server.json").write_bytes(_dump(server))
    (out / "truth.json").write_bytes(_dump(truth))
    return truth


def _extend_full(out: Path, truth: dict, server: dict, epoch: int) -> None:
    """Add the full profile's counties, hazards, exclusions and epoch changes to ``truth``."""
    for s in truth["sites"]:
        s["expected_status"] = "ok"
    slow_reports, slow_extras, slow = full.slow_site(epoch)
    gk_reports, gk_extras, gk = full.gkmlpt_site(epoch, slow_reports)
    blocked = full.blocked_site()
    hazards = full.basic_site_hazards()
    excluded: list[dict] = []
    for county, reports, extras, site in (
        (GKMLPT, gk_reports, gk_extras, gk),
        (SLOW, slow_reports, slow_extras, slow),
        (BLOCKED, [], [], blocked),
    ):
        truth["reports"] += _write_site(out, county, site, reports)
        truth["sites"].append(
            {**site_entry(county), "expected_status": "blocked" if county is BLOCKED else "ok"}
        )
        truth["distractors"] += [
            {"adcode": county.adcode, "title": d.title, "page": d.page} for d in extras
        ]
        for d in site.distractors:
            d["file"] = f"sites/{county.adcode}{d['document']}"
            same = next(r for r in reports if r.page == d["same_as"])
            sidecar = {**same.truth(), "title": d["title"], "page": d["page"]}
            sidecar.update(document=d["document"], file=d["file"], format="png")
            (out / f"{d['file']}.truth.json").write_bytes(_dump(sidecar))
            truth["distractors"].append(d)
        for e in site.excluded:
            e["file"] = f"sites/{county.adcode}{e['document']}"
        excluded += site.excluded
        excluded += [
            {**r.truth(), "file": "", "reason": "attachment_404"}
            for r in reports
            if "attachment_404" in r.tags
        ]
        hazards += site.hazards
        server[county.adcode] = {"family": county.family, "host": county.host, **site.server}
    hazards.append(full.table_break_hazard(out, truth["reports"]))
    removed, added = _epoch_changes(truth, epoch)
    removed += _gone(truth, server, hazards, epoch)
    truth.update(profile="full", epoch=epoch, hazards=hazards, excluded=excluded)
    truth["cross_year"] = cross_year_results(truth["reports"])
    truth["removed"], truth["added"] = removed, added


def _gone(truth: dict, server: dict, hazards: list[dict], epoch: int) -> list[dict]:
    """From epoch 1 the pages of ``full.GONE`` answer 410 while still listed: their reports
    leave ``truth['reports']`` for ``truth['removed']`` (with ``reason: gone_410``)."""
    if epoch == 0:
        return []
    out = []
    for adcode, organ, year in full.GONE:
        county = next(c for c in COUNTIES if c.adcode == adcode)
        publisher = county.organ_names()[organ]
        [r] = [
            r
            for r in truth["reports"]
            if (r["adcode"], r["publisher"], r["year"]) == (adcode, publisher, year)
        ]
        truth["reports"].remove(r)
        server[adcode].setdefault("gone", []).append(r["page"])
        hazards.append(
            {
                "kind": "gone_410",
                "adcode": adcode,
                "host": county.host,
                "paths": [r["page"]],
                "expected": "still listed, but the page answers 410 Gone: mark the report "
                "removed, keep what was archived",
                "title": r["title"],
            }
        )
        out.append({**r, "reason": "gone_410"})
    return out


def _epoch_changes(truth: dict, epoch: int) -> tuple[list[dict], list[dict]]:
    """Truth entries of the reports ``epoch`` removed, and (adcode, title, page) of those added."""
    if epoch == 0:
        return [], []
    removed = []
    for county in COUNTIES:
        if any(adcode == county.adcode for adcode, _, _ in full.REMOVED):
            now = {(r["adcode"], r["title"]) for r in truth["reports"]}
            removed += [r.truth() for r in _laid_out(county, 0) if (r.adcode, r.title) not in now]
    added_years = {(adcode, year) for adcode, _, year in full.ADDED}
    added = [
        {"adcode": r["adcode"], "title": r["title"], "page": r["page"]}
        for r in truth["reports"]
        if (r["adcode"], r["year"]) in added_years
    ]
    return removed, added


def _laid_out(county: County, epoch: int) -> list[Report]:
    """A basic county's reports at ``epoch`` with their paths set, without writing anything."""
    reports = full.reports_at(county, YEARS, epoch)
    site = FAMILIES[county.family].build(county, reports, distractors(county))
    for r in reports:
        r.file = f"sites/{county.adcode}{site.stored.get(r.document, r.document)}"
    return reports
