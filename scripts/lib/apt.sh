# Sourced by the install scripts: install Debian packages that are missing, as root.
# install_debian_packages "what they are for" package...; extra apt-get install flags
# (e.g. --no-install-recommends) in the caller's APT_INSTALL_FLAGS array.
install_debian_packages() {
  local purpose=$1
  shift
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: $purpose need $*: run 'sudo $0' (or install them with apt-get)" >&2
    exit 1
  fi
  echo "Installing $* (Debian packages, for $purpose)"
  export DEBIAN_FRONTEND=noninteractive
  # Another apt run on the same machine holds the lock for a while; wait rather than fail.
  local apt_options=(-qq -o DPkg::Lock::Timeout=300)
  apt-get "${apt_options[@]}" update >/dev/null
  apt-get "${apt_options[@]}" install -y "${APT_INSTALL_FLAGS[@]}" "$@" >/dev/null
}
