"""wastescreen: screens S&T investment proposals for waste and redundancy risk."""

__version__ = "0.1.0"
