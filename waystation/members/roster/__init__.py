"""Roster import (.xlsx, .xls, WPS .et, CSV; title rows above the header, the roster on any
sheet): template, reading, per-row validation, preview, error file, and the
batched, idempotent, resumable commit that runs as a background job.

An upload is checked only as far as is cheap (a workbook within the size limits of
core/xlsx.py) and kept encrypted under the personal-data keys (under PRIVATE_MEDIA_ROOT, a
server-chosen name) for the validation job, which reads it in a child process of bounded memory,
deletes it, and validates every row. From then on only the clean values of the rows that will
become members are kept, encrypted, until the commit is done, so what is written is exactly what
the preview showed. Each batch is written in one transaction together with the import's resume
point (`committed_through`), and members are unique by the keyed hash of their ID number, so a
crashed commit resumes where it stopped and a re-imported file creates nothing new.

- columns.py    the template's sheet, columns, header aliases, industry and district names
- reading.py    the reader's cells to `Row` records (no Django)
- validation.py the file as a whole, then each row with the join form's rules
- files.py      the upload, staged rows and error file on disk; the template
- selectors.py  where a staff member may import to; the imports they see
- services.py   upload, the validation job (staging), error file download, commit start, purge
- commit.py     the commit job: batches, each with its resume point, under a row lock
"""

from .columns import COLUMNS
from .commit import JOB_KIND, roster_commit_job
from .files import error_file_bytes, errors_path, staged_path, template_bytes, upload_path
from .reading import MAX_ROWS, Row
from .selectors import importable_units, imports_visible_to
from .services import (
    STAGING_DAYS,
    VALIDATE_KIND,
    roster_commit_start,
    roster_errors_download,
    roster_purge_stale,
    roster_upload,
    roster_validate_job,
)
from .validation import EXTENSIONS, MAX_BYTES, Parsed, RosterFileError, check_file, parse

__all__ = [
    "COLUMNS",
    "EXTENSIONS",
    "JOB_KIND",
    "MAX_BYTES",
    "MAX_ROWS",
    "STAGING_DAYS",
    "VALIDATE_KIND",
    "Parsed",
    "RosterFileError",
    "Row",
    "check_file",
    "error_file_bytes",
    "errors_path",
    "importable_units",
    "imports_visible_to",
    "parse",
    "roster_commit_job",
    "roster_commit_start",
    "roster_errors_download",
    "roster_purge_stale",
    "roster_upload",
    "roster_validate_job",
    "staged_path",
    "template_bytes",
    "upload_path",
]
