"""Admin broadcasts: composing, the announcement card, acknowledgements and reports."""
