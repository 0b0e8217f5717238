"""The ``wastescreen`` command line."""
