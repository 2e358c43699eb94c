#!/usr/bin/env bash
# Minikube runbook: from a machine with minikube and kubectl to the Todo app
# answering on http://todo.local, deployed by Argo CD from git.
#
# Every step is apply-style, so running it again converges instead of failing.
# --dry-run prints every command and runs none of them, after the same input
# checks as a real run (`make docs` copies its steps into docs/getting-started.md).
# Written for bash 3.2 too (macOS's /bin/bash).
set -euo pipefail

readonly ARGOCD_VERSION="v3.5.3"
readonly ARGOCD_INSTALL_URL="https://raw.githubusercontent.com/argoproj/argo-cd/${ARGOCD_VERSION}/manifests/install.yaml"
# Envoy Gateway, a Gateway API implementation that reports conformance, for --gateway;
# installed as its docs say: https://gateway.envoyproxy.io/docs/install/install-helm/
readonly ENVOY_GATEWAY_VERSION="v1.8.2"
readonly ENVOY_GATEWAY_CHART="oci://docker.io/envoyproxy/gateway-helm"
readonly GATEWAY_MANIFEST="scripts/minikube-gateway.yaml"
readonly PLACEHOLDER_REPO_URL="https://github.com/example-org/todo-deploy-kit.git"
readonly SECRET_NAME="todo-secrets"
readonly SECRET_KEYS="DATABASE_URL BETTER_AUTH_SECRET OPENAI_API_KEY"
readonly APP_NAMESPACE="default"
readonly WAIT_TIMEOUT_SECONDS=600

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly ROOT

usage() {
  cat <<EOF
Usage: scripts/minikube-up.sh [--dry-run] [--helm | --gateway] [--repo-url URL] [--revision REV] [--image-tag TAG]

Starts Minikube, enables its ingress addon, builds todo-backend and
todo-frontend into Minikube's image store (minikube image build: no local
Docker engine needed), creates the Secret ${SECRET_NAME}, installs Argo CD
${ARGOCD_VERSION}, applies the Argo CD Application(s) and waits until they are
Synced and Healthy.

Options:
  --dry-run         print every command without running any (inputs are still checked)
  --helm            deploy the Helm charts (argocd/helm/) instead of dist/ (argocd/dist/)
  --gateway         route through the Gateway API instead of an Ingress: install Envoy Gateway
                    ${ENVOY_GATEWAY_VERSION} with Helm, apply ${GATEWAY_MANIFEST} and deploy the
                    charts with HTTPRoutes (argocd/gateway/)
  --repo-url URL    git remote Argo CD syncs from (rewrites argocd/; env REPO_URL)
  --revision REV    branch, tag or commit Argo CD tracks (env REVISION)
  --image-tag TAG   tag for the built images (env IMAGE_TAG, default latest)
  -h, --help        show this help

Secret values come from the environment, else from ${ROOT}/.env
(KEY=value lines, untracked; env ENV_FILE overrides the path):
  ${SECRET_KEYS}
Other environment: MINIKUBE_PROFILE (default minikube; also the kubectl context).
EOF
}

die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

warn() {
  printf 'warning: %s\n' "$*" >&2
}

# Shell-quote a command so the printed line can be pasted back into a shell.
quote() {
  local out="" arg
  for arg in "$@"; do
    case $arg in
      "" | *[!A-Za-z0-9_./:=@,+%-]*) arg="'${arg//\'/\'\\\'\'}'" ;;
    esac
    out="${out}${out:+ }${arg}"
  done
  printf '%s' "$out"
}

step() {
  printf '\n==> %s\n' "$*"
}

# Print a command, then run it unless this is a dry run.
run() {
  printf '+ %s\n' "$(quote "$@")"
  if [ "$DRY_RUN" = 1 ]; then
    return 0
  fi
  "$@"
}

# Print and run `<generator> | kubectl apply -f -`: the idempotent way to
# create objects that kubectl only offers a `create` verb for.
run_applied() {
  printf '+ %s | %s\n' "$(quote "$@")" "$(quote kubectl --context "$PROFILE" apply -f -)"
  if [ "$DRY_RUN" = 1 ]; then
    return 0
  fi
  "$@" | kubectl --context "$PROFILE" apply -f -
}

