#!/usr/bin/env bash
# Runs the whole test suite on every dialect (SQLite in-process, PostgreSQL and MariaDB on
# 127.0.0.1). Starts PostgreSQL and MariaDB when they are down, installs them first when they
# are missing (Debian), creates the test databases, then runs every test of the workspace.
# A server that cannot be reached is a failure with a message, never a skipped dialect.
#
# Usage: scripts/test.sh [extra cargo test arguments]
# Environment: SEQUELIZE_TEST_POSTGRES_URL, SEQUELIZE_TEST_MYSQL_URL override the servers;
# SEQUELIZE_TEST_DIALECTS=sqlite,postgres narrows the run on purpose.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_HOST=127.0.0.1 PG_PORT=5432 PG_USER=postgres
MY_HOST=127.0.0.1 MY_PORT=3306 MY_USER=root
# The read replicas of the replication tests: a streaming replica of the PostgreSQL server
# and a MariaDB replica of the MariaDB server, each with its own data directory and port.
PG_REPLICA_PORT=5433 PG_REPLICA_DIR=/var/lib/postgresql/sequelize-replica
MY_REPLICA_PORT=3307 MY_REPLICA_DIR=/var/lib/mysql-sequelize-replica
# The local MariaDB's pid file (Debian's), which tells its process from the replica's.
MY_PID_FILE=/run/mysqld/mysqld.pid
start_mariadb() { start-stop-daemon --start --oknodo --background --pidfile "$MY_PID_FILE" --exec /usr/sbin/mariadbd; }
TEST_DB=sequelize_test

say() { printf '\n== %s\n' "$*"; }
fail() { printf '\nERROR: %s\n' "$*" >&2; exit 1; }

wants() { # wants DIALECT: whether this run covers it
  [ -z "${SEQUELIZE_TEST_DIALECTS:-}" ] || [[ ",${SEQUELIZE_TEST_DIALECTS}," == *",$1,"* ]]
}

install_if_missing() { # install_if_missing COMMAND PACKAGE...
  command -v "$1" >/dev/null 2>&1 && return 0
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
    || fail "$1 is not installed; install the Debian packages: ${*:2}"
  say "installing ${*:2}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${@:2}" >/dev/null
}

wait_for() { # wait_for DESCRIPTION COMMAND...
  for _ in $(seq 1 60); do "${@:2}" >/dev/null 2>&1 && return 0; sleep 0.5; done
  return 1
}

# TLS: a test CA, a server certificate it signed (localhost and 127.0.0.1), and a second CA
# that signed nothing the servers present (the wrong-CA tests trust it). Made once; the
# servers are given the certificate when theirs differs.
TLS_DIR=target/test-tls
make_certificates() {
  [ -f "$TLS_DIR/server.crt" ] && [ -f "$TLS_DIR/other-ca.crt" ] && [ -f "$TLS_DIR/client.crt" ] && return 0
  install_if_missing openssl openssl
  say "making the test CA and server certificate in $TLS_DIR"
  mkdir -p "$TLS_DIR"
  (
    cd "$TLS_DIR"
    for ca in ca other-ca; do
      openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=sequelize-rs test $ca" \
        -keyout "$ca.key" -out "$ca.crt" 2>/dev/null
    done
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
      -keyout server.key -out server.csr 2>/dev/null
    printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" "basicConstraints=CA:FALSE" \
      "keyUsage=digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" > server.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile server.ext -out server.crt 2>/dev/null
    # The client certificate of the user the servers let in by certificate only.
    openssl req -newkey rsa:2048 -nodes -subj "/CN=sequelize_cert" \
      -keyout client.key -out client.csr 2>/dev/null
    printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=digitalSignature,keyEncipherment" \
      "extendedKeyUsage=clientAuth" > client.ext
    openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile client.ext -out client.crt 2>/dev/null
  ) || fail "could not make the test certificates with openssl"
}

