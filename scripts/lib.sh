# Shared by scripts/run and scripts/test: install what Tekigo needs on a fresh Debian machine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

UV_VERSION="0.13.8"
# fonts-noto-cjk: Japanese glyphs in pages and PDFs; libharfbuzz-subset0: fast font subsetting in
# WeasyPrint; poppler-utils: PDF checks in tests; gettext: compiles the Japanese interface strings.
SYSTEM_PACKAGES=(fonts-noto-cjk libharfbuzz-subset0 poppler-utils gettext)

ensure_system_packages() {
  local missing=()
  for pkg in "${SYSTEM_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  ((${#missing[@]} == 0)) && return 0
  if [[ $(id -u) -ne 0 ]]; then
    echo "Tekigo needs these Debian packages: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "==> installing system packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_python_env() {
  if ! command -v uv >/dev/null 2>&1; then
    echo "==> installing uv ${UV_VERSION}"
    python3 -m pip install --quiet --disable-pip-version-check "uv==${UV_VERSION}" \
      || { echo "Tekigo needs uv: python3 -m pip install uv==${UV_VERSION}" >&2; exit 1; }
  fi
  # pyenv and --user installs may not put the new script on PATH at once; the module always runs.
  if command -v uv >/dev/null 2>&1; then UV=("$(command -v uv)"); else UV=(python3 -m uv); fi
  uv() { "${UV[@]}" "$@"; }
  if step_changed python-env uv.lock pyproject.toml || [[ ! -d .venv ]]; then
    echo "==> installing Python dependencies (uv.lock)"
    uv sync --frozen --quiet
    step_done python-env
  fi
  if step_changed messages locale/*/LC_MESSAGES/*.po; then
    echo "==> compiling the Japanese interface strings"
    uv run --frozen python manage.py compilemessages --ignore=.venv -v 0
    step_done messages
  fi
}

# --- Skipping steps whose inputs did not change (a warm restart takes seconds) -----------------
# step_changed NAME FILE...: true when the files' content differs from the last successful run of
# step NAME (or it never ran); step_done NAME records it. Stamps live in var/.stamps/.
declare -A STEP_SUMS=()
step_changed() {
  local name=$1; shift
  local sum
  sum=$(cat "$@" 2>/dev/null | sha256sum | cut -d' ' -f1)
  STEP_SUMS[$name]=$sum
  [[ "$(cat "var/.stamps/$name" 2>/dev/null)" != "$sum" ]]
}
step_done() {
  mkdir -p var/.stamps
  echo "${STEP_SUMS[$1]}" > "var/.stamps/$1"
}
