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

from greencli.core.clean import clean_line

# Identity placeholders, replaced per community in the zip parts that hold them.
TOKEN_CODE: Final = "⟦GREENCLI:CODE⟧"
TOKEN_NAME: Final = "⟦GREENCLI:NAME⟧"
TOKEN_SUBDISTRICT: Final = "⟦GREENCLI:SUBDISTRICT⟧"
# The same in the page footers, where a lone & starts a control code (&P, &N): see `header_text`.
TOKEN_HEADER_CODE: Final = "⟦GREENCLI:HEADER-CODE⟧"
TOKEN_HEADER_NAME: Final = "⟦GREENCLI:HEADER-NAME⟧"
# Excel refuses a footer longer than 255 characters, control codes included, and the footer's code and name stay in
# the left third of a portrait page, beside its page number: they are kept to these lengths there (the name is whole
# on the sheets' titles and cells, which are what is read).
HEADER_CODE_LIMIT: Final = 12
HEADER_NAME_LIMIT: Final = 14

MARKER: Final = "⟦GREENCLI:".encode()
MARKER_REFERENCED: Final = b"&#10214;GREENCLI:"


def escape(text: str) -> str:
    """Text as XML character data (xml.sax.saxutils would do the same, but imports urllib, http and ssl for it)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _as_references(token: bytes) -> bytes:
    """A token as a writer that escapes non-ASCII text writes it: ⟦ and ⟧ as decimal character references."""
    return token.decode().replace("⟦", "&#10214;").replace("⟧", "&#10215;").encode()


@dataclass(frozen=True, slots=True)
class Identity:
    """The community a template is made for: code, name and 乡街."""

    code: str
    name: str
    subdistrict: str


PLACEHOLDER: Final = Identity(TOKEN_CODE, TOKEN_NAME, TOKEN_SUBDISTRICT)


def header_text(value: str, limit: int) -> str:
    """A value as a page footer prints it: & doubled (a lone & starts a control code), at most `limit` characters
    (the last an ellipsis when it had more)."""
    value = clean_line(value).strip()
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return value.replace("&", "&&")


def personalise(skeleton: bytes, identity: Identity) -> bytes:
    """Swap the placeholder tokens for a community's identity, XML-escaped, in every part that holds them."""
    swaps = [
        (token.encode(), escape(clean_line(value).strip()).encode())
        for token, value in ((TOKEN_CODE, identity.code), (TOKEN_NAME, identity.name),
                             (TOKEN_SUBDISTRICT, identity.subdistrict))
    ] + [
        (TOKEN_HEADER_CODE.encode(), escape(header_text(identity.code, HEADER_CODE_LIMIT)).encode()),
        (TOKEN_HEADER_NAME.encode(), escape(header_text(identity.name, HEADER_NAME_LIMIT)).encode()),
    ]  # fmt: skip
    # A workbook re-saved by another writer (openpyxl writes ⟦ and ⟧ as &#10214; and &#10215;) holds the same tokens
    # as character references: they are swapped too.
    swaps += [(_as_references(token), value) for token, value in swaps]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(skeleton)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if MARKER in data or MARKER_REFERENCED in data:
                for token, value in swaps:
                    data = data.replace(token, value)
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return out.getvalue()
