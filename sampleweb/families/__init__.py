"""One module per CMS family; each lays out a county's site from its reports.

Every family module exposes ``build(county, reports, distractors) -> SiteBuild``.
"""

from __future__ import annotations

from . import hanweb, standard, trs

FAMILIES = {"hanweb": hanweb, "trs": trs, "standard": standard}
