"""``/robots.txt``: blocks all crawlers when the metadata sets
``plugins.nianbao.block_robots`` (``python -m archive serve --public``), else allows them."""

from __future__ import annotations

from datasette import hookimpl
from datasette.utils.asgi import Response

BLOCK = "User-agent: *\nDisallow: /\n"
ALLOW = "User-agent: *\nDisallow:\n"


def robots_txt(block: bool) -> str:
    """The robots.txt body.

    >>> robots_txt(True).splitlines()[1]
    'Disallow: /'
    """
    return BLOCK if block else ALLOW


async def robots(datasette):
    config = datasette.plugin_config("nianbao") or {}
    return Response.text(robots_txt(bool(config.get("block_robots"))))


@hookimpl
def register_routes():
    return [(r"^/robots\.txt$", robots)]
