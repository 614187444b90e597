"""`make bench`: search, customer page, sync and load figures beside their floors (issue 10)."""
