"""The pure core: the rubric model, value parsing, scoring and progress. No I/O libraries here."""
