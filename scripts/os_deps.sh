#!/usr/bin/env bash
# Installs the operating-system parts OpsDesk needs where they are missing (Debian, as root):
#   pango (WeasyPrint's layout), fonts-noto-cjk (Chinese glyphs embedded in the PDFs),
#   gettext (compiles the English catalogue), poppler-utils (pdffonts/pdftoppm in tests).
# With E2E=1 also chromium (the end-to-end tests' browser) and prometheus + prometheus-alertmanager (the
# monitoring intake's end-to-end test); with BENCH=1 also wrk (bench/run.py's load).
# Elsewhere it prints which packages to install and stops.
set -euo pipefail

need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
command -v dpkg-query >/dev/null 2>&1 || { echo "os_deps: not a Debian system; install pango, Noto CJK fonts, gettext and poppler yourself" >&2; exit 0; }

have_pkg libpango-1.0-0 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
have_pkg fonts-noto-cjk || need+=(fonts-noto-cjk)
command -v msgfmt >/dev/null 2>&1 || need+=(gettext)
command -v pdffonts >/dev/null 2>&1 || need+=(poppler-utils)
if [ "${E2E:-0}" = "1" ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ]; then
    need+=(chromium)
  else
    echo "os_deps: chromium is missing (apt-get install chromium): the end-to-end tests will be skipped" >&2
  fi
fi
if [ "${E2E:-0}" = "1" ]; then
  command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
  command -v prometheus-alertmanager >/dev/null 2>&1 || need+=(prometheus-alertmanager)
fi
if [ "${BENCH:-0}" = "1" ] && ! command -v wrk >/dev/null 2>&1; then
  need+=(wrk)
fi

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "os_deps: missing Debian packages: ${need[*]}" >&2
  echo "os_deps: run as root: apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "os_deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fc-cache -f >/dev/null 2>&1 || true
