"""Federation adapters: Ed25519 keys, RFC 9421 signed messages and the HTTP client to peers."""