# install_certificate OWNER DIR: copies the server certificate and key into DIR for OWNER;
# succeeds (and so asks for a reload) only when they changed.
install_certificate() {
  cmp -s "$TLS_DIR/server.crt" "$2/sequelize-test.crt" && cmp -s "$TLS_DIR/server.key" "$2/sequelize-test.key" \
    && return 1
  install -o "$1" -g "$1" -m 644 "$TLS_DIR/server.crt" "$2/sequelize-test.crt"
  install -o "$1" -g "$1" -m 600 "$TLS_DIR/server.key" "$2/sequelize-test.key"
  install -o "$1" -g "$1" -m 644 "$TLS_DIR/ca.crt" "$2/sequelize-test-ca.crt"
}

postgres_up() { pg_isready -h "$PG_HOST" -p "$PG_PORT" -q; }
postgres_replica_up() { pg_isready -h "$PG_HOST" -p "$PG_REPLICA_PORT" -q; }
mariadb_replica_up() { mysqladmin -h "$MY_HOST" -P "$MY_REPLICA_PORT" -u "$MY_USER" ping; }
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# A hot standby of the local PostgreSQL server, streaming from it: made by pg_basebackup
# once, started when it is down. Its pg_hba.conf trusts 127.0.0.1 as the server's does.
start_postgres_replica() {
  postgres_replica_up && return 0
  if ! grep -q "^host replication postgres 127.0.0.1/32 trust" "$pg_hba"; then
    { printf '%s\n' "# Written by sequelize-rs's scripts/test.sh: the test replica streams from here." \
        "host replication postgres 127.0.0.1/32 trust"
      cat "$pg_hba"; } > "$pg_hba.new" && cat "$pg_hba.new" > "$pg_hba" && rm -f "$pg_hba.new"
    psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -qtAc "SELECT pg_reload_conf()" >/dev/null
    sleep 1
  fi
  local bin
  bin=/usr/lib/postgresql/$(psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc "SHOW server_version_num" | cut -c1-2)/bin
  if [ ! -f "$PG_REPLICA_DIR/standby.signal" ]; then
    say "PostgreSQL: making the streaming replica in $PG_REPLICA_DIR (pg_basebackup)"
    rm -rf "$PG_REPLICA_DIR"
    as_postgres "$bin/pg_basebackup" -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -D "$PG_REPLICA_DIR" \
      -R -X stream -c fast || fail "pg_basebackup could not copy the server for its replica"
    printf '%s\n' "port = $PG_REPLICA_PORT" "listen_addresses = '127.0.0.1'" \
      "unix_socket_directories = '$PG_REPLICA_DIR'" "hot_standby = on" \
      | as_postgres tee "$PG_REPLICA_DIR/postgresql.conf" >/dev/null
    printf '%s\n' "local all all trust" "host all all 127.0.0.1/32 trust" \
      | as_postgres tee "$PG_REPLICA_DIR/pg_hba.conf" >/dev/null
  fi
  say "PostgreSQL: starting the replica on port $PG_REPLICA_PORT"
  as_postgres "$bin/pg_ctl" -D "$PG_REPLICA_DIR" -l "$PG_REPLICA_DIR/server.log" -w start >/dev/null \
    || fail "the PostgreSQL replica did not start (see $PG_REPLICA_DIR/server.log)"
  wait_for "PostgreSQL replica" postgres_replica_up \
    || fail "the PostgreSQL replica does not answer on $PG_HOST:$PG_REPLICA_PORT (see $PG_REPLICA_DIR/server.log)"
}

