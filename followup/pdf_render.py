"""Laying out a report's HTML as an archival PDF, in a child process with a time bound.

WeasyPrint runs in a child of a fork server (multiprocessing's ``forkserver``
start method): the server is a fresh, single-threaded process that has
imported this module (and WeasyPrint) once, and forks a child for each
render. That is safe whatever the asking process is doing (a threaded web
server, the background worker, a test), so the time bound holds everywhere;
the child is killed when it runs past it. Nothing in the asking process is
interrupted, so no lock or connection of it is left half-used, and a crash in
the child (Pango, fonts) fails the report, not the process that asked.

Nothing here imports Django: the child gets the HTML and the static files it
may read as arguments, and the fetcher serves those and refuses everything
else (no network, no other file), so a user's text can never make the
renderer read something it should not.
"""

import gc
import hashlib
import multiprocessing
import traceback
from pathlib import Path
from urllib.parse import unquote, urlparse

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# The document's base URL: an address that can never be on the network (RFC 2606),
# which the fetcher maps to the static files it was given instead of opening.
STATIC_BASE_URL = "https://vsplan.invalid/static/"
MIME_TYPES = {"css": "text/css", "ttf": "font/ttf", "svg": "image/svg+xml", "png": "image/png"}


class RenderTimeout(Exception):
    """The render ran past its time bound and was stopped."""


class StaticOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves the given static files and refuses everything else.

    ``files`` maps a static file's name (``css/report.css``) to its path on disk.
    """

    def __init__(self, files: dict[str, str]) -> None:
        super().__init__()
        self.files = files

    def fetch(self, url, headers=None):
        if not url.startswith(STATIC_BASE_URL):
            raise ValueError(f"Refused to fetch {url}: only the app's static files are served.")
        name = unquote(urlparse(url).path).removeprefix("/static/")
        if ".." in Path(name).parts or name not in self.files:
            raise ValueError(f"Refused to fetch {url}: not one of the report's static files.")
        content_type = MIME_TYPES.get(name.rsplit(".", 1)[-1], "application/octet-stream")
        return URLFetcherResponse(
            url, Path(self.files[name]).read_bytes(), {"Content-Type": content_type}
        )


def write_pdf(html: str, files: dict[str, str]) -> bytes:
    """The PDF/A-3b, tagged; the same HTML gives the same bytes."""
    identifier = hashlib.sha256(html.encode()).hexdigest()[:32].encode()
    document = HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=StaticOnlyFetcher(files))
    return document.write_pdf(
        pdf_variant="pdf/a-3b",
        pdf_identifier=identifier,
        pdf_tags=True,
        custom_metadata=True,
    )


_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload([__name__])


def write_pdf_bounded(html: str, files: dict[str, str], seconds: float, *, render=write_pdf):
    """``render`` (``write_pdf``) in a child process that is stopped after ``seconds``
    (RenderTimeout). ``render`` must be a module-level function, as the child imports it."""
    receiver, sender = _context.Pipe(duplex=False)
    child = _context.Process(
        target=_write_pdf_child, args=(render, html, files, sender), daemon=True
    )
    child.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise RenderTimeout(seconds)
        try:
            failure, pdf = receiver.recv()
        except EOFError:
            child.join(5)  # it has closed its end: collect its exit code
            raise RuntimeError(
                f"The PDF renderer stopped without a result (exit code {child.exitcode})."
            ) from None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
    if failure:
        raise RuntimeError(f"The PDF renderer failed:\n{failure}")
    return pdf


def _write_pdf_child(render, html: str, files: dict[str, str], sender) -> None:
    # What the child inherited from the fork server (WeasyPrint and its imports) outlives
    # its one render: keep the garbage collector off it, so collections scan only the
    # render's own objects.
    gc.freeze()
    try:
        sender.send(("", render(html, files)))
    except Exception:
        sender.send((traceback.format_exc(), b""))
