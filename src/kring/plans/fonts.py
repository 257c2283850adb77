"""The Kurinto fonts of the plan PDF, read once per process instead of once per document.

fpdf2 normally parses the whole font file (about 5 MB per style, 28,000 glyphs) for every
document and, when it writes the PDF, cuts the glyphs used out of the whole font again
(decompiling its layout tables only to throw them away). Both took about 1.8 seconds per
plan. Here, per process:

- one parsed `TTFFont` per style (the *template*) is kept; each document gets a light copy
  of it with its own glyph bookkeeping (`add_fonts`);
- the font without the layout tables (GSUB, GPOS, ...; fpdf2 drops them from the embedded
  font anyway) is kept as bytes, and from it, per group of glyph-id blocks a document
  uses, a smaller font holding those blocks (`_superset`). Before writing, each document's
  font is pointed at such a small font (`prepare_output`), so fpdf2 cuts the subset out of
  a few hundred glyphs instead of 28,000. fpdf2 finds glyphs by name, and the cut fonts
  keep the names of the full font, so the embedded subset holds the same glyphs as before
  (only the font-wide bounding box in its `head` table is the cut font's, a little wider).

Text shaping (HarfBuzz) still reads the full font file, with its layout tables, so Arabic
joins and Ethiopic and Turkish show as written.

The templates are shared objects that fpdf2 reads and writes while laying out text, so a
document is built by one thread at a time (`BUILD_LOCK`); building takes a fraction of a
second, and stored documents are served without it.
"""

from __future__ import annotations

import copy
import io
import threading
from functools import cache
from importlib import resources
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from fontTools import subset as ftsubset
from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

FONT_PACKAGE = "weblate_fonts"
FONT_DIR = "static/weblate_fonts/kurinto/ttf"
FONT_FILES = {"": "KurintoSans-Rg.ttf", "B": "KurintoSans-Bd.ttf"}

#: The tables fpdf2 leaves out of an embedded font (fpdf/output.py), and the signature.
DROPPED_TABLES = ["FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta", "sbix", "CBDT", "CBLC",
                  "EBDT", "EBLC", "EBSC", "SVG ", "CPAL", "COLR", "DSIG"]
#: Glyph ids per block. A Dutch plan uses two or three blocks, Arabic or Ethiopic a few more.
BLOCK = 256
#: Blocks that hold Latin letters, digits and punctuation: in every cut font.
LATIN_BLOCKS = (0, 1, 2)
#: How many cut fonts a process keeps (each 50-400 kB).
MAX_CUTS = 32

#: One document at a time uses the shared templates (see the module docstring).
BUILD_LOCK = threading.RLock()


@cache
def font_path(style: str = "") -> Path:
    """The TTF file of the installed `weblate-fonts` package for a style ('' or 'B')."""
    try:
        path = Path(str(resources.files(FONT_PACKAGE) / FONT_DIR / FONT_FILES[style]))
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the installation
        raise ImproperlyConfigured("The plan PDF needs the 'weblate-fonts' package.") from exc
    if not path.exists():  # pragma: no cover
        raise ImproperlyConfigured(f"Font file missing: {path}")
    return path


@cache
def _template(family: str, style: str) -> TTFFont:
    """The parsed font, with the tables that text layout reads loaded up front."""
    holder = FPDF()
    holder.add_font(family, style, str(font_path(style)))
    font = next(iter(holder.fonts.values()))
    font.ttfont.getGlyphOrder()
    font.ttfont["hmtx"]  # loads the table now
    _face = font.hbfont  # opens the HarfBuzz face now
    return font


@cache
def _embeddable(style: str) -> bytes:
    """The full font without the tables fpdf2 drops when it embeds a subset."""
    font = ttLib.TTFont(str(font_path(style)), recalcTimestamp=False)
    for tag in DROPPED_TABLES:
        if tag in font:
            del font[tag]
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _cut(style: str, blocks: frozenset[int]) -> bytes:
    """A font holding the glyphs of these id blocks (and the glyphs they are built from)."""
    font = ttLib.TTFont(io.BytesIO(_embeddable(style)), recalcTimestamp=False, lazy=True)
    order = font.getGlyphOrder()
    names = [order[i] for block in sorted(blocks)
             for i in range(block * BLOCK, min((block + 1) * BLOCK, len(order)))]
    options = ftsubset.Options(notdef_outline=True, recommended_glyphs=True, glyph_names=True)
    options.drop_tables += DROPPED_TABLES
    subsetter = ftsubset.Subsetter(options)
    subsetter.populate(glyphs=names)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


_cuts: dict[tuple[str, frozenset[int]], bytes] = {}


def _superset(style: str, blocks: frozenset[int]) -> bytes:
    """A cut font holding at least these blocks: a kept one when one covers them, else a new
    one, widened by the neighbouring blocks and the Latin ones so that it serves more plans."""
    covering = [key for key in _cuts if key[0] == style and blocks <= key[1]]
    if covering:
        return _cuts[min(covering, key=lambda key: len(key[1]))]
    wider = frozenset({*LATIN_BLOCKS, *blocks, *(b + 1 for b in blocks), *(b - 1 for b in blocks if b)})
    if len(_cuts) >= MAX_CUTS:
        del _cuts[next(iter(_cuts))]  # the oldest
    _cuts[(style, wider)] = data = _cut(style, wider)
    return data


def _copy_for(template: TTFFont, index: int) -> TTFFont:
    """A font for one document: shares the parsed tables, owns what a document changes."""
    font = copy.copy(template)
    font.i = index
    font.cw = copy.copy(template.cw)
    font.glyph_ids = dict(template.glyph_ids)
    font.desc = copy.copy(template.desc)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font.subset = SubsetMap(font)
    return font


def add_fonts(pdf: FPDF, family: str) -> None:
    """Register the Kurinto styles on `pdf` (instead of `pdf.add_font`, which parses the file).

    Hold `BUILD_LOCK` from here until the PDF is written.
    """
    for style in FONT_FILES:
        template = _template(family, style)
        pdf.fonts[template.fontkey] = _copy_for(template, len(pdf.fonts) + 1)


def prepare_output(pdf: FPDF, family: str) -> None:
    """Point each font at a small font holding every glyph the document uses (just before
    `pdf.output()`, under `BUILD_LOCK`)."""
    for style in FONT_FILES:
        template = _template(family, style)
        font = pdf.fonts[template.fontkey]
        ids = {template.ttfont.getGlyphID(name) for name in font.subset.get_all_glyph_names()}
        blocks = frozenset({0, *(i // BLOCK for i in ids)})
        # The outlines are not changed, so their bounding boxes need no recalculating.
        font.ttfont = ttLib.TTFont(io.BytesIO(_superset(style, blocks)), recalcTimestamp=False,
                                   recalcBBoxes=False, lazy=True)


def warm(family: str = "Kurinto") -> None:
    """Parse the fonts and cut the Latin font now, so the first plan PDF a web worker builds
    takes a fraction of a second instead of several (`kring serve` calls this in each worker
    before it takes requests; see `kring.gunicorn_conf`)."""
    with BUILD_LOCK:
        for style in FONT_FILES:
            _template(family, style)
            _superset(style, frozenset(LATIN_BLOCKS))
