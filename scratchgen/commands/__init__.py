"""The ``scratchgen`` commands, one module each (see ``scratchgen.cli``).

Each module has ``add_parser(subparsers)`` and ``run(args) -> exit status``;
``runs`` holds the run-folder logic and ``errors`` the one-line error policy.
"""
