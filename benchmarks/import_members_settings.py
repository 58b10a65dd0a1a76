"""Settings for benchmarks/import_members.py: the project's own, plus django-import-export (the
anchor) and a throwaway database of its own (created and dropped by the benchmark)."""

import os
import tempfile
from pathlib import Path

from waystation.settings import *  # noqa: F403
from waystation.settings import BASE_DIR, DATABASES, INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "import_export"]

_pg = DATABASES["default"]["ENGINE"].endswith("postgresql")
DATABASES["default"]["TEST"] = {
    "NAME": os.environ.get("BENCH_DB_NAME")
    or ("bench_import_members" if _pg else str(BASE_DIR / "var" / "bench_import_members.sqlite3"))
}
PRIVATE_MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="bench-import-"))
JOBS_EAGER = False
