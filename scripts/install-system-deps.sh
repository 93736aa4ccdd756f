#!/usr/bin/env bash
# Install the system packages the test harness needs (Redis, Chromium, gettext),
# when they are missing and we are allowed to (running as root on Debian/Ubuntu).
set -euo pipefail

have_pg() { compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v pg_config >/dev/null; }

if command -v redis-server >/dev/null && command -v chromium >/dev/null && command -v msgfmt >/dev/null && have_pg; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "Missing system packages (need redis-server, chromium, msgfmt, PostgreSQL server); install them:" >&2
    echo "  sudo apt-get install -y redis-server chromium gettext postgresql" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
packages=(redis-server chromium gettext)
have_pg || packages+=(postgresql)
apt-get install -y "${packages[@]}"
