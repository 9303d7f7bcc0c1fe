"""QR codes of a survey's link, as SVG, for posters at one-stop counters.

Pure: segno draws the code; the results page shows it and offers it for download. SVG
scales to any poster size without blurring, and is a few kilobytes.
"""

from __future__ import annotations

import io

import segno

MEDIA_TYPE = "image/svg+xml"
#: Pixels per module, and modules of quiet zone around the code (ISO/IEC 18004: 4).
SCALE, BORDER = 8, 4


def svg(url: str, title: str) -> bytes:
    """The QR code of *url* as an SVG document titled *title* (what screen readers and
    file viewers name it by).

    Error correction M (15% of the code may be lost): a printed poster gets scratched
    and folded. Black on an opaque white ground with the 4-module quiet zone ISO/IEC
    18004 asks for, so that phones read it on a poster of any colour.
    """
    code = segno.make(url, error="m", boost_error=False)
    out = io.BytesIO()
    code.save(out, kind="svg", scale=SCALE, border=BORDER, dark="#000", light="#fff",
              title=title, xmldecl=True, svgclass=None, lineclass=None)
    # A viewBox beside the size: a page may show it smaller (an <img> of another size
    # scales it rather than cut it), a print tool still opens it at its own size.
    width, height = code.symbol_size(scale=SCALE, border=BORDER)
    size = f'width="{width}" height="{height}"'
    return out.getvalue().replace(size.encode(), f'{size} viewBox="0 0 {width} {height}"'
                                  .encode(), 1)
