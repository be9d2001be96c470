from pathlib import Path

from django.core.management.base import BaseCommand

from core.audit import audit_context, audit_record
from core.backup import backup_create
from core.models import AuditLog


class Command(BaseCommand):
    help = "把全部 OpsDesk 数据（所有数据表与 MEDIA_ROOT 文件）备份为一个 .tar.gz（含清单与 SHA-256）。"

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="输出文件，例如 /backup/opsdesk-2025-07-01.tar.gz")

    def handle(self, *args, archive: Path, **options):
        manifest = backup_create(archive=archive)
        rows = sum(t["rows"] for t in manifest["tables"].values())
        with audit_context(source="command:opsdesk_backup"):
            audit_record(action=AuditLog.Action.BACKUP, object_repr=str(archive)[:200],
                         detail=f"{len(manifest['tables'])} 张表 {rows} 行，{len(manifest['media'])} 个文件")
        self.stdout.write(f"backup written: {archive} ({len(manifest['tables'])} tables, {rows} rows, {len(manifest['media'])} media files)")
