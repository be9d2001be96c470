"""Backup and restore of all OpsDesk data: every table of every installed app (auth groups, tokens,
sessions, axes, the audit log…) plus the files under MEDIA_ROOT, in one .tar.gz:

    manifest.json            format, time, applied migrations, per table: file, rows, SHA-256;
                             per media file: SHA-256 and size
    data/<app>.<model>.jsonl one JSON object per row (Django's "python" serialisation, full precision)
    media/<path>             the media files

`backup_create` reads in one REPEATABLE READ transaction on PostgreSQL (a consistent snapshot).
`backup_restore` verifies every checksum and the migration state first, then, in one transaction,
empties every table, inserts every row with its original primary key (bulk, without signals: the
restore is not a series of user edits) and resets the sequences; any failure leaves the database as
it was. Models added by any app are covered automatically (the list comes from the app registry).
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import io
import json
import shutil
import tarfile
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = "opsdesk-backup/1"
CHUNK = 2000


class BackupError(Exception):
    """The archive cannot be restored here (bad checksum, other schema, non-empty database)."""


def backup_models() -> list[type[models.Model]]:
    """Every concrete table Django manages, including auto-created many-to-many tables."""
    result = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and not m._meta.swapped
    ]
    return sorted(result, key=lambda m: m._meta.label_lower)


class _Encoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, dt.datetime | dt.date | dt.time):
            return o.isoformat()  # full precision (DjangoJSONEncoder would drop microseconds)
        if isinstance(o, decimal.Decimal | uuid.UUID):
            return str(o)
        return super().default(o)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _field_names(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.local_concrete_fields if not f.primary_key]


def applied_migrations() -> list[str]:
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())


def _media_files() -> Iterator[tuple[str, Path]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path.relative_to(root).as_posix(), path


def backup_create(*, archive: Path) -> dict:
    """Write the archive; returns the manifest."""
    archive = Path(archive)
    with tempfile.TemporaryDirectory(prefix="opsdesk-backup-") as tmp:
        tmpdir = Path(tmp)
        (tmpdir / "data").mkdir()
        tables: dict[str, dict] = {}
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if connection.vendor == "postgresql" and outermost:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            migrations = applied_migrations()
            for model in backup_models():
                label = model._meta.label_lower
                name = f"data/{label}.jsonl"
                rows = 0
                with (tmpdir / name).open("w", encoding="utf-8") as out:
                    queryset = model._base_manager.order_by("pk").iterator(chunk_size=CHUNK)
                    for row in serializers.serialize("python", queryset, fields=_field_names(model)):
                        out.write(json.dumps(row, cls=_Encoder, ensure_ascii=False))
                        out.write("\n")
                        rows += 1
                tables[label] = {"file": name, "rows": rows, "sha256": _sha256(tmpdir / name)}
        media = {rel: {"sha256": _sha256(path), "size": path.stat().st_size} for rel, path in _media_files()}
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database_vendor": connection.vendor,
            "migrations": migrations,
            "tables": tables,
            "media": media,
        }
        archive.parent.mkdir(parents=True, exist_ok=True)
        partial = archive.with_name(archive.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            info.mtime = int(timezone.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            for entry in tables.values():
                tar.add(tmpdir / entry["file"], arcname=entry["file"])
            for rel, path in _media_files():
                if rel in media:
                    tar.add(path, arcname=f"media/{rel}")
        partial.replace(archive)  # never leave a half-written archive under the final name
    return manifest


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts


def database_is_empty() -> bool:
    """A freshly migrated OpsDesk database has no user accounts; any real use creates them."""
    from django.contrib.auth import get_user_model

    return not get_user_model()._base_manager.exists()


def backup_restore(*, archive: Path, force: bool = False) -> dict:
    """Restore the archive into this (migrated) database. Refuses a database with user accounts
    unless `force`. Returns the manifest."""
    with tempfile.TemporaryDirectory(prefix="opsdesk-restore-") as tmp:
        tmpdir = Path(tmp)
        manifest = _extract_and_verify(Path(archive), tmpdir)
        here = applied_migrations()
        if manifest["migrations"] != here:
            theirs, ours = set(manifest["migrations"]), set(here)
            raise BackupError(
                "数据库结构与备份不一致，请先在相同版本上执行 migrate。"
                f" 备份多出：{sorted(theirs - ours)[:10]}；本库多出：{sorted(ours - theirs)[:10]}"
            )
        if not force and not database_is_empty():
            raise BackupError(_("目标数据库不是空库（已有用户账号）。确认要覆盖时使用 --force。"))
        by_label = {m._meta.label_lower: m for m in backup_models()}
        unknown = set(manifest["tables"]) - set(by_label)
        if unknown:
            raise BackupError(f"备份中有本系统没有的数据表：{sorted(unknown)}")
        with transaction.atomic():
            tables = [m._meta.db_table for m in by_label.values()]
            with connection.cursor() as cursor:
                for sql in connection.ops.sql_flush(no_style(), tables, allow_cascade=False):
                    cursor.execute(sql)
            for label, entry in manifest["tables"].items():
                _load_table(by_label[label], tmpdir / entry["file"])
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), list(by_label.values())):
                    cursor.execute(sql)
        from django.contrib.contenttypes.models import ContentType
        from django.core.cache import cache

        ContentType.objects.clear_cache()
        # Nothing cached from the database before (sessions, drop-downs) may outlive what it was read from.
        cache.clear()
        media_root = Path(settings.MEDIA_ROOT)
        for rel in manifest["media"]:
            target = media_root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(tmpdir / "media" / rel, target)
    return manifest


def _load_table(model: type[models.Model], path: Path) -> None:
    def batches() -> Iterator[list[dict]]:
        batch: list[dict] = []
        with path.open(encoding="utf-8") as f:
            for line in f:
                batch.append(json.loads(line))
                if len(batch) >= CHUNK:
                    yield batch
                    batch = []
        if batch:
            yield batch

    # Stored timestamps are kept as they were: auto_now/auto_now_add would overwrite them on insert.
    stamped = [f for f in model._meta.concrete_fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    saved = [(f, f.auto_now, f.auto_now_add) for f in stamped]
    for f in stamped:
        f.auto_now = f.auto_now_add = False
    try:
        for batch in batches():
            objects = [d.object for d in serializers.deserialize("python", batch)]
            model._base_manager.bulk_create(objects, batch_size=500)
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _extract_and_verify(archive: Path, into: Path) -> dict:
    if not archive.is_file():
        raise BackupError(f"找不到备份文件 {archive}")
    try:
        with tarfile.open(archive, "r:gz") as tar:
            try:
                manifest = json.load(tar.extractfile("manifest.json"))
            except KeyError as exc:
                raise BackupError(_("备份文件中没有 manifest.json")) from exc
            if manifest.get("format") != FORMAT:
                raise BackupError(f"不支持的备份格式：{manifest.get('format')}")
            expected = {e["file"]: e["sha256"] for e in manifest["tables"].values()}
            expected.update({f"media/{rel}": m["sha256"] for rel, m in manifest["media"].items()})
            for name in expected:
                if not _safe_member(name):
                    raise BackupError(f"备份中有不安全的路径：{name}")
            for member in tar.getmembers():
                if member.name == "manifest.json":
                    continue
                if member.name not in expected or not member.isfile() or not _safe_member(member.name):
                    raise BackupError(f"备份中有清单以外的内容：{member.name}")
                target = into / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(member) as src, target.open("wb") as dst:
                    shutil.copyfileobj(src, dst)
    except (tarfile.TarError, OSError, json.JSONDecodeError) as exc:
        raise BackupError(f"无法读取备份文件：{exc}") from exc
    for name, digest in expected.items():
        path = into / name
        if not path.is_file():
            raise BackupError(f"备份不完整，缺少 {name}")
        if _sha256(path) != digest:
            raise BackupError(f"校验失败（SHA-256 不符）：{name}")
    return manifest
