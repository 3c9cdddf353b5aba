"""Allow `python -m greencli`."""

from greencli.cli.app import main

main()
