#!/usr/bin/env python
"""The programme report's render time and memory next to a plain WeasyPrint document.

    .venv/bin/python bench/pdf.py

Builds the demo history (a full cycle of reports), renders the programme report,
then renders a plain HTML document with the same number of pages and no app code,
in separate processes so that each one's peak memory is its own. Each renders
twice: the first figure is a fresh process's, the second a long-lived worker's.

The yardstick of the goal (ratio <= 1.5) is the plain document as first built: one
heading and one paragraph per page. For scale it also renders a plain document
whose pages are full of running text (as many paragraphs as fill a page), and that
document again written as the report is: PDF/A-3b, tagged, in the font the app ships.

Two more comparisons tell where the report's time goes (each with bare WeasyPrint:
no app code, no URL fetcher, no PDF/A, no tags):
- the report's own HTML: what the app's code and the archival options add;
- the report's HTML stripped of its field labels, charts, tables and page-keeping,
  against a plain document of the stripped report's page count: what is left is
  the cost of its paragraphs and lists alone.
"""

import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _setup import with_test_database

PLAIN = """<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 20mm; @bottom-right {{ content: counter(page) }} }}
body {{ font-family: sans-serif; font-size: 9.5pt }} section {{ page-break-after: always }}
</style></head><body>{sections}</body></html>"""


def text_per_page(pdf: bytes) -> tuple[int, int]:
    """The PDF's page count and its characters (not counting white space) per page."""
    import io

    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(pdf)).pages
    characters = sum(len("".join(page.extract_text().split())) for page in pages)
    return len(pages), characters // len(pages)


def render_app() -> dict:
    from django.core.management import call_command
    from django.utils import timezone

    from followup.models import FollowUpCycle
    from followup.pdf import PdfScope, build_pdf_data, render_pdf

    call_command("setup_demo", "--allow-without-debug", verbosity=0)
    cycle = FollowUpCycle.objects.get(state="open")
    runs = []
    for _ in range(2):  # the first in a fresh process, the second as a long-lived worker's
        start = time.perf_counter()
        data = build_pdf_data(
            cycle=cycle,
            scope=PdfScope("programme"),
            produced_by="bench",
            language="sv",
            today=timezone.localdate(),
        )
        filename, _ct, pdf = render_pdf(data)
        runs.append(time.perf_counter() - start)
    seconds, warm = runs
    html_path = save_html(data)  # after the timed renders, so that it warms nothing up for them
    pages, text = text_per_page(pdf)
    return {
        "seconds": seconds,
        "warm": warm,
        "pages": pages,
        "text": text,
        "bytes": len(pdf),
        "html_path": html_path,
        # The report renders in a child process (the time bound): count its memory too.
        "peak_mb": max(
            resource.getrusage(who).ru_maxrss
            for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
        )
        / 1024,
    }


def save_html(data) -> str:
    """The report's HTML as render_pdf makes it, in a file for the bare renders; its path."""
    from followup.pdf import pdf_html

    html = pdf_html(data)
    with tempfile.NamedTemporaryFile("w", suffix=".html", delete=False) as file:
        file.write(html)
    return file.name


def stripped(html: str) -> str:
    """The report without its field labels, charts, tables and blocks kept on one page."""
    html = re.sub(r'<span class="label">(.*?)</span>', r"\1", html)
    html = re.sub(r"<svg.*?</svg>|<table.*?</table>", "", html, flags=re.S)
    return html.replace("</head>", "<style>.block { page-break-inside: auto }</style></head>")


def render_bare(path: str, strip: bool) -> dict:
    """The report's HTML by bare WeasyPrint: no app code, fetcher, PDF/A or tags."""
    from weasyprint import HTML

    html = Path(path).read_text(encoding="utf-8")
    if strip:
        html = stripped(html)
    static = (Path(__file__).resolve().parent.parent / "static").as_uri() + "/"
    runs = []
    for _ in range(2):
        start = time.perf_counter()
        pdf = HTML(string=html, base_url=static).write_pdf()
        runs.append(time.perf_counter() - start)
    pages, text = text_per_page(pdf)
    return {"seconds": runs[0], "warm": runs[1], "pages": pages, "text": text}