# A MariaDB replica of the local server (whose binary log scripts/test.sh turns on), applying
# only the replication tests' databases (t_repl…). Made once, started when it is down, and
# set to replicate from the server's binary log position at the time it was made.
start_mariadb_replica() {
  mariadb_replica_up && return 0
  local fresh=no
  if [ ! -d "$MY_REPLICA_DIR/mysql" ]; then
    say "MariaDB: making the replica in $MY_REPLICA_DIR"
    rm -rf "$MY_REPLICA_DIR" && install -d -o mysql -g mysql "$MY_REPLICA_DIR"
    mariadb-install-db --no-defaults --datadir="$MY_REPLICA_DIR" --user=mysql \
      --auth-root-authentication-method=normal >/dev/null \
      || fail "mariadb-install-db could not make the replica's data directory"
    fresh=yes
  fi
  say "MariaDB: starting the replica on port $MY_REPLICA_PORT"
  start-stop-daemon --start --background --pidfile "$MY_REPLICA_DIR/mysqld.pid" \
    --exec /usr/sbin/mariadbd -- --no-defaults \
    --datadir="$MY_REPLICA_DIR" --port="$MY_REPLICA_PORT" --bind-address=127.0.0.1 \
    --socket="$MY_REPLICA_DIR/mysqld.sock" --pid-file="$MY_REPLICA_DIR/mysqld.pid" \
    --log-error="$MY_REPLICA_DIR/error.log" --user=mysql --server-id=2 \
    --relay-log="$MY_REPLICA_DIR/relay" --replicate-wild-do-table='t\_repl%.%' \
    || fail "could not start the MariaDB replica"
  wait_for "MariaDB replica" mariadb_replica_up \
    || fail "the MariaDB replica does not answer on $MY_HOST:$MY_REPLICA_PORT (see $MY_REPLICA_DIR/error.log)"
  if [ "$fresh" = yes ]; then
    local file pos
    read -r file pos _ < <(mysql -h "$MY_HOST" -P "$MY_PORT" -u "$MY_USER" -NBe "SHOW MASTER STATUS")
    mysql -h "$MY_HOST" -P "$MY_REPLICA_PORT" -u "$MY_USER" -e "CHANGE MASTER TO \
      MASTER_HOST='$MY_HOST', MASTER_PORT=$MY_PORT, MASTER_USER='$MY_USER', MASTER_PASSWORD='', \
      MASTER_LOG_FILE='$file', MASTER_LOG_POS=$pos, MASTER_CONNECT_RETRY=1; START SLAVE" \
      || fail "could not start replicating into the MariaDB replica"
  fi
}
mariadb_up() { mysqladmin -h "$MY_HOST" -P "$MY_PORT" -u "$MY_USER" ping; }

if wants postgres && [ -z "${SEQUELIZE_TEST_POSTGRES_URL:-}" ]; then
  install_if_missing pg_isready postgresql postgresql-client
  if ! postgres_up; then
    say "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start \
      || fail "could not start PostgreSQL with pg_ctlcluster"
  fi
  wait_for "PostgreSQL" postgres_up \
    || fail "PostgreSQL does not answer on $PG_HOST:$PG_PORT; start it with: pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start"
  psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$TEST_DB'" | grep -q 1 \
    || psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -qc \
         "CREATE DATABASE $TEST_DB TEMPLATE template0 LC_COLLATE 'C'" \
    || fail "could not create the PostgreSQL database $TEST_DB (user $PG_USER, trust auth expected)"
  # The extensions the data-type tests use (CITEXT, HSTORE), in the public schema that every
  # test's search_path ends with; an extension exists once per database.
  psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$TEST_DB" -qc \
    "CREATE EXTENSION IF NOT EXISTS citext SCHEMA public; CREATE EXTENSION IF NOT EXISTS hstore SCHEMA public" \
    || fail "could not create the extensions citext and hstore (Debian: the postgresql package has them)"
  make_certificates
  pg_data=$(psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc "SHOW data_directory")
  if install_certificate postgres "$pg_data" \
     || [ "$(psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc "SHOW ssl_cert_file")" != "$pg_data/sequelize-test.crt" ]; then
    say "PostgreSQL: TLS with the test certificate"
    psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -q \
      -c "ALTER SYSTEM SET ssl_cert_file = '$pg_data/sequelize-test.crt'" \
      -c "ALTER SYSTEM SET ssl_key_file = '$pg_data/sequelize-test.key'" \
      -c "ALTER SYSTEM SET ssl_ca_file = '$pg_data/sequelize-test-ca.crt'" \
      -c "ALTER SYSTEM SET ssl = on" -c "SELECT pg_reload_conf()" >/dev/null \
      || fail "could not turn TLS on in PostgreSQL"
    sleep 1
  fi
  # sequelize_cert: a user let in over TLS with a client certificate only.
  pg_hba=$(psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc "SHOW hba_file")
  if ! grep -q "sequelize_cert" "$pg_hba"; then
    say "PostgreSQL: the certificate-only user sequelize_cert"
    { printf '%s\n' "# Written by sequelize-rs's scripts/test.sh: a user let in by client certificate only." \
        "hostssl all sequelize_cert 127.0.0.1/32 cert" "host all sequelize_cert 127.0.0.1/32 reject"
      cat "$pg_hba"; } > "$pg_hba.new" && cat "$pg_hba.new" > "$pg_hba" && rm -f "$pg_hba.new"
    psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -qtAc "SELECT pg_reload_conf()" >/dev/null
    sleep 1
  fi
  psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -qtAc \
    "SELECT 1 FROM pg_roles WHERE rolname = 'sequelize_cert'" | grep -q 1 \
    || psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -qc "CREATE ROLE sequelize_cert LOGIN" \
    || fail "could not create the PostgreSQL role sequelize_cert"
  psql "host=$PG_HOST port=$PG_PORT user=$PG_USER dbname=postgres sslmode=verify-full sslrootcert=$TLS_DIR/ca.crt" \
    -tAc "SELECT 1" >/dev/null \
    || fail "PostgreSQL does not accept TLS with the test certificate (see its log)"
  start_postgres_replica
  say "PostgreSQL ready: $TEST_DB on $PG_HOST:$PG_PORT, its replica on $PG_HOST:$PG_REPLICA_PORT"
