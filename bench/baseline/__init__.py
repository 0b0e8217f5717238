"""The pre-check path as it was before issue 17 (commit d5d0983), frozen as the baseline that
``bench.screening_cost`` and ``tests/screening/test_baseline_identical.py`` compare the service
with, in the same run.

Only what issue 17 changed is copied here (each module says what it freezes); the rest is
imported from ``wastescreen`` as it is. Not an entry point, and nothing under ``src/`` imports
it. Do not edit it to follow the service: it stands for the old code.
"""
