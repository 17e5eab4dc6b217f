# Sourced by scripts/image.sh: the image's base, built here because this machine
# reaches no registry. Debian bookworm (debootstrap, minbase) with the Python 3.10
# that .venv runs on copied into /usr/local: Rasa 3.6 needs 3.8-3.10, bookworm
# ships 3.11, and that Python was built on this same Debian. With a registry,
# python:3.10-slim is the same thing (deploy/Containerfile says how).

# What Python's own modules link against (ssl, sqlite3, ctypes, lzma, bz2,
# readline, uuid, dbm), the CA bundle pip uses, and tini (the image's process 1).
BASE_PACKAGES=tini,ca-certificates,libssl3,libsqlite3-0,libffi8,zlib1g,libbz2-1.0,liblzma5,libreadline8,libncursesw6,libuuid1,libgdbm6,libexpat1

base_image_name() {
  local version
  version=$(.venv/bin/python -c 'import platform; print(platform.python_version())')
  echo "localhost/career-advisor-base:bookworm-python$version"
}

# build_base_image NAME: debootstrap, Python in, `podman import`; does nothing when NAME exists.
# (A subshell, so its EXIT trap removes the folder however it ends.)
build_base_image() (
  local name=$1 prefix rootfs
  if podman image exists "$name"; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: building $name needs root (debootstrap); run 'sudo make image' once" >&2
    exit 1
  fi
  prefix=$(.venv/bin/python -c 'import sys; print(sys.base_prefix)')
  rootfs=$(mktemp -d /tmp/career-advisor-base.XXXXXX)
  trap 'rm -rf "$rootfs" "$rootfs.log"' EXIT
  echo "== building $name: Debian bookworm (debootstrap, about 30 s) and Python from $prefix"
  debootstrap --variant=minbase --include="$BASE_PACKAGES" bookworm "$rootfs" >"$rootfs.log" 2>&1 || {
    tail -n 20 "$rootfs.log" >&2
    echo "error: debootstrap failed (log above)" >&2
    exit 1
  }
  cp -a "$prefix/." "$rootfs/usr/local/"
  # Python's own test suite, and what this machine's site-packages adds on top of a
  # plain build (a sandbox's CA hook), stay out.
  rm -rf "$rootfs/usr/local/lib/python3.10/test" "$rootfs"/usr/local/lib/python3.10/site-packages/_sandboxing*
  # libpython3.10.so lives in /usr/local/lib, which Debian's loader searches.
  chroot "$rootfs" /sbin/ldconfig
  chroot "$rootfs" /usr/local/bin/python3.10 -c "import ssl, sqlite3, ctypes, lzma, bz2, uuid, venv"
  # An imported image has no PATH of its own.
  tar -C "$rootfs" -c . | podman import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' - "$name" >/dev/null
)
