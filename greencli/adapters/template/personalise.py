"""Personalisation: one skeleton workbook per run, its identity placeholders swapped per community.

Roster text goes into the zip parts as XML-escaped text only (shared or inline strings), never into a formula, so a
name beginning with = or + stays a name. It is put in under the one rule of `core.clean` (the roster was already read
under it), so the workbook holds exactly what `score` will read back: no control or direction characters, never cut.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Final
from xml.sax.saxutils import escape

from greencli.core.clean import clean_line

# Identity placeholders, replaced per community in the zip parts that hold them.
TOKEN_CODE: Final = "⟦GREENCLI:CODE⟧"
TOKEN_NAME: Final = "⟦GREENCLI:NAME⟧"
TOKEN_SUBDISTRICT: Final = "⟦GREENCLI:SUBDISTRICT⟧"

MARKER: Final = "⟦GREENCLI:".encode()


@dataclass(frozen=True, slots=True)
class Identity:
    code: str
    name: str
    subdistrict: str


PLACEHOLDER: Final = Identity(TOKEN_CODE, TOKEN_NAME, TOKEN_SUBDISTRICT)


def personalise(skeleton: bytes, identity: Identity) -> bytes:
    """Swap the placeholder tokens for a community's identity, XML-escaped, in every part that holds them."""
    swaps = [
        (token.encode(), escape(clean_line(value).strip()).encode())
        for token, value in ((TOKEN_CODE, identity.code), (TOKEN_NAME, identity.name),
                             (TOKEN_SUBDISTRICT, identity.subdistrict))
    ]  # fmt: skip
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(skeleton)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if MARKER in data:
                for token, value in swaps:
                    data = data.replace(token, value)
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return out.getvalue()
