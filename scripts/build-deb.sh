#!/usr/bin/env bash
# Builds the Debian package lsm-rs_<version>_<arch>.deb from the layout
# scripts/install.sh makes (staged with --prefix /usr --destdir), with
# dpkg-deb only: no cargo-deb or debhelper needed.
#
# Beyond install.sh's files the package gets what Debian expects: stripped
# binaries, gzipped man pages, /usr/share/doc/lsm-rs/{copyright,changelog.gz},
# DEBIAN/control (Depends from dpkg-shlibdeps when it is installed, else
# libc6), conffiles for /etc/lsm/*, md5sums, and the maintainer scripts of
# packaging/debian/ (safe without systemd). The result is checked with
# dpkg-deb -I/-c, and with lintian when it is installed (findings are shown,
# not fatal).
set -euo pipefail

usage() {
    cat <<'EOF'
usage: scripts/build-deb.sh [--build] [--out DIR]

  --build    run `cargo build --release --workspace --bins` first
  --out DIR  where to write the .deb (default target/debian)
Prints the path of the package it wrote.
EOF
}

die() {
    echo "build-deb.sh: error: $*" >&2
    exit 1
}

repo=$(cd "$(dirname "$0")/.." && pwd)
install_args=()
out_dir=$repo/target/debian
while [ $# -gt 0 ]; do
    case "$1" in
        --build) install_args+=(--build); shift ;;
        --out) [ $# -ge 2 ] || die "--out needs a directory"; out_dir=$2; shift 2 ;;
        --out=*) out_dir=${1#--out=}; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done

command -v dpkg-deb >/dev/null 2>&1 || die "dpkg-deb not found (install the dpkg package)"
cd "$repo"
umask 022

# The version is the workspace's ([workspace.package] version in Cargo.toml).
version=$(awk '
    /^\[/ { in_section = ($0 == "[workspace.package]") }
    in_section && $1 == "version" { gsub(/.*= *"|".*/, ""); print; exit }
' Cargo.toml)
[[ "$version" =~ ^[0-9][A-Za-z0-9.+~-]*$ ]] || die "no usable version in Cargo.toml's [workspace.package] (got '$version')"
homepage=$(awk '
    /^\[/ { in_section = ($0 == "[workspace.package]") }
    in_section && $1 == "repository" { gsub(/.*= *"|".*/, ""); print; exit }
' Cargo.toml)
arch=$(dpkg --print-architecture)
package=lsm-rs
deb_name=${package}_${version}_${arch}.deb

# Reproducible: file times and the changelog date come from the last commit.
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
    SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || date +%s)
fi
export SOURCE_DATE_EPOCH
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)

stage=$(mktemp -d "${TMPDIR:-/tmp}/lsm-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT
root=$stage/root

"$repo/scripts/install.sh" --prefix /usr --destdir "$root" "${install_args[@]}" >"$stage/install.log" \
    || die "scripts/install.sh failed"
chmod 0755 "$root"

# Binaries: strip what a release build leaves (symbols, .comment).
if command -v strip >/dev/null 2>&1; then
    for binary in "$root"/usr/bin/*; do
        strip --strip-unneeded --remove-section=.comment --remove-section=.note "$binary"
    done
fi

# Man pages are gzipped in a package (-n: no name or time stamp inside).
find "$root/usr/share/man" -type f ! -name '*.gz' -exec gzip -9n {} +

doc=$root/usr/share/doc/$package
install -d "$doc"
copyright=$(<packaging/debian/copyright)
printf '%s\n' "${copyright//@HOMEPAGE@/"$homepage"}" >"$doc/copyright"
{
    echo "$package ($version) unstable; urgency=medium"
    echo
    echo "  * Built from the lsm-rs source tree at commit $commit."
    echo
    echo " -- lsm-rs developers <lsm-rs@example.invalid>  $(LC_ALL=C date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n >"$doc/changelog.gz"
chmod 0644 "$doc/copyright" "$doc/changelog.gz"
install -D -m 0644 packaging/debian/lintian-overrides "$root/usr/share/lintian/overrides/$package"

# Depends: the shared libraries the binaries link (dpkg-shlibdeps wants a
# source tree's debian/control; a minimal one in the stage does).
depends=
if command -v dpkg-shlibdeps >/dev/null 2>&1; then
    mkdir -p "$stage/source/debian"
    printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$package" "$package" \
        >"$stage/source/debian/control"
    elf_files=()
    for binary in "$root"/usr/bin/*; do elf_files+=("-e$binary"); done
    if shlibs=$(cd "$stage/source" && dpkg-shlibdeps -O "${elf_files[@]}" 2>"$stage/shlibdeps.err"); then
        depends=$(printf '%s\n' "$shlibs" | sed -n 's/^shlibs:Depends=//p')
    else
        echo "build-deb.sh: warning: dpkg-shlibdeps failed, depending on libc6 only:" >&2
        cat "$stage/shlibdeps.err" >&2
    fi
fi
[ -n "$depends" ] || depends=libc6
# The postinst creates the libstoragemgmt account with useradd/groupadd.
depends="$depends, passwd"

installed_size=$(du -sk --apparent-size "$root" | cut -f1)

mkdir -p "$root/DEBIAN"
control=$(<packaging/debian/control.in)
control=${control//@VERSION@/"$version"}
control=${control//@ARCH@/"$arch"}
control=${control//@DEPENDS@/"$depends"}
control=${control//@INSTALLED_SIZE@/"$installed_size"}
control=${control//@HOMEPAGE@/"$homepage"}
printf '%s\n' "$control" >"$root/DEBIAN/control"
(cd "$root" && find etc -type f | sort | sed 's|^|/|') >"$root/DEBIAN/conffiles"
[ -s "$root/DEBIAN/conffiles" ] || die "no files under /etc to list as conffiles"
for script in postinst prerm postrm; do
    install -m 0755 "packaging/debian/$script" "$root/DEBIAN/$script"
done
# md5sums of every file but the conffiles (dpkg keeps theirs itself).
(cd "$root" && find . -type f ! -path './DEBIAN/*' ! -path './etc/*' -printf '%P\0' | sort -z \
    | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"

mkdir -p "$out_dir"
deb=$(cd "$out_dir" && pwd)/$deb_name
dpkg-deb --root-owner-group --build "$root" "$deb" >"$stage/dpkg-deb.log" 2>&1 \
    || { cat "$stage/dpkg-deb.log" >&2; die "dpkg-deb --build failed"; }

# Check what was built: the control fields, the conffiles, and that the
# files install.sh promises are in it, owned by root.
dpkg-deb -I "$deb" >"$stage/info" || die "dpkg-deb -I cannot read $deb"
[ "$(dpkg-deb -f "$deb" Package)" = "$package" ] || die "$deb: wrong Package field"
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || die "$deb: wrong Version field"
dpkg-deb -c "$deb" >"$stage/contents" || die "dpkg-deb -c cannot list $deb"
expected=(
    ./usr/bin/lsmd ./usr/bin/lsmcli ./usr/bin/lsm-plugin-check ./usr/bin/lsm-arraysim
    ./usr/bin/sim_lsmplugin ./usr/bin/ontap_lsmplugin ./usr/bin/nstor_lsmplugin ./usr/bin/emc_lsmplugin
    ./lib/systemd/system/lsmd.service ./etc/lsm/lsmd.conf ./etc/lsm/pluginconf.d/sim.conf
    ./etc/lsm/pluginconf.d/ontap.conf ./etc/lsm/pluginconf.d/nstor.conf ./etc/lsm/pluginconf.d/emc.conf
    ./usr/share/man/man1/lsmcli.1.gz ./usr/share/man/man8/lsmd.8.gz
    ./usr/share/man/man1/ontap_lsmplugin.1.gz ./usr/share/man/man1/lsm-arraysim.1.gz
    ./usr/share/man/man1/nstor_lsmplugin.1.gz ./usr/share/man/man1/emc_lsmplugin.1.gz
    ./usr/share/bash-completion/completions/lsmcli ./usr/share/zsh/vendor-completions/_lsmcli
    ./usr/share/fish/vendor_completions.d/lsmcli.fish ./usr/lib/tmpfiles.d/lsm-rs.conf
    ./usr/share/doc/lsm-rs/copyright
)
for path in "${expected[@]}"; do
    awk -v want="$path" '$NF == want { found = 1 } END { exit !found }' "$stage/contents" \
        || die "$deb lacks $path"
done
if awk '$2 != "root/root" { bad = 1 } END { exit !bad }' "$stage/contents"; then
    die "$deb has files not owned by root/root"
fi
dpkg-deb -I "$deb" conffiles 2>/dev/null | grep -qx /etc/lsm/lsmd.conf \
    || die "$deb does not list /etc/lsm/lsmd.conf as a conffile"

if command -v lintian >/dev/null 2>&1; then
    lintian_status=0
    lintian --tag-display-limit 0 "$deb" >"$stage/lintian.out" 2>&1 || lintian_status=$?
    grep -v '^running with root privileges' "$stage/lintian.out" >"$stage/lintian" || true
    if [ "$lintian_status" != 0 ] || [ -s "$stage/lintian" ]; then
        echo "build-deb.sh: lintian says:" >&2
        cat "$stage/lintian" >&2
    fi
fi

echo "$deb"
