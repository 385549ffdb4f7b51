"""What every HTTP route shares, below both ``api`` and ``web``: the services, the caller, the permission."""
