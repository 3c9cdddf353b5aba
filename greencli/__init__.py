"""greencli: score, consolidate and track Green Community (绿色社区) inspection workbooks."""

__version__ = "0.1.0"
