#!/usr/bin/env bash
# The package check CI runs after the test suite (as root, with dpkg):
#
#   1. release build and scripts/build-deb.sh (the .deb goes to a temp dir);
#   2. dpkg -i: the package installs, creates the libstoragemgmt account;
#   3. the INSTALLED /usr/bin/lsmd starts (-d) on a private --socketdir and
#      the INSTALLED /usr/bin/lsmcli lists the simulator's 4 pools through it
#      (LSM_UDS_PATH = that dir, so only the daemon can answer; the state file
#      then belongs to libstoragemgmt, proof that lsmd started the plugin
#      under the package's account);
#   4. the INSTALLED /usr/bin/lsm-arraysim simulates an ONTAP cluster (HTTPS,
#      self-signed certificate, a non-default password) and the installed
#      lsmcli lists its aggregates aggr1 and aggr2 through lsmd's ontap
#      socket (ca_cert= the simulator's certificate, password from
#      LSMCLI_PASSWORD); the aggregates answer slowly (an injected latency) so
#      that the ontap_lsmplugin process lsmd started can be seen meanwhile:
#      its real, effective, saved and file-system uid and gid must be
#      libstoragemgmt's (pluginconf.d/ontap.conf: no root). SIGTERM: the
#      simulator exits 0;
#   4b. the installed lsm-arraysim simulates a NexentaStor appliance and the
#      installed lsmcli lists its pools pool1 and pool2 through lsmd's nstor
#      socket (token login, ca_cert=); SIGTERM: the simulator exits 0;
#   4c. the installed lsm-arraysim simulates a Dell EMC Unity array and the
#      installed lsmcli lists its pools flash_pool and capacity_pool through
#      lsmd's emc socket (session cookie and CSRF token, ca_cert=); SIGTERM:
#      the simulator exits 0;
#   5. SIGTERM: lsmd exits 0 and removes its sockets;
#   6. dpkg --purge, then nothing may remain: none of the package's files
#      (dpkg -L, taken before the purge) or of the directories it created,
#      no /etc/lsm, no socket in /var/run/lsm/ipc (it would switch every later
#      client into daemon mode), no libstoragemgmt account it created.
#
# Quiet on success (one line); on failure it names the step and prints the
# log. It cleans up (stops lsmcli, the array simulator and lsmd, purges the
# package, removes its temp dir) whichever step fails.
set -euo pipefail

package=lsm-rs
account=libstoragemgmt
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
started_ns=$(date +%s%N)

fail() {
    echo "ci-package-check: $*" >&2
    exit 1
}

[ "$(id -u)" = 0 ] || fail "must run as root: it installs and purges the $package package"
for tool in cargo dpkg dpkg-deb dpkg-query; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool not found"
done

package_status() { # installed, config-files, ... or not-installed
    local status
    status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null) || status=not-installed
    echo "${status:-not-installed}"
}
status=$(package_status)
[ "$status" = not-installed ] || fail "$package is already on this machine ($status)." \
    "This check installs and purges it: remove it first with 'dpkg --purge $package'."

work=$(mktemp -d "${TMPDIR:-/tmp}/lsm-package-check.XXXXXX")
# lsmd and the sim plugin may run as libstoragemgmt: they must reach the
# socket and state dirs inside.
chmod 0755 "$work"
log=$work/log
: >"$log"
step="setting up"
lsmd_pid=
arraysim_pid=
lsmcli_pid=
purge_on_exit=false

