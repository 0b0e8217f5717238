"""The bottom layer: settings, reference data, text and number formats, labels."""
