"""opsdesk_backup / opsdesk_restore: a round trip reproduces every table row for row, and the media."""

import json
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from core.audit import audit_record
from core.backup import backup_models
from core.models import AuditLog
from core.services import notification_send


def snapshot_all_tables() -> dict[str, list[tuple]]:
    """Every row of every table, ordered by primary key (generic: new models are included)."""
    result = {}
    for model in backup_models():
        attnames = [f.attname for f in model._meta.concrete_fields]
        rows = model._base_manager.order_by("pk").values_list(*attnames)
        if model is AuditLog:  # the backup and restore write their own entries afterwards
            rows = rows.exclude(action__in=["backup", "restore"])
        result[model._meta.label_lower] = list(rows)
    return result


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "attachments" / "2025").mkdir(parents=True)
    (settings.MEDIA_ROOT / "attachments" / "2025" / "日志.txt").write_bytes("故障日志\n".encode() * 100)
    (settings.MEDIA_ROOT / "top.bin").write_bytes(bytes(range(256)))
    return settings.MEDIA_ROOT


@pytest.fixture
def populated(users, systems, media_root):
    notification_send(recipients=[users["engineer"], users["requester"]], kind="t", title="备份测试", body="<b>正文</b>")
    Token.objects.create(user=users["engineer"])
    audit_record(actor=users["auditor"], action=AuditLog.Action.EXPORT, detail="导出")
    return users


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_round_trip_reproduces_every_table_and_the_media(populated, media_root, tmp_path):
    before = snapshot_all_tables()
    assert before["accounts.user"] and before["accounts.user_groups"] and before["authtoken.token"]
    assert before["roster.calendarday"] and before["core.auditlog"]
    archive = tmp_path / "out" / "opsdesk.tar.gz"
    call_command("opsdesk_backup", str(archive), stdout=open("/dev/null", "w"))

    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["tables"]["accounts.user"]["rows"] == len(before["accounts.user"])
    assert set(manifest["media"]) == {"attachments/2025/日志.txt", "top.bin"}

    # A database with accounts is refused without --force.
    with pytest.raises(CommandError, match="不是空库"):
        call_command("opsdesk_restore", str(archive))

    # Into an empty, migrated database (every table emptied), and the media directory lost.
    call_command("flush", interactive=False, verbosity=0)
    for path in sorted(media_root.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    assert not snapshot_all_tables()["accounts.user"]
    call_command("opsdesk_restore", str(archive), stdout=open("/dev/null", "w"))

    after = snapshot_all_tables()
    differing = [label for label in before if before[label] != after[label]]
    assert not differing, differing
    assert (media_root / "attachments" / "2025" / "日志.txt").read_bytes() == "故障日志\n".encode() * 100
    assert (media_root / "top.bin").read_bytes() == bytes(range(256))
    assert AuditLog.objects.filter(action="restore").count() == 1

    # Sequences continue after the restored ids.
    from accounts.models import Organization

    new = Organization.objects.create(name="恢复后新建", kind="purchaser")
    assert new.pk > max(row[0] for row in before["accounts.organization"])

    # --force overwrites a used database with the archive again.
    Organization.objects.create(name="覆盖前的数据", kind="purchaser")
    call_command("opsdesk_restore", str(archive), "--force", stdout=open("/dev/null", "w"))
    assert not Organization.objects.filter(name__in=["覆盖前的数据", "恢复后新建"]).exists()
    assert snapshot_all_tables()["accounts.organization"] == before["accounts.organization"]


def _repack(extracted: Path, archive: Path) -> Path:
    """The files under `extracted` packed again as a backup archive at `archive`."""
    with tarfile.open(archive, "w:gz") as tar:
        for path in sorted(extracted.rglob("*")):
            if path.is_file():
                tar.add(path, arcname=path.relative_to(extracted).as_posix())
    return archive


@pytest.mark.django_db
def test_a_tampered_or_foreign_archive_is_refused(populated, tmp_path):
    archive = tmp_path / "a.tar.gz"
    call_command("opsdesk_backup", str(archive), stdout=open("/dev/null", "w"))
    extracted = tmp_path / "x"
    with tarfile.open(archive) as tar:
        tar.extractall(extracted, filter="data")
    users_file = extracted / "data" / "accounts.user.jsonl"
    users_file.write_text(users_file.read_text().replace("测试用户", "篡改用户"))
    tampered = _repack(extracted, tmp_path / "t.tar.gz")
    with pytest.raises(CommandError, match="SHA-256"):
        call_command("opsdesk_restore", str(tampered), "--force")

    manifest = json.loads((extracted / "manifest.json").read_text())
    manifest["migrations"] = manifest["migrations"][:-1]
    (extracted / "manifest.json").write_text(json.dumps(manifest))
    users_file.write_text(users_file.read_text().replace("篡改用户", "测试用户"))
    other = _repack(extracted, tmp_path / "o.tar.gz")
    with pytest.raises(CommandError, match="migrate"):
        call_command("opsdesk_restore", str(other), "--force")
    with pytest.raises(CommandError, match="找不到"):
        call_command("opsdesk_restore", str(Path(tmp_path / "missing.tar.gz")))
