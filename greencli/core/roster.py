"""Communities of the district as the roster lists them."""

from __future__ import annotations

from dataclasses import dataclass

URBAN = "城市社区"
RURAL = ("村", "农村社区")  # listed, never counted toward the targets
KINDS = (URBAN, *RURAL)


@dataclass(frozen=True, slots=True)
class Community:
    code: str
    name: str
    subdistrict: str
    kind: str

    @property
    def urban(self) -> bool:
        """Only urban communities count toward the targets; villages (村) are listed but never counted."""
        return self.kind == URBAN