stop_child() { # NAME PID: SIGTERM, then SIGKILL after 5 s; sets child_status
    local name=$1 pid=$2
    child_status=
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "$name (pid $pid) ignored SIGTERM for 5 s: SIGKILL" >>"$log"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    child_status=0
    wait "$pid" 2>/dev/null || child_status=$?
}
stop_lsmd() { # sets lsmd_status
    stop_child lsmd "$lsmd_pid"
    lsmd_status=$child_status
    lsmd_pid=
}
stop_arraysim() { # sets arraysim_status
    stop_child lsm-arraysim "$arraysim_pid"
    arraysim_status=$child_status
    arraysim_pid=
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    set +e
    stop_child lsmcli "$lsmcli_pid"
    stop_arraysim
    stop_lsmd
    if $purge_on_exit && [ "$(package_status)" != not-installed ]; then
        echo "\$ dpkg --purge $package (cleanup)" >>"$log"
        dpkg --purge "$package" >>"$log" 2>&1 \
            || echo "ci-package-check: could not purge $package: run 'dpkg --purge $package'" >&2
    fi
    if [ "$rc" -ne 0 ]; then
        {
            echo "ci-package-check: FAILED while $step"
            echo "---- last lines of the log ----"
            tail -n 200 "$log"
            if [ -s "$work/lsmd.log" ]; then
                echo "---- lsmd's output ----"
                tail -n 50 "$work/lsmd.log"
            fi
            if [ -s "$work/arraysim.err" ]; then
                echo "---- lsm-arraysim's standard error ----"
                tail -n 50 "$work/arraysim.err"
            fi
            echo "----"
        } >&2
    fi
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

run() { # COMMAND...: output to the log; a failure fails the step.
    echo "\$ $*" >>"$log"
    "$@" >>"$log" 2>&1 || fail "'$*' failed (exit $?)"
}

step="building the release binaries and the package"
deb=$("$repo/scripts/build-deb.sh" --build --out "$work" 2>>"$log") \
    || fail "scripts/build-deb.sh failed"
[ -f "$deb" ] || fail "scripts/build-deb.sh printed '$deb', which is no file"
built_ns=$(date +%s%N)

step="recording what exists before installing"
# Every path of the package that exists already is not the package's to remove.
dpkg-deb -c "$deb" | awk '{ print $NF }' | sed -e 's|^\./|/|' -e 's|/$||' | grep -v '^\.\?$' \
    >"$work/package-paths"
while read -r path; do
    if [ -e "$path" ] || [ -L "$path" ]; then echo "$path"; fi
done <"$work/package-paths" >"$work/existed-before"
existed() { if [ -e "$1" ] || [ -L "$1" ]; then echo yes; else echo no; fi; }
etc_lsm_before=$(existed /etc/lsm)
run_lsm_before=$(existed /run/lsm)
var_lib_lsm_before=$(existed /var/lib/lsm)
user_before=no
getent passwd "$account" >/dev/null && user_before=yes
group_before=no
getent group "$account" >/dev/null && group_before=yes

step="installing the package (dpkg -i)"
purge_on_exit=true
run dpkg -i "$deb"
[ "$(package_status)" = installed ] || fail "dpkg -i left $package '$(package_status)'"
dpkg -L "$package" >"$work/package-files" || fail "dpkg -L $package failed"
for path in /usr/bin/lsmd /usr/bin/lsmcli /usr/bin/sim_lsmplugin /usr/bin/ontap_lsmplugin \
    /usr/bin/nstor_lsmplugin /usr/bin/emc_lsmplugin /usr/bin/lsm-arraysim /etc/lsm/lsmd.conf \
    /etc/lsm/pluginconf.d/ontap.conf /etc/lsm/pluginconf.d/nstor.conf \
    /etc/lsm/pluginconf.d/emc.conf \
    /lib/systemd/system/lsmd.service; do
    [ -e "$path" ] || fail "the installed package lacks $path"
done
getent passwd "$account" >/dev/null || fail "the package did not create user $account"

step="starting the installed lsmd on a private socket dir"
socket_dir=$work/ipc
state_dir=$work/state
mkdir -p "$socket_dir" "$state_dir" "$work/home"
# As lsmd.service does for /run/lsm/ipc: lsmd may switch to libstoragemgmt.
chgrp "$account" "$socket_dir"
chmod 0775 "$socket_dir"
chown "$account:$account" "$state_dir"
env -u NOTIFY_SOCKET /usr/bin/lsmd -d --socketdir "$socket_dir" >"$work/lsmd.log" 2>&1 &
lsmd_pid=$!
for _ in $(seq 200); do
    [ -S "$socket_dir/sim" ] && [ -S "$socket_dir/ontap" ] && [ -S "$socket_dir/nstor" ] \
        && [ -S "$socket_dir/emc" ] && break
    kill -0 "$lsmd_pid" 2>/dev/null || fail "lsmd exited before listening"
    sleep 0.05
done
[ -S "$socket_dir/sim" ] || fail "no socket $socket_dir/sim after 10 s"
[ -S "$socket_dir/ontap" ] || fail "no socket $socket_dir/ontap after 10 s"
[ -S "$socket_dir/nstor" ] || fail "no socket $socket_dir/nstor after 10 s"
[ -S "$socket_dir/emc" ] || fail "no socket $socket_dir/emc after 10 s"

step="listing the pools through lsmd with the installed lsmcli"
echo "\$ LSM_UDS_PATH=$socket_dir /usr/bin/lsmcli -u sim://?statefile=$state_dir/sim.db list --type pools -t," >>"$log"
pools=$(env -u LSMCLI_URI -u LSMCLI_PASSWORD HOME="$work/home" LSM_UDS_PATH="$socket_dir" \
    /usr/bin/lsmcli -u "sim://?statefile=$state_dir/sim.db" list --type pools -t, 2>>"$log") \
    || fail "lsmcli list --type pools failed (exit $?)"
echo "$pools" >>"$log"
pool_ids=$(printf '%s\n' "$pools" | cut -d, -f1 | sed 's/ *$//' | sort | tr '\n' ' ')
[ "$pool_ids" = "POOL_ID_00001 POOL_ID_00002 POOL_ID_00003 POOL_ID_00004 " ] \
    || fail "expected the 4 sim pools, got: $pools"
owner=$(stat -c %U "$state_dir/sim.db" 2>/dev/null) || fail "lsmd's sim plugin wrote no $state_dir/sim.db"
[ "$owner" = "$account" ] || fail "the sim state file belongs to '$owner', not $account:" \
    "the plugin did not run under lsmd with the package's configuration"

step="starting the installed lsm-arraysim (--vendor ontap)"
# The plugin runs as libstoragemgmt: it must be able to read the certificate.
ontap_dir=$work/ontap
mkdir -p "$ontap_dir"
chmod 0755 "$ontap_dir"
ontap_password='package-check-pw'
# Each aggregates request waits 2 s: long enough to find the plugin process.
echo "\$ /usr/bin/lsm-arraysim --vendor ontap --listen 127.0.0.1:0 --self-signed --state $ontap_dir" \
    "--user admin --fault /api/storage/aggregates:latency=2000 (password from LSM_ARRAYSIM_PASSWORD)" >>"$log"
LSM_ARRAYSIM_PASSWORD=$ontap_password /usr/bin/lsm-arraysim --vendor ontap --listen 127.0.0.1:0 \
    --self-signed --state "$ontap_dir" --user admin --fault '/api/storage/aggregates:latency=2000' \
    >"$work/arraysim.out" 2>"$work/arraysim.err" &
arraysim_pid=$!
address=
for _ in $(seq 200); do
    address=$(sed -n '1s|^listening on https://\([^/ ]*\)$|\1|p' "$work/arraysim.out")
    [ -n "$address" ] && break
    kill -0 "$arraysim_pid" 2>/dev/null || fail "lsm-arraysim exited before listening"
    sleep 0.05
done
[ -n "$address" ] || fail "lsm-arraysim printed no 'listening on https://HOST:PORT' in 10 s" \
    "(stdout: $(head -c 200 "$work/arraysim.out"))"
ontap_port=${address##*:}
[[ "$ontap_port" =~ ^[0-9]+$ ]] || fail "lsm-arraysim listens on '$address': no port"
[ -s "$ontap_dir/cert.pem" ] || fail "lsm-arraysim wrote no $ontap_dir/cert.pem"

step="listing the ONTAP aggregates through lsmd with the installed lsmcli"
ontap_uri="ontap://admin@127.0.0.1:$ontap_port?ca_cert=$ontap_dir/cert.pem"
echo "\$ LSM_UDS_PATH=$socket_dir LSMCLI_PASSWORD=... /usr/bin/lsmcli -u '$ontap_uri' list --type pools -t," >>"$log"
env -u LSMCLI_URI HOME="$work/home" LSM_UDS_PATH="$socket_dir" LSMCLI_PASSWORD="$ontap_password" \
    /usr/bin/lsmcli -u "$ontap_uri" list --type pools -t, >"$work/ontap-pools" 2>>"$log" &
lsmcli_pid=$!
# The plugin process lsmd started for this connection: its child running
# /usr/bin/ontap_lsmplugin, alive while lsmcli waits for the slow aggregates.
plugin_ids=
while [ -z "$plugin_ids" ] && kill -0 "$lsmcli_pid" 2>/dev/null; do
    for proc in /proc/[0-9]*; do
        # comm first (a builtin read, no process per entry): set at exec, so
        # a match has dropped its privileges already.
        { read -r comm <"$proc/comm"; } 2>/dev/null || continue
        [ "$comm" = ontap_lsmplugin ] || continue
        [ "$(readlink "$proc/exe" 2>/dev/null)" = /usr/bin/ontap_lsmplugin ] || continue
        parent=$(awk '$1 == "PPid:" { print $2 }' "$proc/status" 2>/dev/null) || continue
        [ "$parent" = "$lsmd_pid" ] || continue
        plugin_ids=$(awk '$1 == "Uid:" || $1 == "Gid:" { print $1, $2, $3, $4, $5 }' \
            "$proc/status" 2>/dev/null) || plugin_ids=
        [ -n "$plugin_ids" ] && break
    done
    sleep 0.02
done
lsmcli_status=0
wait "$lsmcli_pid" || lsmcli_status=$?
lsmcli_pid=
cat "$work/ontap-pools" >>"$log"
[ "$lsmcli_status" = 0 ] || fail "lsmcli list --type pools on ontap:// failed (exit $lsmcli_status)"
pool_names=$(cut -d, -f2 "$work/ontap-pools" | sed 's/^ *//; s/ *$//')
for aggregate in aggr1 aggr2; do
    grep -qxF "$aggregate" <<<"$pool_names" \
        || fail "expected the simulator's aggregates aggr1 and aggr2 among the pools, got: $(cat "$work/ontap-pools")"
done
[ -n "$plugin_ids" ] || fail "no ontap_lsmplugin child of lsmd (pid $lsmd_pid) was seen during the listing"
echo "ontap_lsmplugin under lsmd: $(printf '%s' "$plugin_ids" | paste -sd' ' -)" >>"$log"
account_uid=$(id -u "$account")
account_gid=$(id -g "$account")
expected_ids="Uid: $account_uid $account_uid $account_uid $account_uid
Gid: $account_gid $account_gid $account_gid $account_gid"
[ "$plugin_ids" = "$expected_ids" ] || fail "lsmd ran ontap_lsmplugin with ids" \
    "'$(printf '%s' "$plugin_ids" | paste -sd' ' -)', not $account's ($account_uid/$account_gid):" \
    "pluginconf.d/ontap.conf must not give it root"

step="stopping lsm-arraysim (SIGTERM)"
stop_arraysim
[ "$arraysim_status" = 0 ] || fail "lsm-arraysim exited with status $arraysim_status on SIGTERM"

step="starting the installed lsm-arraysim (--vendor nexenta)"
nstor_dir=$work/nexenta
mkdir -p "$nstor_dir"
chmod 0755 "$nstor_dir"
echo "\$ /usr/bin/lsm-arraysim --vendor nexenta --listen 127.0.0.1:0 --self-signed --state $nstor_dir" \
    "--user admin (password from LSM_ARRAYSIM_PASSWORD)" >>"$log"
LSM_ARRAYSIM_PASSWORD=$ontap_password /usr/bin/lsm-arraysim --vendor nexenta --listen 127.0.0.1:0 \
    --self-signed --state "$nstor_dir" --user admin \
    >"$work/arraysim.out" 2>"$work/arraysim.err" &
arraysim_pid=$!
address=
for _ in $(seq 200); do
    address=$(sed -n '1s|^listening on https://\([^/ ]*\)$|\1|p' "$work/arraysim.out")
    [ -n "$address" ] && break
    kill -0 "$arraysim_pid" 2>/dev/null || fail "lsm-arraysim --vendor nexenta exited before listening"
    sleep 0.05
done
[ -n "$address" ] || fail "lsm-arraysim --vendor nexenta printed no 'listening on' line in 10 s"
nstor_port=${address##*:}
[ -s "$nstor_dir/cert.pem" ] || fail "lsm-arraysim wrote no $nstor_dir/cert.pem"

step="listing the NexentaStor pools through lsmd with the installed lsmcli"
nstor_uri="nstor://admin@127.0.0.1:$nstor_port?ca_cert=$nstor_dir/cert.pem"
echo "\$ LSM_UDS_PATH=$socket_dir LSMCLI_PASSWORD=... /usr/bin/lsmcli -u '$nstor_uri' list --type pools -t," >>"$log"
env -u LSMCLI_URI HOME="$work/home" LSM_UDS_PATH="$socket_dir" LSMCLI_PASSWORD="$ontap_password" \
    /usr/bin/lsmcli -u "$nstor_uri" list --type pools -t, >"$work/nstor-pools" 2>>"$log" \
    || fail "lsmcli list --type pools on nstor:// failed (exit $?)"
cat "$work/nstor-pools" >>"$log"
nstor_pools=$(cut -d, -f1 "$work/nstor-pools" | sed 's/^ *//; s/ *$//' | sort | tr '\n' ' ')
[ "$nstor_pools" = "pool1 pool2 " ] \
    || fail "expected the NexentaStor simulator's pools pool1 and pool2, got: $(cat "$work/nstor-pools")"

step="stopping lsm-arraysim --vendor nexenta (SIGTERM)"
stop_arraysim
[ "$arraysim_status" = 0 ] || fail "lsm-arraysim --vendor nexenta exited with status $arraysim_status on SIGTERM"

step="starting the installed lsm-arraysim (--vendor unity)"
emc_dir=$work/unity
mkdir -p "$emc_dir"
chmod 0755 "$emc_dir"
echo "\$ /usr/bin/lsm-arraysim --vendor unity --listen 127.0.0.1:0 --self-signed --state $emc_dir" \
    "--user admin (password from LSM_ARRAYSIM_PASSWORD)" >>"$log"
LSM_ARRAYSIM_PASSWORD=$ontap_password /usr/bin/lsm-arraysim --vendor unity --listen 127.0.0.1:0 \
    --self-signed --state "$emc_dir" --user admin \
    >"$work/arraysim.out" 2>"$work/arraysim.err" &
arraysim_pid=$!
address=
for _ in $(seq 200); do
    address=$(sed -n '1s|^listening on https://\([^/ ]*\)$|\1|p' "$work/arraysim.out")
    [ -n "$address" ] && break
    kill -0 "$arraysim_pid" 2>/dev/null || fail "lsm-arraysim --vendor unity exited before listening"
    sleep 0.05
done
[ -n "$address" ] || fail "lsm-arraysim --vendor unity printed no 'listening on' line in 10 s"
emc_port=${address##*:}
[ -s "$emc_dir/cert.pem" ] || fail "lsm-arraysim wrote no $emc_dir/cert.pem"

step="listing the Unity pools through lsmd with the installed lsmcli"
emc_uri="emc://admin@127.0.0.1:$emc_port?ca_cert=$emc_dir/cert.pem"
echo "\$ LSM_UDS_PATH=$socket_dir LSMCLI_PASSWORD=... /usr/bin/lsmcli -u '$emc_uri' list --type pools -t," >>"$log"
env -u LSMCLI_URI HOME="$work/home" LSM_UDS_PATH="$socket_dir" LSMCLI_PASSWORD="$ontap_password" \
    /usr/bin/lsmcli -u "$emc_uri" list --type pools -t, >"$work/emc-pools" 2>>"$log" \
    || fail "lsmcli list --type pools on emc:// failed (exit $?)"
cat "$work/emc-pools" >>"$log"
# The first column is the pool's id (pool_1, pool_2), the second its name.
emc_pools=$(cut -d, -f2 "$work/emc-pools" | sed 's/^ *//; s/ *$//' | sort | tr '\n' ' ')
[ "$emc_pools" = "capacity_pool flash_pool " ] \
    || fail "expected the Unity simulator's pools flash_pool and capacity_pool, got: $(cat "$work/emc-pools")"

step="stopping lsm-arraysim --vendor unity (SIGTERM)"
stop_arraysim
[ "$arraysim_status" = 0 ] || fail "lsm-arraysim --vendor unity exited with status $arraysim_status on SIGTERM"

step="stopping lsmd (SIGTERM)"
stop_lsmd
[ "$lsmd_status" = 0 ] || fail "lsmd exited with status $lsmd_status on SIGTERM"
leftover_sockets=$(find "$socket_dir" -type s)
[ -z "$leftover_sockets" ] || fail "lsmd left sockets behind: $leftover_sockets"

step="purging the package (dpkg --purge)"
run dpkg --purge "$package"
purge_on_exit=false

step="checking that nothing of the package remains"
status=$(package_status)
[ "$status" = not-installed ] || fail "$package is still known to dpkg as '$status'"
remains=()
while read -r path; do
    if [ -z "$path" ] || [ "$path" = /. ]; then continue; fi
    grep -qxF -- "$path" "$work/existed-before" && continue
    if [ -e "$path" ] || [ -L "$path" ]; then remains+=("$path"); fi
done <"$work/package-files"
[ "$etc_lsm_before" = yes ] || [ ! -e /etc/lsm ] || remains+=(/etc/lsm)
[ "$run_lsm_before" = yes ] || [ ! -e /run/lsm ] || remains+=(/run/lsm)
[ "$var_lib_lsm_before" = yes ] || [ ! -e /var/lib/lsm ] || remains+=(/var/lib/lsm)
[ ! -e /var/lib/lsm-rs ] || remains+=(/var/lib/lsm-rs)
[ ! -e /etc/systemd/system/multi-user.target.wants/lsmd.service ] \
    || remains+=(/etc/systemd/system/multi-user.target.wants/lsmd.service)
if [ -d /var/run/lsm/ipc ]; then
    while read -r socket; do remains+=("$socket (a socket: later clients would use daemon mode)"); done \
        < <(find /var/run/lsm/ipc -type s)
fi
[ "$user_before" = yes ] || ! getent passwd "$account" >/dev/null || remains+=("user $account")
[ "$group_before" = yes ] || ! getent group "$account" >/dev/null || remains+=("group $account")
if [ "${#remains[@]}" -gt 0 ]; then
    fail "the purge left behind: $(printf '%s\n' "${remains[@]}" | sort -u | paste -sd, - | sed 's/,/, /g')"
fi

step="done"
finished_ns=$(date +%s%N)
seconds() { awk -v ns="$1" 'BEGIN { printf "%.1f", ns / 1e9 }'; }
echo "== package check: ok in $(seconds $((finished_ns - started_ns))) s" \
    "(release build + .deb $(seconds $((built_ns - started_ns))) s;" \
    "install, 4 sim pools and the ONTAP, NexentaStor and Unity simulators' pools through the installed lsmd," \
    "purge, nothing left $(seconds $((finished_ns - built_ns))) s)"
