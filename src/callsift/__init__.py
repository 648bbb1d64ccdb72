"""callsift: recorded phone calls to searchable, verified evidence."""

__version__ = "0.1.0"
