#!/usr/bin/env bash
# The Debian package, built by CPack from the existing build (ctest runs
# after ninja) into a temporary folder, then checked:
# - its contents (dpkg-deb -c): binary, man page, units, conffile, /var/lib/passage;
# - its control fields and maintainer scripts (dpkg-deb -I / -e);
# - the units' settings (timer, user, hardening);
# - lintian without errors (skipped, saying so, where lintian is missing);
# - an install into a scratch root by dpkg itself (`dpkg --root` with its
#   own database there; the maintainer scripts run without chroot, with
#   DPKG_ROOT set and stubs for the commands that would change the host:
#   adduser, getent, chown, systemctl), installed twice (idempotent), then
#   the installed binary's `config check` on the installed config, then
#   removed and purged.
# usage: test_package.sh BUILD_DIR
set -euo pipefail

build=$(cd "${1:?usage: test_package.sh BUILD_DIR}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
# check DESCRIPTION COMMAND...: runs COMMAND, a failure is counted.
check() {
  local what=$1
  shift
  if "$@"; then echo "ok: $what"; else fail "$what"; fi
}

version=$("$build/bin/passage" --version | cut -d' ' -f2)
arch=$(dpkg --print-architecture)

# --- build -----------------------------------------------------------------
if ! (cd "$build" && cpack --config CPackConfig.cmake -G DEB -B "$work/out") >"$work/cpack.log" 2>&1; then
  cat "$work/cpack.log" >&2
  echo "FAIL: cpack did not build the package" >&2
  exit 1
fi
deb="$work/out/passage_${version}_${arch}.deb"
if [ ! -f "$deb" ]; then
  ls -l "$work/out" >&2
  echo "FAIL: no $deb" >&2
  exit 1
fi
echo "ok: built $(basename "$deb")"

# --- contents --------------------------------------------------------------
contents=$(dpkg-deb -c "$deb")
# Lines as "MODE OWNER PATH" (dpkg-deb -c: mode, owner, size, date, time, path).
entries=$(printf '%s\n' "$contents" | awk '{ print $1, $2, $6 }')
has_entry() { printf '%s\n' "$entries" | grep -qxF -- "$1"; }
check "binary /usr/bin/passage, executable" has_entry "-rwxr-xr-x root/root ./usr/bin/passage"
check "man page passage(1)" has_entry "-rw-r--r-- root/root ./usr/share/man/man1/passage.1.gz"
for unit in passage-nightly.service passage-nightly.timer passage-serve.service; do
  check "unit $unit" has_entry "-rw-r--r-- root/root ./lib/systemd/system/$unit"
done
check "config /etc/passage/passage.yaml" has_entry "-rw-r--r-- root/root ./etc/passage/passage.yaml"
check "state folder /var/lib/passage" has_entry "drwxr-xr-x root/root ./var/lib/passage/"
check "copyright" has_entry "-rw-r--r-- root/root ./usr/share/doc/passage/copyright"
check "changelog" has_entry "-rw-r--r-- root/root ./usr/share/doc/passage/changelog.gz"
check "every file owned by root" test -z "$(printf '%s\n' "$entries" | awk '$2 != "root/root"')"
check "nothing of the build or tests packaged" test -z "$(printf '%s\n' "$entries" | grep -E 'cozy-sim|tests|bench')"

# --- control fields and maintainer scripts ---------------------------------
field() { dpkg-deb -f "$deb" "$1"; }
check "Package: passage" test "$(field Package)" = passage
check "Version: $version" test "$(field Version)" = "$version"
check "Architecture: $arch" test "$(field Architecture)" = "$arch"
check "Section: admin" test "$(field Section)" = admin
check "Maintainer" test -n "$(field Maintainer)"
depends=$(field Depends)
for dependency in adduser tzdata libc6 libcurl4 libsqlite3-0 libarchive13 libyaml-cpp; do
  check "Depends names $dependency" grep -q "$dependency" <<<"$depends"
done
check "Description has a synopsis and a long text" test "$(field Description | wc -l)" -gt 2

dpkg-deb -e "$deb" "$work/control"
for member in postinst prerm postrm conffiles md5sums; do
  check "control member $member" test -f "$work/control/$member"
done
check "conffiles holds exactly /etc/passage/passage.yaml" \
  test "$(cat "$work/control/conffiles")" = /etc/passage/passage.yaml
for script in postinst prerm postrm; do
  check "$script is executable" test -x "$work/control/$script"
  check "$script is valid sh" sh -n "$work/control/$script"
  check "$script stops at the first error (set -e)" grep -qx 'set -e' "$work/control/$script"
done
check "postinst creates a system user" grep -q 'adduser --system' "$work/control/postinst"

# --- units -----------------------------------------------------------------
units="$work/units"
mkdir -p "$units"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$units" ./lib/systemd/system
unit_has() { grep -qxF "$2" "$units/lib/systemd/system/$1"; }
check "timer: Persistent=true" unit_has passage-nightly.timer "Persistent=true"
check "timer: OnCalendar in Europe/Paris" unit_has passage-nightly.timer "OnCalendar=*-*-* 01:00:00 Europe/Paris"
check "nightly runs /usr/bin/passage nightly" unit_has passage-nightly.service "ExecStart=/usr/bin/passage nightly --quiet"
check "serve runs /usr/bin/passage serve --public" unit_has passage-serve.service "ExecStart=/usr/bin/passage serve --public"
for unit in passage-nightly.service passage-serve.service; do
  for setting in User=passage Group=passage ProtectSystem=strict ReadWritePaths=/var/lib/passage \
    PrivateTmp=yes NoNewPrivileges=yes ProtectHome=yes Environment=PASSAGE_CONFIG=/etc/passage/passage.yaml; do
    check "$unit: $setting" unit_has "$unit" "$setting"
  done
done
if command -v systemd-analyze >/dev/null && [ -d /run/systemd/system ]; then
  check "systemd-analyze verify" systemd-analyze verify "$units"/lib/systemd/system/passage-*.service
else
  echo "skip: systemd-analyze verify (no systemd here)"
fi

# --- man page --------------------------------------------------------------
man_page=$(dpkg-deb --fsys-tarfile "$deb" | tar -x -O ./usr/share/man/man1/passage.1.gz | gzip -dc)
check "man page: title and version" grep -q "^\.TH PASSAGE 1 \"\" \"passage $version\"" <<<"$man_page"
for command in config campaign plan run status account purge nightly report audit plugins serve; do
  check "man page: section for $command" grep -qx "\.SS $command" <<<"$man_page"
done
check "man page: the run command's own help" grep -q 'Takes due accounts through export' <<<"$man_page"

# --- lintian ---------------------------------------------------------------
if command -v lintian >/dev/null; then
  lintian --tag-display-limit 0 "$deb" >"$work/lintian.log" 2>&1 || true
  sed 's/^/lintian: /' "$work/lintian.log"
  check "lintian reports no error" test -z "$(grep '^E:' "$work/lintian.log" || true)"
else
  echo "skip: lintian is not installed (scripts/setup installs it)"
fi

# --- install into a scratch root -------------------------------------------
root="$work/root"
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers"
touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
stubs="$work/stubs"
mkdir -p "$stubs"
# getent knows the passage user once the adduser stub created it.
cat >"$stubs/getent" <<STUB
#!/bin/sh
[ -e "$work/user-created" ] && echo "passage:x:999:999::/var/lib/passage:/usr/sbin/nologin" && exit 0
exit 2
STUB
cat >"$stubs/adduser" <<STUB
#!/bin/sh
echo "adduser \$*" >>"$work/calls"
touch "$work/user-created"
STUB
for command in chown systemctl; do
  printf '#!/bin/sh\necho "%s $*" >>"%s/calls"\n' "$command" "$work" >"$stubs/$command"
done
chmod +x "$stubs"/*
# The scratch root has no libraries: dependencies are not checked there.
scratch_dpkg() {
  env PATH="$stubs:/usr/sbin:/usr/bin:/sbin:/bin" dpkg --root="$root" --force-script-chrootless \
    --force-not-root --force-depends --log="$work/dpkg.log" "$@" >>"$work/dpkg.out" 2>&1
}
check "dpkg --root installs the package" scratch_dpkg -i "$deb"
check "dpkg says it is installed" grep -qx "Status: install ok installed" <<<"$(dpkg --root="$root" -s passage)"
check "dpkg registered the conffile" grep -q "^ /etc/passage/passage.yaml [0-9a-f]\{32\}$" <<<"$(dpkg --root="$root" -s passage)"
check "postinst created the system user passage" \
  grep -qx 'adduser --system --group --home /var/lib/passage --no-create-home --gecos Passage batch migration engine passage' "$work/calls"
check "postinst gave /var/lib/passage to passage" grep -qxF "chown passage:passage $root/var/lib/passage" "$work/calls"
check "/var/lib/passage is mode 0750" test "$(stat -c %a "$root/var/lib/passage")" = 750
check "the binary is installed" test -x "$root/usr/bin/passage"
check "dpkg installs it again (an upgrade to the same version)" scratch_dpkg -i "$deb"
check "postinst is idempotent: one adduser only" test "$(grep -c '^adduser' "$work/calls")" = 1

# config check on the installed config, its stack and relay pointed at a
# port where nothing listens (as an admin sets their own): the stack and
# the relay warn, the check succeeds.
dead_port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
config="$root/etc/passage/passage.yaml"
sed -i -e "s#url: http://127.0.0.1:6060#url: http://127.0.0.1:$dead_port#" \
  -e "s#smtp_url: smtp://127.0.0.1:25#smtp_url: smtp://127.0.0.1:$dead_port#" "$config"
check "the installed config names the dead port" grep -q "127.0.0.1:$dead_port" "$config"
set +e
PASSAGE_ADMIN_PASSPHRASE=scratch-root timeout 60 "$root/usr/bin/passage" --config "$config" config check \
  >"$work/check.out" 2>"$work/check.err"
status=$?
set -e
sed 's/^/config check: /' "$work/check.out" "$work/check.err"
check "installed passage config check exits 0" test "$status" = 0
check "config check says the config is valid" grep -q "passage.yaml: valid (1 stack)" "$work/check.out"
check "config check warns that the stack did not answer" grep -q "warning: stack academy .*: no answer" "$work/check.err"
check "installed passage --version" test "$("$root/usr/bin/passage" --version)" = "passage $version"

# Removal keeps the config (a conffile) and the state folder with its data;
# purge removes the config, never the data (the audit trail).
touch "$root/var/lib/passage/passage.db"
check "dpkg removes the package" scratch_dpkg -r passage
check "removal took the binary" test ! -e "$root/usr/bin/passage"
check "removal kept the edited config" test -f "$root/etc/passage/passage.yaml"
check "dpkg purges the package" scratch_dpkg -P passage
check "purge took the config" test ! -e "$root/etc/passage/passage.yaml"
check "purge kept the database" test -f "$root/var/lib/passage/passage.db"

if [ "$failures" -gt 0 ]; then
  sed 's/^/dpkg: /' "$work/dpkg.out" >&2
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "all package checks passed"
