"""Verification: consistency checks on calls and the reviewers' workflow.

``check_case`` runs every consistency check over a case (metadata against
content, duplicates, signs of editing) and stores the findings.
"""

from callsift.verify.checks import CheckOptions
from callsift.verify.run import CHECK_KINDS, check_case

__all__ = ["CHECK_KINDS", "CheckOptions", "check_case"]