parse_args() {
  DRY_RUN=0
  PACKAGING=dist
  REPO_URL="${REPO_URL:-}"
  REVISION="${REVISION:-}"
  IMAGE_TAG="${IMAGE_TAG:-latest}"
  PROFILE="${MINIKUBE_PROFILE:-minikube}"
  ENV_FILE="${ENV_FILE:-$ROOT/.env}"
  while [ $# -gt 0 ]; do
    case $1 in
      --dry-run) DRY_RUN=1 ;;
      --helm) PACKAGING=helm ;;
      --gateway) PACKAGING=gateway ;;
      --repo-url | --revision | --image-tag)
        [ $# -ge 2 ] || { usage >&2; die "$1 needs a value"; }
        case $1 in
          --repo-url) REPO_URL=$2 ;;
          --revision) REVISION=$2 ;;
          --image-tag) IMAGE_TAG=$2 ;;
        esac
        shift
        ;;
      -h | --help)
        usage
        exit 0
        ;;
      *)
        usage >&2
        printf 'error: unknown argument: %s\n' "$1" >&2
        exit 2
        ;;
    esac
    shift
  done
  case $IMAGE_TAG in
    "" | [.-]* | *[!A-Za-z0-9_.-]*) die "--image-tag '$IMAGE_TAG' is not a valid image tag (letters, digits, '_', '.', '-')" ;;
  esac
  if [ "$PACKAGING" != dist ]; then
    # argocd/helm/ and argocd/gateway/ name the same two Applications: one replaces the other.
    APPLICATIONS="todo-backend todo-frontend"
    OTHER_APPLICATIONS="todo"
    OTHER_DIR="argocd/dist"
  else
    APPLICATIONS="todo"
    OTHER_APPLICATIONS="todo-backend todo-frontend"
    OTHER_DIR="argocd/helm"
  fi
  APP_DIR="argocd/$PACKAGING"
}

check_prerequisites() {
  local missing=""
  command -v minikube >/dev/null 2>&1 ||
    missing="${missing}
  minikube: not found on PATH; install it: https://minikube.sigs.k8s.io/docs/start/
            (it also needs a driver such as Docker, Podman, HyperKit or KVM)"
  command -v kubectl >/dev/null 2>&1 ||
    missing="${missing}
  kubectl:  not found on PATH; install it: https://kubernetes.io/docs/tasks/tools/"
  if [ "$PACKAGING" = gateway ]; then
    command -v helm >/dev/null 2>&1 ||
      missing="${missing}
  helm:     not found on PATH; needed by --gateway to install Envoy Gateway: https://helm.sh/docs/intro/install/"
  fi
  if [ -n "$REPO_URL$REVISION" ]; then
    command -v python3 >/dev/null 2>&1 ||
      missing="${missing}
  python3:  not found on PATH; needed by --repo-url/--revision (scripts/set_argocd_source.py)"
  fi
  [ -z "$missing" ] || die "missing prerequisites:${missing}"

  local file
  for file in docker/backend/Dockerfile docker/frontend/Dockerfile backend frontend \
    "$APP_DIR" "$GATEWAY_MANIFEST" scripts/set_argocd_source.py; do
    [ -e "$ROOT/$file" ] || die "$file not found in $ROOT: run this from a full checkout of the repository"
  done
}

# Value of KEY in a dotenv file (KEY=value or export KEY=value, optional
# matching quotes; the last assignment wins). The file is parsed, never
# sourced, so it cannot run code. Fails when the key is absent.
dotenv_value() {
  local key=$1 file=$2 line value found=1 result=""
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%$'\r'}
    case $line in
      "export $key="*) value=${line#"export $key="} ;;
      "$key="*) value=${line#"$key="} ;;
      *) continue ;;
    esac
    case $value in
      \"*\") value=${value#\"} && value=${value%\"} ;;
      \'*\') value=${value#\'} && value=${value%\'} ;;
    esac
    result=$value
    found=0
  done <"$file"
  [ "$found" = 0 ] || return 1
  printf '%s' "$result"
}

