"""Services: pure functions over records, rules and today."""
