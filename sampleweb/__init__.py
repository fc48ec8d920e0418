"""The bundled sample web: fictional county sites of three CMS families, with the truth.

Example::

    >>> import tempfile
    >>> from sampleweb import serve_sample_web
    >>> with serve_sample_web(tempfile.mkdtemp()) as web:
    ...     [s["family"] for s in web.sites]
    ['hanweb', 'trs', 'standard']
"""

from .generate import generate
from .server import SampleWeb, serve_sample_web

__all__ = ["SampleWeb", "generate", "serve_sample_web"]
