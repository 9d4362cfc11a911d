#!/usr/bin/env bash
# Makes (or reuses) the Python venv holding the vendors' own client libraries
# (scripts/sdk-requirements.txt), which the SDK stages of the test suite run unpatched
# against lsm-arraysim. Prints the venv's python on stdout.
#
# The venv lives in $LSM_SDK_VENV (default ~/.cache/lsm-rs/sdk-venv) and is reused while
# the requirements file is unchanged (its sha256 is kept in the venv), so a second run
# installs nothing. The tests find it through $LSM_SDK_PYTHON (scripts/test.sh exports
# it) or at the default place.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=${LSM_SDK_VENV:-${HOME}/.cache/lsm-rs/sdk-venv}
requirements=scripts/sdk-requirements.txt
want=$(sha256sum "$requirements" | cut -d' ' -f1)
stamp="$venv/.lsm-rs-requirements.sha256"

if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    echo "$venv/bin/python"
    exit 0
fi

python=${PYTHON:-python3}
if ! "$python" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    echo "sdk-venv: $python lacks venv/ensurepip (Debian: apt-get install python3-venv)" >&2
    exit 1
fi
echo "sdk-venv: installing $requirements into $venv" >&2
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
    --no-deps --requirement "$requirements" >&2
# Every dependency is pinned above (--no-deps): a missing one fails here, not in a test.
"$venv/bin/python" -m pip check >&2
"$venv/bin/python" -c 'import netapp_ontap, storops' >&2
echo "$want" > "$stamp"
echo "$venv/bin/python"
