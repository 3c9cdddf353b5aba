"""The printable, guarded scoring workbook: one skeleton per run, personalised per community by token swap.

layout (the sheets as a person sees and prints them), formulas (the live subtotals: pure functions of the
rubric), validations (what each input cell accepts), personalise (the per-community token swap).
"""

from greencli.adapters.template.layout import build_skeleton, build_workbook, text_lines, text_width
from greencli.adapters.template.personalise import Identity, personalise

__all__ = ["Identity", "build_skeleton", "build_workbook", "personalise", "text_lines", "text_width"]
