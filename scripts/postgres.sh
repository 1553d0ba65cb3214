# Sourced by scripts/test and scripts/bench: setup_postgres makes sure a
# PostgreSQL server runs here (installing it with apt-get when absent, starting
# it when stopped), creates a throwaway database dropped on exit, and exports
# KOX_TEST_POSTGRES for it — unless KOX_TEST_POSTGRES is already set.

say() { printf '\n== %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"
  elif command -v sudo >/dev/null; then sudo -u postgres "$@"
  else "$@"; fi
}

command -v go >/dev/null || { echo "go is not installed: https://go.dev/doc/install" >&2; exit 1; }

pg_dropdb=""
cleanup() {
  if [ -n "$pg_dropdb" ]; then
    as_postgres psql -q -h /var/run/postgresql -c "DROP DATABASE IF EXISTS $pg_dropdb WITH (FORCE)" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

setup_postgres() {
  if [ -n "${KOX_TEST_POSTGRES:-}" ]; then
    echo "PostgreSQL: using KOX_TEST_POSTGRES"
    return
  fi
  if ! command -v pg_ctlcluster >/dev/null; then
    say "installing PostgreSQL (apt-get)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql postgresql-client
  fi
  local version
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$version" ]; then
    version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    as_root pg_createcluster "$version" main
  fi
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    say "starting PostgreSQL $version"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || as_root pg_ctlcluster "$version" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  pg_isready -h 127.0.0.1 -p 5432
  local db="kox_test_$$_$(date +%s)"
  as_postgres psql -q -v ON_ERROR_STOP=1 -h /var/run/postgresql <<SQL >/dev/null
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kox_test') THEN
    CREATE ROLE kox_test LOGIN PASSWORD 'kox_test';
  END IF;
END \$\$;
CREATE DATABASE $db OWNER kox_test;
SQL
  pg_dropdb=$db
  export KOX_TEST_POSTGRES="postgres://kox_test:kox_test@127.0.0.1:5432/$db?sslmode=disable"
  echo "PostgreSQL: throwaway database $db"
}

