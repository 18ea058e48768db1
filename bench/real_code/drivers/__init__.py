"""One module per corpus project; each defines `SITES: list[Site]`."""
