"""The report page's preview: the first pages of a generated PDF as PNG images, drawn on the server by
poppler's pdftoppm (the same package that `make run` installs for the PDFs), so a reviewer sees what they
are about to issue without a PDF viewer or any script in the browser.

Images are kept under MEDIA_ROOT/previews/, named by the file's SHA-256: a new version never shows an
old picture, and each page is drawn once. Written to a temporary name and renamed, so two readers
drawing the same page at once never see half a file."""

import os
import re
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

PREVIEW_PAGES = 3
DPI = 72  # an A4 page ~ 595 × 842 px: legible on the page, small to send
TIMEOUT = 60


def previews_available() -> bool:
    return bool(shutil.which("pdftoppm") and shutil.which("pdfinfo"))


def _folder() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "previews"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def _local_pdf(generation):
    """A path to the generation's PDF on this machine (a copy when the storage is not a local disk)."""
    try:
        local = generation.file.path
    except NotImplementedError:
        local = None
    if local:
        yield Path(local)
        return
    with tempfile.NamedTemporaryFile(suffix=".pdf") as copy, generation.file.open("rb") as source:
        shutil.copyfileobj(source, copy)
        copy.flush()
        yield Path(copy.name)


def _ready(generation) -> bool:
    return bool(generation.file and generation.sha256 and generation.task_state == "done") and previews_available()


def preview_page_count(generation) -> int:
    """How many pages the preview shows: the PDF's first PREVIEW_PAGES (0 when there is no PDF yet)."""
    if not _ready(generation):
        return 0
    marker = _folder() / f"{generation.sha256}.pages"
    if marker.exists():
        return min(int(marker.read_text()), PREVIEW_PAGES)
    with _local_pdf(generation) as pdf:
        info = subprocess.run(  # noqa: S603 - fixed arguments and a file this module wrote
            ["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=TIMEOUT, check=True,  # noqa: S607 - poppler from the OS
        ).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))
    _write_atomically(marker, str(pages).encode())
    return min(pages, PREVIEW_PAGES)


def preview_png(generation, page: int) -> Path | None:
    """The PNG of `page` (1-based) of the preview, drawn if not yet; None for a page not previewed."""
    if not 1 <= page <= preview_page_count(generation):
        return None
    target = _folder() / f"{generation.sha256}-{page}.png"
    if target.exists():
        return target
    with tempfile.TemporaryDirectory(dir=_folder()) as work, _local_pdf(generation) as pdf:
        prefix = Path(work) / "page"
        subprocess.run(  # noqa: S603 - fixed arguments and a file this module wrote
            ["pdftoppm", "-png", "-r", str(DPI), "-f", str(page), "-l", str(page), "-singlefile",  # noqa: S607 - poppler from the OS
             str(pdf), str(prefix)],
            capture_output=True, timeout=TIMEOUT, check=True,
        )
        os.replace(prefix.with_suffix(".png"), target)
    return target


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent)
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, path)
