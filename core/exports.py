"""CSV (UTF-8 with BOM, for Excel) and xlsx of a register. Cells that a spreadsheet would run as a
formula are prefixed (CSV injection)."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import IO


def _cell(value):
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def csv_stream(headers: Sequence[str], rows: Iterable[Sequence], *, batch: int = 200) -> Iterator[bytes]:
    """The same CSV as csv_bytes, in pieces of `batch` rows (for a StreamingHttpResponse): memory holds
    one piece, whatever the number of rows."""
    out = io.StringIO()
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow(headers)
    for n, row in enumerate(rows, start=1):
        writer.writerow([_cell(v) for v in row])
        if n % batch == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


# An xlsx file larger than this goes from memory to a temporary file while it is written and sent.
XLSX_SPOOL_BYTES = 8 * 1024 * 1024


def xlsx_file(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]) -> IO[bytes]:
    """The workbook of xlsx_bytes written to a spooled temporary file, rewound (for a FileResponse,
    which closes it): neither the rows nor the finished file are held in memory beyond the spool."""
    out = tempfile.SpooledTemporaryFile(max_size=XLSX_SPOOL_BYTES)  # the response closes it
    _xlsx_write(sheets, out)
    out.seek(0)
    return out


def xlsx_bytes(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """sheets: (title, headers, rows). Write-only workbook: memory stays flat for long registers."""
    out = io.BytesIO()
    _xlsx_write(sheets, out)
    return out.getvalue()


def _xlsx_write(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]], out: IO[bytes]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title=str(title)[:31])
        bold = []
        for header in headers:
            cell = WriteOnlyCell(sheet, value=str(header))
            cell.font = Font(bold=True)
            bold.append(cell)
        sheet.append(bold)
        for row in rows:
            sheet.append([_cell(v) for v in row])
    book.save(out)
