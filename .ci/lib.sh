# Shared helpers for the .ci scripts: install what a fresh Debian machine with
# only the Swift toolchain lacks. Source it; do not run it.

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        echo "need root (or sudo) to run: $*" >&2; return 1; fi
}

# ensure_debian_packages PKG...: installs the packages that are not installed yet.
ensure_debian_packages() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || {
        as_root apt-get update -qq >/dev/null
        as_root apt-get install -y -qq "${missing[@]}" >/dev/null
    }
}

# ensure_python_packages MODULE=PACKAGE...: makes `python3` import each MODULE,
# pip-installing PACKAGE when it does not. Falls back to a virtualenv in
# .build/venv (put first on PATH) where the system Python refuses pip installs.
ensure_python_packages() {
    local modules=() packages=()
    for pair in "$@"; do modules+=("${pair%%=*}"); packages+=("${pair#*=}"); done
    local check="import $(IFS=,; echo "${modules[*]}")"
    command -v python3 >/dev/null || ensure_debian_packages python3 python3-pip python3-venv
    if [ -x .build/venv/bin/python3 ]; then export PATH="$PWD/.build/venv/bin:$PATH"; fi
    python3 -c "$check" 2>/dev/null && return 0
    echo "installing Python packages: ${packages[*]}"
    if python3 -m pip install --quiet "${packages[@]}" 2>/dev/null && python3 -c "$check" 2>/dev/null; then
        return 0
    fi
    python3 -m venv .build/venv 2>/dev/null || { ensure_debian_packages python3-venv; python3 -m venv .build/venv; }
    export PATH="$PWD/.build/venv/bin:$PATH"
    python3 -m pip install --quiet "${packages[@]}"
    python3 -c "$check"
}
