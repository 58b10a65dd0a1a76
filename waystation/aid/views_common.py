"""What the staff pages of mutual aid share: the page size (page gates are
`accounts.access.requires` with the rules of `aid/access.py`)."""

PAGE_SIZE = 50
