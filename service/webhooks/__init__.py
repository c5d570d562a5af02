"""Job webhooks: Standard Webhooks signing, an SSRF guard and at-least-once delivery."""
