from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.audit import audit_context, audit_record
from core.backup import BackupError, backup_restore
from core.models import AuditLog


class Command(BaseCommand):
    help = "把 opsdesk_backup 生成的备份恢复到一个已 migrate 的空数据库（非空库需 --force，将整体覆盖）。"

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--force", action="store_true", help="目标库已有数据时仍然覆盖（先清空全部数据表）")

    def handle(self, *args, archive: Path, force: bool, **options):
        try:
            manifest = backup_restore(archive=archive, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(t["rows"] for t in manifest["tables"].values())
        with audit_context(source="command:opsdesk_restore"):
            audit_record(action=AuditLog.Action.RESTORE, object_repr=str(archive)[:200],
                         detail=f"恢复自 {manifest['created_at']} 的备份：{rows} 行，{len(manifest['media'])} 个文件")
        self.stdout.write(f"restored {archive}: {len(manifest['tables'])} tables, {rows} rows, {len(manifest['media'])} media files")