fi

if { wants mariadb || wants mysql; } && [ -z "${SEQUELIZE_TEST_MYSQL_URL:-}" ]; then
  install_if_missing mysqladmin mariadb-server mariadb-client
  if ! mariadb_up; then
    say "starting MariaDB"
    start_mariadb || fail "could not start MariaDB with start-stop-daemon"
  fi
  wait_for "MariaDB" mariadb_up \
    || fail "MariaDB does not answer on $MY_HOST:$MY_PORT; start it with: start-stop-daemon --start --oknodo --background --pidfile $MY_PID_FILE --exec /usr/sbin/mariadbd"
  mysql -h "$MY_HOST" -P "$MY_PORT" -u "$MY_USER" -e "CREATE DATABASE IF NOT EXISTS $TEST_DB" \
    || fail "could not create the MariaDB database $TEST_DB (user $MY_USER, empty password expected)"
  make_certificates
  changed=no
  install -d -o mysql -g mysql /etc/mysql/sequelize-test
  install_certificate mysql /etc/mysql/sequelize-test && changed=yes
  if [ "$(mysql -h "$MY_HOST" -P "$MY_PORT" -u "$MY_USER" -NBe "SELECT @@have_ssl = 'YES' AND @@log_bin = 1")" != 1 ]; then
    # The certificate and the binary log (which the test replica reads) are set at start: a
    # server without them is restarted with them.
    say "MariaDB: TLS with the test certificate and a binary log (restarting the server)"
    printf '%s\n' "# Written by sequelize-rs's scripts/test.sh: TLS and replication for the test suite." "[mariadbd]" \
      "ssl_cert = /etc/mysql/sequelize-test/sequelize-test.crt" \
      "ssl_key = /etc/mysql/sequelize-test/sequelize-test.key" \
      "ssl_ca = /etc/mysql/sequelize-test/sequelize-test-ca.crt" \
      "server_id = 1" "log_bin = sequelize-binlog" "binlog_format = ROW" \
      "binlog_expire_logs_seconds = 86400" > /etc/my.cnf
    old=$(cat "$MY_PID_FILE" 2>/dev/null || true)
    mysqladmin -h "$MY_HOST" -P "$MY_PORT" -u "$MY_USER" shutdown || fail "could not stop MariaDB"
    # Gone from the network before its process ends: wait for the process.
    for _ in $(seq 1 120); do [ -n "$old" ] && kill -0 "$old" 2>/dev/null || break; sleep 0.5; done
    start_mariadb || fail "could not start MariaDB with start-stop-daemon"
    wait_for "MariaDB" mariadb_up || fail "MariaDB did not come back after the restart"
  elif [ "$changed" = yes ]; then
    mysql -h "$MY_HOST" -P "$MY_PORT" -u "$MY_USER" -e "FLUSH SSL" || fail "could not reload MariaDB's certificate"
  fi
  [ "$(mysql -h "$MY_HOST" -P "$MY_PORT" -u "$MY_USER" -NBe "SELECT @@have_ssl")" = YES ] \
    || fail "MariaDB has no TLS with the test certificate (see /var/log/mysql/error.log)"
  mysql -h "$MY_HOST" -P "$MY_PORT" -u "$MY_USER" \
    -e "CREATE USER IF NOT EXISTS 'sequelize_cert'@'%' REQUIRE X509; GRANT ALL ON *.* TO 'sequelize_cert'@'%'" \
    || fail "could not create the MariaDB user sequelize_cert"
  # A named session zone (`timezone: 'America/New_York'`) needs the server's time zone
  # tables, which Debian's packages leave empty.
  if [ "$(mysql -h "$MY_HOST" -P "$MY_PORT" -u "$MY_USER" -NBe "SELECT COUNT(*) FROM mysql.time_zone_name")" = 0 ]; then
    say "MariaDB: loading the time zone tables"
    [ -d /usr/share/zoneinfo/America ] \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tzdata >/dev/null; } \
      || fail "the time zone database is missing; install the Debian package tzdata"
    tzinfo=$(command -v mariadb-tzinfo-to-sql || command -v mysql_tzinfo_to_sql) \
      || fail "mariadb-tzinfo-to-sql is missing (Debian: the mariadb-server package has it)"
    "$tzinfo" /usr/share/zoneinfo 2>/dev/null | mysql -h "$MY_HOST" -P "$MY_PORT" -u "$MY_USER" mysql \
      || fail "could not load MariaDB's time zone tables"
  fi
  start_mariadb_replica
  say "MariaDB ready: $TEST_DB on $MY_HOST:$MY_PORT, its replica on $MY_HOST:$MY_REPLICA_PORT"
