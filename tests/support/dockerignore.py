"""Kept for the modules that still import DockerIgnore from here; new code imports testbed.dockerignore."""

from testbed.dockerignore import DockerIgnore

__all__ = ["DockerIgnore"]
