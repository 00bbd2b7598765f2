# Shared by bin/start, bin/test and .ci/run. Source it; it defines functions only.

COOP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${COOP_VENV:-$COOP_ROOT/.venv}"
PY="$VENV/bin/python"
DATABASE_URL="${DATABASE_URL:-postgres://coop_app@127.0.0.1:5432/coop}"
DATABASE_OWNER_URL="${DATABASE_OWNER_URL:-postgres://coop_owner@127.0.0.1:5432/coop}"
DATABASE_ADMIN_URL="${DATABASE_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
export DATABASE_URL DATABASE_OWNER_URL DATABASE_ADMIN_URL REDIS_URL

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# Debian packages the project needs at run time or in tests: Pango and fonts for WeasyPrint,
# gettext for translations, pgBackRest and restic for backups (bin/backup, the restore drill),
# Chromium for browser tests, poppler for reading PDFs in tests.
SYSTEM_PACKAGES="libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu gettext pgbackrest restic"
# Debian's own python3 needs python3-venv to make a virtualenv; a python3 with ensurepip does not.
python3 -c "import ensurepip" 2>/dev/null || SYSTEM_PACKAGES="python3-venv $SYSTEM_PACKAGES"
TEST_SYSTEM_PACKAGES="chromium poppler-utils docker-compose"

install_system_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages: ${missing[*]}. Install them with: sudo apt-get install -y ${missing[*]}" >&2
    return 1
  fi
  say "Installing ${missing[*]}"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Creates the virtualenv and installs the pinned requirements when they changed.
install_python() {
  local requirements="$1"
  if ! "$PY" -m pip --version >/dev/null 2>&1; then
    say "Creating the virtualenv in $VENV"
    rm -rf "$VENV"  # a half-made one (python3-venv was missing) is made anew
    python3 -m venv "$VENV"
  fi
  local stamp="$VENV/.installed-$(cat "$COOP_ROOT/requirements.txt" "$COOP_ROOT/$requirements" | sha1sum | cut -c1-12)"
  if [ ! -f "$stamp" ]; then
    say "Installing $requirements"
    "$PY" -m pip install -q --disable-pip-version-check -r "$COOP_ROOT/$requirements"
    touch "$stamp"
  fi
}

# host port user password database of a postgres:// URL
url_parts() { "$PY" -c "import sys,environ; c=environ.Env.db_url_config(sys.argv[1]); print(c['HOST'] or '127.0.0.1', c['PORT'] or 5432, c['USER'], c.get('PASSWORD') or '-', c['NAME'])" "$1"; }

check_postgres() {
  read -r host port user _ _ < <(url_parts "$DATABASE_ADMIN_URL")
  if ! "$PY" -c "import psycopg,sys; psycopg.connect(sys.argv[1], connect_timeout=3).close()" "$DATABASE_ADMIN_URL" 2>/dev/null; then
    echo "PostgreSQL is not reachable at $host:$port (user $user); start it with: pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start" >&2
    return 1
  fi
}

check_redis() {
  if ! "$PY" -c "import redis,sys; redis.Redis.from_url(sys.argv[1], socket_connect_timeout=3).ping()" "$REDIS_URL" 2>/dev/null; then
    echo "Redis is not reachable at $REDIS_URL; start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no" >&2
    return 1
  fi
}

# The schema owner (runs migrate; CREATEDB here so tests can make their database) and the runtime
# role (web, worker, beat, tests), and the database owned by the first; made or put right by the
# superuser of DATABASE_ADMIN_URL with ops/sql/roles.sql. Local roles have no password (trust auth).
provision_database() {
  local owner owner_password runtime runtime_password name
  read -r _ _ owner owner_password name < <(url_parts "$DATABASE_OWNER_URL")
  read -r _ _ runtime runtime_password _ < <(url_parts "$DATABASE_URL")
  [ "$owner_password" = "-" ] && owner_password=""
  [ "$runtime_password" = "-" ] && runtime_password=""
  psql "$DATABASE_ADMIN_URL" -q -X -v database="$name" -v owner="$owner" -v owner_password="$owner_password" \
    -v owner_createdb="${DATABASE_OWNER_CREATEDB:-CREATEDB}" -v runtime="$runtime" -v runtime_password="$runtime_password" \
    -f "$COOP_ROOT/ops/sql/roles.sql" >/dev/null
}

compile_translations() {
  (cd "$COOP_ROOT" && "$PY" manage.py compilemessages -v 0 --ignore=.venv)
}