fi

# sequelize-cli 6 from npm, with its drivers, for the tests that compare the sequelize binary
# with it (crates/sequelize-cli/tests/sequelize_cli_6.rs). Installed once per version of
# scripts/sequelize-cli-6/package-lock.json, outside the checkout, so a fresh clone reuses it;
# its sqlite3 driver builds from source, which takes a few minutes the first time.
install_if_missing node nodejs
install_if_missing npm npm
cli6_lock=scripts/sequelize-cli-6/package-lock.json
cli6_dir="${XDG_CACHE_HOME:-$HOME/.cache}/sequelize-rs/sequelize-cli-6-$(sha256sum "$cli6_lock" | cut -c1-12)"
if [ ! -x "$cli6_dir/node_modules/.bin/sequelize-cli" ]; then
  say "installing sequelize-cli 6 from npm into $cli6_dir"
  rm -rf "$cli6_dir" && mkdir -p "$cli6_dir"
  cp scripts/sequelize-cli-6/package.json "$cli6_lock" "$cli6_dir/"
  (cd "$cli6_dir" && npm ci --no-audit --no-fund --loglevel=error) \
    || { rm -rf "$cli6_dir"; fail "could not install sequelize-cli 6 with npm (the npm registry must be reachable)"; }
fi
(cd "$cli6_dir" && node -e "new (require('sqlite3').Database)(':memory:').close()") \
  || fail "sequelize-cli 6's sqlite3 driver does not load under $(node --version); remove $cli6_dir and run again"
export SEQUELIZE_CLI_6="$cli6_dir/node_modules/.bin/sequelize-cli"
say "sequelize-cli 6 ready: $("$SEQUELIZE_CLI_6" --version | tail -n1)"

say "cargo test --workspace --all-features ${*:-}"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
cargo test --workspace --all-features "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if [ "$status" = 0 ]; then
  # The benchmarks cannot rot: each case runs once (criterion's test mode), no timing kept.
  say "cargo test --benches (each benchmark case once)"
  cargo test -p sequelize --all-features --benches "$@" 2>&1 | tee -a "$log"
  status=${PIPESTATUS[0]}
fi
set -e
# cargo prints one "test result" line per test binary; the last one is often a crate with no
# doc tests. Close with the totals over every binary.
total() { grep -E '^test result:' "$log" | grep -oE "[0-9]+ $1" | awk '{s += $1} END {print s + 0}'; }
echo
echo "tests: $(total passed) passed, $(total failed) failed"
exit "$status"
