"""The signed station code on a check-in poster: the proof that a check-in was made in front of
the station's own QR.

The code is `<version>:<signature>`, signed (django.core.signing, so SECRET_KEY and
SECRET_KEY_FALLBACKS) with a salt naming the station: a code copied from another station's
poster does not verify here. It does not expire, because posters stay on walls for years;
instead each station has a `poster_version`, and re-issuing the poster (services
`station_poster_reissue`) retires every code printed before, e.g. once a photo of the poster
circulates in a chat group.
"""

from __future__ import annotations

from typing import Literal

from django.core import signing

from .models import Station

MAX_LENGTH = 100  # a real code is ~45 characters; longer input is not worth verifying

Check = Literal["ok", "retired", "invalid"]


def _signer(station: Station) -> signing.Signer:
    return signing.Signer(salt=f"waystation.stations.poster:{station.code}")


def poster_code(station: Station) -> str:
    """The code printed (inside the QR's URL) on the station's current poster."""
    return _signer(station).sign(str(station.poster_version))


def poster_code_check(station: Station, code: str) -> Check:
    """ "ok" for the current poster's code, "retired" for a re-issued poster's, else "invalid"
    (forged, mangled, or signed for another station)."""
    if not code or len(code) > MAX_LENGTH:
        return "invalid"
    try:
        version = int(_signer(station).unsign(code))
    except (signing.BadSignature, ValueError):
        return "invalid"
    return "ok" if version == station.poster_version else "retired"
