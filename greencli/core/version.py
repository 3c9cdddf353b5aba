"""The program's version: one place, read by the package (greencli.__version__), the build (pyproject.toml's
dynamic version) and everything that stamps it (the form's 说明, the rollup's fingerprint, --version)."""

__version__ = "0.1.0"
