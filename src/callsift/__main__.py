"""``python -m callsift``."""

from callsift.cli import main

main()
