"""Writes for mutual aid (being split by topic; callers use `services.<name>` from here)."""

from .claims import *  # noqa: F403
from .claims import ClaimStateError  # noqa: F401
