"""What leaves the workbench for other programs: exports (``export``) and charts (``charts``)."""
