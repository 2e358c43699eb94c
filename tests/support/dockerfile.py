"""Kept for the modules that still import Dockerfile from here; new code imports testbed.dockerfile."""

from testbed.dockerfile import Dockerfile, Stage, expand

__all__ = ["Dockerfile", "Stage", "expand"]
