"""Who called whom: phone numbers, directories of known numbers, voices and the call graph."""
