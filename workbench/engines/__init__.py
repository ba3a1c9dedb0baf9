"""Engines compute arrays on one preprocessing definition and hand them to the one run-folder writer:
``local`` (this machine) and ``spark`` (Apache Spark)."""

from workbench.engines.local import train

__all__ = ["train"]
