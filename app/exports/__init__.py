"""Official forms as grids, written to Excel and to HTML by one writer each."""
