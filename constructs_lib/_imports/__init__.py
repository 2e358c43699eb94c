"""Typed APIs cdk8s imports from CRDs: regenerate with scripts/import_crds.py."""