def render_plain(pages: int, full: bool = False, archival: bool = False) -> dict:
    from weasyprint import HTML

    base_url, options, font = None, {}, ""
    if archival:  # the report's output settings and font, still no app code
        base_url = (Path(__file__).resolve().parent.parent / "static" / "fonts").as_uri() + "/"
        options = {"pdf_variant": "pdf/a-3b", "pdf_tags": True, "custom_metadata": True}
        font = (
            '@font-face {{ font-family: "shipped"; src: url("DejaVuSans.ttf") }} '
            'html {{ font-family: "shipped" }}'
        )

    template = PLAIN.replace("<style>", "<style>" + font)
    text = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 40
    paragraphs = 1
    if full:  # as many paragraphs as one page holds
        text = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 10

        def page(n):
            return f"<section><h1>Avsnitt</h1>{f'<p>{text}</p>' * n}</section>"

        def fits_one_page(n):
            document = HTML(string=template.format(sections=page(n)), base_url=base_url)
            return len(document.render().pages) == 1

        while fits_one_page(paragraphs + 1):
            paragraphs += 1
    html = template.format(
        sections="".join(
            f"<section><h1>Avsnitt {n}</h1>{f'<p>{text}</p>' * paragraphs}</section>"
            for n in range(pages)
        )
    )
    runs = []
    for _ in range(2):
        start = time.perf_counter()
        pdf = HTML(string=html, base_url=base_url).write_pdf(**options)
        runs.append(time.perf_counter() - start)
    return {
        "seconds": runs[0],
        "warm": runs[1],
        "bytes": len(pdf),
        "text": text_per_page(pdf)[1],
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--app":
        result = {}
        with_test_database(lambda: result.update(render_app()))
        print(json.dumps(result))
    elif len(sys.argv) > 2 and sys.argv[1] in ("--bare", "--bare-stripped"):
        print(json.dumps(render_bare(sys.argv[2], strip=sys.argv[1] == "--bare-stripped")))
    elif len(sys.argv) > 2 and sys.argv[1] in ("--plain", "--plain-full", "--plain-archival"):
        print(
            json.dumps(
                render_plain(
                    int(sys.argv[2]),
                    full=sys.argv[1] != "--plain",
                    archival=sys.argv[1] == "--plain-archival",
                )
            )
        )
    else:

        def run(*arguments) -> dict:  # in a process of its own: its own peak memory
            return json.loads(
                subprocess.run(
                    [sys.executable, __file__, *map(str, arguments)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )

        app = run("--app")
        plain, full, archival = (
            run(option, app["pages"]) for option in ("--plain", "--plain-full", "--plain-archival")
        )
        try:
            bare = run("--bare", app["html_path"])
            bare_stripped = run("--bare-stripped", app["html_path"])
        finally:
            Path(app["html_path"]).unlink()
        plain_stripped = run("--plain", bare_stripped["pages"])
        print(
            f"programme report: {app['pages']} pages ({app['text']} characters a page), "
            f"{app['seconds']:.1f} s, peak {app['peak_mb']:.0f} MB"
        )
        print(
            f"plain WeasyPrint: {app['pages']} pages ({plain['text']} characters a page), "
            f"{plain['seconds']:.1f} s, peak {plain['peak_mb']:.0f} MB"
        )
        print(
            f"ratio: {app['seconds'] / plain['seconds']:.2f} (goal <= 1.5); "
            f"peak memory {app['peak_mb']:.0f} MB (goal <= 500 MB)"
        )
        print(
            f"second render in the same process (a long-lived worker): report "
            f"{app['warm']:.1f} s, plain {plain['warm']:.1f} s, ratio "
            f"{app['warm'] / plain['warm']:.2f}"
        )
        print(
            f"for scale, plain WeasyPrint with pages full of running text: {app['pages']} pages "
            f"({full['text']} characters a page), {full['seconds']:.1f} s, ratio {app['seconds'] / full['seconds']:.2f}"
        )
        print(
            f"for scale, that document written as the report is (PDF/A-3b, tagged, shipped font): "
            f"{archival['text']} characters a page, {archival['seconds']:.1f} s, ratio {app['seconds'] / archival['seconds']:.2f}"
        )
        print(
            f"the report's own HTML by bare WeasyPrint (no app code, fetcher, PDF/A or tags): "
            f"{bare['pages']} pages, {bare['seconds']:.1f} s; the report is "
            f"{app['seconds'] / bare['seconds']:.2f} times that"
        )
        print(
            f"the report stripped of labels, charts, tables and page-keeping, bare WeasyPrint: "
            f"{bare_stripped['pages']} pages, {bare_stripped['seconds']:.1f} s; plain WeasyPrint "
            f"of {bare_stripped['pages']} pages {plain_stripped['seconds']:.1f} s, ratio "
            f"{bare_stripped['seconds'] / plain_stripped['seconds']:.2f}"
        )
