"""A pdfplumber page that turns characters into dicts without the generic path's cost.

pdfplumber converts every layout object pdfminer makes into a dict by walking the object's
attributes and resolving each through ``resolve_all`` (which exists for PDF object references). A
character's attributes are plain numbers and strings, and characters are almost all of a page's
objects: on the sample agreements that generic walk is a third of reading a PDF. ``Page`` here
builds a character's dict directly — the same keys and values as pdfplumber's own
``Page.process_object`` (``tests/test_pdf_chars.py`` compares them on every fixture page) — and
leaves every other object, and any character that is not plain (a byte-string font name, Unicode
normalisation asked for), to pdfplumber.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pdfplumber.page
from pdfminer.layout import LTChar
from pdfplumber.utils.pdfinternals import resolve_and_decode


class Page(pdfplumber.page.Page):
    """A pdfplumber page whose characters are read on a direct path."""

    @classmethod
    def of(cls, page: pdfplumber.page.Page) -> Page:
        """The same page of the same document, read on the direct path."""
        return cls(page.pdf, page.page_obj, page_number=page.page_number, initial_doctop=page.initial_doctop)

    def process_object(self, obj: Any) -> dict[str, Any]:
        if type(obj) is not LTChar or isinstance(obj.fontname, bytes) or self.pdf.unicode_norm is not None:
            return super().process_object(obj)
        state = obj.graphicstate
        x_shift, top_shift = self.mediabox[:2]
        height = self.height
        top = height - obj.y1 + top_shift
        found = {
            "matrix": obj.matrix,
            "fontname": obj.fontname,
            "adv": obj.adv,
            "upright": obj.upright,
            "x0": obj.x0 + x_shift if x_shift else obj.x0,
            "y0": obj.y0,
            "x1": obj.x1 + x_shift if x_shift else obj.x1,
            "y1": obj.y1,
            "width": obj.width,
            "height": obj.height,
            "size": obj.size,
            "object_type": "char",
            "page_number": self.page_number,
            "ncs": _colour_space(obj.ncs.name),
            "text": obj.get_text(),
            "stroking_color": state.scolor if isinstance(state.scolor, tuple) else (state.scolor,),
            "non_stroking_color": state.ncolor if isinstance(state.ncolor, tuple) else (state.ncolor,),
            "top": top,
            "bottom": height - obj.y0 + top_shift,
            "doctop": self.initial_doctop + top,
        }
        for key in ("mcid", "tag"):  # set by pdfplumber's device on the objects it tags
            if key in obj.__dict__:
                found[key] = obj.__dict__[key]
        return found


@lru_cache(maxsize=256)
def _colour_space(name: str | bytes) -> Any:
    """A colour space's name as pdfplumber gives it: decoded once per name, not once per character (a page
    has a few colour spaces and thousands of characters; decoding was a tenth of reading a page)."""
    return resolve_and_decode(name)
