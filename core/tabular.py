"""Reading uploaded registers (CSV in UTF-8, with or without BOM, or xlsx) into rows of
{column: value}, headers matched in Chinese or English. Shared by every import (routine registers, monitoring utilisation)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping

from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from core.exceptions import ValidationFailed

MAX_ROWS = 5000


def read_table(*, name: str, data: bytes, columns: Mapping[str, tuple[str, ...]]) -> list[tuple[int, dict]]:
    """[(row number as the spreadsheet shows it, {column: value})]. `columns` maps each column to the
    header texts accepted for it. Unknown headers are ignored; a missing required column is the
    caller's per-row error. Raises ValidationFailed (field `file`) for an unreadable file."""
    lower = name.lower()
    if lower.endswith(".xlsx"):
        rows = _xlsx_rows(data)
    elif lower.endswith(".csv") or lower.endswith(".txt"):
        rows = _csv_rows(data)
    else:
        raise ValidationFailed(fields={"file": [_("请上传 CSV 或 xlsx 文件")]})
    if not rows:
        raise ValidationFailed(fields={"file": [_("文件为空")]})
    header = [str(h or "").strip() for h in rows[0]]
    lookup = {alias.lower(): column for column, aliases in columns.items() for alias in (column, *aliases)}
    index = {i: lookup[h.lower()] for i, h in enumerate(header) if h.lower() in lookup}
    if not index:
        raise ValidationFailed(fields={"file": [_("未识别表头，请使用模板的列名")]})
    result = []
    for number, row in enumerate(rows[1:], start=2):
        if all(cell in (None, "") or (isinstance(cell, str) and not cell.strip()) for cell in row):
            continue
        values = {column: row[i] if i < len(row) else None for i, column in index.items()}
        result.append((number, {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}))
    if len(result) > MAX_ROWS:
        raise ValidationFailed(fields={"file": [_("一次最多导入 %(n)s 行") % {"n": MAX_ROWS}]})
    return result


def _csv_rows(data: bytes) -> list[list]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed(fields={"file": [_("CSV 须为 UTF-8 编码")]}) from None
    return [row for row in csv.reader(io.StringIO(text))]


def _xlsx_rows(data: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file  # noqa: BLE001
        raise ValidationFailed(fields={"file": [_("无法读取 xlsx 文件")]}) from None
    sheet = book.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    book.close()
    return rows


def parse_moment(value) -> dt.datetime | None:
    """A datetime from ISO text or a spreadsheet cell; naive values are Asia/Shanghai. None if unreadable."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time.min)
    else:
        text = str(value).strip().replace("/", "-")
        try:
            moment = parse_datetime(text) or parse_datetime(text + ":00")
        except ValueError:
            return None
        if moment is None:
            return None
    if not 1900 <= moment.year <= 2100:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def parse_day(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        day = parse_date(str(value).strip().replace("/", "-"))
    except ValueError:
        return None
    return day if day and 1900 <= day.year <= 2100 else None


def parse_choice(value, choices) -> str | None:
    """A TextChoices value from its code or its Chinese label."""
    text = str(value or "").strip()
    if not text:
        return None
    labels = {}
    for code, label in choices.choices:
        labels[str(label)] = code
        with translation.override("zh-hans"):
            labels[str(label)] = code
    if text.lower() in choices.values:
        return text.lower()
    return labels.get(text)
