# PostgreSQL for the store's tests (15 on Debian 12): Debian's package (installed when
# missing), a throwaway cluster in a temporary folder, started on a free port
# of 127.0.0.1 and stopped on exit. Exports MARCUS_TEST_POSTGRES, through
# which the tests create their own databases. Sourced by .ci/run (free_port
# and on_exit are set there).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
# The server refuses to run as root: as root, it runs as the package's
# postgres user, which must be able to reach the folder.
pg_as=()
if [ "$(id -u)" = 0 ]; then pg_as=(runuser -u postgres --); fi
pg_dir=$(mktemp -d)
chmod 755 "$pg_dir"
mkdir "$pg_dir/data"
if [ "$(id -u)" = 0 ]; then chown postgres "$pg_dir/data"; fi
"${pg_as[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U postgres >"$pg_dir/initdb.log"
# One role whose password is checked, for the wrong-password test.
sed -i '1i host all marcus_pw_test 127.0.0.1/32 scram-sha-256' "$pg_dir/data/pg_hba.conf"
pg_port=$(free_port)
# A throwaway cluster: durability settings off, for speed.
"${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/data/server.log" -w -o \
  "-p $pg_port -k $pg_dir/data -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
on_exit "${pg_as[*]} '$pg_bin/pg_ctl' -D '$pg_dir/data' -m fast -w stop >/dev/null; rm -rf '$pg_dir'"
export MARCUS_TEST_POSTGRES="postgres://postgres@127.0.0.1:$pg_port/postgres?sslmode=disable"
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port"
