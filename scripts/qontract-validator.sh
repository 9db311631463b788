#!/usr/bin/env bash
# Runs qontract-validator (PyPI package qontract-validator 0.1.0, the validator app-interface CI
# runs over a bundle) with the given arguments, e.g. `--only-errors bundle.json`; with `--bundler`
# first, runs the same package's qontract-bundler instead (SCHEMAS GRAPHQL_SCHEMA DATA_DIR
# RESOURCES_DIR GIT_COMMIT GIT_COMMIT_TIMESTAMP > bundle.json). Installs it once
# into a virtualenv in ${XDG_CACHE_HOME:-~/.cache}/kontract/qontract-validator-0.1.0, outside the
# repository: on Python 3.11 its PyYAML 5.x pin needs `cython<3` and `--no-build-isolation`.
# The validator fetches the JSON Schema draft metaschemas over the network; this wrapper answers
# those fetches from the copies that ship with the installed `jsonschema` package, so it runs
# offline. Needs python3 with venv and pip, and a PyPI index for the first install.
set -euo pipefail
VERSION=0.1.0
venv="${XDG_CACHE_HOME:-$HOME/.cache}/kontract/qontract-validator-$VERSION"
py="$venv/bin/python"
if ! "$py" -c 'import validator.validator' 2>/dev/null; then
  command -v python3 >/dev/null || { echo "qontract-validator: python3 is required" >&2; exit 1; }
  t0=$(date +%s)
  echo "qontract-validator: installing $VERSION into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$py" -m pip install --quiet --disable-pip-version-check 'cython<3' wheel >&2
  "$py" -m pip install --quiet --disable-pip-version-check --no-build-isolation "qontract-validator==$VERSION" >&2
  echo "qontract-validator: installed in $(( $(date +%s) - t0 ))s" >&2
fi
if [ "${1:-}" = --bundler ]; then
  shift
  exec "$venv/bin/qontract-bundler" "$@"
fi
exec "$py" - "$@" <<'PY'
import json, pkgutil, re, sys
import validator.validator as v

def local_metaschema(url):
    m = re.search(r"draft-0?(\d+)", url)
    if not m:
        raise v.MissingSchemaFile(url)
    return json.loads(pkgutil.get_data("jsonschema", "schemas/draft%s.json" % m.group(1)))

v.fetch_schema = local_metaschema
sys.argv[0] = "qontract-validator"
v.main()
PY