# Resolve each secret key from the environment, else from the .env file.
# Values land in SECRET_<KEY> variables and are never printed.
load_secrets() {
  local key value missing="" have_env_file=0
  if [ -f "$ENV_FILE" ]; then
    have_env_file=1
    if command -v git >/dev/null 2>&1 &&
      git -C "$(dirname "$ENV_FILE")" ls-files --error-unmatch -- "$(basename "$ENV_FILE")" >/dev/null 2>&1; then
      die "$ENV_FILE is tracked by git; secrets never enter git: git rm --cached it and rotate the values"
    fi
  fi
  for key in $SECRET_KEYS; do
    value="${!key:-}"
    if [ -z "$value" ] && [ "$have_env_file" = 1 ]; then
      value="$(dotenv_value "$key" "$ENV_FILE" || true)"
    fi
    if [ -z "$value" ]; then
      missing="${missing} ${key}"
    fi
    printf -v "SECRET_${key}" '%s' "$value"
  done
  if [ -n "$missing" ]; then
    die "refusing to run: secret key(s) missing or empty:${missing}
  export them, or add KEY=value lines to ${ENV_FILE} (untracked), then run again"
  fi
}

# The repoURL the Applications about to be applied point at.
current_repo_url() {
  local line
  while IFS= read -r line; do
    case $line in
      *repoURL:*)
        line=${line#*repoURL:}
        line=${line#"${line%%[![:space:]]*}"}
        line=${line#\"} && line=${line%\"}
        printf '%s' "$line"
        return 0
        ;;
    esac
  done <"$ROOT/$APP_DIR/${APPLICATIONS%% *}.yaml"
}

check_repo_url() {
  local url=${REPO_URL:-$(current_repo_url)}
  if [ "$url" = "$PLACEHOLDER_REPO_URL" ]; then
    local msg="$APP_DIR points at the placeholder repository $PLACEHOLDER_REPO_URL.
  Argo CD deploys from git: push this repository to your own remote, then pass
  --repo-url <url> [--revision <branch>] (or: make argocd-repo REPO_URL=<url> REVISION=<branch>)"
    if [ "$DRY_RUN" = 1 ]; then
      warn "$msg"
    else
      die "$msg"
    fi
  fi
}

# Run "$@" with the requested --repo-url and --revision appended, each joined
# to its value so that a value starting with "-" cannot read as an option.
with_source() {
  [ -z "$REPO_URL" ] || set -- "$@" "--repo-url=$REPO_URL"
  [ -z "$REVISION" ] || set -- "$@" "--revision=$REVISION"
  "$@"
}

# Refuse a bad --repo-url/--revision (a credential in the URL, a newline, not
# a ref name) before anything prints them. The setter's --check changes no
# file, so a dry run runs it too and refuses exactly what a real run refuses,
# with the same message and exit status.
check_source() {
  [ -n "$REPO_URL$REVISION" ] || return 0
  with_source python3 scripts/set_argocd_source.py --check || exit $?
}

set_source() {
  [ -n "$REPO_URL$REVISION" ] || return 0
  step "Point the Argo CD Applications at ${REPO_URL:-the current repository}${REVISION:+ @ $REVISION}"
  with_source run python3 scripts/set_argocd_source.py
  printf '   Commit and push argocd/ so git agrees with what the cluster runs.\n'
}

start_minikube() {
  step "Start Minikube (profile $PROFILE)"
  run minikube -p "$PROFILE" start
}

enable_ingress() {
  step "Enable the ingress addon and wait for its controller"
  run minikube -p "$PROFILE" addons enable ingress
  run kubectl --context "$PROFILE" -n ingress-nginx rollout status deployment/ingress-nginx-controller --timeout=300s
}

# minikube image build ships the context directory to the node and resolves
# -f inside it, so a Dockerfile kept outside its context (docker/<name>/) is
# copied into a staged copy of the context first.
# The Gateway path: Envoy Gateway (it brings the Gateway API CRDs) and the Gateway the HTTPRoutes attach to.
install_gateway() {
  step "Install Envoy Gateway $ENVOY_GATEWAY_VERSION with Helm and apply the Gateway todo"
  run helm --kube-context "$PROFILE" upgrade --install eg "$ENVOY_GATEWAY_CHART" --version "$ENVOY_GATEWAY_VERSION" \
    --namespace envoy-gateway-system --create-namespace --wait --timeout 5m
  run kubectl --context "$PROFILE" apply -f "$GATEWAY_MANIFEST"
  run kubectl --context "$PROFILE" -n "$APP_NAMESPACE" wait --for=condition=Programmed gateway/todo --timeout=300s
}

build_image() {
  local name=$1 context=$2 dockerfile=$3
  local stage="$WORK_DIR/$name"
  run mkdir -p "$stage"
  run cp -R "$context/." "$stage/"
  run cp "$dockerfile" "$stage/Dockerfile"
  if [ -f "$dockerfile.dockerignore" ]; then
    run cp "$dockerfile.dockerignore" "$stage/.dockerignore"
  fi
  run minikube -p "$PROFILE" image build -t "$name:$IMAGE_TAG" -f Dockerfile "$stage"
}

build_images() {
  step "Build the images into Minikube's image store (tag $IMAGE_TAG)"
  build_image todo-backend backend docker/backend/Dockerfile
  build_image todo-frontend frontend docker/frontend/Dockerfile
  if [ "$IMAGE_TAG" != latest ]; then
    printf '   dist/ must name this tag to roll it out: synthesize with IMAGE_TAG=%s, commit and push dist/.\n' "$IMAGE_TAG"
  fi
}

create_secret() {
  step "Create or update the Secret $SECRET_NAME in namespace $APP_NAMESPACE"
  local key dir="$WORK_DIR/secrets"
  set -- kubectl --context "$PROFILE" create secret generic "$SECRET_NAME" --namespace="$APP_NAMESPACE"
  for key in $SECRET_KEYS; do
    set -- "$@" "--from-file=$key=$dir/$key"
  done
  set -- "$@" --dry-run=client -o yaml
  if [ "$DRY_RUN" = 0 ]; then
    # One file per key, readable only by us: values never appear on a command
    # line (ps) or in output, and keep their exact bytes.
    (umask 077 && mkdir -p "$dir")
    for key in $SECRET_KEYS; do
      local var="SECRET_${key}"
      (umask 077 && printf '%s' "${!var}" >"$dir/$key")
    done
  fi
  run_applied "$@"
  if [ "$DRY_RUN" = 0 ]; then
    rm -rf "$dir"
  fi
}

install_argocd() {
  step "Install Argo CD $ARGOCD_VERSION"
  run_applied kubectl --context "$PROFILE" create namespace argocd --dry-run=client -o yaml
  # Server-side apply: the ApplicationSet CRD is too large for the
  # last-applied-configuration annotation of a client-side apply.
  run kubectl --context "$PROFILE" apply -n argocd --server-side --force-conflicts -f "$ARGOCD_INSTALL_URL"
  run kubectl --context "$PROFILE" wait --for=condition=Established crd/applications.argoproj.io --timeout=120s
  run kubectl --context "$PROFILE" -n argocd rollout status deployment/argocd-redis --timeout=300s
  run kubectl --context "$PROFILE" -n argocd rollout status deployment/argocd-repo-server --timeout=300s
  run kubectl --context "$PROFILE" -n argocd rollout status statefulset/argocd-application-controller --timeout=300s
}

apply_applications() {
  step "Apply the Argo CD Application(s) from $APP_DIR"
  # Never both packagings: they would claim the same objects.
  local found=""
  # shellcheck disable=SC2086 # word splitting of the name list is intended
  set -- kubectl --context "$PROFILE" -n argocd get applications.argoproj.io $OTHER_APPLICATIONS --ignore-not-found -o name
  printf '+ %s\n' "$(quote "$@")"
  if [ "$DRY_RUN" = 0 ]; then
    found="$("$@")"
  fi
  if [ -n "$found" ]; then
    die "the other packaging is deployed (${found//$'\n'/ }); remove it first: kubectl --context $PROFILE delete -f $OTHER_DIR/"
  fi
  local app
  set -- kubectl --context "$PROFILE" apply
  for app in $APPLICATIONS; do
    set -- "$@" -f "$APP_DIR/$app.yaml"
  done
  run "$@"
}

wait_for_applications() {
  step "Wait until Argo CD reports the Application(s) Synced and Healthy (up to ${WAIT_TIMEOUT_SECONDS}s each)"
  local app status waited
  for app in $APPLICATIONS; do
    set -- kubectl --context "$PROFILE" -n argocd get "applications.argoproj.io/$app" \
      -o 'jsonpath={.status.sync.status} {.status.health.status}'
    printf '+ %s   # polled every 5s until "Synced Healthy"\n' "$(quote "$@")"
    [ "$DRY_RUN" = 0 ] || continue
    waited=0
    while :; do
      status="$("$@" 2>/dev/null || true)"
      [ "$status" = "Synced Healthy" ] && break
      if [ "$waited" -ge "$WAIT_TIMEOUT_SECONDS" ]; then
        die "Application $app is '${status:-unknown}' after ${WAIT_TIMEOUT_SECONDS}s.
  Look at: kubectl --context $PROFILE -n argocd describe applications.argoproj.io/$app
           kubectl --context $PROFILE -n $APP_NAMESPACE get pods
  and docs/operations.md, Troubleshooting the deployment"
      fi
      sleep 5
      waited=$((waited + 5))
    done
    printf '   %s: Synced Healthy\n' "$app"
  done
}

print_gateway_access() {
  step "Reach the app through the Gateway"
  cat <<EOF
   Envoy Gateway serves the Gateway todo from a LoadBalancer Service: keep
   'minikube -p $PROFILE tunnel' running in another terminal, then map the Gateway's address:
     kubectl --context $PROFILE -n $APP_NAMESPACE get gateway todo -o jsonpath='{.status.addresses[0].value}'
     echo "<that address> todo.local" | sudo tee -a /etc/hosts
   Then open http://todo.local (API health: curl http://todo.local/health).

   Check status:
     kubectl --context $PROFILE -n argocd get applications.argoproj.io
     kubectl --context $PROFILE -n $APP_NAMESPACE get pods,services,gateways,httproutes
EOF
}

print_access() {
  step "Reach the app"
  local ip="<minikube-ip>"
  run minikube -p "$PROFILE" ip
  if [ "$DRY_RUN" = 0 ]; then
    ip="$(minikube -p "$PROFILE" ip)"
  fi
  cat <<EOF
   Map todo.local to the cluster (once; needs sudo):
     Linux, or a VM driver:         echo "$ip todo.local" | sudo tee -a /etc/hosts
     macOS/Windows, docker driver:  keep 'minikube -p $PROFILE tunnel' running in another
                                    terminal and map 127.0.0.1 instead:
                                    echo "127.0.0.1 todo.local" | sudo tee -a /etc/hosts
   Then open http://todo.local (API health: curl http://todo.local/health).

   Check status:
     kubectl --context $PROFILE -n argocd get applications.argoproj.io
     kubectl --context $PROFILE -n $APP_NAMESPACE get pods,services,ingresses
     kubectl --context $PROFILE -n argocd port-forward service/argocd-server 8080:443   # UI on https://localhost:8080
EOF
}

cleanup() {
  if [ -n "${WORK_DIR:-}" ] && [ "$DRY_RUN" = 0 ]; then
    rm -rf "$WORK_DIR"
  fi
}

main() {
  parse_args "$@"
  cd "$ROOT"
  check_prerequisites
  check_source
  load_secrets
  check_repo_url

  if [ "$DRY_RUN" = 1 ]; then
    WORK_DIR="${TMPDIR:-/tmp}/todo-runbook.dry-run"
    printf 'Dry run: printing every command, running none.\n'
  else
    WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/todo-runbook.XXXXXX")"
  fi
  trap cleanup EXIT

  set_source
  start_minikube
  if [ "$PACKAGING" = gateway ]; then
    install_gateway
  else
    enable_ingress
  fi
  build_images
  create_secret
  install_argocd
  apply_applications
  wait_for_applications
  if [ "$PACKAGING" = gateway ]; then
    print_gateway_access
  else
    print_access
  fi
}

main "$@"
