"""The fictional counties of the sample web, their issuing organs and hosts.

Example::

    >>> from sampleweb.counties import COUNTIES
    >>> [c.family for c in COUNTIES]
    ['hanweb', 'trs', 'standard']
"""

from __future__ import annotations

from dataclasses import dataclass

YEARS: tuple[int, ...] = (2019, 2020, 2021, 2022, 2023, 2024)


@dataclass(frozen=True)
class Organ:
    """An issuing organ; ``slug`` names its sub-column on the standard platform."""

    suffix: str  # appended to the county name, or a full name when ``own_name``
    slug: str
    size: int  # scales the statistics: 3 county government, 2 department, 1 township
    own_name: bool = False

    def name(self, county: str) -> str:
        return self.suffix if self.own_name else f"{county}{self.suffix}"


@dataclass(frozen=True)
class County:
    adcode: str
    name: str
    province: str
    prefecture: str
    family: str
    host: str
    organs: tuple[Organ, ...]

    def organ_names(self) -> list[str]:
        return [o.name(self.name) for o in self.organs]


_DEPARTMENTS = (
    Organ("人民政府", "xrmzf", 3),
    Organ("教育局", "xjyj", 2),
    Organ("财政局", "xczj", 2),
)

COUNTIES: tuple[County, ...] = (
    County(
        "330991",
        "青岚县",
        "浙江省",
        "云川市",
        "hanweb",
        "127.0.0.11",
        (*_DEPARTMENTS, Organ("卫生健康局", "xwjj", 2), Organ("石桥镇人民政府", "sqz", 1, True)),
    ),
    County(
        "430991",
        "梧溪县",
        "湖南省",
        "沅州市",
        "trs",
        "127.0.0.12",
        (*_DEPARTMENTS, Organ("枫林镇人民政府", "flz", 1, True)),
    ),
    County(
        "620991",
        "松岭县",
        "甘肃省",
        "祁山市",
        "standard",
        "127.0.0.13",
        (*_DEPARTMENTS, Organ("白杨镇人民政府", "byz", 1, True)),
    ),
)

# --- the "full" profile adds these sites (see sampleweb/full.py) ----------------------------

GKMLPT = County(
    "440991",
    "东澜县",
    "广东省",
    "海澄市",
    "gkmlpt",
    "127.0.0.14",
    (*_DEPARTMENTS, Organ("鹤山镇人民政府", "hsz", 1, True)),
)
# a small county that answers slowly; its report column has a slug nobody would guess
SLOW = County("510991", "竹溪县", "四川省", "蓉西市", "standard", "127.0.0.15", _DEPARTMENTS)
SLOW_YEARS: tuple[int, ...] = (2023, 2024)
# every request answers 412 with a Ruishu-style ``$_ts`` challenge: no reports can be fetched
BLOCKED = County("320991", "柳港县", "江苏省", "澄湖市", "blocked", "127.0.0.16", ())
# the organ whose report sits under a robots.txt-disallowed path of the gkmlpt county
ARCHIVE_ORGAN = Organ("统计局", "xtjj", 2)

FULL_COUNTIES: tuple[County, ...] = (*COUNTIES, GKMLPT, SLOW, BLOCKED)
