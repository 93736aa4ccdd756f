#!/usr/bin/env bash
# Install the system packages the portal and the test harness need (Redis, Chromium, gettext,
# and pango/harfbuzz with a font for WeasyPrint's PDF of the annual report),
# when they are missing and we are allowed to (running as root on Debian/Ubuntu).
set -euo pipefail

have_pdf_libs() {
    # Read the list once into a variable: "ldconfig -p | grep -q" fails under pipefail (SIGPIPE).
    local libs
    libs="$(ldconfig -p 2>/dev/null || true)"
    [[ $libs == *libpangoft2-1.0.so.0* && $libs == *libharfbuzz-subset.so.0* ]] && compgen -G "/usr/share/fonts/*/*" >/dev/null
}
have_pg() { compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v pg_config >/dev/null; }

if command -v redis-server >/dev/null && command -v chromium >/dev/null && command -v msgfmt >/dev/null && have_pg \
        && have_pdf_libs; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "Missing system packages (need redis-server, chromium, msgfmt, PostgreSQL server, pango); install them:" >&2
    echo "  sudo apt-get install -y redis-server chromium gettext postgresql libpango-1.0-0 libpangoft2-1.0-0" \
         "libharfbuzz-subset0 fonts-dejavu-core" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
packages=(redis-server chromium gettext)
have_pg || packages+=(postgresql)
have_pdf_libs || packages+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
apt-get install -y "${packages[@]}"
