"""Failures that stop a whole command (not one workbook): each carries a Chinese message and an exit code."""


class GreencliError(Exception):
    """Unrecoverable for the command: an unusable call, roster, ledger, rubric or output. Exit code 2."""

    exit_code = 2
