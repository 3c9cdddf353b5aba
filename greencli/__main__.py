"""Allow `python -m greencli`."""

from greencli.cli.entry import main

main()
